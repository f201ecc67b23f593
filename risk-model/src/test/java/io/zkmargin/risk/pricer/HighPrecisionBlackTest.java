package io.zkmargin.risk.pricer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.risk.fixed.Fixed;
import io.zkmargin.risk.product.OptionType;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;

/**
 * The fixed-point Black-76 against a 50-digit decimal reference (independent of the double
 * reference, whose own error of ~1e-16 hides the fixed-point error): normalized price, delta and
 * normalized vega, and theta/F, vanna and charm.
 */
class HighPrecisionBlackTest {
  static final MathContext MC = new MathContext(50, RoundingMode.HALF_EVEN);
  static final BigDecimal LN2 =
      new BigDecimal("0.69314718055994530941723212145817656807550013436026");
  static final BigDecimal PI =
      new BigDecimal("3.1415926535897932384626433832795028841971693993751");
  static final BigDecimal ONE = BigDecimal.ONE;
  static final BigDecimal EPS = new BigDecimal("1e-48");

  static BigDecimal exp(BigDecimal x) {
    if (x.signum() < 0) {
      return ONE.divide(exp(x.negate()), MC);
    }
    int halvings = 0;
    while (x.compareTo(BigDecimal.valueOf(0.5)) > 0) {
      x = x.divide(BigDecimal.valueOf(2), MC);
      halvings++;
    }
    BigDecimal sum = ONE;
    BigDecimal term = ONE;
    for (int n = 1; n < 200; n++) {
      term = term.multiply(x, MC).divide(BigDecimal.valueOf(n), MC);
      sum = sum.add(term, MC);
      if (term.abs().compareTo(EPS) < 0) {
        break;
      }
    }
    for (int i = 0; i < halvings; i++) {
      sum = sum.multiply(sum, MC);
    }
    return sum;
  }

  static BigDecimal ln(BigDecimal x) {
    int k = 0;
    while (x.compareTo(BigDecimal.valueOf(1.5)) > 0) {
      x = x.divide(BigDecimal.valueOf(2), MC);
      k++;
    }
    while (x.compareTo(BigDecimal.valueOf(0.75)) < 0) {
      x = x.multiply(BigDecimal.valueOf(2), MC);
      k--;
    }
    BigDecimal z = x.subtract(ONE).divide(x.add(ONE), MC);
    BigDecimal z2 = z.multiply(z, MC);
    BigDecimal term = z;
    BigDecimal sum = BigDecimal.ZERO;
    for (int n = 1; n < 400; n += 2) {
      BigDecimal t = term.divide(BigDecimal.valueOf(n), MC);
      sum = sum.add(t, MC);
      if (t.abs().compareTo(EPS) < 0) {
        break;
      }
      term = term.multiply(z2, MC);
    }
    return sum.multiply(BigDecimal.valueOf(2)).add(LN2.multiply(BigDecimal.valueOf(k)), MC);
  }

  static BigDecimal pdf(BigDecimal x) {
    if (x.abs().compareTo(BigDecimal.valueOf(40)) > 0) {
      return BigDecimal.ZERO; // below 1e-347
    }
    return exp(x.multiply(x, MC).divide(BigDecimal.valueOf(-2), MC))
        .divide(PI.multiply(BigDecimal.valueOf(2)).sqrt(MC), MC);
  }

  /** N(x) = 1/2 + phi(x) sum x^(2n+1)/(2n+1)!!, clamped beyond |x| = 12. */
  static BigDecimal cdf(BigDecimal x) {
    if (x.abs().compareTo(BigDecimal.valueOf(12)) > 0) {
      return x.signum() > 0 ? ONE : BigDecimal.ZERO;
    }
    BigDecimal x2 = x.multiply(x, MC);
    BigDecimal s = x;
    BigDecimal t = x;
    for (int n = 1; n < 3000; n++) {
      t = t.multiply(x2, MC).divide(BigDecimal.valueOf(2L * n + 1), MC);
      s = s.add(t, MC);
      if (t.abs().compareTo(s.abs().multiply(EPS)) < 0) {
        break;
      }
    }
    return new BigDecimal("0.5").add(pdf(x).multiply(s, MC), MC);
  }

  static double fx(long v) {
    return v / 1e18;
  }

  /** The documented bounds of Fixed.normalCdf / normalPdf / exp / ln, checked against 50 digits. */
  @Test
  void fixedFunctionsAgainstFiftyDigits() {
    double wc = 0;
    double wp = 0;
    double we = 0;
    double wl = 0;
    for (long x = -9_200_000_000_000_000_000L;
        x < 9_200_000_000_000_000_000L;
        x += 1_234_567_890_123_457L * 7) {
      BigDecimal bx = BigDecimal.valueOf(x).movePointLeft(18);
      wc =
          Math.max(
              wc,
              BigDecimal.valueOf(Fixed.normalCdf(x))
                  .movePointLeft(18)
                  .subtract(cdf(bx))
                  .abs()
                  .doubleValue());
      wp =
          Math.max(
              wp,
              BigDecimal.valueOf(Fixed.normalPdf(x))
                  .movePointLeft(18)
                  .subtract(pdf(bx))
                  .abs()
                  .doubleValue());
      if (x <= 2_221_000_000_000_000_000L) {
        BigDecimal e = exp(bx);
        double rel =
            BigDecimal.valueOf(Fixed.exp(x))
                .movePointLeft(18)
                .subtract(e)
                .abs()
                .divide(e.max(ONE), MC)
                .doubleValue();
        we = Math.max(we, rel);
      }
      if (x >= 100_000_000_000_000L) {
        wl =
            Math.max(
                wl,
                BigDecimal.valueOf(Fixed.ln(x))
                    .movePointLeft(18)
                    .subtract(ln(bx))
                    .abs()
                    .doubleValue());
      }
    }
    System.out.printf(
        "Fixed vs 50 digits: normalCdf %.3g, normalPdf %.3g, exp (relative to max(1, e^x)) %.3g, ln %.3g%n",
        wc, wp, we, wl);
    assertTrue(wc <= 1e-17, "cdf " + wc);
    assertTrue(wp <= 1e-17, "pdf " + wp);
    assertTrue(we <= 2e-17, "exp " + we);
    assertTrue(wl <= 1e-17, "ln " + wl);
  }

  @Test
  void fixedPointErrorAgainstFiftyDigits() {
    long[] forwards = {1_000_000L, 60_000_000_000L};
    double[] moneyness = {0.05, 0.5, 0.9, 1.0, 1.1, 2, 20};
    double[] years = {1e-7, 1.0 / (365 * 24), 1.0 / 365, 30.0 / 365, 1, 3};
    double[] vols = {0.0001, 0.05, 0.6, 2.0};
    double wp = 0;
    double wd = 0;
    double wv = 0;
    for (PricerSweep.Point p : PricerSweep.points(forwards, moneyness, years, vols)) {
      long f = p.forward();
      long k = p.strike();
      long ft = p.years();
      long fv = p.vol();
      BigDecimal bt = BigDecimal.valueOf(ft).movePointLeft(18);
      BigDecimal bv = BigDecimal.valueOf(fv).movePointLeft(18);
      BigDecimal sd = bv.multiply(bt.sqrt(MC), MC);
      BigDecimal bf = BigDecimal.valueOf(f);
      BigDecimal bk = BigDecimal.valueOf(k);
      BigDecimal lnfk = ln(bf.divide(bk, MC));
      BigDecimal d1 = lnfk.divide(sd, MC).add(sd.divide(BigDecimal.valueOf(2), MC), MC);
      BigDecimal d2 = d1.subtract(sd, MC);
      BigDecimal mx = bf.max(bk);
      for (OptionType type : OptionType.values()) {
        int w = type.sign();
        BigDecimal w1 = BigDecimal.valueOf(w);
        BigDecimal nd1 = cdf(d1.multiply(w1));
        BigDecimal nd2 = cdf(d2.multiply(w1));
        BigDecimal price =
            w1.multiply(bf.multiply(nd1, MC).subtract(bk.multiply(nd2, MC), MC), MC).divide(mx, MC);
        BigDecimal delta = type == OptionType.CALL ? cdf(d1) : cdf(d1).subtract(ONE);
        BigDecimal vega = pdf(d1).multiply(bt.sqrt(MC), MC);
        BlackFixed b = BlackFixed.DEFAULT;
        double ep =
            BigDecimal.valueOf(b.normalizedPrice(type, f, k, ft, fv, Fixed.ONE))
                .movePointLeft(18)
                .subtract(price)
                .abs()
                .doubleValue();
        double ed =
            BigDecimal.valueOf(b.delta(type, f, k, ft, fv, Fixed.ONE))
                .movePointLeft(18)
                .subtract(delta)
                .abs()
                .doubleValue();
        double ev =
            BigDecimal.valueOf(b.vegaNormalized(type, f, k, ft, fv, Fixed.ONE))
                .movePointLeft(18)
                .subtract(vega)
                .abs()
                .doubleValue();
        wp = Math.max(wp, ep);
        wd = Math.max(wd, ed);
        wv = Math.max(wv, ev);
      }
    }
    System.out.printf(
        "fixed-point worst error vs 50-digit reference: price/max(F,K) %.3g, delta %.3g, vega/F %.3g%n",
        wp, wd, wv);
    assertTrue(wp < 1e-17, "price " + wp);
    assertTrue(wd < 2e-17, "delta " + wd);
    assertTrue(wv < 5e-17, "vega " + wv);
  }

  /**
   * Theta/F, vanna and charm against 50 digits at D = 1 and at a 5% rate, over the sweep above.
   * Errors relative to max(1, |Greek|) (these Greeks run up to the edge of the representable range,
   * about 9.2), for charm relative to max(1, |charm|, 1e-4 / T): charm divides phi(d1) d2, whose
   * inputs are known to about an ulp, by 2 T.
   */
  @Test
  void thetaVannaCharmAgainstFiftyDigits() {
    long[] forwards = {1_000_000L, 60_000_000_000L};
    double[] moneyness = {0.05, 0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 2, 20};
    double[] years = {1e-7, 1.0 / (365 * 24), 1.0 / 365, 30.0 / 365, 1, 3};
    double[] vols = {0.0001, 0.01, 0.2, 0.6, 2.0};
    long[] rates = {0, Fixed.ONE / 20};
    BigDecimal limit = new BigDecimal("9.1");
    BigDecimal two = BigDecimal.valueOf(2);
    double[] worst = new double[3];
    int compared = 0;
    for (PricerSweep.Point p : PricerSweep.points(forwards, moneyness, years, vols)) {
      long f = p.forward();
      long k = p.strike();
      double t = p.t();
      double v = p.v();
      long ft = p.years();
      long fv = p.vol();
      BigDecimal bt = BigDecimal.valueOf(ft).movePointLeft(18);
      BigDecimal bv = BigDecimal.valueOf(fv).movePointLeft(18);
      BigDecimal sqrtT = bt.sqrt(MC);
      BigDecimal sd = bv.multiply(sqrtT, MC);
      BigDecimal bf = BigDecimal.valueOf(f);
      BigDecimal bk = BigDecimal.valueOf(k);
      BigDecimal d1 = ln(bf.divide(bk, MC)).divide(sd, MC).add(sd.divide(two, MC), MC);
      BigDecimal d2 = d1.subtract(sd, MC);
      BigDecimal pdf1 = pdf(d1);
      BigDecimal phiD2 = pdf1.multiply(d2, MC);
      for (long rate : rates) {
        long df = Fixed.exp(-Fixed.mul(rate, ft));
        BigDecimal bd = BigDecimal.valueOf(df).movePointLeft(18);
        BigDecimal r = ln(bd).negate().divide(bt, MC);
        BigDecimal vanna = bd.multiply(phiD2, MC).divide(bv, MC).negate();
        for (OptionType type : OptionType.values()) {
          BigDecimal w1 = BigDecimal.valueOf(type.sign());
          BigDecimal nd1 = cdf(d1.multiply(w1));
          BigDecimal nd2 = cdf(d2.multiply(w1));
          BigDecimal valueOverF =
              bd.multiply(w1, MC)
                  .multiply(bf.multiply(nd1, MC).subtract(bk.multiply(nd2, MC), MC), MC)
                  .divide(bf, MC);
          BigDecimal theta =
              bd.multiply(pdf1, MC)
                  .multiply(bv, MC)
                  .divide(sqrtT.multiply(two), MC)
                  .negate()
                  .add(r.multiply(valueOverF, MC), MC);
          BigDecimal delta =
              bd.multiply(type == OptionType.CALL ? cdf(d1) : cdf(d1).subtract(ONE), MC);
          BigDecimal charm =
              r.multiply(delta, MC).add(bd.multiply(phiD2, MC).divide(bt.multiply(two), MC), MC);
          BigDecimal[] ref = {theta, vanna, charm};
          BlackFixed b = BlackFixed.DEFAULT;
          for (int i = 0; i < 3; i++) {
            if (ref[i].abs().compareTo(limit) > 0) {
              continue; // out of range: the overflow is checked against the double reference
            }
            long got =
                i == 0
                    ? b.thetaNormalized(type, f, k, ft, fv, df)
                    : i == 1 ? b.vanna(type, f, k, ft, fv, df) : b.charm(type, f, k, ft, fv, df);
            double scale = Math.max(1, ref[i].abs().doubleValue());
            if (i == 2) {
              scale = Math.max(scale, 1e-4 / t);
            }
            double e =
                BigDecimal.valueOf(got).movePointLeft(18).subtract(ref[i]).abs().doubleValue()
                    / scale;
            worst[i] = Math.max(worst[i], e);
            compared++;
            assertTrue(
                e < FIFTY_DIGIT_BOUND[i],
                new String[] {"theta", "vanna", "charm"}[i]
                    + " "
                    + type
                    + " F="
                    + f
                    + " K="
                    + k
                    + " T="
                    + t
                    + " vol="
                    + v
                    + " D="
                    + df
                    + " err "
                    + e
                    + " ref "
                    + ref[i].doubleValue());
          }
        }
      }
    }
    System.out.printf(
        "fixed-point worst error vs 50-digit reference (relative to max(1,|x|), charm max(1,|x|,1e-4/T)):"
            + " theta/F %.3g, vanna %.3g, charm %.3g (%d compared)%n",
        worst[0], worst[1], worst[2], compared);
    assertTrue(compared > 1500, "compared " + compared);
  }

  /** Documented bounds against 50 digits (as in the BlackFixed Javadoc): theta/F, vanna, charm. */
  private static final double[] FIFTY_DIGIT_BOUND = {1e-14, 1e-14, 5e-14};
}
