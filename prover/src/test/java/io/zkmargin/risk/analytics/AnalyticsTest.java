package io.zkmargin.risk.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.demo.DemoVenue;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalyticsTest {
  private final DemoVenue venue = DemoVenue.generate(12, 9, CircuitSizes.PRODUCTION);

  private Portfolio portfolio(long[] balances, long[] ids, long[] qty) {
    int p = venue.sizes().positionSlots();
    long[] i = new long[p];
    long[] q = new long[p];
    System.arraycopy(ids, 0, i, 0, ids.length);
    System.arraycopy(qty, 0, q, 0, qty.length);
    long[] snaps = new long[p];
    for (int j = 0; j < ids.length; j++) {
      snaps[j] = venue.epoch().fundingIndexOf((int) ids[j]);
    }
    return Portfolio.of(
        new AccountLeaf(BigInteger.ZERO, BigInteger.ONE, 0, 0, balances, i, q, snaps),
        venue.instruments(),
        venue.assets());
  }

  @Test
  void perpAndCollateralDeltaAndGreeksMatchBumps() {
    // 10 lots of the BTC perp (0.001 BTC each) and 0.5 BTC of collateral: delta 0.51 BTC
    Portfolio p =
        portfolio(new long[] {0, 50_000_000L, 0, 0}, new long[] {0, 4}, new long[] {10, -3});
    List<UnderlyingGreeks> g = PortfolioAnalytics.DEFAULT.greeks(p, venue.epoch());
    UnderlyingGreeks btc =
        g.stream().filter(x -> x.underlying().equals("BTC")).findFirst().orElseThrow();
    double spot = btc.spot();
    PortfolioAnalytics pa = PortfolioAnalytics.DEFAULT;
    double h = 1e-4;
    double up = pa.value(p, venue.epoch(), Map.of("BTC", 1 + h), Map.of(), false, 0);
    double dn = pa.value(p, venue.epoch(), Map.of("BTC", 1 - h), Map.of(), false, 0);
    double v0 = pa.value(p, venue.epoch(), Map.of(), Map.of(), false, 0);
    assertEquals((up - dn) / (2 * h * spot), btc.delta(), 1e-6);
    assertEquals(
        (up - 2 * v0 + dn) / (h * spot * h * spot),
        btc.gamma(),
        1e-6 + Math.abs(btc.gamma()) * 1e-3);
    double vu = pa.value(p, venue.epoch(), Map.of(), Map.of("BTC", 0.01), false, 0);
    assertEquals(vu - v0, btc.vega(), Math.abs(btc.vega()) * 0.02 + 1e-9);
    double later = pa.value(p, venue.epoch(), Map.of(), Map.of(), false, 86_400);
    assertEquals(later - v0, btc.theta(), Math.abs(btc.theta()) * 0.05 + 1e-9);
  }

  @Test
  void varIsReproducibleAndScalesWithThePosition() {
    MonteCarloVar mc = MonteCarloVar.defaults();
    Portfolio one = portfolio(new long[] {0, 0, 0, 0}, new long[] {0}, new long[] {100});
    Portfolio two = portfolio(new long[] {0, 0, 0, 0}, new long[] {0}, new long[] {200});
    MonteCarloVar.Result a = mc.run(one, venue.epoch());
    assertEquals(a, mc.run(one, venue.epoch()));
    assertEquals(2 * a.valueAtRisk(), mc.run(two, venue.epoch()).valueAtRisk(), 1e-6);
    // linear position: VaR close to 2.326 x daily vol x notional
    double notional = 0.1 * venue.epoch().quote("BTC").spot() / 1e6;
    double expected = 2.326 * 0.55 / Math.sqrt(365) * notional;
    assertEquals(expected, a.valueAtRisk(), expected * 0.08);
    assertTrue(a.expectedShortfall() >= a.valueAtRisk());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MonteCarloVar(
                List.of("BTC", "ETH"), new double[][] {{1, 1.2}, {1.2, 1}}, 1000, 0.99, 1));
  }

  @Test
  void crashStressHitsLongsAndShortVol() {
    Portfolio longPerp = portfolio(new long[] {0, 0, 0, 0}, new long[] {0}, new long[] {100});
    double spot = venue.epoch().quote("BTC").spot() / 1e6;
    assertEquals(-0.30 * 0.1 * spot, StressTest.CRASH.pnl(longPerp, venue.epoch()), 1e-6);
    // short put loses under the crash
    Portfolio shortPut = portfolio(new long[] {0, 0, 0, 0}, new long[] {4}, new long[] {-5});
    assertTrue(StressTest.CRASH.pnl(shortPut, venue.epoch()) < 0);
  }

  @Test
  void reportShowsEveryPart() {
    for (int i = 0; i < 6; i++) {
      String r = venue.marginReport(i);
      for (String part :
          new String[] {
            "Equity:",
            "Initial margin (IM):",
            "Maintenance margin (MM):",
            "Health",
            "Status:",
            "Greeks",
            "VaR 99%",
            "Stress crash",
            "Scenario P&L",
            "extreme"
          }) {
        assertTrue(r.contains(part), "report of account " + i + " lacks " + part + ":\n" + r);
      }
    }
    String unhealthy = venue.marginReport(5);
    assertTrue(unhealthy.contains("LIQUIDATABLE"), unhealthy);
    System.out.println(venue.marginReport(4));
  }
}
