package io.zkmargin.operator;

import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.operator.keeper.Keeper;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.utils.Numeric;

/**
 * What the operator follows on chain besides deposits (docs/LIQUIDATION.md section 11): the oracle
 * quorum's risk roots and the keepers' liquidation requests. At each poll:
 *
 * <ul>
 *   <li>the Settlement's latest risk epoch: when its root is not the sequencer's, the entries come
 *       from the oracle's published vector ({@link Keeper.OracleVectors}, e.g. {@code venue.json}
 *       of the oracle's folder), must commit to exactly that root, and the sequencer begins its
 *       next batch at it ({@link Sequencer#useRisk}); without entries for it the sequencer stays at
 *       its root (logged once per epoch);
 *   <li>the escape hatch's {@code LiquidationRequested} events: each request still pending (the
 *       hatch's deadline for the account is the event's) goes to {@link
 *       Sequencer#requestLiquidation}, which liquidates the account in its next batch with the
 *       keeper named (the batch clears the request and pays the keeper's share).
 * </ul>
 */
public final class ChainFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChainFollower.class);

  private final Sequencer sequencer;
  private final SettlementClient chain;
  private final EscapeHatchClient hatch; // null: no escape hatch
  private final Keeper.OracleVectors oracle;
  private long followedEpoch = -1;
  private long missingLogged = -1;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "zkm-chain-follower");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param sequencer the operator's sequencer
   * @param chain the Settlement (read only here)
   * @param hatch the escape hatch, or null when the Settlement has none
   * @param oracle the oracle's published vectors by (epoch, root)
   */
  public ChainFollower(
      Sequencer sequencer,
      SettlementClient chain,
      EscapeHatchClient hatch,
      Keeper.OracleVectors oracle) {
    this.sequencer = ArgChecker.notNull(sequencer, "sequencer");
    this.chain = ArgChecker.notNull(chain, "chain");
    this.hatch = hatch;
    this.oracle = ArgChecker.notNull(oracle, "oracle");
  }

  /** Polls every {@code interval} from now on (a failed poll is logged and tried again). */
  public ChainFollower start(Duration interval) {
    long ms = ArgChecker.notNull(interval, "interval").toMillis();
    ticker.scheduleWithFixedDelay(
        () -> {
          try {
            poll();
          } catch (RuntimeException e) {
            LOG.atWarn().setCause(e).log("follower.poll_failed " + e.getMessage());
          }
        },
        0,
        ms,
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** One poll: the latest risk root, then the pending liquidation requests. */
  public void poll() {
    followRisk();
    followRequests();
  }

  private void followRisk() {
    if (chain.riskRootCount() == 0) {
      return;
    }
    long epoch = chain.latestRiskEpoch();
    if (epoch <= followedEpoch) {
      return;
    }
    BigInteger root = chain.riskRootOfEpoch(epoch);
    if (root.equals(sequencer.riskRoot())) {
      followedEpoch = epoch;
      return;
    }
    Optional<RiskCommitment> v = oracle.vector(epoch, root).filter(c -> c.riskRoot().equals(root));
    if (v.isEmpty()) {
      if (missingLogged != epoch) {
        missingLogged = epoch;
        LOG.atWarn()
            .addKeyValue("epoch", epoch)
            .addKeyValue("riskRoot", root)
            .log("follower.no_risk_entries: the oracle's vector does not commit to the root");
      }
      return;
    }
    try {
      sequencer.useRisk(v.get());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    followedEpoch = epoch;
    LOG.atInfo().addKeyValue("epoch", epoch).addKeyValue("riskRoot", root).log("follower.risk");
  }

  private void followRequests() {
    if (hatch == null) {
      return;
    }
    if (hatch.isFrozen()) {
      sequencer.retainLiquidations(java.util.Set.of()); // no batch is accepted any more
      return;
    }
    java.util.Set<Long> pending = new java.util.HashSet<>();
    for (EscapeHatchClient.LiquidationRequest r : hatch.liquidationRequests(0)) {
      long deadline = hatch.liquidationDeadline(r.accountId());
      if (deadline == 0 || deadline != r.deadline()) {
        continue; // cleared, or a later request of the account (its own event)
      }
      pending.add(r.accountId());
      if (sequencer.requestLiquidation(
          new Sequencer.LiquidationRequest(
              r.accountId(), Numeric.toBigInt(r.keeper()), r.deadline()))) {
        LOG.atInfo()
            .addKeyValue("account", r.accountId())
            .addKeyValue("keeper", r.keeper())
            .addKeyValue("epoch", r.riskEpoch())
            .addKeyValue("deadline", r.deadline())
            .log("follower.liquidation_requested");
      }
    }
    sequencer.retainLiquidations(pending);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
