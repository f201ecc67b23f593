package io.zkmargin.risk.margin;

/**
 * An account's margin in quote atoms (reporting form of {@link MarginResult}).
 *
 * @param equity floor(E / 10^9), quote atoms, signed
 * @param maintenanceMargin ceil(MM / 10^15), quote atoms, {@code >= 0}
 * @param initialMargin effective initial margin ceil(max(IM, MM) / 10^15), quote atoms, {@code >=
 *     0}
 * @param healthRatioBps E / MM in basis points, rounded down (Long.MAX_VALUE if MM = 0)
 * @param liquidatable E x 10^6 &lt; MM
 * @param meetsInitialMargin E x 10^6 &gt;= max(IM, MM)
 * @param worstScenario index of the maintenance scenario with the largest loss, -1 if none loses
 * @param scenarioPnl P&amp;L per maintenance scenario, quote atoms, rounded down (positive = gain)
 */
public record MarginSummary(
    long equity,
    long maintenanceMargin,
    long initialMargin,
    long healthRatioBps,
    boolean liquidatable,
    boolean meetsInitialMargin,
    int worstScenario,
    long[] scenarioPnl) {
  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public MarginSummary {
    scenarioPnl = scenarioPnl.clone();
  }
}
