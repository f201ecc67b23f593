package io.zkmargin.risk.vector;

import io.zkmargin.risk.util.ArgChecker;

/**
 * The liquidation parameters of an oracle epoch (docs/LIQUIDATION.md section 1): part of the risk
 * globals ({@link RiskGlobals#liquidation()}), so the oracle quorum fixes them per epoch in the
 * risk root and the batch circuit reads them from the globals it opens.
 *
 * @param penaltyPpm the largest penalty a liquidation may charge, ppm of the notional taken (the
 *     taken positions' {@code |lots| * mark} plus the taken collateral's proceeds), rounded up; in
 *     {@code [0, 10^6]}
 * @param insuranceSharePpm the share of a penalty credited to the insurance fund, ppm, rounded
 *     down; in {@code [0, 10^6]}
 * @param keeperSharePpm the share of a penalty credited to the keeper whose on-chain liquidation
 *     request the liquidation clears, ppm, rounded down; in {@code [0, 10^6]}; the liquidator gets
 *     what the fund and the keeper do not ({@code insuranceSharePpm + keeperSharePpm <= 10^6})
 * @param closeTargetPpm the close factor: a liquidation may take only as much as restores the
 *     account to {@code closeTargetPpm / 10^6} of its effective initial margin ({@code 10^6}: IM);
 *     in {@code [10^6, 10^7]}
 * @param insuranceFundId the insurance fund's account id, which absorbs negative equity, {@code [0,
 *     2^32)}
 */
public record LiquidationParams(
    long penaltyPpm,
    long insuranceSharePpm,
    long keeperSharePpm,
    long closeTargetPpm,
    long insuranceFundId) {
  /** Parts per million. */
  public static final long PPM = 1_000_000L;

  /**
   * The venue defaults: penalty at most 1 % of the notional taken, half of it to the insurance
   * fund, 10 % to the requesting keeper (the liquidator keeps 40 %), close target 1.25 x effective
   * IM, and the venue's own account 0 (the fee account) as the insurance fund.
   */
  public static final LiquidationParams DEFAULT =
      new LiquidationParams(10_000, 500_000, 100_000, 1_250_000, 0);

  /** Checks every range at the door. */
  public LiquidationParams {
    ArgChecker.inRange(penaltyPpm, 0, PPM, "penaltyPpm");
    ArgChecker.inRange(insuranceSharePpm, 0, PPM, "insuranceSharePpm");
    ArgChecker.inRange(keeperSharePpm, 0, PPM, "keeperSharePpm");
    ArgChecker.isTrue(
        insuranceSharePpm + keeperSharePpm <= PPM,
        "insuranceSharePpm + keeperSharePpm must be <= 10^6, was {} + {}",
        insuranceSharePpm,
        keeperSharePpm);
    ArgChecker.inRange(closeTargetPpm, PPM, 10 * PPM, "closeTargetPpm");
    ArgChecker.inRangeExclusive(insuranceFundId, 0, 1L << 32, "insuranceFundId");
  }
}
