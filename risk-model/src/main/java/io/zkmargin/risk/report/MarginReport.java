package io.zkmargin.risk.report;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.analytics.MonteCarloVar;
import io.zkmargin.risk.analytics.Portfolio;
import io.zkmargin.risk.analytics.PortfolioAnalytics;
import io.zkmargin.risk.analytics.StressTest;
import io.zkmargin.risk.analytics.UnderlyingGreeks;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.margin.MarginSummary;
import io.zkmargin.risk.market.OracleEpoch;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.RiskVector;
import io.zkmargin.risk.vector.ScenarioGrid;
import java.util.List;
import java.util.Locale;

/**
 * Formats the margin report of one account for {@code ./zkm margin}: equity, IM, MM, health,
 * liquidation status, net Greeks per underlying, VaR, the stress test and the P&amp;L of every
 * scenario. Pure: returns a String.
 */
public final class MarginReport {
  /** The shared stateless instance. */
  public static final MarginReport DEFAULT = new MarginReport();

  private MarginReport() {}

  /**
   * Everything one report shows.
   *
   * @param accountId account id
   * @param epoch oracle epoch number
   * @param margin exact margin (quote atoms)
   * @param grid the scenario grid (labels)
   * @param greeks net Greeks per underlying
   * @param var VaR result (quote units)
   * @param varConfidence confidence of the VaR, e.g. 0.99
   * @param stressName stress test name
   * @param stressPnl stress test P&amp;L, quote units
   * @param quoteSymbol symbol of the quote asset, e.g. USDC
   */
  public record Input(
      long accountId,
      long epoch,
      MarginSummary margin,
      ScenarioGrid grid,
      List<UnderlyingGreeks> greeks,
      MonteCarloVar.Result var,
      double varConfidence,
      String stressName,
      double stressPnl,
      String quoteSymbol) {}

  /**
   * The report text (lines end with '\n').
   *
   * @param in the numbers
   * @return the report
   */
  public String format(Input in) {
    StringBuilder sb = new StringBuilder();
    MarginSummary m = in.margin();
    String q = in.quoteSymbol();
    sb.append(
        String.format(Locale.ROOT, "Account %d at oracle epoch %d%n", in.accountId(), in.epoch()));
    line(sb, "Equity", atoms(m.equity(), q));
    line(sb, "Initial margin (IM)", atoms(m.initialMargin(), q));
    line(sb, "Maintenance margin (MM)", atoms(m.maintenanceMargin(), q));
    String health =
        m.healthRatioBps() == Long.MAX_VALUE
            ? "n/a (no margin requirement)"
            : String.format(
                Locale.ROOT,
                "%.2f%% of MM (%d bps)",
                m.healthRatioBps() / 100.0,
                m.healthRatioBps());
    line(sb, "Health (E / MM)", health);
    line(
        sb,
        "Status",
        m.liquidatable()
            ? "LIQUIDATABLE (equity below maintenance margin)"
            : m.meetsInitialMargin()
                ? "healthy (meets initial margin)"
                : "reduce-only (between MM and IM)");
    sb.append(String.format(Locale.ROOT, "%nGreeks (net, quote units in %s)%n", q));
    sb.append(
        String.format(
            Locale.ROOT,
            "  %-6s %14s %16s %14s %14s %14s %14s %12s%n",
            "under",
            "delta",
            "delta value",
            "gamma 1%",
            "vega/pt",
            "theta/day",
            "vanna/pt",
            "charm/day"));
    if (in.greeks().isEmpty()) {
      sb.append("  (no exposure)\n");
    }
    for (UnderlyingGreeks g : in.greeks()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-6s %14.6f %16.2f %14.2f %14.2f %14.2f %14.6f %12.6f%n",
              g.underlying(),
              g.delta(),
              g.deltaValue(),
              g.gammaValue1Pct(),
              g.vega(),
              g.theta(),
              g.vanna(),
              g.charm()));
    }
    sb.append('\n');
    line(
        sb,
        String.format(Locale.ROOT, "1-day VaR %.0f%%", in.varConfidence() * 100),
        String.format(
            Locale.ROOT,
            "%,.2f %s (expected shortfall %,.2f)",
            in.var().valueAtRisk(),
            q,
            in.var().expectedShortfall()));
    line(
        sb, "Stress " + in.stressName(), String.format(Locale.ROOT, "%,.2f %s", in.stressPnl(), q));
    sb.append(String.format(Locale.ROOT, "%nScenario P&L (maintenance, %s; worst marked *)%n", q));
    long[] pnl = m.scenarioPnl();
    for (int s = 0; s < pnl.length; s++) {
      sb.append(
          String.format(
              Locale.ROOT,
              "  %s %2d  %-36s %20s%n",
              s == m.worstScenario() ? "*" : " ",
              s,
              in.grid().label(s),
              atoms(pnl[s], "")));
    }
    return sb.toString();
  }

  /**
   * The report of any account: computes the exact margin at the risk vector, net Greeks, VaR with
   * {@link MonteCarloVar#defaults()} and the {@link StressTest#CRASH} stress.
   *
   * @param accountId account id (display only), {@code >= 0}
   * @param leaf the account
   * @param epoch the oracle epoch the risk vector was built from
   * @param vector the epoch's risk vector
   * @param grid the scenario grid of the vector (labels)
   * @param instruments the venue's instruments
   * @param assets the venue's collateral assets (asset 0 = quote asset)
   */
  public String format(
      long accountId,
      Account leaf,
      OracleEpoch epoch,
      RiskVector vector,
      ScenarioGrid grid,
      List<? extends Instrument> instruments,
      List<CollateralAsset> assets) {
    ArgChecker.notNegative(accountId, "account id");
    ArgChecker.isTrue(
        grid.size() == vector.scenarios(),
        "grid and risk vector differ in scenario count: {} vs {}",
        grid.size(),
        vector.scenarios());
    MarginResult r = MarginCalculator.DEFAULT.evaluate(vector, leaf);
    Portfolio p = Portfolio.of(leaf, instruments, assets);
    MonteCarloVar mc = MonteCarloVar.defaults();
    return format(
        new Input(
            accountId,
            epoch.epoch(),
            r.summary(),
            grid,
            PortfolioAnalytics.DEFAULT.greeks(p, epoch),
            mc.run(p, epoch),
            mc.confidence(),
            StressTest.CRASH.name(),
            StressTest.CRASH.pnl(p, epoch),
            assets.get(0).symbol()));
  }

  private static void line(StringBuilder sb, String label, String value) {
    sb.append(String.format(Locale.ROOT, "  %-26s %s%n", label + ":", value));
  }

  private static String atoms(long atoms, String symbol) {
    long abs = atoms == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(atoms);
    String s =
        String.format(
            Locale.ROOT, "%s%,d.%06d", atoms < 0 ? "-" : "", abs / 1_000_000L, abs % 1_000_000L);
    return symbol.isEmpty() ? s : s + " " + symbol;
  }
}
