package io.zkmargin.risk.margin;

import static io.zkmargin.risk.util.Math128.carry;
import static io.zkmargin.risk.util.Math128.unsignedMultiplyHigh;

import java.math.BigInteger;

/**
 * Helpers for signed 128-bit integers held as (hi, lo) pairs of longs, and 192-bit products for
 * comparisons.
 */
final class Wide {
  private Wide() {}

  /** Signed comparison of two 128-bit values. */
  static int compare(long aHi, long aLo, long bHi, long bLo) {
    int c = Long.compare(aHi, bHi);
    return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
  }

  static BigInteger toBigInteger(long hi, long lo) {
    return BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
  }

  /**
   * Compares the unsigned products {@code a * x} and {@code b * y} where a, b are non-negative
   * 128-bit values and x, y non-negative longs: the sign of {@code a*x - b*y}.
   */
  static int compareProducts(long aHi, long aLo, long x, long bHi, long bLo, long y) {
    // a*x as three limbs r2:r1:r0
    long a0 = aLo * x;
    long c0 = unsignedMultiplyHigh(aLo, x);
    long a1 = aHi * x;
    long c1 = unsignedMultiplyHigh(aHi, x);
    long s1 = a1 + c0;
    long s2 = c1 + carry(a1, c0, s1);
    long b0 = bLo * y;
    long d0 = unsignedMultiplyHigh(bLo, y);
    long b1 = bHi * y;
    long d1 = unsignedMultiplyHigh(bHi, y);
    long t1 = b1 + d0;
    long t2 = d1 + carry(b1, d0, t1);
    int c = Long.compareUnsigned(s2, t2);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(s1, t1);
    return c != 0 ? c : Long.compareUnsigned(a0, b0);
  }
}
