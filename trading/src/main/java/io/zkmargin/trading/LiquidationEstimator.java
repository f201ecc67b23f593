package io.zkmargin.trading;

import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.market.OracleEpoch;
import io.zkmargin.risk.product.Instrument;
import io.zkmargin.risk.vector.RiskModelConfig;
import io.zkmargin.risk.vector.RiskVector;
import io.zkmargin.risk.vector.ScenarioGrid;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Estimates the spot of a portfolio's main underlying at which equity would fall to maintenance
 * margin, from the risk vector's maintenance scenarios: scenario s moves every underlying by {@code
 * rangeMm * num[s] / den[s]} of its spot (as the risk vector does); the P&amp;L at a move is the
 * worse of its vol-up and vol-down scenarios, interpolated linearly between the grid's moves
 * (P&amp;L 0 at no move) and extrapolated with the outer segments' slopes, MM held at today's
 * value. The nearest move (down or up) at which {@code E - MM + P&L < 0} gives the price. An
 * estimate for the answer to an order, not a margin figure. The main underlying is the one whose
 * positions have the largest {@code sum |q| * max|R|}.
 */
public final class LiquidationEstimator {
  private final String[] underlyingOf;
  private final List<String> names = new ArrayList<>();
  private final long[] spot;
  private final long[] rangePpm;
  private final ScenarioGrid grid;

  /**
   * @param instruments the listed instruments
   * @param epoch the oracle epoch (spots)
   * @param config the risk configuration (grid, maintenance ranges)
   */
  public LiquidationEstimator(
      List<Instrument> instruments, OracleEpoch epoch, RiskModelConfig config) {
    int max = 0;
    for (Instrument i : instruments) {
      max = Math.max(max, i.id() + 1);
    }
    underlyingOf = new String[max];
    TreeMap<String, Integer> idx = new TreeMap<>();
    for (Instrument i : instruments) {
      underlyingOf[i.id()] = i.underlying();
      idx.putIfAbsent(i.underlying(), 0);
    }
    names.addAll(idx.keySet());
    spot = new long[names.size()];
    rangePpm = new long[names.size()];
    for (int u = 0; u < names.size(); u++) {
      spot[u] = epoch.quote(names.get(u)).spot();
      rangePpm[u] = config.parametersOf(names.get(u)).priceRangeMmPpm();
    }
    grid = config.grid();
  }

  /** The name of underlying index u. */
  String underlying(int u) {
    return names.get(u);
  }

  /**
   * The estimate.
   *
   * @param v risk vector
   * @param ids instrument per slot
   * @param qty lots per slot
   * @param m the margin of those positions (scenario losses)
   * @param gap E - MM, quote atoms
   * @return {underlying index or -1, spot, liquidation price or -1}
   */
  long[] estimate(RiskVector v, long[] ids, long[] qty, MarginResult m, long gap) {
    double[] weight = new double[names.size()];
    for (int j = 0; j < qty.length; j++) {
      if (qty[j] != 0) {
        int id = (int) ids[j];
        weight[names.indexOf(underlyingOf[id])] += Math.abs((double) qty[j]) * v.maxAbsRArray()[id];
      }
    }
    int u = -1;
    for (int k = 0; k < weight.length; k++) {
      if (weight[k] > 0 && (u < 0 || weight[k] > weight[u])) {
        u = k;
      }
    }
    if (u < 0) {
      return new long[] {-1, 0, -1};
    }
    if (gap < 0) {
      return new long[] {u, spot[u], spot[u]};
    }
    // P&L per distinct move (fraction of spot), worst over vol directions
    TreeMap<Double, Double> pnl = new TreeMap<>();
    pnl.put(0.0, 0.0);
    for (int s = 0; s < grid.size(); s++) {
      if (grid.extreme()[s]) {
        continue;
      }
      double move =
          rangePpm[u] / 1e6 * grid.moveNumerator()[s] / (double) grid.moveDenominator()[s];
      double p = m.scenarioPnlQuoteAtoms(s);
      pnl.merge(move, p, Math::min);
    }
    double down = search(pnl.headMap(0.0, true).descendingMap(), gap, -1.0);
    double up = search(pnl.tailMap(0.0, true), gap, 10.0);
    double best = Double.NaN;
    if (!Double.isNaN(down)) {
      best = down;
    }
    if (!Double.isNaN(up) && (Double.isNaN(best) || Math.abs(up) < Math.abs(best))) {
      best = up;
    }
    long price = Double.isNaN(best) ? -1 : Math.max(0, Math.round(spot[u] * (1 + best)));
    return new long[] {u, spot[u], price};
  }

  /** The first move from 0 outwards (to {@code limit}) where gap + pnl < 0, or NaN. */
  private static double search(java.util.NavigableMap<Double, Double> pts, long gap, double limit) {
    double m0 = 0;
    double p0 = 0;
    double slope = 0;
    for (var e : pts.entrySet()) {
      double m1 = e.getKey();
      double p1 = e.getValue();
      if (m1 == m0) {
        continue;
      }
      if (gap + p1 < 0) {
        return m0 + (m1 - m0) * (gap + p0) / (p0 - p1);
      }
      slope = (p1 - p0) / (m1 - m0);
      m0 = m1;
      p0 = p1;
    }
    // extrapolate with the last slope
    if (slope == 0) {
      return Double.NaN;
    }
    double m = m0 - (gap + p0) / slope;
    return (limit < 0 ? m >= limit && m <= m0 : m <= limit && m >= m0) ? m : Double.NaN;
  }
}
