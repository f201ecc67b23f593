package io.zkmargin.risk.vector;

import io.zkmargin.risk.util.ArgChecker;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Configuration of the risk vector builder.
 *
 * @param grid scenario grid (its size must equal the circuit's S)
 * @param parameters risk parameters per underlying symbol (copied, sorted)
 * @param tierFactorPpm margin multiplier per tier, ppm (10^6 = x1), each in [10^6, 2^32)
 * @param roundingQuantum per-lot charge added to both floors to cover rounding of marks and
 *     scenario values for either sign of position, quote atoms, {@code >= 2}
 * @param liquidation the liquidation parameters the vector's globals carry
 */
public record RiskModelConfig(
    ScenarioGrid grid,
    Map<String, UnderlyingRiskParameters> parameters,
    long[] tierFactorPpm,
    long roundingQuantum,
    LiquidationParams liquidation) {

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public RiskModelConfig {
    ArgChecker.notNull(grid, "grid");
    ArgChecker.notNull(liquidation, "liquidation");
    parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
    tierFactorPpm = tierFactorPpm.clone();
    if (tierFactorPpm.length == 0) {
      throw new IllegalArgumentException("at least one tier is required");
    }
    for (long f : tierFactorPpm) {
      ArgChecker.isTrue(
          f >= 1_000_000 && f < (1L << 32), "tier factor must be in [1e6, 2^32) ppm, was {}", f);
    }
    if (roundingQuantum < 2) {
      throw new IllegalArgumentException(
          "rounding quantum must be >= 2 quote atoms per lot, was " + roundingQuantum);
    }
  }

  /**
   * A configuration with the venue's default liquidation parameters ({@link
   * LiquidationParams#DEFAULT}).
   */
  public RiskModelConfig(
      ScenarioGrid grid,
      Map<String, UnderlyingRiskParameters> parameters,
      long[] tierFactorPpm,
      long roundingQuantum) {
    this(grid, parameters, tierFactorPpm, roundingQuantum, LiquidationParams.DEFAULT);
  }

  /**
   * Defaults for a venue: grid {@link ScenarioGrid#forSize}, BTC with {@link
   * UnderlyingRiskParameters#majorDefaults()}, every other listed underlying with {@link
   * UnderlyingRiskParameters#altDefaults()}, tiers x1, x1.25, x1.5, x2 (first T), liquidation
   * {@link LiquidationParams#DEFAULT}.
   *
   * @param scenarios S
   * @param tiers T, in [1, 16]
   * @param underlyings symbols to configure
   */
  public static RiskModelConfig defaults(int scenarios, int tiers, String... underlyings) {
    Map<String, UnderlyingRiskParameters> p = new TreeMap<>();
    for (String u : underlyings) {
      p.put(
          u,
          u.equals("BTC")
              ? UnderlyingRiskParameters.majorDefaults()
              : UnderlyingRiskParameters.altDefaults());
    }
    long[] t = new long[tiers];
    for (int i = 0; i < tiers; i++) {
      t[i] = 1_000_000L + 250_000L * Math.min(i, 2) + (i >= 3 ? 500_000L * (i - 2) : 0);
    }
    return new RiskModelConfig(ScenarioGrid.forSize(scenarios), p, t, 2);
  }

  /**
   * The parameters of an underlying.
   *
   * @throws IllegalArgumentException if it has none
   */
  public UnderlyingRiskParameters parametersOf(String underlying) {
    UnderlyingRiskParameters p = parameters.get(underlying);
    if (p == null) {
      throw new IllegalArgumentException("no risk parameters for underlying " + underlying);
    }
    return p;
  }
}
