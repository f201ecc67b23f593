package io.zkmargin.prover;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofResult;
import io.zkmargin.nativebridge.ProvingKeyHandle;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.margin.MarginSummary;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Proves that an account's equity is at least {@code thresholdBps / 10^4} times its maintenance
 * margin at the venue's state root and risk root (the health circuit), revealing nothing else about
 * the account.
 *
 * <p>Stateless apart from the key store; thread-safe: several threads may prove at once (the native
 * library serializes nothing but key loading).
 */
public final class HealthProver {

  private final KeyStore keys;

  public HealthProver(KeyStore keys) {
    this.keys = keys;
  }

  /**
   * A threshold or health ratio in basis points as a multiple of maintenance margin, e.g. 12500 ->
   * "1.2500", -9900 -> "-0.9900" (negative equity).
   */
  public static String thresholdAsMultiple(long bps) {
    long abs = Math.abs(bps);
    return String.format("%s%d.%04d", bps < 0 ? "-" : "", abs / 10_000, abs % 10_000);
  }

  /**
   * What one proof took, for progress lines and metrics, in nanoseconds: loading (or, the first
   * time, making) the circuit's keys, margin and witness assembly, and the native Groth16 prover.
   */
  public record Timings(long keysNanos, long witnessNanos, long proveNanos) {}

  /**
   * Stage callbacks of one proof, for services that report progress. A callback may throw {@link
   * java.util.concurrent.CancellationException} to abandon the job before the next stage.
   */
  public interface Progress {
    /** The margin is being checked and the witness assembled. */
    default void witness() {}

    /** The native Groth16 prover starts. */
    default void proving() {}
  }

  /** A proof with its timings. */
  public record Proved(ProofFile proof, Timings timings) {}

  /**
   * Proves the health of one account.
   *
   * @param venue the committed venue (state root and risk root come from it)
   * @param accountId the account, in {@code [0, 2^D)}
   * @param thresholdBps threshold in basis points of maintenance margin (10000 = equity >= 1x MM),
   *     in {@code [0, 2^32)}
   * @return the proof file and timings
   * @throws NotHealthyException if the account's equity is below the threshold (no proof is
   *     attempted)
   * @throws Venue.UnknownAccountException if the venue holds no such account
   * @throws IllegalArgumentException if the threshold is out of range
   */
  public Proved prove(CommittedVenue venue, long accountId, long thresholdBps)
      throws NotHealthyException {
    return prove(venue, accountId, thresholdBps, new Progress() {});
  }

  /** As {@link #prove(CommittedVenue, long, long)}, reporting each stage to {@code progress}. */
  public Proved prove(CommittedVenue venue, long accountId, long thresholdBps, Progress progress)
      throws NotHealthyException {
    if (thresholdBps < 0 || thresholdBps > HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS) {
      throw new IllegalArgumentException(
          "thresholdBps must be in [0, "
              + HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS
              + "], was "
              + thresholdBps);
    }
    long tk = System.nanoTime();
    String circuitId = venue.venue().sizes().healthCircuitId();
    KeyStore.KeyEntry entry = keys.ensureKeys(circuitId);
    ProvingKeyHandle pk = keys.provingKey(circuitId);
    long t0 = System.nanoTime();
    progress.witness();
    AccountLeaf leaf = venue.venue().account(accountId);
    MarginResult margin = MarginCalculator.DEFAULT.evaluate(venue.venue().riskVector(), leaf);
    if (!margin.isHealthy(thresholdBps)) {
      MarginSummary m = margin.summary();
      throw new NotHealthyException(
          accountId,
          thresholdBps,
          String.format(
              "equity %d, maintenance margin %d quote atoms, health ratio %s x",
              m.equity(),
              m.maintenanceMargin(),
              m.healthRatioBps() == Long.MAX_VALUE
                  ? "inf"
                  : thresholdAsMultiple(m.healthRatioBps())));
    }
    // m = MMcore exactly: the tightest bound, so the proof states exactly the model's margin.
    HealthWitness witness =
        HealthWitness.build(
            venue.venue().sizes(),
            venue.stateTree(),
            leaf,
            accountId,
            venue.risk(),
            thresholdBps,
            margin.maintenanceCore());
    byte[] witnessJson = witness.toJson().getBytes(StandardCharsets.UTF_8);
    long t1 = System.nanoTime();
    progress.proving();
    ProofResult result = Gnark.prove(pk, witnessJson);
    long t2 = System.nanoTime();
    List<BigInteger> inputs = result.publicInputs().stream().map(BigInteger::new).toList();
    BigInteger[] expected = witness.publicInputs();
    for (int i = 0; i < expected.length; i++) {
      if (!expected[i].equals(inputs.get(i))) {
        throw new IllegalStateException(
            "native prover returned public input "
                + i
                + " = "
                + inputs.get(i)
                + ", expected "
                + expected[i]);
      }
    }
    return new Proved(
        new ProofFile(
            circuitId, entry.verifyingKeyHash(), inputs, result.proof(), entry.provenance()),
        new Timings(t0 - tk, t1 - t0, t2 - t1));
  }
}
