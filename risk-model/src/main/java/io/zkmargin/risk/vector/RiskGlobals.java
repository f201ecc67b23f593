package io.zkmargin.risk.vector;

/**
 * The epoch-wide part of the risk vector: tier factors and the collateral assets' prices and scenarios. Its
 * field-element encoding (words, packing, hash) is the commitment's ({@code io.zkmargin.commit.RiskEncoding}).
 *
 * @param tierFactorPpm margin multiplier per risk tier in parts per million (1_000_000 = x1), each in {@code [0, 2^32)}
 * @param collateralPrice haircut-adjusted price per asset, quote atoms per 10^9 venue atoms, rounded down, {@code >= 0}
 * @param collateralScenario per asset and scenario, value change of 10^9 atoms, quote atoms, rounded down
 */
public record RiskGlobals(long[] tierFactorPpm, long[] collateralPrice, long[][] collateralScenario) {

  /** Collateral prices are quoted per this many venue atoms. */
  public static final long PRICE_UNIT_ATOMS = 1_000_000_000L;

  public RiskGlobals {
    for (long f : tierFactorPpm) {
      if (f < 0 || f >= (1L << 32)) {
        throw new IllegalArgumentException("tier factor must be in [0, 2^32) ppm, was " + f);
      }
    }
    if (collateralPrice.length != collateralScenario.length) {
      throw new IllegalArgumentException("one scenario array per collateral asset is required");
    }
    for (long p : collateralPrice) {
      if (p < 0) {
        throw new IllegalArgumentException("collateral price must be >= 0, was " + p);
      }
    }
  }
}
