package io.zkmargin.risk.fixed;

import static io.zkmargin.risk.util.Math128.unsignedMultiplyHigh;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Signed fixed-point arithmetic on {@code long} with scale {@link #ONE} = 10^18.
 *
 * <p>A real number {@code v} is carried as the {@code long} {@code round(v * 10^18)}, so the
 * representable range is about {@code [-9.22, 9.22]} with a resolution (one "ulp") of {@code
 * 10^-18}. Products and quotients use exact 128-bit intermediates ({@link Math#multiplyHigh} and a
 * 128/64 long division), never {@code BigInteger}; a result that does not fit a {@code long} throws
 * {@link ArithmeticException} instead of wrapping. All functions are pure integer arithmetic, so
 * results are bit-identical on every JVM.
 *
 * <p>Error bounds (in units of the real value), checked by {@code HighPrecisionBlackTest} against a
 * 50-digit decimal reference over the whole representable range, and by {@code FixedTest} against
 * {@code double} references (where the double's own error dominates: exp 4e-16 relative, ln 4.5e-16
 * |ln x|, N 2e-15 absolute):
 *
 * <ul>
 *   <li>{@link #mulDiv}, {@link #mul}, {@link #div}: exact up to the documented rounding (&lt; 1
 *       ulp, 1/2 ulp for NEAREST), checked against BigInteger;
 *   <li>{@link #exp}: error &le; 2e-17 x max(1, e^x) (measured 3.8e-18);
 *   <li>{@link #ln}, {@link #lnRatio}: absolute error &le; 1e-17 (measured 8.5e-18);
 *   <li>{@link #sqrt}: floor of the exact root (error &lt; 1 ulp, never above the root);
 *   <li>{@link #normalCdf}, {@link #normalPdf}: absolute error &le; 1e-17 (measured 1.0e-18 and
 *       3.4e-18; clamped to 0/1 resp. 0 beyond |x| = 9, where the exact values are below 1.1e-18).
 * </ul>
 */
public final class Fixed {
  /** The scale: the fixed-point representation of 1.0. */
  public static final long ONE = 1_000_000_000_000_000_000L;

  /** ln 2 at scale 10^18 (rounded down; see {@link #LN2_LO} for the next 9 digits). */
  public static final long LN2 = 693_147_180_559_945_309L;

  /** Digits 19..27 of ln 2: ln 2 = (LN2 + LN2_LO * 10^-9) * 10^-18. */
  private static final long LN2_LO = 417_232_121L;

  /** sqrt(2) at scale 10^18. */
  private static final long SQRT2 = 1_414_213_562_373_095_049L;

  /** Largest |x| for which {@link #normalCdf} and {@link #normalPdf} are not clamped. */
  public static final long NORMAL_CUTOFF = 9 * ONE;

  private static final int TABLE_STEPS_PER_UNIT = 32;
  private static final long TABLE_STEP = ONE / TABLE_STEPS_PER_UNIT;
  private static final long[] CDF_TABLE;
  private static final long[] PDF_TABLE;

  static {
    int n = 9 * TABLE_STEPS_PER_UNIT + 1;
    CDF_TABLE = new long[n];
    PDF_TABLE = new long[n];
    buildNormalTables(CDF_TABLE, PDF_TABLE);
  }

  private Fixed() {}

  // ---------------------------------------------------------------------------------------------
  // 128-bit primitives

  /**
   * Unsigned 128/64 division (Hacker's Delight, divlu): the quotient of {@code (u1:u0) / v}.
   * Requires {@code u1 < v} (unsigned), so that the quotient fits 64 bits; the remainder is {@code
   * u0 - q * v} (mod 2^64).
   */
  static long divlu(long u1, long u0, long v) {
    if (u1 == 0 && u0 >= 0 && v > 0) {
      return u0 / v;
    }
    final long b = 1L << 32;
    int s = Long.numberOfLeadingZeros(v);
    v <<= s;
    long vn1 = v >>> 32;
    long vn0 = v & 0xFFFF_FFFFL;
    long un32 = s == 0 ? u1 : (u1 << s) | (u0 >>> (64 - s));
    long un10 = u0 << s;
    long un1 = un10 >>> 32;
    long un0 = un10 & 0xFFFF_FFFFL;
    long q1 = Long.divideUnsigned(un32, vn1);
    long rhat = un32 - q1 * vn1;
    while (Long.compareUnsigned(q1, b) >= 0
        || Long.compareUnsigned(q1 * vn0, (rhat << 32) + un1) > 0) {
      q1--;
      rhat += vn1;
      if (Long.compareUnsigned(rhat, b) >= 0) {
        break;
      }
    }
    long un21 = (un32 << 32) + un1 - q1 * v;
    long q0 = Long.divideUnsigned(un21, vn1);
    rhat = un21 - q0 * vn1;
    while (Long.compareUnsigned(q0, b) >= 0
        || Long.compareUnsigned(q0 * vn0, (rhat << 32) + un0) > 0) {
      q0--;
      rhat += vn1;
      if (Long.compareUnsigned(rhat, b) >= 0) {
        break;
      }
    }
    return (q1 << 32) + q0;
  }

  // ---------------------------------------------------------------------------------------------
  // Integer and fixed-point products and quotients

  /**
   * Exact {@code a * b / c} of three signed integers, rounded as asked, with a 128-bit
   * intermediate. Units are the caller's: this is the building block of every scaled product.
   *
   * @param a first factor, any sign
   * @param b second factor, any sign
   * @param c divisor, non-zero, any sign
   * @param mode rounding direction of the exact quotient
   * @return the rounded quotient
   * @throws ArithmeticException if {@code c == 0} or the result does not fit a {@code long}
   */
  public static long mulDiv(long a, long b, long c, Rounding mode) {
    if (c == 0) {
      throw new ArithmeticException("mulDiv: division by zero");
    }
    if (a == 0 || b == 0) {
      return 0;
    }
    boolean neg = (a < 0) ^ (b < 0) ^ (c < 0);
    long ua = Math.abs(a);
    long ub = Math.abs(b);
    long uc = Math.abs(c);
    long lo = ua * ub;
    long hi = unsignedMultiplyHigh(ua, ub);
    if (Long.compareUnsigned(hi, uc) >= 0) {
      throw new ArithmeticException("mulDiv overflow: " + a + " * " + b + " / " + c);
    }
    long q = divlu(hi, lo, uc);
    long r = lo - q * uc;
    if (r != 0) {
      boolean up;
      switch (mode) {
        case FLOOR:
          up = neg;
          break;
        case CEILING:
          up = !neg;
          break;
        default:
          int cmp = Long.compareUnsigned(r, uc - r); // sign of 2r - c
          up = neg ? cmp > 0 : cmp >= 0;
          break;
      }
      if (up) {
        if (q == -1L) {
          throw new ArithmeticException("mulDiv overflow: " + a + " * " + b + " / " + c);
        }
        q++;
      }
    }
    if (neg) {
      if (Long.compareUnsigned(q, Long.MIN_VALUE) > 0) {
        throw new ArithmeticException("mulDiv overflow: " + a + " * " + b + " / " + c);
      }
      return -q;
    }
    if (q < 0) {
      throw new ArithmeticException("mulDiv overflow: " + a + " * " + b + " / " + c);
    }
    return q;
  }

  /**
   * Signed integer division {@code a / b} rounded as asked.
   *
   * @param a dividend, any sign
   * @param b divisor, non-zero
   * @param mode rounding direction
   * @return the rounded quotient
   * @throws ArithmeticException if {@code b == 0} or on {@code Long.MIN_VALUE / -1}
   */
  public static long divide(long a, long b, Rounding mode) {
    if (b == 0) {
      throw new ArithmeticException("divide: division by zero");
    }
    if (a == Long.MIN_VALUE && b == -1) {
      throw new ArithmeticException("divide overflow");
    }
    switch (mode) {
      case FLOOR:
        return Math.floorDiv(a, b);
      case CEILING:
        return Math.floorDiv(a, b) + (a % b != 0 ? 1 : 0);
      default:
        return mulDiv(a, 1, b, Rounding.NEAREST);
    }
  }

  /**
   * Fixed-point product {@code a * b} (both at scale 10^18), rounded to nearest.
   *
   * @throws ArithmeticException if the product is outside the representable range
   */
  public static long mul(long a, long b) {
    return mulDiv(a, b, ONE, Rounding.NEAREST);
  }

  /**
   * Fixed-point product {@code a * b} (both at scale 10^18) rounded as asked.
   *
   * @throws ArithmeticException if the product is outside the representable range
   */
  public static long mul(long a, long b, Rounding mode) {
    return mulDiv(a, b, ONE, mode);
  }

  /**
   * Fixed-point quotient {@code a / b} (both at scale 10^18, result at scale 10^18) rounded as
   * asked.
   *
   * @param a dividend, any sign
   * @param b divisor, non-zero, any sign
   * @throws ArithmeticException if {@code b == 0} or the quotient is outside the representable
   *     range
   */
  public static long div(long a, long b, Rounding mode) {
    return mulDiv(a, ONE, b, mode);
  }

  /** Fixed-point quotient {@code a / b}, rounded to nearest. @see #div(long, long, Rounding) */
  public static long div(long a, long b) {
    return mulDiv(a, ONE, b, Rounding.NEAREST);
  }

  // ---------------------------------------------------------------------------------------------
  // Transcendental functions

  /**
   * {@code e^x}, {@code x} at scale 10^18, result at scale 10^18, rounded to nearest (error &le;
   * 2e-17 max(1, e^x)). Range reduction {@code x = k ln2 + r}, |r| &le; ln2/2, then a Taylor
   * series.
   *
   * @param x exponent, any sign; results below half an ulp (x &lt; -41.4, unrepresentable anyway)
   *     are 0
   * @throws ArithmeticException if {@code e^x} exceeds the representable range (x &gt; about
   *     2.2216)
   */
  public static long exp(long x) {
    long k = Math.floorDiv(x + LN2 / 2, LN2);
    long r = x - k * LN2 - mulDiv(k, LN2_LO, 1_000_000_000L, Rounding.NEAREST);
    long sum = ONE;
    long term = ONE;
    for (int n = 1; n < 40 && term != 0; n++) {
      term = mul(term, r);
      term = divide(term, n, Rounding.NEAREST);
      sum += term;
    }
    if (k >= 0) {
      if (k > 3 || sum > (Long.MAX_VALUE >> k)) {
        throw new ArithmeticException("exp overflow: x = " + x);
      }
      return sum << k;
    }
    if (k <= -63) {
      return 0;
    }
    int sh = (int) -k;
    return (sum + (1L << (sh - 1))) >> sh;
  }

  /**
   * Natural logarithm of {@code x} (scale 10^18), result at scale 10^18, absolute error &le; 1e-17.
   *
   * @param x argument, {@code > 0}
   * @throws IllegalArgumentException if {@code x <= 0}
   * @throws ArithmeticException if the result is out of range (only for {@code x < 1e-4})
   */
  public static long ln(long x) {
    return lnRatio(x, ONE);
  }

  /**
   * {@code ln(a / b)} of two positive integers of the same unit (e.g. a forward and a strike in
   * quote atoms), at scale 10^18, absolute error &le; 1e-17. The ratio itself need not be
   * representable.
   *
   * @param a numerator, {@code > 0}
   * @param b denominator, {@code > 0}
   * @throws IllegalArgumentException if {@code a <= 0} or {@code b <= 0}
   * @throws ArithmeticException if |ln(a/b)| exceeds the representable range (about 9.22)
   */
  public static long lnRatio(long a, long b) {
    if (a <= 0 || b <= 0) {
      throw new IllegalArgumentException("lnRatio needs positive arguments, got " + a + ", " + b);
    }
    if (a == b) {
      return 0;
    }
    int ea = 63 - Long.numberOfLeadingZeros(a);
    int eb = 63 - Long.numberOfLeadingZeros(b);
    long ya = mulDiv(a, ONE, 1L << ea, Rounding.NEAREST);
    long yb = mulDiv(b, ONE, 1L << eb, Rounding.NEAREST);
    if (ya > SQRT2) {
      ya = mulDiv(a, ONE / 2, 1L << ea, Rounding.NEAREST);
      ea++;
    }
    if (yb > SQRT2) {
      yb = mulDiv(b, ONE / 2, 1L << eb, Rounding.NEAREST);
      eb++;
    }
    long de = ea - eb;
    long lnTwoPart =
        Math.addExact(
            Math.multiplyExact(de, LN2), mulDiv(de, LN2_LO, 1_000_000_000L, Rounding.NEAREST));
    return Math.addExact(lnTwoPart, lnReduced(ya) - lnReduced(yb));
  }

  /** ln(y) for y in [1/sqrt2, sqrt2] by 2 atanh((y-1)/(y+1)). */
  private static long lnReduced(long y) {
    if (y == ONE) {
      return 0;
    }
    long z = div(y - ONE, y + ONE, Rounding.NEAREST);
    long z2 = mul(z, z);
    long term = z;
    long sum = 0;
    for (int k = 1; term != 0 && k < 80; k += 2) {
      sum += divide(term, k, Rounding.NEAREST);
      term = mul(term, z2);
    }
    return 2 * sum;
  }

  /**
   * {@code x^y = e^(y ln x)}, both at scale 10^18.
   *
   * @param x base, {@code > 0}
   * @param y exponent, any sign
   * @throws IllegalArgumentException if {@code x <= 0}
   * @throws ArithmeticException if the result is out of range
   */
  public static long pow(long x, long y) {
    return exp(mul(y, ln(x)));
  }

  /**
   * Square root of {@code x} (scale 10^18), result at scale 10^18, rounded down (never above the
   * exact root, error &lt; 1 ulp).
   *
   * @param x radicand, {@code >= 0}
   * @throws IllegalArgumentException if {@code x < 0}
   */
  public static long sqrt(long x) {
    if (x < 0) {
      throw new IllegalArgumentException("sqrt of a negative number: " + x);
    }
    if (x == 0) {
      return 0;
    }
    // n = x * 10^18 as an unsigned 128-bit number (hi:lo)
    long lo = x * ONE;
    long hi = unsignedMultiplyHigh(x, ONE);
    long s = (long) Math.sqrt((double) x * 1e18);
    if (s <= 0) {
      s = 1;
    }
    // one Newton step: s = (s + n / s) / 2 (n / s fits: n < 2^124, s >= 2^29)
    if (Long.compareUnsigned(hi, s) < 0) {
      long q = divlu(hi, lo, s);
      s = (s >>> 1) + (q >>> 1) + (s & q & 1);
    }
    while (compareSquare(s, hi, lo) > 0) {
      s--;
    }
    while (compareSquare(s + 1, hi, lo) <= 0) {
      s++;
    }
    return s;
  }

  /** Sign of s^2 - (hi:lo), all unsigned. */
  private static int compareSquare(long s, long hi, long lo) {
    long sh = unsignedMultiplyHigh(s, s);
    long sl = s * s;
    int c = Long.compareUnsigned(sh, hi);
    return c != 0 ? c : Long.compareUnsigned(sl, lo);
  }

  // ---------------------------------------------------------------------------------------------
  // Standard normal distribution

  /**
   * Standard normal cumulative distribution {@code N(x)}, {@code x} and result at scale 10^18,
   * absolute error &le; 1e-17. Table of N and the density at steps of 1/32 (computed once at class
   * initialization in 50-digit decimal arithmetic) and a Taylor expansion in Hermite form to the
   * nearest grid point; 0 below -9 and 1 above 9.
   *
   * @param x argument, any value
   * @return N(x) in [0, 10^18]
   */
  public static long normalCdf(long x) {
    if (x >= NORMAL_CUTOFF) {
      return ONE;
    }
    if (x <= -NORMAL_CUTOFF) {
      return 0;
    }
    long ax = Math.abs(x);
    int i = (int) ((ax + TABLE_STEP / 2) / TABLE_STEP);
    long d = ax - i * TABLE_STEP;
    long v0 = PDF_TABLE[i];
    long sumN = v0;
    if (d != 0) {
      long x0 = i * TABLE_STEP;
      long xd = mul(x0, d);
      long d2 = mul(d, d);
      long vPrev = v0;
      long v = mul(xd, v0);
      sumN -= divide(v, 2, Rounding.NEAREST);
      for (int k = 1; k < 40; k++) {
        long vn = divide(mul(xd, v) - mul(d2, vPrev), k + 1, Rounding.NEAREST);
        vPrev = v;
        v = vn;
        long t = divide(vn, k + 2, Rounding.NEAREST);
        sumN += ((k + 1) & 1) == 0 ? t : -t;
        if (v == 0 && vPrev == 0) {
          break;
        }
      }
    }
    long n = CDF_TABLE[i] + mul(d, sumN);
    if (n > ONE) {
      n = ONE;
    }
    return x < 0 ? ONE - n : n;
  }

  /**
   * Standard normal density {@code phi(x) = e^(-x^2/2) / sqrt(2 pi)}, {@code x} and result at scale
   * 10^18, absolute error &le; 1e-17; 0 beyond |x| = 9.
   *
   * @param x argument, any value
   * @return phi(x) in [0, 0.39894228 * 10^18]
   */
  public static long normalPdf(long x) {
    if (x >= NORMAL_CUTOFF || x <= -NORMAL_CUTOFF) {
      return 0;
    }
    long ax = Math.abs(x);
    int i = (int) ((ax + TABLE_STEP / 2) / TABLE_STEP);
    long d = ax - i * TABLE_STEP;
    long v0 = PDF_TABLE[i];
    if (d == 0) {
      return v0;
    }
    long x0 = i * TABLE_STEP;
    long xd = mul(x0, d);
    long d2 = mul(d, d);
    long vPrev = v0;
    long v = mul(xd, v0);
    long sum = v0 - v;
    for (int k = 1; k < 40; k++) {
      long vn = divide(mul(xd, v) - mul(d2, vPrev), k + 1, Rounding.NEAREST);
      vPrev = v;
      v = vn;
      sum += ((k + 1) & 1) == 0 ? vn : -vn;
      if (v == 0 && vPrev == 0) {
        break;
      }
    }
    return Math.max(0, sum);
  }

  private static void buildNormalTables(long[] cdf, long[] pdf) {
    MathContext mc = new MathContext(60, RoundingMode.HALF_EVEN);
    BigDecimal pi =
        new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459");
    BigDecimal invSqrt2Pi = BigDecimal.ONE.divide(pi.multiply(BigDecimal.valueOf(2)).sqrt(mc), mc);
    BigDecimal scale = BigDecimal.valueOf(ONE);
    BigDecimal eps = new BigDecimal("1e-45");
    for (int i = 0; i < cdf.length; i++) {
      BigDecimal x = BigDecimal.valueOf(i).divide(BigDecimal.valueOf(TABLE_STEPS_PER_UNIT), mc);
      BigDecimal x2 = x.multiply(x, mc);
      BigDecimal a = x2.divide(BigDecimal.valueOf(2), mc);
      // e^a by its series (all terms positive), then phi = 1 / (e^a sqrt(2 pi))
      BigDecimal ea = BigDecimal.ONE;
      BigDecimal term = BigDecimal.ONE;
      for (int n = 1; n < 1000; n++) {
        term = term.multiply(a, mc).divide(BigDecimal.valueOf(n), mc);
        ea = ea.add(term, mc);
        if (term.compareTo(ea.multiply(eps, mc)) < 0) {
          break;
        }
      }
      BigDecimal phi = invSqrt2Pi.divide(ea, mc);
      // N(x) = 1/2 + phi(x) * sum_n x^(2n+1) / (2n+1)!!
      BigDecimal s = x;
      BigDecimal t = x;
      for (int n = 1; n < 2000 && t.signum() != 0; n++) {
        t = t.multiply(x2, mc).divide(BigDecimal.valueOf(2L * n + 1), mc);
        s = s.add(t, mc);
        if (t.compareTo(s.multiply(eps, mc)) < 0) {
          break;
        }
      }
      BigDecimal n = new BigDecimal("0.5").add(phi.multiply(s, mc), mc);
      pdf[i] = phi.multiply(scale).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
      cdf[i] = n.multiply(scale).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conversions (reporting and tests only: no margin decision may depend on a double)

  /**
   * The fixed-point value nearest to a double; for configuration and tests, never for margin
   * decisions.
   *
   * @throws ArithmeticException if {@code v} is not finite or outside the representable range
   */
  public static long fromDouble(double v) {
    if (!Double.isFinite(v) || Math.abs(v) >= 9.2) {
      throw new ArithmeticException("not representable at scale 1e18: " + v);
    }
    return Math.round(v * 1e18);
  }

  /** The double nearest to a fixed-point value (for reports and tests). */
  public static double toDouble(long x) {
    return x / 1e18;
  }
}
