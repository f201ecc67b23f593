package io.zkmargin.risk.util;

/**
 * The two primitives of multi-word integer arithmetic on 64-bit limbs, shared by the fixed-point
 * model ({@code Fixed}), the exact margin sums ({@code MarginCalculator}, {@code Wide}) and the
 * BN254 field arithmetic of the commitment module ({@code FrMont}). Java 17 has {@link
 * Math#multiplyHigh} (signed) but not yet {@code Math.unsignedMultiplyHigh} (Java 18) nor an
 * add-with-carry.
 */
public final class Math128 {
  private Math128() {}

  /**
   * The high 64 bits of the unsigned 128-bit product of two unsigned 64-bit values (the low 64 bits
   * are {@code a * b}). Same result as Java 18's {@code Math.unsignedMultiplyHigh}.
   */
  public static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  /**
   * The carry out of the unsigned 64-bit addition {@code sum = a + b} (wrapping), 0 or 1, branch
   * free. With two 128-bit values as (hi, lo) limbs: {@code lo = aLo + bLo; hi = aHi + bHi +
   * carry(aLo, bLo, lo)}.
   *
   * @param a first addend, unsigned
   * @param b second addend, unsigned
   * @param sum {@code a + b} as computed by Java (mod 2^64)
   * @return 1 when the true sum is {@code >= 2^64}, else 0
   */
  public static long carry(long a, long b, long sum) {
    return ((a & b) | ((a | b) & ~sum)) >>> 63;
  }
}
