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
    // Hull, Options Futures and Other Derivatives: S=42, K=40, r=10%, sigma=20%, T=0.5: c = 4.76, p
    // = 0.81
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
    for (PricerSweep.Point p : PricerSweep.points(forwards, moneyness, years, vols)) {
      long f = p.forward();
      long k = p.strike();
      double t = p.t();
      double v = p.v();
      long ft = p.years();
      long fv = p.vol();
      double td = ft / 1e18;
      double vd = fv / 1e18;
      for (OptionType type : OptionType.values()) {
        OptionGreeks g = REF.greeks(type, f, k, td, vd, 0, 0);
        double mx = Math.max(f, k);
        double ep =
            Math.abs(FX.normalizedPrice(type, f, k, ft, fv, Fixed.ONE) / 1e18 - g.price() / mx);
        double ed = Math.abs(FX.delta(type, f, k, ft, fv, Fixed.ONE) / 1e18 - g.delta());
        double ev =
            Math.abs(FX.vegaNormalized(type, f, k, ft, fv, Fixed.ONE) / 1e18 - g.vega() / f);
        wp = Math.max(wp, ep);
        wd = Math.max(wd, ed);
        wv = Math.max(wv, ev);
        String at = type + " F=" + f + " K=" + k + " T=" + t + " vol=" + v;
        assertTrue(ep < 5e-15, "price " + at + " err " + ep);
        assertTrue(ed < 5e-15, "delta " + at + " err " + ed);
        assertTrue(ev < 5e-15, "vega " + at + " err " + ev);
        double gr = REF.greeks(type, f, k, td, vd, 0, 0).gamma() * f;
        if (gr > 9000) {
          long fk = k;
          if (gr > 9300)
            assertThrows(
                ArithmeticException.class,
                () -> FX.gammaNormalized(type, f, fk, ft, fv, Fixed.ONE));
          continue;
        }
        double eg =
            Math.abs(
                FX.gammaNormalized(type, f, k, ft, fv, Fixed.ONE) / (double) BlackFixed.GAMMA_SCALE
                    - gr);
        assertTrue(eg < 1e-12 * Math.max(1, gr), "gamma " + at + " err " + eg);
      }
    }
    worstPrice = wp;
    worstDelta = wd;
    worstVega = wv;
    System.out.printf(
        "fixed-point worst error vs double: price/max(F,K) %.3g, delta %.3g, vega/F %.3g%n",
        wp, wd, wv);
  }

  /**
   * Gamma at the money where sigma sqrt(T) is below 0.043 (gamma times F above 9.2, which
   * overflowed a scale of 10^18): 17 days, 1 day and 1 hour at 20% vol, 1 minute at 5% vol, against
   * the double reference.
   */
  @Test
  void gammaAtTheMoneyNearExpiryStaysInRange() {
    long f = 60_000_000_000L;
    double[][] points = {
      {17.0 / 365, 0.2}, {1.0 / 365, 0.2}, {1.0 / (365 * 24), 0.2}, {1.0 / (365 * 24 * 60), 0.05}
    };
    for (double[] p : points) {
      long ft = Math.round(p[0] * 1e18);
      long fv = Math.round(p[1] * 1e18);
      double gr = REF.greeks(OptionType.CALL, f, f, ft / 1e18, fv / 1e18, 0, 0).gamma() * f;
      assertTrue(gr > 9.2, "the point must be one that overflowed scale 10^18: " + gr);
      for (OptionType type : OptionType.values()) {
        double fixed =
            FX.gammaNormalized(type, f, f, ft, fv, Fixed.ONE) / (double) BlackFixed.GAMMA_SCALE;
        assertEquals(gr, fixed, 1e-12 * gr, type + " T=" + p[0] + " vol=" + p[1]);
      }
    }
    // within about 1.5 s of expiry at 20% vol the range ends, with a clear exception instead of a
    // wrapped value
    assertThrows(
        ArithmeticException.class,
        () ->
            FX.gammaNormalized(
                OptionType.CALL,
                f,
                f,
                Math.round(1e18 / (365.0 * 86400)),
                Fixed.ONE / 5,
                Fixed.ONE));
  }

  /**
   * At expiry (and at zero vol) both pricers use one delta convention, and put-call parity holds at
   * the money.
   */
  @Test
  void deltaAtExpiryOneConventionWithPutCallParity() {
    long k = 60_000_000_000L;
    long[] forwards = {k - 1_000_000_000L, k, k + 1_000_000_000L};
    long[][] timeVol = {{0, Fixed.ONE / 5}, {Fixed.ONE / 4, 0}};
    for (long f : forwards) {
      for (long[] tv : timeVol) {
        double dq = 1;
        double call = REF.greeks(OptionType.CALL, f, k, tv[0] / 1e18, tv[1] / 1e18, 0, 0).delta();
        double put = REF.greeks(OptionType.PUT, f, k, tv[0] / 1e18, tv[1] / 1e18, 0, 0).delta();
        long fCall = FX.delta(OptionType.CALL, f, k, tv[0], tv[1], Fixed.ONE);
        long fPut = FX.delta(OptionType.PUT, f, k, tv[0], tv[1], Fixed.ONE);
        String at = "F=" + f + " T=" + tv[0] + " vol=" + tv[1];
        assertEquals(dq, call - put, 0, "double parity " + at);
        assertEquals(Fixed.ONE, fCall - fPut, "fixed parity " + at);
        assertEquals(call, fCall / 1e18, 0, "call " + at);
        assertEquals(put, fPut / 1e18, 0, "put " + at);
      }
    }
    assertEquals(0.5, REF.greeks(OptionType.CALL, k, k, 0, 0.2, 0, 0).delta(), 0);
    assertEquals(-0.5, REF.greeks(OptionType.PUT, k, k, 0, 0.2, 0, 0).delta(), 0);
  }

  /**
   * Largest |Greek| compared; beyond OVERFLOW_REF the fixed-point Greek must throw, in between it
   * may do either.
   */
  private static final double COMPARE_LIMIT = 9.1;

  private static final double OVERFLOW_REF = 9.3;

  /**
   * Fixed-point theta, vanna and charm against the double reference over the same sweep as above,
   * at D = 1 and at a 5% rate (D = e^(-0.05 T)). The error is measured relative to max(1, |Greek|),
   * since these Greeks reach the edge of the representable range (about 9.2) and the double's own
   * error is relative there; for charm relative to max(1, |charm|, 1e-4 / T), since d2 is known to
   * an ulp and charm divides it by 2 T.
   */
  @Test
  void fixedThetaVannaCharmAgreeWithDoubleReference() {
    long[] forwards = {1_000_000L, 3_000_000_000L, 60_000_000_000L};
    double[] moneyness = {0.05, 0.3, 0.7, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 3, 20};
    double[] years = {1e-7, 1.0 / (365 * 24), 1.0 / 365, 7.0 / 365, 0.25, 1, 3};
    double[] vols = {0.0001, 0.01, 0.2, 0.8, 2.0};
    long[] rates = {0, Fixed.ONE / 20};
    double wt = 0, wva = 0, wc = 0;
    int compared = 0, overflowed = 0;
    for (PricerSweep.Point p : PricerSweep.points(forwards, moneyness, years, vols)) {
      long f = p.forward();
      long k = p.strike();
      double t = p.t();
      double v = p.v();
      long ft = p.years();
      long fv = p.vol();
      double td = ft / 1e18;
      double vd = fv / 1e18;
      for (long rate : rates) {
        long df = Fixed.exp(-Fixed.mul(rate, ft));
        double r = -Math.log1p((df - Fixed.ONE) / 1e18) / td; // the rate the fixed point implies
        for (OptionType type : OptionType.values()) {
          OptionGreeks g = REF.greeks(type, f, k, td, vd, r, r);
          String at = type + " F=" + f + " K=" + k + " T=" + t + " vol=" + v + " D=" + df;
          long fk = k;
          double[] ref = {g.theta() / f, g.vanna(), g.charm()};
          for (int i = 0; i < 3; i++) {
            int which = i;
            java.util.function.LongSupplier fixed =
                () ->
                    which == 0
                        ? FX.thetaNormalized(type, f, fk, ft, fv, df)
                        : which == 1
                            ? FX.vanna(type, f, fk, ft, fv, df)
                            : FX.charm(type, f, fk, ft, fv, df);
            if (Math.abs(ref[i]) > OVERFLOW_REF) {
              assertThrows(ArithmeticException.class, fixed::getAsLong, "overflow " + i + " " + at);
              overflowed++;
              continue;
            }
            if (Math.abs(ref[i]) > COMPARE_LIMIT) {
              continue;
            }
            double scale = Math.max(1, Math.abs(ref[i]));
            if (i == 2) {
              scale =
                  Math.max(scale, 1e-4 / td); // charm divides phi(d1) d2, known to ~1e-18, by 2 T
            }
            double e = Math.abs(fixed.getAsLong() / 1e18 - ref[i]) / scale;
            compared++;
            assertTrue(
                e < DOUBLE_BOUND[i],
                new String[] {"theta", "vanna", "charm"}[i]
                    + " "
                    + at
                    + " err "
                    + e
                    + " ref "
                    + ref[i]);
            if (i == 0) {
              wt = Math.max(wt, e);
            } else if (i == 1) {
              wva = Math.max(wva, e);
            } else {
              wc = Math.max(wc, e);
            }
          }
        }
      }
    }
    System.out.printf(
        "fixed-point worst error vs double (relative to max(1,|x|), charm max(1,|x|,1e-4/T)): theta/F %.3g, vanna %.3g,"
            + " charm %.3g"
            + " (%d compared, %d overflow checks)%n",
        wt, wva, wc, compared, overflowed);
    assertTrue(
        compared > 5000 && overflowed > 100, compared + " compared, " + overflowed + " overflows");
  }

  /**
   * Documented bounds against the double reference (as in the BlackFixed Javadoc), relative to
   * max(1, |Greek|) for theta/F and vanna and to max(1, |charm|, 1e-4 / T) for charm.
   */
  private static final double[] DOUBLE_BOUND = {2e-14, 2e-14, 1e-13};

  /**
   * Sign and unit conventions checked inside the fixed-point pricer itself: theta, vanna and charm
   * match central differences of the fixed-point price and delta (calendar time passing = T
   * decreasing), D = 1.
   */
  @Test
  void fixedThetaVannaCharmMatchFixedFiniteDifferences() {
    long f = 60_000_000_000L;
    for (long k : new long[] {45_000_000_000L, 60_000_000_000L, 66_000_000_000L}) {
      for (OptionType type : OptionType.values()) {
        long t = Fixed.ONE * 3 / 10;
        long v = Fixed.ONE * 7 / 10;
        long h = Fixed.ONE / 100_000;
        double m = Math.max(f, k);
        double dPrice =
            (FX.normalizedPrice(type, f, k, t - h, v, Fixed.ONE)
                    - FX.normalizedPrice(type, f, k, t + h, v, Fixed.ONE))
                / (2.0 * h)
                * m
                / f;
        assertEquals(
            dPrice,
            FX.thetaNormalized(type, f, k, t, v, Fixed.ONE) / 1e18,
            1e-7,
            "theta " + type + " K=" + k);
        double dDeltaT =
            (FX.delta(type, f, k, t - h, v, Fixed.ONE) - FX.delta(type, f, k, t + h, v, Fixed.ONE))
                / (2.0 * h);
        assertEquals(
            dDeltaT,
            FX.charm(type, f, k, t, v, Fixed.ONE) / 1e18,
            1e-7,
            "charm " + type + " K=" + k);
        double dDeltaV =
            (FX.delta(type, f, k, t, v + h, Fixed.ONE) - FX.delta(type, f, k, t, v - h, Fixed.ONE))
                / (2.0 * h);
        assertEquals(
            dDeltaV,
            FX.vanna(type, f, k, t, v, Fixed.ONE) / 1e18,
            1e-7,
            "vanna " + type + " K=" + k);
      }
    }
  }

  @Test
  void thetaVannaCharmEdgeCases() {
    long f = 60_000_000_000L;
    long v = Fixed.ONE * 6 / 10;
    long t = Fixed.ONE / 4;
    for (OptionType type : OptionType.values()) {
      // at expiry: all three are 0, also with a discount below 1
      assertEquals(0, FX.thetaNormalized(type, f, f, 0, v, Fixed.ONE));
      assertEquals(0, FX.vanna(type, f, f, 0, v, Fixed.ONE));
      assertEquals(0, FX.charm(type, f, 55_000_000_000L, 0, v, Fixed.ONE * 99 / 100));
      // zero vol, D = 1: no decay, no drift, no vanna
      assertEquals(0, FX.thetaNormalized(type, f, 55_000_000_000L, t, 0, Fixed.ONE));
      assertEquals(0, FX.vanna(type, f, 55_000_000_000L, t, 0, Fixed.ONE));
      assertEquals(0, FX.charm(type, f, 55_000_000_000L, t, 0, Fixed.ONE));
      // zero vol with a 4% rate: only the carry r V / F and r delta remain
      long df = Fixed.exp(-Fixed.ONE / 100);
      double carryTheta = type == OptionType.CALL ? 0.04 * Math.exp(-0.01) * 5.0 / 60 : 0;
      assertEquals(
          carryTheta, FX.thetaNormalized(type, f, 55_000_000_000L, t, 0, df) / 1e18, 1e-17);
      double carryCharm = type == OptionType.CALL ? 0.04 * Math.exp(-0.01) : 0;
      assertEquals(carryCharm, FX.charm(type, f, 55_000_000_000L, t, 0, df) / 1e18, 1e-17);
      // deep in and out of the money: phi(d1) vanishes, so does vanna; theta and charm are the
      // carry terms
      for (long k : new long[] {f / 1000, f * 1000}) {
        assertEquals(0, FX.vanna(type, f, k, t, v, Fixed.ONE));
        assertEquals(0, FX.thetaNormalized(type, f, k, t, v, Fixed.ONE));
        assertEquals(0, FX.charm(type, f, k, t, v, Fixed.ONE));
      }
      // theta of a long option is negative, vanna of an OTM call / ITM put is positive (d2 < 0
      // above the forward)
      assertTrue(FX.thetaNormalized(type, f, f, t, v, Fixed.ONE) < 0);
      assertTrue(FX.vanna(type, f, 70_000_000_000L, t, v, Fixed.ONE) > 0);
      // the same vanna and the same phi-term of charm for calls and puts
      assertEquals(
          FX.vanna(OptionType.CALL, f, 70_000_000_000L, t, v, Fixed.ONE),
          FX.vanna(OptionType.PUT, f, 70_000_000_000L, t, v, Fixed.ONE));
      assertEquals(
          FX.charm(OptionType.CALL, f, 70_000_000_000L, t, v, Fixed.ONE),
          FX.charm(OptionType.PUT, f, 70_000_000_000L, t, v, Fixed.ONE));
      // out of range: ATM minutes from expiry, and tiny vol near the money
      long minutes = Fixed.fromDouble(10.0 / (365 * 24 * 60));
      assertThrows(
          ArithmeticException.class, () -> FX.thetaNormalized(type, f, f, minutes, v, Fixed.ONE));
      assertThrows(
          ArithmeticException.class,
          () -> FX.charm(type, f, 60_150_000_000L, minutes, v, Fixed.ONE));
      assertThrows(
          ArithmeticException.class,
          () -> FX.vanna(type, f, 60_600_000_000L, Fixed.ONE, Fixed.ONE / 100, Fixed.ONE));
      assertThrows(IllegalArgumentException.class, () -> FX.vanna(type, f, -1, t, v, Fixed.ONE));
      assertThrows(IllegalArgumentException.class, () -> FX.charm(type, f, f, -1, v, Fixed.ONE));
      assertThrows(IllegalArgumentException.class, () -> FX.thetaNormalized(type, f, f, t, v, 0));
      assertThrows(
          IllegalArgumentException.class, () -> FX.thetaNormalized(null, f, f, t, v, Fixed.ONE));
    }
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
    assertEquals(
        42 * Math.exp(-0.05) * REF.greeks(OptionType.CALL, 42, 40, 0.5, 0.2, 0, 0).price() / 42,
        got,
        1e-6);
    assertTrue(ref > 0);
    // at expiry: intrinsic value exactly
    assertEquals(
        2_000_000L,
        FX.pricePerLot(OptionType.CALL, f, k, 0, v, Fixed.ONE, Fixed.ONE, Rounding.FLOOR));
    assertEquals(
        0L, FX.pricePerLot(OptionType.PUT, f, k, 0, v, Fixed.ONE, Fixed.ONE, Rounding.FLOOR));
    // lot of 0.001 units
    long perLot =
        FX.pricePerLot(
            OptionType.PUT,
            60_000_000_000L,
            55_000_000_000L,
            Fixed.ONE / 12,
            Fixed.ONE * 6 / 10,
            Fixed.ONE,
            Fixed.ONE / 1000,
            Rounding.CEILING);
    double refLot =
        REF.greeks(OptionType.PUT, 60_000e6, 55_000e6, 1.0 / 12, 0.6, 0, 0).price() / 1000;
    assertEquals(refLot, perLot, 1.0);
    assertThrows(
        IllegalArgumentException.class,
        () -> FX.normalizedPrice(OptionType.CALL, 0, k, t, v, Fixed.ONE));
    assertThrows(
        IllegalArgumentException.class,
        () -> FX.normalizedPrice(OptionType.CALL, f, k, 8 * Fixed.ONE, 2 * Fixed.ONE, Fixed.ONE));
  }
}
