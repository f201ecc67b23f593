package io.zkmargin.risk.pricer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.fixed.Rounding;
import io.zkmargin.risk.product.OptionType;
import org.junit.jupiter.api.Test;

class BlackFormulaTest {
  private static final BlackScholesFormula REF = BlackScholesFormula.DEFAULT;
  private static final BlackFixed FX = BlackFixed.DEFAULT;

  /** Worst errors of the fixed-point pricer against the double reference, filled by the sweep. */
  static double worstPrice;
  static double worstDelta;
  static double worstVega;

  @Test
  void hullExample15_6() {
    // Hull, Options Futures and Other Derivatives: S=42, K=40, r=10%, sigma=20%, T=0.5: c = 4.76, p = 0.81
    assertEquals(4.76, REF.greeks(OptionType.CALL, 42, 40, 0.5, 0.2, 0.1, 0).price(), 0.005);
    assertEquals(0.81, REF.greeks(OptionType.PUT, 42, 40, 0.5, 0.2, 0.1, 0).price(), 0.005);
  }

  @Test
  void hullGreekLettersExample() {
    // Hull, "The Greek letters": S=49, K=50, r=5%, sigma=20%, T=20 weeks: price 2.40, delta 0.522,
    // gamma 0.066, vega 12.1, theta -4.31 per year
    OptionGreeks g = REF.greeks(OptionType.CALL, 49, 50, 0.3846, 0.2, 0.05, 0);
    assertEquals(2.40, g.price(), 0.005);
    assertEquals(0.522, g.delta(), 0.0005);
    assertEquals(0.066, g.gamma(), 0.0005);
    assertEquals(12.1, g.vega(), 0.05);
    assertEquals(-4.31, g.theta(), 0.005);
  }

  @Test
  void greeksMatchFiniteDifferences() {
    for (OptionType t : OptionType.values()) {
      double s = 100, k = 95, T = 0.4, v = 0.35, r = 0.03, q = 0.01, h = 1e-3;
      OptionGreeks g = REF.greeks(t, s, k, T, v, r, q);
      OptionGreeks up = REF.greeks(t, s + h, k, T, v, r, q);
      OptionGreeks dn = REF.greeks(t, s - h, k, T, v, r, q);
      assertEquals((up.price() - dn.price()) / (2 * h), g.delta(), 1e-6);
      assertEquals((up.delta() - dn.delta()) / (2 * h), g.gamma(), 1e-6);
      OptionGreeks vu = REF.greeks(t, s, k, T, v + h, r, q);
      OptionGreeks vd = REF.greeks(t, s, k, T, v - h, r, q);
      assertEquals((vu.price() - vd.price()) / (2 * h), g.vega(), 1e-5);
      assertEquals((vu.delta() - vd.delta()) / (2 * h), g.vanna(), 1e-5);
      OptionGreeks tu = REF.greeks(t, s, k, T - h, v, r, q);
      OptionGreeks td = REF.greeks(t, s, k, T + h, v, r, q);
      assertEquals((tu.price() - td.price()) / (2 * h), g.theta(), 1e-4);
      assertEquals((tu.delta() - td.delta()) / (2 * h), g.charm(), 1e-5);
      // put-call parity
      OptionGreeks c = REF.greeks(OptionType.CALL, s, k, T, v, r, q);
      OptionGreeks p = REF.greeks(OptionType.PUT, s, k, T, v, r, q);
      assertEquals(s * Math.exp(-q * T) - k * Math.exp(-r * T), c.price() - p.price(), 1e-12);
    }
  }

  @Test
  void fixedPointAgreesWithDoubleReference() {
    long[] forwards = {1_000_000L, 3_000_000_000L, 60_000_000_000L};
    double[] moneyness = {0.05, 0.3, 0.7, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 3, 20};
    double[] years = {1e-7, 1.0 / (365 * 24), 1.0 / 365, 7.0 / 365, 0.25, 1, 3};
    double[] vols = {0.0001, 0.01, 0.2, 0.8, 2.0};
    double wp = 0, wd = 0, wv = 0;
    for (long f : forwards) {
      for (double m : moneyness) {
        long k = Math.round(f * m);
        for (double t : years) {
          for (double v : vols) {
            if (v * Math.sqrt(t) > 4) {
              continue;
            }
            long ft = Fixed.fromDouble(t);
            long fv = Fixed.fromDouble(v);
            double td = ft / 1e18;
            double vd = fv / 1e18;
            for (OptionType type : OptionType.values()) {
              OptionGreeks g = REF.greeks(type, f, k, td, vd, 0, 0);
              double mx = Math.max(f, k);
              double ep = Math.abs(FX.normalizedPrice(type, f, k, ft, fv, Fixed.ONE) / 1e18 - g.price() / mx);
              double ed = Math.abs(FX.delta(type, f, k, ft, fv, Fixed.ONE) / 1e18 - g.delta());
              double ev = Math.abs(FX.vegaNormalized(type, f, k, ft, fv, Fixed.ONE) / 1e18 - g.vega() / f);
              wp = Math.max(wp, ep);
              wd = Math.max(wd, ed);
              wv = Math.max(wv, ev);
              String at = type + " F=" + f + " K=" + k + " T=" + t + " vol=" + v;
              assertTrue(ep < 5e-15, "price " + at + " err " + ep);
              assertTrue(ed < 5e-15, "delta " + at + " err " + ed);
              assertTrue(ev < 5e-15, "vega " + at + " err " + ev);
              double gr = REF.greeks(type, f, k, td, vd, 0, 0).gamma() * f;
              if (gr > 9) {
                long fk = k;
                if (gr > 9.3) assertThrows(ArithmeticException.class,
                    () -> FX.gammaNormalized(type, f, fk, ft, fv, Fixed.ONE));
                continue;
              }
              double eg = Math.abs(FX.gammaNormalized(type, f, k, ft, fv, Fixed.ONE) / 1e18 - gr);
              assertTrue(eg < 1e-12 * Math.max(1, gr), "gamma " + at + " err " + eg);
            }
          }
        }
      }
    }
    worstPrice = wp;
    worstDelta = wd;
    worstVega = wv;
    System.out.printf("fixed-point worst error vs double: price/max(F,K) %.3g, delta %.3g, vega/F %.3g%n", wp, wd, wv);
  }

  @Test
  void discountedAndExpiredAndPerLot() {
    long f = 42_000_000L;
    long k = 40_000_000L;
    long t = Fixed.ONE / 2;
    long v = Fixed.ONE / 5;
    long df = Fixed.exp(-Fixed.ONE / 20);
    double ref = REF.greeks(OptionType.CALL, 42 * Math.exp(0.05), 40, 0.5, 0.2, 0.1, 0.1).price();
    double got = FX.pricePerLot(OptionType.CALL, f, k, t, v, df, Fixed.ONE, Rounding.NEAREST) / 1e6;
    assertEquals(42 * Math.exp(-0.05) * REF.greeks(OptionType.CALL, 42, 40, 0.5, 0.2, 0, 0).price() / 42, got, 1e-6);
    assertTrue(ref > 0);
    // at expiry: intrinsic value exactly
    assertEquals(2_000_000L, FX.pricePerLot(OptionType.CALL, f, k, 0, v, Fixed.ONE, Fixed.ONE, Rounding.FLOOR));
    assertEquals(0L, FX.pricePerLot(OptionType.PUT, f, k, 0, v, Fixed.ONE, Fixed.ONE, Rounding.FLOOR));
    // lot of 0.001 units
    long perLot = FX.pricePerLot(OptionType.PUT, 60_000_000_000L, 55_000_000_000L, Fixed.ONE / 12, Fixed.ONE * 6 / 10,
        Fixed.ONE, Fixed.ONE / 1000, Rounding.CEILING);
    double refLot = REF.greeks(OptionType.PUT, 60_000e6, 55_000e6, 1.0 / 12, 0.6, 0, 0).price() / 1000;
    assertEquals(refLot, perLot, 1.0);
    assertThrows(IllegalArgumentException.class, () -> FX.normalizedPrice(OptionType.CALL, 0, k, t, v, Fixed.ONE));
    assertThrows(IllegalArgumentException.class,
        () -> FX.normalizedPrice(OptionType.CALL, f, k, 8 * Fixed.ONE, 2 * Fixed.ONE, Fixed.ONE));
  }
}
