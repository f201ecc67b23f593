package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Proves that an account is liquidatable ({@code E * 10^6 < MM}) and holds something to take at the
 * venue's state root and risk root with the liquidation-eligibility circuit (docs/LIQUIDATION.md
 * section 5), for a keeper's {@code requestLiquidation}: public inputs stateRoot, riskRoot,
 * accountId, keeper. The scenario s* is the risk model's worst maintenance scenario (or S, the term
 * 0, when no scenario loses). Keys come from the {@link KeyStore} by circuit id, as the health
 * circuit's. Thread-safe.
 */
public final class LiquidationProver {
  private final KeyStore keys;

  /** A prover over the given key store. */
  public LiquidationProver(KeyStore keys) {
    this.keys = ArgChecker.notNull(keys, "keys");
  }

  /** The circuit id {@code liquidation-D..-T..} of the venue sizes. */
  public static String circuitId(CircuitSizes sizes) {
    return "liquidation-" + sizes.healthCircuitId().substring("health-".length());
  }

  /** The account is not liquidatable: no eligibility proof exists. */
  public static final class NotLiquidatableException extends Exception {
    private static final long serialVersionUID = 1L;

    NotLiquidatableException(long accountId) {
      super("account " + accountId + " is not liquidatable (E * 10^6 >= MM)");
    }

    NotLiquidatableException(String message) {
      super(message);
    }
  }

  /**
   * Proves the account liquidatable.
   *
   * @param venue the committed venue (its state root and risk root)
   * @param accountId the account
   * @param keeper the keeper's L1 address, in {@code [0, 2^160)}, bound by the proof
   * @return the proof file (public inputs stateRoot, riskRoot, accountId, keeper)
   * @throws NotLiquidatableException if {@code E * 10^6 >= MM}, or if the account holds nothing to
   *     take ({@link #hasTake}): no proof is attempted
   */
  public ProofFile prove(CommittedVenue venue, long accountId, BigInteger keeper)
      throws NotLiquidatableException {
    ArgChecker.notNull(venue, "venue");
    ArgChecker.notNull(keeper, "keeper");
    ArgChecker.isTrue(
        keeper.signum() >= 0 && keeper.bitLength() <= 160, "keeper must be in [0, 2^160)");
    CircuitSizes sizes = venue.venue().sizes();
    AccountLeaf leaf = venue.venue().account(accountId);
    MarginResult margin = MarginCalculator.DEFAULT.evaluate(venue.venue().riskVector(), leaf);
    if (!margin.isLiquidatable()) {
      throw new NotLiquidatableException(accountId);
    }
    if (!hasTake(leaf)) {
      throw new NotLiquidatableException(nothingToTake(accountId));
    }
    int scenario = scenario(margin, sizes);
    HealthWitness account =
        HealthWitness.build(
            sizes, venue.stateTree(), leaf, accountId, venue.risk(), 0, margin.maintenanceCore());
    return prove(account, scenario, keeper);
  }

  /**
   * Proves an account liquidatable from its opening (e.g. {@link HealthWitness#fromOpening} of a
   * replayed leaf and path and the risk entries of a posted epoch), naming scenario s*.
   *
   * @param account the account's opening (its thresholdBps and mmBound are not used)
   * @param scenario s* in {@code [0, S]}: a scenario whose loss alone breaks maintenance, or S for
   *     the term 0 ({@link #scenario})
   * @param keeper the keeper's L1 address, in {@code [0, 2^160)}
   * @return the proof file (public inputs stateRoot, riskRoot, accountId, keeper)
   * @throws IllegalArgumentException if the account holds nothing to take ({@link #hasTake}): the
   *     circuit would refuse the witness
   */
  public ProofFile prove(HealthWitness account, int scenario, BigInteger keeper) {
    ArgChecker.notNull(account, "account");
    ArgChecker.isTrue(hasTake(account.leaf()), "{}", nothingToTake(account.accountId()));
    ArgChecker.notNull(keeper, "keeper");
    ArgChecker.isTrue(
        keeper.signum() >= 0 && keeper.bitLength() <= 160, "keeper must be in [0, 2^160)");
    ArgChecker.inRange(scenario, 0, account.sizes().scenarios(), "scenario");
    long accountId = account.accountId();
    String id = circuitId(account.sizes());
    String json =
        "{\"circuitId\": \""
            + id
            + "\", \"keeper\": \""
            + keeper
            + "\", \"scenario\": \""
            + scenario
            + "\", \"account\": "
            + account.toJson()
            + "}";
    List<BigInteger> expected =
        List.of(account.stateRoot(), account.riskRoot(), BigInteger.valueOf(accountId), keeper);
    return NativeProofs.prove(keys, id, json.getBytes(StandardCharsets.UTF_8), expected);
  }

  /**
   * Whether a liquidation could take something from the account, the eligibility circuit's second
   * rule (docs/LIQUIDATION.md section 5): a non-zero position quantity or a positive non-quote
   * balance (the ledger's {@code LiquidationScan.hasTake}). A closed-out account, even in debt, is
   * the insurance fund's: a request for it could never be answered by a liquidation.
   */
  public static boolean hasTake(AccountLeaf leaf) {
    ArgChecker.notNull(leaf, "leaf");
    for (long q : leaf.quantities()) {
      if (q != 0) {
        return true;
      }
    }
    long[] b = leaf.balances();
    for (int k = 1; k < b.length; k++) {
      if (b[k] > 0) {
        return true;
      }
    }
    return false;
  }

  private static String nothingToTake(long accountId) {
    return "account "
        + accountId
        + " holds nothing to take (no position, no positive non-quote balance): closed out, it is"
        + " the insurance fund's, and no eligibility proof exists";
  }

  /**
   * The scenario s* the proof names for a liquidatable account: the risk model's worst maintenance
   * scenario, or S (the term 0 of {@code MMcore}) when no scenario loses.
   */
  public static int scenario(MarginResult margin, CircuitSizes sizes) {
    int worst = margin.worstMaintenanceScenario();
    return worst < 0 ? sizes.scenarios() : worst;
  }

  /** Verifies a liquidation-eligibility proof file against the key store's verifying key. */
  public boolean verify(ProofFile proof) {
    return NativeProofs.verify(keys, proof);
  }
}
