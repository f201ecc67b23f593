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
 * Proves an account's exit payout with the exit circuit (docs/LIQUIDATION.md section 6): its equity
 * with every position closed at the committed mark and funding settled, paid as {@code floor(max(0,
 * E) / 10^9)} quote atoms to the leaf's L1 address. Public inputs stateRoot, riskRoot, accountId,
 * l1Address, payout. Keys come from the {@link KeyStore} by circuit id. Thread-safe.
 */
public final class ExitProver {
  private final KeyStore keys;

  /** A prover over the given key store. */
  public ExitProver(KeyStore keys) {
    this.keys = ArgChecker.notNull(keys, "keys");
  }

  /** The circuit id {@code exit-D..-T..} of the venue sizes. */
  public static String circuitId(CircuitSizes sizes) {
    return "exit-" + sizes.healthCircuitId().substring("health-".length());
  }

  /**
   * The exit payout of an account's margin: {@code floor(max(0, E) / 10^9)} quote atoms.
   *
   * @param margin the account's margin at the exit's risk root
   */
  public static BigInteger payout(MarginResult margin) {
    BigInteger e = margin.equityNano();
    return e.signum() < 0 ? BigInteger.ZERO : e.divide(BigInteger.valueOf(MarginCalculator.N));
  }

  /**
   * Proves the account's exit payout.
   *
   * @param venue the committed venue (its state root and risk root: the contract's last ones)
   * @param accountId the account
   * @return the proof file (public inputs stateRoot, riskRoot, accountId, l1Address, payout)
   */
  public ProofFile prove(CommittedVenue venue, long accountId) {
    ArgChecker.notNull(venue, "venue");
    CircuitSizes sizes = venue.venue().sizes();
    AccountLeaf leaf = venue.venue().account(accountId);
    MarginResult margin = MarginCalculator.DEFAULT.evaluate(venue.venue().riskVector(), leaf);
    HealthWitness account =
        HealthWitness.build(
            sizes, venue.stateTree(), leaf, accountId, venue.risk(), 0, margin.maintenanceCore());
    return prove(account, leaf.l1Address(), payout(margin));
  }

  /**
   * Proves an account's exit payout from its opening (e.g. {@link HealthWitness#fromOpening} of a
   * committee member's leaf and path and the risk rows at the exit risk root).
   *
   * @param account the account's opening (its thresholdBps and mmBound are not used)
   * @param l1Address the leaf's L1 address (public input: the payee)
   * @param payout {@code floor(max(0, E) / 10^9)} quote atoms (see {@link #payout}); another value
   *     fails to prove
   * @return the proof file (public inputs stateRoot, riskRoot, accountId, l1Address, payout)
   */
  public ProofFile prove(HealthWitness account, BigInteger l1Address, BigInteger payout) {
    ArgChecker.notNull(account, "account");
    ArgChecker.notNull(l1Address, "l1Address");
    ArgChecker.notNull(payout, "payout");
    String id = circuitId(account.sizes());
    String json = "{\"circuitId\": \"" + id + "\", \"account\": " + account.toJson() + "}";
    List<BigInteger> expected =
        List.of(
            account.stateRoot(),
            account.riskRoot(),
            BigInteger.valueOf(account.accountId()),
            l1Address,
            payout);
    return NativeProofs.prove(keys, id, json.getBytes(StandardCharsets.UTF_8), expected);
  }

  /** Verifies an exit proof file against the key store's verifying key. */
  public boolean verify(ProofFile proof) {
    return NativeProofs.verify(keys, proof);
  }
}
