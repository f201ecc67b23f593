package io.zkmargin.risk.fixed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedTest {
  static final double ONE = 1e18;

  /** Marsaglia (2004) double reference for N(x): absolute error below 1e-15 for |x| <= 9. */
  static double refCdf(double x) {
    if (x < -9) {
      return 0;
    }
    if (x > 9) {
      return 1;
    }
    double s = x;
    double t = 0;
    double b = x;
    double q = x * x;
    double i = 1;
    while (s != t) {
      t = s;
      i += 2;
      b *= q / i;
      s = t + b;
    }
    return 0.5 + s * Math.exp(-0.5 * q - 0.91893853320467274178);
  }

  static double refPdf(double x) {
    return Math.exp(-0.5 * x * x - 0.91893853320467274178);
  }

  @Test
  void mulDivIsExactAgainstBigInteger() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      long a = r.nextLong() >> r.nextInt(64);
      long b = r.nextLong() >> r.nextInt(64);
      long c = r.nextLong() >> r.nextInt(63);
      if (c == 0) {
        continue;
      }
      for (Rounding mode : Rounding.values()) {
        BigInteger exact = expected(a, b, c, mode);
        boolean fits = exact.bitLength() <= 63;
        if (fits) {
          assertEquals(
              exact.longValueExact(),
              Fixed.mulDiv(a, b, c, mode),
              a + "*" + b + "/" + c + " " + mode);
        } else {
          long fa = a, fb = b, fc = c;
          assertThrows(ArithmeticException.class, () -> Fixed.mulDiv(fa, fb, fc, mode));
        }
      }
    }
  }

  private static BigInteger expected(long a, long b, long c, Rounding mode) {
    BigInteger n = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
    BigInteger d = BigInteger.valueOf(c);
    if (d.signum() < 0) {
      n = n.negate();
      d = d.negate();
    }
    BigInteger[] qr = n.divideAndRemainder(d);
    BigInteger q = qr[0];
    BigInteger rem = qr[1];
    if (rem.signum() < 0) { // make floor
      q = q.subtract(BigInteger.ONE);
      rem = rem.add(d);
    }
    switch (mode) {
      case FLOOR:
        return q;
      case CEILING:
        return rem.signum() == 0 ? q : q.add(BigInteger.ONE);
      default:
        return rem.shiftLeft(1).compareTo(d) >= 0 ? q.add(BigInteger.ONE) : q;
    }
  }

  @Test
  void edgesOfMulDiv() {
    assertEquals(Long.MIN_VALUE, Fixed.mulDiv(Long.MIN_VALUE, 1, 1, Rounding.FLOOR));
    assertThrows(
        ArithmeticException.class, () -> Fixed.mulDiv(Long.MIN_VALUE, -1, 1, Rounding.FLOOR));
    assertThrows(ArithmeticException.class, () -> Fixed.mulDiv(1, 1, 0, Rounding.FLOOR));
    assertEquals(-1, Fixed.mulDiv(-1, 1, 3, Rounding.FLOOR));
    assertEquals(0, Fixed.mulDiv(-1, 1, 3, Rounding.CEILING));
    assertEquals(1, Fixed.mulDiv(1, 1, 2, Rounding.NEAREST));
    assertEquals(0, Fixed.mulDiv(-1, 1, 2, Rounding.NEAREST));
    assertEquals(Fixed.ONE / 3 + 1, Fixed.div(Fixed.ONE, 3 * Fixed.ONE, Rounding.CEILING));
    assertEquals(Fixed.ONE / 3, Fixed.div(Fixed.ONE, 3 * Fixed.ONE, Rounding.FLOOR));
    assertEquals(-3, Fixed.divide(-7, 2, Rounding.CEILING));
    assertEquals(-4, Fixed.divide(-7, 2, Rounding.FLOOR));
    assertThrows(ArithmeticException.class, () -> Fixed.mul(4 * Fixed.ONE, 3 * Fixed.ONE));
  }

  @Test
  void expWithinBound() {
    double worst = 0;
    for (double x = -9.19; x <= 2.22; x += 0.000731) {
      long fx = Fixed.fromDouble(x);
      double exact = Math.exp(fx / ONE);
      double err = Math.abs(Fixed.exp(fx) - exact * ONE) / ONE;
      double allowed =
          2e-17 * Math.max(1, exact) + 4e-16 * exact + 1e-18; // Math.exp itself is within 1 ulp
      worst = Math.max(worst, err / Math.max(1, exact));
      assertTrue(err <= allowed, "exp(" + x + ") error " + err);
    }
    assertEquals(Fixed.ONE, Fixed.exp(0));
    assertThrows(ArithmeticException.class, () -> Fixed.exp(Fixed.fromDouble(2.23)));
    System.out.println("exp worst relative error vs double: " + worst);
  }

  @Test
  void lnWithinBound() {
    double worst = 0;
    for (double x = 1.1e-4; x < 9.2; x *= 1.0013) {
      long fx = Math.round(x * ONE);
      double exact = Math.log(fx / ONE);
      double err = Math.abs(Fixed.ln(fx) / ONE - exact);
      worst = Math.max(worst, err);
      assertTrue(err <= 2.3e-16 + 4.5e-16 * Math.abs(exact), "ln(" + x + ") error " + err);
    }
    assertEquals(0, Fixed.ln(Fixed.ONE));
    // beyond double precision: exp(ln x) returns x and ln is additive, to a few ulps of the fixed
    // scale
    for (long x = Fixed.ONE / 5000; x < 9 * Fixed.ONE; x += 7_777_777_777_777_777L) {
      long back = Fixed.exp(Fixed.ln(x));
      assertTrue(
          Math.abs(back - x) <= 30 + x / 10_000_000_000_000_000L, "exp(ln " + x + ") = " + back);
      long y = 1_234_567_890_123_456_789L;
      if (Math.multiplyHigh(x, y) < 4) {
        long xy = Fixed.mul(x, y);
        long diff = Fixed.ln(x) + Fixed.ln(y) - Fixed.ln(xy);
        assertTrue(Math.abs(diff) <= 20 + Fixed.ONE / xy, "ln additivity at " + x + ": " + diff);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> Fixed.ln(0));
    // ratios whose terms are huge but whose log is small
    long a = 6_123_456_789_012L;
    long b = 5_987_654_321_098L;
    assertEquals(Math.log((double) a / b), Fixed.lnRatio(a, b) / ONE, 1e-16);
    assertEquals(Math.log(1e-4), Fixed.lnRatio(1, 10_000L) / ONE, 4e-15);
    assertThrows(ArithmeticException.class, () -> Fixed.lnRatio(1, 1_000_000_000_000L));
    System.out.println("ln worst absolute error vs double: " + worst);
  }

  @Test
  void sqrtIsFloorOfExactRoot() {
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      long x = r.nextLong(Long.MAX_VALUE) >> r.nextInt(63);
      long s = Fixed.sqrt(x);
      BigInteger n = BigInteger.valueOf(x).multiply(BigInteger.valueOf(Fixed.ONE));
      assertEquals(n.sqrt().longValueExact(), s, "sqrt " + x);
    }
    assertEquals(Fixed.ONE, Fixed.sqrt(Fixed.ONE));
    assertEquals(0, Fixed.sqrt(0));
    assertEquals(1_000_000_000L, Fixed.sqrt(1));
    assertThrows(IllegalArgumentException.class, () -> Fixed.sqrt(-1));
  }

  @Test
  void normalCdfAndPdfWithinBound() {
    double worstCdf = 0;
    double worstPdf = 0;
    for (double x = -9.19; x <= 9.19; x += 0.0004371) {
      long fx = Fixed.fromDouble(x);
      double xd = fx / ONE;
      double ec = Math.abs(Fixed.normalCdf(fx) / ONE - refCdf(xd));
      double ep = Math.abs(Fixed.normalPdf(fx) / ONE - refPdf(xd));
      worstCdf = Math.max(worstCdf, ec);
      worstPdf = Math.max(worstPdf, ep);
    }
    System.out.println("normalCdf worst abs error vs double: " + worstCdf + ", pdf: " + worstPdf);
    // the double reference itself carries up to ~1e-15 near |x| = 8
    assertTrue(worstCdf < 2e-15, "cdf " + worstCdf);
    assertTrue(worstPdf < 2e-16, "pdf " + worstPdf);
    assertEquals(Fixed.ONE / 2, Fixed.normalCdf(0));
    assertEquals(Fixed.ONE, Fixed.normalCdf(Long.MAX_VALUE));
    assertEquals(0, Fixed.normalCdf(Long.MIN_VALUE));
    // symmetry N(x) + N(-x) = 1 exactly by construction
    for (long x = 1; x < 9 * Fixed.ONE; x += 123_456_789_012_345_67L) {
      assertEquals(Fixed.ONE, Fixed.normalCdf(x) + Fixed.normalCdf(-x));
    }
    // monotone on a fine grid
    long prev = -1;
    for (long x = -9 * Fixed.ONE; x <= 9 * Fixed.ONE; x += Fixed.ONE / 997) {
      long n = Fixed.normalCdf(x);
      assertTrue(n >= prev - 1, "monotone (to 1 ulp) at " + x);
      prev = n;
    }
  }
}
