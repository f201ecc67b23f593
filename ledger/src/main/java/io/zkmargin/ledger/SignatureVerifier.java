package io.zkmargin.ledger;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.FastEdDSA;
import java.math.BigInteger;

/**
 * Checks an EdDSA signature of a field-element message; must give exactly the verdict of {@link
 * EdDSA#verify} (the sequencer plugs a fast implementation in).
 */
@FunctionalInterface
public interface SignatureVerifier {
  /** The reference verifier, {@link EdDSA#verify}. */
  SignatureVerifier REFERENCE = EdDSA::verify;

  /** The Java fast path, {@link FastEdDSA#verify} (Montgomery limbs; about 12x the reference). */
  SignatureVerifier FAST = FastEdDSA::verify;

  /**
   * @param publicKey the signer's key
   * @param message the signed field element, in {@code [0, r)}
   * @param signature the signature
   * @return true iff valid
   */
  boolean verify(EdwardsPoint publicKey, BigInteger message, EdDSA.Signature signature);
}
