package io.zkmargin.commit;

import java.math.BigInteger;

/** The BN254 scalar field: constants and reductions shared by Poseidon2, packing and the trees. */
public final class Fr {
  /** r = 21888242871839275222246405745257275088548364400416034343698204186575808495617. */
  public static final BigInteger MODULUS =
      new BigInteger(
          "21888242871839275222246405745257275088548364400416034343698204186575808495617");

  private Fr() {}

  /** True iff {@code x} is a canonical field element, i.e. not null and in {@code [0, r)}. */
  public static boolean isElement(BigInteger x) {
    return x != null && x.signum() >= 0 && x.compareTo(MODULUS) < 0;
  }

  /**
   * Checks that {@code x} is a canonical field element.
   *
   * @param x the value to check
   * @param what a name for the error message
   * @return {@code x}
   * @throws IllegalArgumentException if {@code x} is null or outside {@code [0, r)}
   */
  public static BigInteger requireElement(BigInteger x, String what) {
    if (x == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (x.signum() < 0 || x.compareTo(MODULUS) >= 0) {
      throw new IllegalArgumentException(what + " must be a field element in [0, r), was " + x);
    }
    return x;
  }

  /** Reduces any integer (possibly negative) into {@code [0, r)}. */
  public static BigInteger reduce(BigInteger x) {
    return x.mod(MODULUS);
  }
}
