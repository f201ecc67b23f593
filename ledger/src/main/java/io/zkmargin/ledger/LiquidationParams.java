package io.zkmargin.ledger;

import io.zkmargin.risk.util.ArgChecker;

/**
 * The liquidation parameters of one batch (docs/LIQUIDATION.md): what the oracle quorum will fix
 * per epoch in the risk root's globals. Until the globals encoding grows them (which changes the
 * health circuit, its checked-in verifiers and its ceremony transcript), the ledger takes them per
 * batch with {@link Ledger#beginBatch(io.zkmargin.commit.RiskCommitment, long, LiquidationParams)}.
 *
 * @param penaltyPpm the largest penalty a liquidation may charge, ppm of the notional taken (the
 *     taken positions' {@code |lots| * mark} plus the taken collateral's proceeds), rounded up; in
 *     {@code [0, 10^6]}
 * @param insuranceSharePpm the share of a penalty credited to the insurance fund (the rest goes to
 *     the liquidator), ppm, rounded down; in {@code [0, 10^6]}
 * @param closeTargetPpm the close factor: a liquidation may take only as much as restores the
 *     account to {@code closeTargetPpm / 10^6} of its effective initial margin ({@code 10^6}: IM);
 *     in {@code [10^6, 10^7]}
 * @param insuranceFundId the insurance fund's account, which absorbs negative equity
 */
public record LiquidationParams(
    long penaltyPpm, long insuranceSharePpm, long closeTargetPpm, long insuranceFundId) {
  /** Parts per million. */
  public static final long PPM = 1_000_000L;

  public LiquidationParams {
    ArgChecker.inRange(penaltyPpm, 0, PPM, "penaltyPpm");
    ArgChecker.inRange(insuranceSharePpm, 0, PPM, "insuranceSharePpm");
    ArgChecker.inRange(closeTargetPpm, PPM, 10 * PPM, "closeTargetPpm");
    ArgChecker.isTrue(
        insuranceFundId >= 0, "insuranceFundId must be >= 0, was {}", insuranceFundId);
  }
}
