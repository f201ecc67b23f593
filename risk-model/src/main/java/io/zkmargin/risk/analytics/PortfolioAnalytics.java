package io.zkmargin.risk.analytics;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.market.OracleEpoch;
import io.zkmargin.risk.market.UnderlyingQuote;
import io.zkmargin.risk.pricer.BlackScholesFormula;
import io.zkmargin.risk.pricer.OptionGreeks;
import io.zkmargin.risk.product.CollateralAsset;
import io.zkmargin.risk.product.EuropeanOption;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.product.PerpetualFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Off-circuit portfolio analytics in double precision: net Greeks per underlying and full
 * revaluation of a portfolio under shifted market data (used by {@link MonteCarloVar} and {@link
 * StressTest}). Nothing here decides margin. Stateless; use {@link #DEFAULT}.
 */
public final class PortfolioAnalytics {
  /** The shared stateless instance. */
  public static final PortfolioAnalytics DEFAULT = new PortfolioAnalytics();

  /** Quote atoms per quote unit (6-decimal quote asset). */
  public static final double QUOTE_ATOMS = 1e6;

  private static final double YEAR = OracleEpoch.SECONDS_PER_YEAR;

  private PortfolioAnalytics() {}

  /**
   * Net Greeks per underlying (sorted by symbol) of a portfolio at an epoch.
   *
   * @param portfolio holdings
   * @param epoch market data
   * @return one entry per underlying the portfolio is exposed to
   */
  public List<UnderlyingGreeks> greeks(Portfolio portfolio, OracleEpoch epoch) {
    Map<String, double[]> acc = new TreeMap<>(); // delta, gamma, vega, theta, vanna, charm
    Account leaf = portfolio.account();
    for (int a = 0; a < leaf.balances().length; a++) {
      CollateralAsset asset = portfolio.assets().get(a);
      if (!asset.isQuote() && leaf.balances()[a] != 0) {
        acc.computeIfAbsent(asset.underlying(), k -> new double[6])[0] +=
            leaf.balances()[a] / Math.pow(10, asset.decimals());
      }
    }
    for (int j = 0; j < leaf.quantities().length; j++) {
      long q = leaf.quantities()[j];
      if (q == 0) {
        continue;
      }
      Instrument ins = portfolio.instruments().get((int) leaf.instrumentIds()[j]);
      double units = q * (ins.lotSize() / 1e18);
      double[] g = acc.computeIfAbsent(ins.underlying(), k -> new double[6]);
      if (ins instanceof PerpetualFuture) {
        g[0] += units;
      } else {
        EuropeanOption o = (EuropeanOption) ins;
        UnderlyingQuote uq = epoch.quote(o.underlying());
        OptionGreeks og =
            optionGreeks(
                o, uq.spot() / QUOTE_ATOMS, uq.impliedVol(o.strike()) / 1e18, epoch.timeSeconds());
        g[0] += units * og.delta();
        g[1] += units * og.gamma();
        g[2] += units * og.vega() / 100;
        g[3] += units * og.theta() / 365;
        g[4] += units * og.vanna() / 100;
        g[5] += units * og.charm() / 365;
      }
    }
    List<UnderlyingGreeks> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : acc.entrySet()) {
      double s = epoch.quote(e.getKey()).spot() / QUOTE_ATOMS;
      double[] g = e.getValue();
      out.add(
          new UnderlyingGreeks(
              e.getKey(),
              s,
              g[0],
              g[0] * s,
              g[1],
              0.5 * g[1] * (0.01 * s) * (0.01 * s),
              g[2],
              g[3],
              g[4],
              g[5]));
    }
    return out;
  }

  /**
   * Market value of a portfolio in quote units with spot multipliers and vol shifts per underlying:
   * collateral at full (un-haircut) value, perps at spot x lot plus unsettled funding, options by
   * Black-Scholes.
   *
   * @param portfolio holdings
   * @param epoch base market data
   * @param spotFactor multiplier of each underlying's spot (1.0 = unchanged); missing = 1
   * @param volShift additive vol shift per underlying (0.1 = +10 points); missing = 0
   * @param relativeVol if true, volShift is relative (0.5 = vol x 1.5) instead of additive
   * @param elapsedSeconds time that passes before revaluation, {@code >= 0}
   * @return value in quote units
   */
  public double value(
      Portfolio portfolio,
      OracleEpoch epoch,
      Map<String, Double> spotFactor,
      Map<String, Double> volShift,
      boolean relativeVol,
      long elapsedSeconds) {
    if (elapsedSeconds < 0) {
      throw new IllegalArgumentException("elapsed time must be >= 0");
    }
    Account leaf = portfolio.account();
    double v = 0;
    for (int a = 0; a < leaf.balances().length; a++) {
      CollateralAsset asset = portfolio.assets().get(a);
      double units = leaf.balances()[a] / Math.pow(10, asset.decimals());
      v +=
          asset.isQuote()
              ? units
              : units
                  * epoch.quote(asset.underlying()).spot()
                  / QUOTE_ATOMS
                  * spotFactor.getOrDefault(asset.underlying(), 1.0);
    }
    for (int j = 0; j < leaf.quantities().length; j++) {
      long q = leaf.quantities()[j];
      if (q == 0) {
        continue;
      }
      Instrument ins = portfolio.instruments().get((int) leaf.instrumentIds()[j]);
      UnderlyingQuote uq = epoch.quote(ins.underlying());
      double s = uq.spot() / QUOTE_ATOMS * spotFactor.getOrDefault(ins.underlying(), 1.0);
      double units = q * (ins.lotSize() / 1e18);
      if (ins instanceof PerpetualFuture p) {
        double funding = (epoch.fundingIndexOf(p.id()) - leaf.fundingSnapshots()[j]) / QUOTE_ATOMS;
        v += units * s - q * funding;
      } else {
        EuropeanOption o = (EuropeanOption) ins;
        double vol = uq.impliedVol(o.strike()) / 1e18;
        double shift = volShift.getOrDefault(ins.underlying(), 0.0);
        vol = Math.max(0, relativeVol ? vol * (1 + shift) : vol + shift);
        v += units * optionGreeks(o, s, vol, epoch.timeSeconds() + elapsedSeconds).price();
      }
    }
    return v;
  }

  private static OptionGreeks optionGreeks(EuropeanOption o, double spot, double vol, long now) {
    double years = Math.max(0, o.expirySeconds() - now) / YEAR;
    return BlackScholesFormula.DEFAULT.greeks(
        o.type(), spot, o.strike() / QUOTE_ATOMS, years, vol, 0, 0);
  }
}
