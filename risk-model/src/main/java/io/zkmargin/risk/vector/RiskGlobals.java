package io.zkmargin.risk.vector;

import io.zkmargin.risk.util.ArgChecker;

/**
 * The epoch-wide part of the risk vector: tier factors, the liquidation parameters and the
 * collateral assets' prices and scenarios. A positive balance is valued at {@code collateralPrice}
 * (haircut), a negative balance (a debt) at {@code debtPrice} (no haircut, rounded up), so that the
 * haircut never understates a debt. Its field-element encoding (words, packing, hash) is the
 * commitment's ({@code io.zkmargin.commit.RiskEncoding}).
 *
 * @param tierFactorPpm margin multiplier per risk tier in parts per million (1_000_000 = x1), each
 *     in {@code [0, 2^32)}
 * @param liquidation the epoch's liquidation parameters (penalty, insurance and keeper shares,
 *     close target, insurance fund account)
 * @param collateralPrice haircut-adjusted price per asset, quote atoms per 10^9 venue atoms,
 *     rounded down, {@code >= 0}
 * @param debtPrice price per asset at which a negative balance is valued, quote atoms per 10^9
 *     venue atoms, {@code >= collateralPrice} of the same asset
 * @param collateralScenario per asset and scenario, value change of 10^9 atoms, quote atoms,
 *     rounded down
 */
public record RiskGlobals(
    long[] tierFactorPpm,
    LiquidationParams liquidation,
    long[] collateralPrice,
    long[] debtPrice,
    long[][] collateralScenario) {

  /** Collateral prices are quoted per this many venue atoms. */
  public static final long PRICE_UNIT_ATOMS = 1_000_000_000L;

  /** Checks every range at the door. */
  public RiskGlobals {
    ArgChecker.notNull(liquidation, "liquidation");
    for (long f : tierFactorPpm) {
      ArgChecker.isTrue(
          f >= 0 && f < (1L << 32), "tier factor must be in [0, 2^32) ppm, was {}", f);
    }
    if (collateralPrice.length != collateralScenario.length
        || collateralPrice.length != debtPrice.length) {
      throw new IllegalArgumentException(
          "one price, one debt price and one scenario array per collateral asset are required");
    }
    for (int a = 0; a < collateralPrice.length; a++) {
      ArgChecker.notNegative(collateralPrice[a], "collateral price");
      if (debtPrice[a] < collateralPrice[a]) {
        throw new IllegalArgumentException(
            "debt price of asset "
                + a
                + " must be >= its collateral price "
                + collateralPrice[a]
                + ", was "
                + debtPrice[a]);
      }
    }
  }

  /**
   * Globals with the venue's default liquidation parameters ({@link LiquidationParams#DEFAULT}).
   *
   * @param tierFactorPpm margin multiplier per risk tier, ppm, each in {@code [0, 2^32)}
   * @param collateralPrice haircut price per asset, quote atoms per 10^9 venue atoms
   * @param debtPrice debt price per asset, quote atoms per 10^9 venue atoms
   * @param collateralScenario per asset and scenario, value change of 10^9 atoms, quote atoms
   */
  public RiskGlobals(
      long[] tierFactorPpm, long[] collateralPrice, long[] debtPrice, long[][] collateralScenario) {
    this(tierFactorPpm, LiquidationParams.DEFAULT, collateralPrice, debtPrice, collateralScenario);
  }
}
