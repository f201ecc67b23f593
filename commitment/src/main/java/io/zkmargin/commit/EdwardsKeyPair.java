package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * An EdDSA key pair on the BN254 twisted Edwards curve: a private scalar {@code sk} in {@code [1,
 * l)} (l = {@link EdwardsPoint#ORDER}) and the public point {@code A = sk * BASE}, whose
 * coordinates go into the account leaf ({@code ownerPkX, ownerPkY}).
 *
 * <p>The private scalar is returned by {@link #privateScalar()}; {@link #toString()} never prints
 * it.
 */
public final class EdwardsKeyPair {
  private final BigInteger privateScalar;
  private final EdwardsPoint publicKey;

  /**
   * Derives the key pair of a private scalar.
   *
   * @param privateScalar the secret scalar, in {@code [1, l)}
   */
  public EdwardsKeyPair(BigInteger privateScalar) {
    if (privateScalar == null
        || privateScalar.signum() <= 0
        || privateScalar.compareTo(EdwardsPoint.ORDER) >= 0) {
      throw new IllegalArgumentException(
          "private scalar must be in [1, l) with l the subgroup order");
    }
    this.privateScalar = privateScalar;
    this.publicKey = EdwardsPoint.BASE.multiply(privateScalar);
  }

  /** A fresh key pair with a uniformly random private scalar in {@code [1, l)}. */
  public static EdwardsKeyPair generate(SecureRandom random) {
    ArgChecker.notNull(random, "random");
    BigInteger k;
    do {
      k = new BigInteger(EdwardsPoint.ORDER.bitLength() + 64, random).mod(EdwardsPoint.ORDER);
    } while (k.signum() == 0);
    return new EdwardsKeyPair(k);
  }

  /** The secret scalar in {@code [1, l)}. */
  public BigInteger privateScalar() {
    return privateScalar;
  }

  /** The public key {@code sk * BASE}. */
  public EdwardsPoint publicKey() {
    return publicKey;
  }

  /** Signs a field-element message; see {@link EdDSA#sign}. */
  public EdDSA.Signature sign(BigInteger message) {
    return EdDSA.sign(this, message);
  }

  @Override
  public String toString() {
    return "EdwardsKeyPair[publicKey=(" + publicKey.x() + ", " + publicKey.y() + ")]";
  }
}
