package io.zkmargin.trading;

/**
 * The pre-trade answer for an account: the margin of its worst case (every open order filled at its
 * limit), in quote atoms, and the estimated liquidation price of its main underlying.
 *
 * @param equity equity E, quote atoms, rounded down
 * @param maintenanceMargin MM, quote atoms, rounded up
 * @param initialMargin effective initial margin max(IM, MM), quote atoms, rounded up: the margin
 *     the orders use
 * @param meetsInitialMargin E x 10^6 &gt;= max(IM, MM)
 * @param underlying the main underlying (largest scenario exposure), or null if no position
 * @param spot its spot, quote atoms per unit of the underlying
 * @param liquidationPrice estimated spot of the main underlying at which equity falls to MM, quote
 *     atoms per unit (see {@link LiquidationEstimator}); -1 if none within the searched range
 */
public record MarginAnswer(
    long equity,
    long maintenanceMargin,
    long initialMargin,
    boolean meetsInitialMargin,
    String underlying,
    long spot,
    long liquidationPrice) {}
