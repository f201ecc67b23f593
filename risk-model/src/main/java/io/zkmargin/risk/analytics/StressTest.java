package io.zkmargin.risk.analytics;

import io.zkmargin.risk.market.OracleEpoch;
import java.util.Map;
import java.util.TreeMap;

/**
 * A named stress scenario applied to every underlying: spot x (1 + spotShock), implied vols x (1 +
 * volShock).
 *
 * @param name display name
 * @param spotShock relative spot move, {@code > -1} (e.g. -0.30)
 * @param volShock relative vol change, {@code > -1} (e.g. +0.50)
 */
public record StressTest(String name, double spotShock, double volShock) {
  /** The standard crash: spot -30%, implied vol +50% (relative). */
  public static final StressTest CRASH = new StressTest("crash: spot -30%, vol +50%", -0.30, 0.50);

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public StressTest {
    if (name == null || !(spotShock > -1) || !(volShock > -1)) {
      throw new IllegalArgumentException("need a name, spot shock > -1 and vol shock > -1");
    }
  }

  /**
   * P&amp;L of the portfolio under this scenario (instantaneous full revaluation), quote units
   * (positive = gain).
   *
   * @param portfolio holdings
   * @param epoch base market data
   */
  public double pnl(Portfolio portfolio, OracleEpoch epoch) {
    Map<String, Double> spot = new TreeMap<>();
    Map<String, Double> vol = new TreeMap<>();
    for (String u : epoch.quotes().keySet()) {
      spot.put(u, 1 + spotShock);
      vol.put(u, volShock);
    }
    PortfolioAnalytics pa = PortfolioAnalytics.DEFAULT;
    return pa.value(portfolio, epoch, spot, vol, true, 0)
        - pa.value(portfolio, epoch, Map.of(), Map.of(), false, 0);
  }
}
