package io.zkmargin.risk.analytics;

/**
 * Net Greeks of a portfolio on one underlying (long = positive). "Quote units" are whole units of
 * the quote asset (e.g. USDC), not atoms.
 *
 * @param underlying symbol
 * @param spot spot, quote units per underlying unit
 * @param delta net delta, underlying units (collateral in the underlying counts fully)
 * @param deltaValue delta x spot, quote units
 * @param gamma net gamma, underlying units per quote unit of spot move
 * @param gammaValue1Pct P&amp;L from gamma for a 1% spot move, {@code 0.5 * gamma * (0.01 *
 *     spot)^2}, quote units
 * @param vega P&amp;L per +1 vol point, quote units
 * @param theta P&amp;L per calendar day, quote units
 * @param vanna change of delta per +1 vol point, underlying units
 * @param charm change of delta per calendar day, underlying units
 */
public record UnderlyingGreeks(
    String underlying,
    double spot,
    double delta,
    double deltaValue,
    double gamma,
    double gammaValue1Pct,
    double vega,
    double theta,
    double vanna,
    double charm) {}
