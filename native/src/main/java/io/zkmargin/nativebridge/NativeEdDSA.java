package io.zkmargin.nativebridge;

import java.math.BigInteger;

/**
 * The native fast path of zkmargin's EdDSA verification (BN254 twisted Edwards, Poseidon2
 * challenge): gnark-crypto's field and curve arithmetic behind {@code zkm_eddsa_verify}
 * (native/go/sigverify). The verdict is exactly that of the Java reference {@code
 * io.zkmargin.commit.EdDSA.verify}: the public key on the curve, not the identity and in the prime
 * subgroup; R on the curve; {@code 0 <= S < l}; {@code 8*S*B == 8*(R + h*A)} with {@code h =
 * hashMD(R.x, R.y, A.x, A.y, m)}. The library caches, per public key, the subgroup verdict and a
 * table that makes {@code h*A} cheap (a sequencer sees the same keys again and again).
 *
 * <p>Thread-safe; each call is independent. Every JVM that loads the library needs {@code
 * LD_PRELOAD=$JAVA_HOME/lib/libjsig.so}.
 */
public final class NativeEdDSA {
  /** Input length of {@link #verify(byte[])}. */
  public static final int INPUT_BYTES = 192;

  private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

  private NativeEdDSA() {}

  /**
   * Verifies a signature.
   *
   * @param pkX public key x, a field element in {@code [0, r)}
   * @param pkY public key y, in {@code [0, r)}
   * @param message the signed field element, in {@code [0, r)}
   * @param rX the signature's R.x, in {@code [0, r)}
   * @param rY R.y, in {@code [0, r)}
   * @param s the signature's S, any integer in {@code [0, 2^256)} (S &gt;= l is a verdict: false)
   * @return true iff the signature is valid
   * @throws IllegalArgumentException if a value is null, negative or does not fit 32 bytes
   * @throws NativeException with code INVALID_ARGUMENT if a coordinate or the message is not below
   *     r
   */
  public static boolean verify(
      BigInteger pkX,
      BigInteger pkY,
      BigInteger message,
      BigInteger rX,
      BigInteger rY,
      BigInteger s) {
    byte[] in = new byte[INPUT_BYTES];
    BigInteger[] parts = {pkX, pkY, message, rX, rY, s};
    for (int i = 0; i < parts.length; i++) {
      BigInteger v = parts[i];
      if (v == null || v.signum() < 0 || v.compareTo(TWO_256) >= 0) {
        throw new IllegalArgumentException("EdDSA input " + i + " must be in [0, 2^256), was " + v);
      }
      byte[] b = v.toByteArray();
      int n = Math.min(b.length, 32);
      System.arraycopy(b, b.length - n, in, 32 * i + 32 - n, n);
    }
    return verify(in);
  }

  /**
   * Verifies a signature given as its 192-byte input.
   *
   * @param input pkX, pkY, message, R.x, R.y, S as 32-byte big-endian integers
   * @return true iff valid
   * @throws IllegalArgumentException if the input is null or not 192 bytes
   * @throws NativeException with code INVALID_ARGUMENT if a coordinate or the message is not below
   *     r
   */
  public static boolean verify(byte[] input) {
    if (input == null || input.length != INPUT_BYTES) {
      throw new IllegalArgumentException(
          "EdDSA input must have "
              + INPUT_BYTES
              + " bytes, got "
              + (input == null ? null : input.length));
    }
    return NativeLib.eddsaVerify(input);
  }
}
