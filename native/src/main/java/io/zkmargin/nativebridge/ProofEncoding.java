package io.zkmargin.nativebridge;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * The one canonical encoding of a zkmargin Groth16 BN254 proof, the same rule as the Go engine's
 * {@code CanonicalProofLength} check: gnark's {@code Proof.WriteRawTo} bytes of a circuit without
 * commitments, i.e. {@code Ar} (G1, 64 bytes) || {@code Bs} (G2, 128 bytes) || {@code Krs} (G1, 64
 * bytes) || a commitment count of 0 (4 bytes) || the commitment proof of knowledge at infinity (64
 * zero bytes).
 *
 * <p>Untrusted proof bytes are checked here before any decoder sees them: a wrong length or a
 * non-zero tail is refused, so a length prefix from outside never reaches gnark's reader, and the
 * chain path (which passes only the first 256 bytes to the Solidity verifier) and the offline path
 * accept exactly the same byte strings.
 *
 * <p>Public inputs have one canonical form too: the decimal string of a field element in {@code [0,
 * r)} with no sign, no spaces and no leading zero (other than {@code "0"} itself), the same rule as
 * the Go engine's {@code ParseCanonical}.
 */
public final class ProofEncoding {
  /** Bytes of the three proof points {@code Ar, Bs, Krs}, the part the Solidity verifier reads. */
  public static final int POINTS_BYTES = 256;

  /**
   * Bytes of the fixed tail: commitment count (0) and the commitment proof of knowledge (infinity).
   */
  public static final int TAIL_BYTES = 4 + 64;

  /** The exact length of every canonical proof. */
  public static final int PROOF_BYTES = POINTS_BYTES + TAIL_BYTES;

  /** The BN254 scalar field modulus r: public inputs are in {@code [0, r)}. */
  public static final BigInteger SCALAR_FIELD_MODULUS =
      new BigInteger(
          "21888242871839275222246405745257275088548364400416034343698204186575808495617");

  /** The number of decimal digits of r - 1: no canonical public input is longer. */
  private static final int MAX_INPUT_DIGITS = SCALAR_FIELD_MODULUS.toString().length();

  private ProofEncoding() {}

  /**
   * @param input an untrusted public input (may be null)
   * @return null when {@code input} is the canonical decimal string of a field element in {@code
   *     [0, r)}, else the reason it is not
   */
  public static String whyNotCanonicalInput(String input) {
    if (input == null || input.isEmpty()) {
      return "public input is empty";
    }
    if (input.length() > MAX_INPUT_DIGITS) {
      return "public input has "
          + input.length()
          + " characters, at most "
          + MAX_INPUT_DIGITS
          + " digits";
    }
    for (int i = 0; i < input.length(); i++) {
      char c = input.charAt(i);
      if (c < '0' || c > '9') {
        return "public input is not a decimal integer without sign: '" + input + "'";
      }
    }
    if (input.length() > 1 && input.charAt(0) == '0') {
      return "public input has a leading zero: '" + input + "'";
    }
    if (new BigInteger(input).compareTo(SCALAR_FIELD_MODULUS) >= 0) {
      return "public input is not below the BN254 scalar field modulus: " + input;
    }
    return null;
  }

  /**
   * Parses a public input in its canonical form.
   *
   * @param input an untrusted decimal string
   * @return its value, in {@code [0, r)}
   * @throws IllegalArgumentException naming the rule broken (sign, leading zero, not below r...)
   */
  public static BigInteger parseCanonicalInput(String input) {
    String why = whyNotCanonicalInput(input);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    return new BigInteger(input);
  }

  /**
   * Checks that {@code proof} is a canonical proof encoding.
   *
   * @param proof untrusted proof bytes
   * @return the same array, for chaining
   * @throws IllegalArgumentException naming the rule broken (length, or a non-zero tail byte)
   */
  public static byte[] requireCanonical(byte[] proof) {
    String why = whyNotCanonical(proof);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    return proof;
  }

  /**
   * @param proof untrusted proof bytes (may be null)
   * @return null when {@code proof} is canonical, else the reason it is not
   */
  public static String whyNotCanonical(byte[] proof) {
    if (proof == null) {
      return "proof bytes are missing";
    }
    if (proof.length != PROOF_BYTES) {
      return "proof must be exactly " + PROOF_BYTES + " bytes, got " + proof.length;
    }
    for (int i = POINTS_BYTES; i < PROOF_BYTES; i++) {
      if (proof[i] != 0) {
        return "proof byte " + i + " must be 0 (no commitments), got " + (proof[i] & 0xff);
      }
    }
    return null;
  }

  /**
   * @param proof a canonical proof
   * @return the 256 bytes of {@code Ar, Bs, Krs}, as the Solidity verifier reads them
   * @throws IllegalArgumentException when the proof is not canonical
   */
  public static byte[] points(byte[] proof) {
    return Arrays.copyOf(requireCanonical(proof), POINTS_BYTES);
  }
}
