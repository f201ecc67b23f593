package io.zkmargin.risk.pricer;

import io.zkmargin.risk.fixed.Fixed;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweep grid the pricer accuracy tests share: every forward x moneyness x expiry x vol, with
 * the strike rounded to an integer and expiry and vol in fixed point, skipping points whose
 * standard deviation {@code vol * sqrt(T)} exceeds 4 (outside the pricer's domain).
 */
final class PricerSweep {
  private PricerSweep() {}

  /**
   * One grid point.
   *
   * @param forward forward price, integer units
   * @param strike {@code round(forward * moneyness)}
   * @param t time to expiry in years as listed in the grid
   * @param v volatility as listed in the grid
   * @param years {@code t} in fixed point 1e18
   * @param vol {@code v} in fixed point 1e18
   */
  record Point(long forward, long strike, double t, double v, long years, long vol) {}

  static List<Point> points(long[] forwards, double[] moneyness, double[] years, double[] vols) {
    List<Point> out = new ArrayList<>();
    for (long f : forwards) {
      for (double m : moneyness) {
        long k = Math.round(f * m);
        for (double t : years) {
          for (double v : vols) {
            if (v * Math.sqrt(t) > 4) {
              continue;
            }
            out.add(new Point(f, k, t, v, Fixed.fromDouble(t), Fixed.fromDouble(v)));
          }
        }
      }
    }
    return out;
  }
}
