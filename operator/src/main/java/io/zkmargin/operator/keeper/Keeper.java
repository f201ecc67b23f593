package io.zkmargin.operator.keeper;

import io.zkmargin.chain.ChainException;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.HealthClaim;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.dac.AuditReplay;
import io.zkmargin.dac.ChainBatches;
import io.zkmargin.dac.DacClient;
import io.zkmargin.dac.Genesis;
import io.zkmargin.dac.ReplayState;
import io.zkmargin.operator.escape.RiskOpening;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.LiquidationProver;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.utils.Numeric;

/**
 * The keeper ({@code ./zkm keeper}, issue 10 item 2): at the Settlement's latest posted risk epoch,
 * rebuilds the accounts at the last finalized batch from the committee's data ({@link
 * AuditReplay#replay}: the auditor's replay, every batch checked against the chain), finds the
 * liquidatable ones with the Java risk model ({@code Ledger.liquidatableAccounts}, the {@code
 * LiquidationScan}), proves each one's eligibility ({@link LiquidationProver}, naming the risk
 * model's scenario s*) and posts {@code requestLiquidation(account, epoch, proof)} from the
 * keeper's key. An account with a pending request is skipped. Not thread-safe.
 */
public final class Keeper {

  /** The oracle's published risk vector of an epoch, when the keeper can read it. */
  @FunctionalInterface
  public interface OracleVectors {
    /**
     * @param epoch the posted epoch
     * @param riskRoot its posted root
     * @return the vector, or empty (the committee's batch rows at that root are used instead)
     */
    Optional<RiskCommitment> vector(long epoch, BigInteger riskRoot);

    /** No oracle publication: the committee's batch rows only. */
    OracleVectors NONE = (e, r) -> Optional.empty();
  }

  /** A request posted: account, epoch, gas of {@code requestLiquidation}, transaction hash. */
  public record Posted(long accountId, long epoch, long gas, String tx) {}

  /** An account found liquidatable but not posted, and why. */
  public record Skipped(long accountId, String reason) {}

  /**
   * One round.
   *
   * @param epoch the risk epoch looked at
   * @param batch the last finalized batch the accounts were rebuilt at
   * @param liquidatable the accounts the scan found
   * @param note why nothing was scanned (frozen, no risk data, a failed replay), or null
   */
  public record Round(
      long epoch,
      long batch,
      long[] liquidatable,
      List<Posted> posted,
      List<Skipped> skipped,
      String note) {}

  private final Web3j web3;
  private final Credentials keeper;
  private final long chainId;
  private final String settlement;
  private final DacClient dac;
  private final LiquidationProver prover;
  private final OracleVectors oracle;
  private final PrintStream out;

  /**
   * @param keeper signs the requests; its address is the proofs' keeper input
   * @param dac a committee member
   * @param keys key store with the liquidation circuit's proving key
   * @param oracle the oracle's published vectors ({@link OracleVectors#NONE} for none)
   * @param out one line per account posted or skipped
   */
  public Keeper(
      Web3j web3,
      Credentials keeper,
      long chainId,
      String settlement,
      DacClient dac,
      KeyStore keys,
      OracleVectors oracle,
      PrintStream out) {
    this.web3 = ArgChecker.notNull(web3, "web3");
    this.keeper = ArgChecker.notNull(keeper, "keeper");
    this.chainId = chainId;
    this.settlement = ArgChecker.notNull(settlement, "settlement");
    this.dac = ArgChecker.notNull(dac, "dac");
    this.prover = new LiquidationProver(ArgChecker.notNull(keys, "keys"));
    this.oracle = ArgChecker.notNull(oracle, "oracle");
    this.out = out == null ? new PrintStream(OutputStream.nullOutputStream()) : out;
  }

  /** One round at the latest posted epoch; returns what it posted and skipped. */
  public Round runOnce() {
    SettlementClient s = new SettlementClient(web3, keeper, chainId, settlement, "[]");
    String h = s.escapeHatch();
    if (Numeric.toBigInt(h).signum() == 0) {
      return note(-1, -1, "the Settlement at " + settlement + " has no escape hatch");
    }
    EscapeHatchClient hatch =
        new EscapeHatchClient(web3, keeper, chainId, h, EscapeHatchClient.ESCAPE_HATCH_ERRORS);
    if (hatch.isFrozen()) {
      return note(-1, -1, "the Settlement is frozen: no liquidation requests any more");
    }
    if (s.riskRootCount() == 0) {
      return note(-1, -1, "no risk root posted yet");
    }
    long epoch = s.latestRiskEpoch();
    BigInteger riskRoot = s.riskRootOfEpoch(epoch);

    // the accounts at the last finalized batch, replayed from genesis with the committee's data
    // and checked against the chain (the contract verified each batch's proof when it finalized)
    ChainBatches.View chain = ChainBatches.read(web3, settlement);
    Genesis genesis = dac.genesis();
    AuditReplay.Replayed r =
        AuditReplay.replay(
            genesis,
            chain,
            dac::batch,
            (proof, inputs, id) -> true,
            new PrintStream(OutputStream.nullOutputStream()));
    if (!r.verdict().ok()) {
      return note(epoch, chain.batchNumber(), "replay failed: " + r.verdict().message());
    }
    ReplayState state = r.state();
    CircuitSizes sizes = genesis.config().sizes();

    Optional<RiskOpening> opening =
        oracle.vector(epoch, riskRoot).flatMap(v -> RiskOpening.ofVector(v, riskRoot));
    if (opening.isEmpty()) {
      opening = RiskOpening.fromBatches(sizes, riskRoot, chain.batchNumber(), dac::batch, null);
    }
    if (opening.isEmpty()) {
      return note(
          epoch,
          chain.batchNumber(),
          "no risk data for epoch "
              + epoch
              + " (root "
              + riskRoot
              + "): neither the oracle's vector nor a batch of the committee at that root");
    }
    RiskOpening risk = opening.get();
    // judge every account at the epoch's entries: beginBatch only sets the ledger's risk context
    // (the next replay starts from genesis again)
    state.ledger().beginBatch(risk.commitmentForMargin(), 0);
    long[] found = state.ledger().liquidatableAccounts(1);

    BigInteger keeperAddress = Numeric.toBigInt(keeper.getAddress());
    List<Posted> posted = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (long id : found) {
      String why = post(hatch, state, risk, id, epoch, keeperAddress, posted);
      if (why != null) {
        skipped.add(new Skipped(id, why));
        out.printf(Locale.ROOT, "keeper: account %d skipped: %s%n", id, why);
      }
    }
    return new Round(epoch, chain.batchNumber(), found, posted, skipped, null);
  }

  /** Proves and posts one account; returns why not, or null when posted. */
  private String post(
      EscapeHatchClient hatch,
      ReplayState state,
      RiskOpening risk,
      long id,
      long epoch,
      BigInteger keeperAddress,
      List<Posted> posted) {
    long deadline = hatch.liquidationDeadline(id);
    if (deadline != 0) {
      return "a liquidation request is pending (deadline " + deadline + ")";
    }
    AccountLeaf leaf = state.leaf(id);
    if (!risk.missing(leaf).isEmpty()) {
      return "no risk entry at hand for instruments " + risk.missing(leaf);
    }
    MarginResult m = risk.margin(leaf);
    if (!m.isLiquidatable()) {
      return "not liquidatable at the epoch's entries";
    }
    if (!LiquidationProver.hasTake(leaf)) {
      return "nothing to take (closed out): the insurance fund's, no request could be answered";
    }
    ProofFile proof =
        prover.prove(
            risk.witness(id, leaf, state.path(id), state.root(), m.maintenanceCore()),
            LiquidationProver.scenario(m, risk.sizes()),
            keeperAddress);
    try {
      SettlementClient.TxResult tx =
          hatch.requestLiquidation(
              id, epoch, Arrays.copyOf(proof.proof(), HealthClaim.SOLIDITY_PROOF_BYTES));
      posted.add(new Posted(id, epoch, tx.gasUsed(), tx.hash()));
      out.printf(
          Locale.ROOT,
          "keeper: requested the liquidation of account %d at risk epoch %d (gas %d, tx %s)%n",
          id,
          epoch,
          tx.gasUsed(),
          tx.hash());
      return null;
    } catch (ChainException e) {
      return "refused by the chain: " + e.getMessage();
    }
  }

  /**
   * Runs a round at start and then at every new posted risk epoch (polling the contract), until
   * {@code stop} says so or the Settlement freezes.
   *
   * @param poll time between two looks at the contract
   */
  public void run(Duration poll, BooleanSupplier stop) throws InterruptedException {
    ArgChecker.notNull(poll, "poll");
    ArgChecker.notNull(stop, "stop");
    SettlementClient s = new SettlementClient(web3, keeper, chainId, settlement, "[]");
    long seenEpoch = Long.MIN_VALUE;
    long seenCount = -1;
    while (!stop.getAsBoolean()) {
      long count = s.riskRootCount();
      if (count != seenCount) { // a new posting (epochs may repeat a root: count them)
        seenCount = count;
        long epoch = count == 0 ? -1 : s.latestRiskEpoch();
        if (epoch != seenEpoch || count == 0) {
          seenEpoch = epoch;
          Round r = runOnce();
          out.printf(
              Locale.ROOT,
              "keeper: epoch %d at batch %d: %d liquidatable, %d posted, %d skipped%s%n",
              r.epoch(),
              r.batch(),
              r.liquidatable() == null ? 0 : r.liquidatable().length,
              r.posted().size(),
              r.skipped().size(),
              r.note() == null ? "" : " (" + r.note() + ")");
          if (r.note() != null && r.note().startsWith("the Settlement is frozen")) {
            return;
          }
        }
      }
      Thread.sleep(poll.toMillis());
    }
  }

  private static Round note(long epoch, long batch, String why) {
    return new Round(epoch, batch, new long[0], List.of(), List.of(), why);
  }
}
