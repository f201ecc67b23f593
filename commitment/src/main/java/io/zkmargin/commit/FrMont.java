package io.zkmargin.commit;

import static io.zkmargin.risk.util.Math128.carry;
import static io.zkmargin.risk.util.Math128.unsignedMultiplyHigh;

import java.math.BigInteger;

/**
 * Fast BN254 scalar field arithmetic on four little-endian 64-bit limbs in Montgomery form ({@code
 * x * 2^256 mod r}). Package private: the public API speaks {@link BigInteger}; the hash and the
 * trees use these limbs on their hot paths. All operands must be reduced (in {@code [0, r)}).
 */
final class FrMont {
  static final long Q0 = 0x43e1f593f0000001L;
  static final long Q1 = 0x2833e84879b97091L;
  static final long Q2 = 0xb85045b68181585dL;
  static final long Q3 = 0x30644e72e131a029L;
  private static final long[] Q = {Q0, Q1, Q2, Q3};

  /** -r^-1 mod 2^64. */
  static final long QINV_NEG;

  /** 2^512 mod r, to enter Montgomery form. */
  private static final long[] R2;

  private static final long[] RAW_ONE = {1, 0, 0, 0};
  private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

  static {
    if (!limbsToBig(Q).equals(Fr.MODULUS)) {
      throw new AssertionError("modulus limbs do not match Fr.MODULUS");
    }
    QINV_NEG = Fr.MODULUS.modInverse(TWO64).negate().mod(TWO64).longValue();
    R2 = bigToLimbs(BigInteger.ONE.shiftLeft(512).mod(Fr.MODULUS));
  }

  private FrMont() {}

  /** Canonical limbs of a non-negative integer below 2^256 (no reduction). */
  static long[] bigToLimbs(BigInteger x) {
    return new long[] {
      x.longValue(),
      x.shiftRight(64).longValue(),
      x.shiftRight(128).longValue(),
      x.shiftRight(192).longValue()
    };
  }

  /** The non-negative integer of canonical limbs. */
  static BigInteger limbsToBig(long[] x) {
    byte[] b = new byte[33];
    for (int i = 0; i < 4; i++) {
      long v = x[i];
      for (int k = 0; k < 8; k++) {
        b[32 - 8 * i - k] = (byte) (v >>> (8 * k));
      }
    }
    return new BigInteger(b);
  }

  /** Montgomery form of a canonical field element given as a BigInteger in [0, r). */
  static long[] toMont(BigInteger x) {
    long[] z = new long[4];
    mul(z, bigToLimbs(x), R2);
    return z;
  }

  /** Montgomery form of canonical limbs in [0, r). */
  static long[] toMont(long[] canonical) {
    long[] z = new long[4];
    mul(z, canonical, R2);
    return z;
  }

  /** The BigInteger value of a Montgomery element. */
  static BigInteger fromMont(long[] x) {
    long[] z = new long[4];
    mul(z, x, RAW_ONE);
    return limbsToBig(z);
  }

  static boolean isZero(long[] x) {
    return (x[0] | x[1] | x[2] | x[3]) == 0;
  }

  /** z = x + y mod r. z may alias x or y. */
  static void add(long[] z, long[] x, long[] y) {
    long a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    long b0 = y[0], b1 = y[1], b2 = y[2], b3 = y[3];
    long s0 = a0 + b0;
    long c = carry(a0, b0, s0);
    long t = a1 + b1;
    long c1 = carry(a1, b1, t);
    long s1 = t + c;
    c = c1 | carry(t, c, s1);
    t = a2 + b2;
    c1 = carry(a2, b2, t);
    long s2 = t + c;
    c = c1 | carry(t, c, s2);
    long s3 = a3 + b3 + c; // no overflow: x, y < r < 2^254
    reduceOnce(z, s0, s1, s2, s3);
  }

  /** z = x - y mod r. z may alias x or y. */
  static void sub(long[] z, long[] x, long[] y) {
    long a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    long b0 = y[0], b1 = y[1], b2 = y[2], b3 = y[3];
    long d0 = a0 - b0;
    long b = borrow(a0, b0, d0);
    long t = a1 - b1;
    long bb = borrow(a1, b1, t);
    long d1 = t - b;
    b = bb | borrow(t, b, d1);
    t = a2 - b2;
    bb = borrow(a2, b2, t);
    long d2 = t - b;
    b = bb | borrow(t, b, d2);
    t = a3 - b3;
    bb = borrow(a3, b3, t);
    long d3 = t - b;
    b = bb | borrow(t, b, d3);
    if (b != 0) {
      // x < y: add r back (the carry out of the top limb cancels the borrow)
      long s0 = d0 + Q0;
      long c = carry(d0, Q0, s0);
      t = d1 + Q1;
      long c1 = carry(d1, Q1, t);
      long s1 = t + c;
      c = c1 | carry(t, c, s1);
      t = d2 + Q2;
      c1 = carry(d2, Q2, t);
      long s2 = t + c;
      c = c1 | carry(t, c, s2);
      d3 = d3 + Q3 + c;
      d0 = s0;
      d1 = s1;
      d2 = s2;
    }
    z[0] = d0;
    z[1] = d1;
    z[2] = d2;
    z[3] = d3;
  }

  /** Canonical limbs (not Montgomery) of the Montgomery element x, into z. */
  static void fromMontLimbs(long[] z, long[] x) {
    mul(z, x, RAW_ONE);
  }

  /** z = 2x mod r. */
  static void dbl(long[] z, long[] x) {
    add(z, x, x);
  }

  /** Borrow out of d = a - b (unsigned), branch free. */
  private static long borrow(long a, long b, long d) {
    return ((~a & b) | (~(a ^ b) & d)) >>> 63;
  }

  /** Stores s - r into z if s >= r, else s. Requires s < 2r. */
  private static void reduceOnce(long[] z, long s0, long s1, long s2, long s3) {
    long d0 = s0 - Q0;
    long b = borrow(s0, Q0, d0);
    long t = s1 - Q1;
    long b1 = borrow(s1, Q1, t);
    long d1 = t - b;
    b = b1 | borrow(t, b, d1);
    t = s2 - Q2;
    b1 = borrow(s2, Q2, t);
    long d2 = t - b;
    b = b1 | borrow(t, b, d2);
    t = s3 - Q3;
    b1 = borrow(s3, Q3, t);
    long d3 = t - b;
    b = b1 | borrow(t, b, d3);
    if (b == 0) {
      z[0] = d0;
      z[1] = d1;
      z[2] = d2;
      z[3] = d3;
    } else {
      z[0] = s0;
      z[1] = s1;
      z[2] = s2;
      z[3] = s3;
    }
  }

  /**
   * z = x * y * 2^-256 mod r (Montgomery product, CIOS with gnark's "no carry" variant, valid since
   * the top limb of r is below 2^63 - 1). z may alias x or y.
   *
   * <p>Unrolled by hand with every limb in a local: this is the hot path of Poseidon2 (186 products
   * a compression) and of EdDSA. The unrolled form, with the known signs of r's limbs folded into
   * the unsigned high products of the reduction, takes 10-30% less CPU per compression than the
   * loop did ({@code RunPoseidon2Benchmarks}); Java 17 has neither an unsigned high product nor an
   * add-with-carry, so the carries (five operations each) are most of the cost. The multiplication
   * pass and the reduction pass of each row are kept apart for readability; they compute exactly
   * the interleaved CIOS.
   */
  static void mul(long[] z, long[] x, long[] y) {
    long x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    long y0 = y[0], y1 = y[1], y2 = y[2], y3 = y[3];
    long t0, t1, t2, t3, a, c, m, lo, hi, s;
    // i = 0: t += x * y0
    lo = x0 * y0;
    hi = unsignedMultiplyHigh(x0, y0);
    t0 = lo;
    a = hi;
    lo = x1 * y0;
    hi = unsignedMultiplyHigh(x1, y0);
    s = lo + a;
    a = hi + carry(lo, a, s);
    t1 = s;
    lo = x2 * y0;
    hi = unsignedMultiplyHigh(x2, y0);
    s = lo + a;
    a = hi + carry(lo, a, s);
    t2 = s;
    lo = x3 * y0;
    hi = unsignedMultiplyHigh(x3, y0);
    s = lo + a;
    a = hi + carry(lo, a, s);
    t3 = s;
    // t = (t + m * r) / 2^64
    m = t0 * QINV_NEG;
    lo = m * Q0;
    hi = Math.multiplyHigh(m, Q0) + ((m >> 63) & Q0);
    s = lo + t0;
    c = hi + carry(lo, t0, s);
    lo = m * Q1;
    hi = Math.multiplyHigh(m, Q1) + ((m >> 63) & Q1);
    s = lo + t1;
    hi += carry(lo, t1, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t0 = lo;
    lo = m * Q2;
    hi = Math.multiplyHigh(m, Q2) + ((m >> 63) & Q2) + m;
    s = lo + t2;
    hi += carry(lo, t2, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t1 = lo;
    lo = m * Q3;
    hi = Math.multiplyHigh(m, Q3) + ((m >> 63) & Q3);
    s = lo + t3;
    hi += carry(lo, t3, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t2 = lo;
    t3 = a + c; // no carry: r's top limb < 2^63 - 1
    // i = 1: t += x * y1
    lo = x0 * y1;
    hi = unsignedMultiplyHigh(x0, y1);
    s = lo + t0;
    hi += carry(lo, t0, s);
    t0 = s;
    a = hi;
    lo = x1 * y1;
    hi = unsignedMultiplyHigh(x1, y1);
    s = lo + t1;
    hi += carry(lo, t1, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t1 = lo;
    lo = x2 * y1;
    hi = unsignedMultiplyHigh(x2, y1);
    s = lo + t2;
    hi += carry(lo, t2, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t2 = lo;
    lo = x3 * y1;
    hi = unsignedMultiplyHigh(x3, y1);
    s = lo + t3;
    hi += carry(lo, t3, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t3 = lo;
    // t = (t + m * r) / 2^64
    m = t0 * QINV_NEG;
    lo = m * Q0;
    hi = Math.multiplyHigh(m, Q0) + ((m >> 63) & Q0);
    s = lo + t0;
    c = hi + carry(lo, t0, s);
    lo = m * Q1;
    hi = Math.multiplyHigh(m, Q1) + ((m >> 63) & Q1);
    s = lo + t1;
    hi += carry(lo, t1, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t0 = lo;
    lo = m * Q2;
    hi = Math.multiplyHigh(m, Q2) + ((m >> 63) & Q2) + m;
    s = lo + t2;
    hi += carry(lo, t2, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t1 = lo;
    lo = m * Q3;
    hi = Math.multiplyHigh(m, Q3) + ((m >> 63) & Q3);
    s = lo + t3;
    hi += carry(lo, t3, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t2 = lo;
    t3 = a + c; // no carry: r's top limb < 2^63 - 1
    // i = 2: t += x * y2
    lo = x0 * y2;
    hi = unsignedMultiplyHigh(x0, y2);
    s = lo + t0;
    hi += carry(lo, t0, s);
    t0 = s;
    a = hi;
    lo = x1 * y2;
    hi = unsignedMultiplyHigh(x1, y2);
    s = lo + t1;
    hi += carry(lo, t1, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t1 = lo;
    lo = x2 * y2;
    hi = unsignedMultiplyHigh(x2, y2);
    s = lo + t2;
    hi += carry(lo, t2, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t2 = lo;
    lo = x3 * y2;
    hi = unsignedMultiplyHigh(x3, y2);
    s = lo + t3;
    hi += carry(lo, t3, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t3 = lo;
    // t = (t + m * r) / 2^64
    m = t0 * QINV_NEG;
    lo = m * Q0;
    hi = Math.multiplyHigh(m, Q0) + ((m >> 63) & Q0);
    s = lo + t0;
    c = hi + carry(lo, t0, s);
    lo = m * Q1;
    hi = Math.multiplyHigh(m, Q1) + ((m >> 63) & Q1);
    s = lo + t1;
    hi += carry(lo, t1, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t0 = lo;
    lo = m * Q2;
    hi = Math.multiplyHigh(m, Q2) + ((m >> 63) & Q2) + m;
    s = lo + t2;
    hi += carry(lo, t2, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t1 = lo;
    lo = m * Q3;
    hi = Math.multiplyHigh(m, Q3) + ((m >> 63) & Q3);
    s = lo + t3;
    hi += carry(lo, t3, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t2 = lo;
    t3 = a + c; // no carry: r's top limb < 2^63 - 1
    // i = 3: t += x * y3
    lo = x0 * y3;
    hi = unsignedMultiplyHigh(x0, y3);
    s = lo + t0;
    hi += carry(lo, t0, s);
    t0 = s;
    a = hi;
    lo = x1 * y3;
    hi = unsignedMultiplyHigh(x1, y3);
    s = lo + t1;
    hi += carry(lo, t1, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t1 = lo;
    lo = x2 * y3;
    hi = unsignedMultiplyHigh(x2, y3);
    s = lo + t2;
    hi += carry(lo, t2, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t2 = lo;
    lo = x3 * y3;
    hi = unsignedMultiplyHigh(x3, y3);
    s = lo + t3;
    hi += carry(lo, t3, s);
    lo = s + a;
    a = hi + carry(s, a, lo);
    t3 = lo;
    // t = (t + m * r) / 2^64
    m = t0 * QINV_NEG;
    lo = m * Q0;
    hi = Math.multiplyHigh(m, Q0) + ((m >> 63) & Q0);
    s = lo + t0;
    c = hi + carry(lo, t0, s);
    lo = m * Q1;
    hi = Math.multiplyHigh(m, Q1) + ((m >> 63) & Q1);
    s = lo + t1;
    hi += carry(lo, t1, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t0 = lo;
    lo = m * Q2;
    hi = Math.multiplyHigh(m, Q2) + ((m >> 63) & Q2) + m;
    s = lo + t2;
    hi += carry(lo, t2, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t1 = lo;
    lo = m * Q3;
    hi = Math.multiplyHigh(m, Q3) + ((m >> 63) & Q3);
    s = lo + t3;
    hi += carry(lo, t3, s);
    lo = s + c;
    c = hi + carry(s, c, lo);
    t2 = lo;
    t3 = a + c; // no carry: r's top limb < 2^63 - 1

    reduceOnce(z, t0, t1, t2, t3);
  }

  /** z = x^5 in Montgomery form. z may alias x. */
  static void pow5(long[] z, long[] x, long[] scratch) {
    mul(scratch, x, x); // x^2
    mul(scratch, scratch, scratch); // x^4
    mul(z, scratch, x);
  }
}
