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
 *       keeper named (the batch clears the request and pays the keeper's share);
 *   <li>its {@code ForcedWithdrawalRequested} events: each request still pending (the hatch holds
 *       exactly its requester, amount and deadline) goes to {@link
 *       Sequencer#requestForcedWithdrawal}, which answers it (paid or refused) in a request slot of
 *       its next batch (the batch clears it).
 * </ul>
 *
 * <p>Events are read through a cursor: the first poll reads from the hatch's deployment block (so a
 * restarted operator finds the requests made before), every later poll only the blocks after the
 * last one read, up to the latest block it saw. The requests read stay known until the hatch shows
 * them cleared (one view call per open request and poll), so the cursor never needs to go back. The
 * local chain does not reorganise; on a chain that does, the cursor would have to stay some
 * confirmations behind the head.
 */
public final class ChainFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChainFollower.class);

  private final Sequencer sequencer;
  private final SettlementClient chain;
  private final EscapeHatchClient hatch; // null: no escape hatch
  private final Keeper.OracleVectors oracle;
  private long followedEpoch = -1;
  private long missingLogged = -1;
  private final long fromBlock; // the hatch's deployment block (or any block before it)
  private long cursor = -1; // the last block whose events were read; -1: none yet
  private long eventsRead;
  // the liquidation requests read and not yet seen cleared, by account (the newest request)
  private final java.util.Map<Long, EscapeHatchClient.LiquidationRequest> openRequests =
      new java.util.TreeMap<>();
  private final java.util.Map<Long, EscapeHatchClient.ForcedWithdrawalRequest> openForced =
      new java.util.TreeMap<>();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "zkm-chain-follower");
            t.setDaemon(true);
            return t;
          });

  /**
   * A follower that reads the hatch's events from block 0 at its first poll.
   *
   * @see #ChainFollower(Sequencer, SettlementClient, EscapeHatchClient, Keeper.OracleVectors, long)
   */
  public ChainFollower(
      Sequencer sequencer,
      SettlementClient chain,
      EscapeHatchClient hatch,
      Keeper.OracleVectors oracle) {
    this(sequencer, chain, hatch, oracle, 0);
  }

  /**
   * @param sequencer the operator's sequencer
   * @param chain the Settlement (read only here)
   * @param hatch the escape hatch, or null when the Settlement has none
   * @param oracle the oracle's published vectors by (epoch, root)
   * @param fromBlock the hatch's deployment block (0 when unknown): the first poll reads the events
   *     from it on
   */
  public ChainFollower(
      Sequencer sequencer,
      SettlementClient chain,
      EscapeHatchClient hatch,
      Keeper.OracleVectors oracle,
      long fromBlock) {
    this.sequencer = ArgChecker.notNull(sequencer, "sequencer");
    this.chain = ArgChecker.notNull(chain, "chain");
    this.hatch = hatch;
    this.oracle = ArgChecker.notNull(oracle, "oracle");
    this.fromBlock = ArgChecker.notNegative(fromBlock, "fromBlock");
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
  public synchronized void poll() {
    followRisk();
    followRequests();
  }

  /** The last block whose events were read (-1 before the first poll). */
  public synchronized long cursor() {
    return cursor;
  }

  /** How many hatch events the polls have read so far (each once). */
  public synchronized long eventsRead() {
    return eventsRead;
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
      sequencer.retainForcedWithdrawals(java.util.Set.of());
      return;
    }
    long latest = hatch.latestBlock();
    long from = cursor < 0 ? fromBlock : cursor + 1;
    if (from <= latest) {
      for (EscapeHatchClient.LiquidationRequest r : hatch.liquidationRequests(from, latest)) {
        eventsRead++;
        openRequests.put(r.accountId(), r); // a later request of an account replaces its older
      }
      for (EscapeHatchClient.ForcedWithdrawalRequest r :
          hatch.forcedWithdrawalRequests(from, latest)) {
        eventsRead++;
        if (r.pending()) {
          openForced.put(r.accountId(), r);
        }
      }
      cursor = latest;
    }
    followForced();
    java.util.Set<Long> pending = new java.util.HashSet<>();
    for (var it = openRequests.values().iterator(); it.hasNext(); ) {
      EscapeHatchClient.LiquidationRequest r = it.next();
      long deadline = hatch.liquidationDeadline(r.accountId());
      if (deadline != r.deadline()) {
        if (deadline == 0) {
          it.remove(); // cleared (a later request of the account comes as its own event)
        }
        continue;
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

  /** Hands the forced withdrawals still pending to the sequencer; forgets the cleared ones. */
  private void followForced() {
    java.util.Set<Long> pending = new java.util.HashSet<>();
    for (var it = openForced.values().iterator(); it.hasNext(); ) {
      EscapeHatchClient.ForcedWithdrawalRequest r = it.next();
      var now = hatch.pendingForcedWithdrawal(r.accountId());
      if (now.isEmpty()) {
        it.remove(); // answered by a batch (a later request comes as its own event)
        continue;
      }
      if (now.get().deadline() != r.deadline()) {
        continue; // a later request of the account: its event replaces this one
      }
      pending.add(r.accountId());
      if (sequencer.requestForcedWithdrawal(
          new Sequencer.ForcedWithdrawalRequest(
              r.accountId(), Numeric.toBigInt(r.requester()), r.amount(), r.deadline()))) {
        LOG.atInfo()
            .addKeyValue("account", r.accountId())
            .addKeyValue("requester", r.requester())
            .addKeyValue("amount", r.amount())
            .addKeyValue("deadline", r.deadline())
            .log("follower.forced_withdrawal_requested");
      }
    }
    sequencer.retainForcedWithdrawals(pending);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
