package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Proves an account's exit payout with the exit circuit (docs/LIQUIDATION.md section 6): its equity
 * with every position closed at the committed mark and funding settled, paid as {@code floor(max(0,
 * E) / 10^9)} quote atoms to the leaf's L1 address. Public inputs {@link #exitRoots
 * exitRoots(stateRoot, riskRoot)}, {@link #packAccountAndAddress accountId * 2^160 + l1Address},
 * payout (the circuit's {@code circuits/exit}; the contract's {@code EscapeHatch.exit} builds the
 * same three). Keys come from the {@link KeyStore} by circuit id. Thread-safe.
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

  private static final int ADDRESS_BITS = 160;

  /** The number of public inputs of the exit circuit. */
  public static final int PUBLIC_INPUTS = 3;

  /**
   * The exit circuit's first public input: Poseidon2 {@code compress(stateRoot, riskRoot)}, what
   * {@code EscapeHatch.freeze} stores as {@code exitRoots} (the circuit takes both roots privately
   * and proves this compression of them: one public input instead of two, ~6.6k gas per exit).
   *
   * @param stateRoot the state root the account opens against, a field element
   * @param riskRoot the risk root of its entries and globals, a field element
   */
  public static BigInteger exitRoots(BigInteger stateRoot, BigInteger riskRoot) {
    ArgChecker.notNull(stateRoot, "stateRoot");
    ArgChecker.notNull(riskRoot, "riskRoot");
    return Poseidon2.compress(stateRoot, riskRoot);
  }

  /**
   * The exit circuit's second public input: {@code accountId * 2^160 + l1Address} (one input for
   * two, both range checked in the circuit; one scalar multiplication less in the verifier).
   *
   * @param accountId {@code >= 0}
   * @param l1Address in {@code [0, 2^160)}
   */
  public static BigInteger packAccountAndAddress(long accountId, BigInteger l1Address) {
    ArgChecker.notNegative(accountId, "accountId");
    ArgChecker.notNull(l1Address, "l1Address");
    ArgChecker.isTrue(
        l1Address.signum() >= 0 && l1Address.bitLength() <= ADDRESS_BITS,
        "l1Address must be in [0, 2^160)");
    return BigInteger.valueOf(accountId).shiftLeft(ADDRESS_BITS).or(l1Address);
  }

  /** The account id of a packed {@link #packAccountAndAddress} input. */
  public static BigInteger accountOf(BigInteger packed) {
    return packed.shiftRight(ADDRESS_BITS);
  }

  /** The L1 address of a packed {@link #packAccountAndAddress} input. */
  public static BigInteger addressOf(BigInteger packed) {
    return packed.subtract(accountOf(packed).shiftLeft(ADDRESS_BITS));
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
   * @return the proof file (public inputs exitRoots(stateRoot, riskRoot), accountId * 2^160 +
   *     l1Address, payout)
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
   * @return the proof file (public inputs exitRoots(stateRoot, riskRoot), accountId * 2^160 +
   *     l1Address, payout)
   */
  public ProofFile prove(HealthWitness account, BigInteger l1Address, BigInteger payout) {
    ArgChecker.notNull(account, "account");
    ArgChecker.notNull(l1Address, "l1Address");
    ArgChecker.notNull(payout, "payout");
    String id = circuitId(account.sizes());
    String json = "{\"circuitId\": \"" + id + "\", \"account\": " + account.toJson() + "}";
    List<BigInteger> expected =
        List.of(
            exitRoots(account.stateRoot(), account.riskRoot()),
            packAccountAndAddress(account.accountId(), l1Address),
            payout);
    return NativeProofs.prove(keys, id, json.getBytes(StandardCharsets.UTF_8), expected);
  }

  /** Verifies an exit proof file against the key store's verifying key. */
  public boolean verify(ProofFile proof) {
    return NativeProofs.verify(keys, proof);
  }
}
