package io.zkmargin.prover.bench;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one production-size proving job the benchmarks measure: a demo venue at {@link
 * CircuitSizes#PRODUCTION} (fixed account count and seed, so every JVM builds the same bytes), its
 * first healthy account with a non-zero maintenance margin, and that account's health witness JSON,
 * assembled exactly as {@link io.zkmargin.prover.HealthProver} assembles it. The Go benchmark
 * proves the same JSON from a file written by {@link WriteBenchWitness}.
 *
 * @param venue the committed venue (state tree and risk commitment)
 * @param accountId the proved account
 * @param thresholdBps the proved threshold, basis points of maintenance margin ({@code min(health
 *     ratio, 10000)})
 * @param witnessJson the witness JSON (UTF-8), the input of {@code Gnark.prove}
 * @param publicInputs the witness's public inputs in circuit order (stateRoot, riskRoot, account
 *     and threshold)
 */
public record BenchFixture(
    CommittedVenue venue,
    long accountId,
    long thresholdBps,
    byte[] witnessJson,
    BigInteger[] publicInputs) {

  /** Circuit sizes of the benchmarks: the production health circuit. */
  public static final CircuitSizes SIZES = CircuitSizes.PRODUCTION;

  /** Accounts in the demo venue. */
  public static final int ACCOUNTS = 16;

  /** Seed of the demo venue. */
  public static final long SEED = 42;

  /** The circuit id, e.g. {@code health-D32-I12-P8-A4-S16-T4}. */
  public String circuitId() {
    return SIZES.healthCircuitId();
  }

  /**
   * Builds the fixture (deterministic: the same bytes in every JVM). Takes a few seconds (Poseidon2
   * over a depth-32 tree).
   *
   * @throws IllegalStateException if the demo venue holds no healthy account with a non-zero margin
   */
  public static BenchFixture build() {
    DemoVenue demo = DemoVenues.generate(ACCOUNTS, SEED, SIZES);
    Map<Long, AccountLeaf> leaves = new TreeMap<>();
    for (int i = 0; i < demo.accounts().size(); i++) {
      leaves.put((long) i, demo.accounts().get(i));
    }
    CommittedVenue venue =
        new CommittedVenue(
            new Venue(
                SIZES,
                new TreeMap<>(leaves),
                demo.riskVector(),
                Optional.of(new Venue.DemoOrigin(ACCOUNTS, SEED))));
    for (Map.Entry<Long, AccountLeaf> e : leaves.entrySet()) {
      MarginResult m = MarginCalculator.DEFAULT.evaluate(demo.riskVector(), e.getValue());
      if (m.isLiquidatable() || m.maintenanceCore().signum() <= 0) {
        continue;
      }
      long threshold = Math.min(m.healthRatioBps(), 10_000);
      if (!m.isHealthy(threshold)) {
        continue;
      }
      HealthWitness w = witness(venue, e.getKey(), threshold);
      return new BenchFixture(
          venue,
          e.getKey(),
          threshold,
          w.toJson().getBytes(StandardCharsets.UTF_8),
          w.publicInputs());
    }
    throw new IllegalStateException(
        "demo venue ("
            + ACCOUNTS
            + " accounts, seed "
            + SEED
            + ") has no healthy account with a non-zero maintenance margin");
  }

  /**
   * The witness of one account, assembled as {@link io.zkmargin.prover.HealthProver#prove}
   * assembles it: margin of the leaf at the venue's risk vector, then the health witness with
   * {@code m = MMcore} exactly.
   *
   * @param venue the committed venue
   * @param accountId an account of the venue
   * @param thresholdBps threshold in basis points of maintenance margin
   * @throws IllegalArgumentException if the account is not healthy at the threshold
   */
  public static HealthWitness witness(CommittedVenue venue, long accountId, long thresholdBps) {
    AccountLeaf leaf = venue.venue().account(accountId);
    MarginResult m = MarginCalculator.DEFAULT.evaluate(venue.venue().riskVector(), leaf);
    if (!m.isHealthy(thresholdBps)) {
      throw new IllegalArgumentException(
          "account " + accountId + " is not healthy at " + thresholdBps + " bps");
    }
    return HealthWitness.build(
        venue.venue().sizes(),
        venue.stateTree(),
        leaf,
        accountId,
        venue.risk(),
        thresholdBps,
        m.maintenanceCore());
  }
}
