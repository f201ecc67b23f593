package io.zkmargin.commit.msg;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;

/**
 * A request an account's owner signs (docs/BATCH.md section 2): the owner signs one field element,
 * {@link #messageHash()}, with EdDSA on the BN254 twisted Edwards curve ({@link EdDSA}); the batch
 * circuit checks the signature against the key in the account leaf.
 *
 * <p>Every message hash starts with the kind's {@link #tag()}, so that no message of one kind is a
 * valid message of another.
 */
public sealed interface SignedMessage
    permits OrderMessage, WithdrawalMessage, TransferMessage, LiquidationMessage {

  /** The kind's domain tag: 1 order, 2 withdrawal, 3 transfer, 4 liquidation. */
  long tag();

  /**
   * The field element signed, in {@code [0, r)}: a Poseidon2 {@code hashMD} starting with the tag.
   */
  BigInteger messageHash();

  /**
   * Signs this message.
   *
   * @param key the owner's key pair
   * @return the deterministic signature of {@link #messageHash()}
   */
  default EdDSA.Signature sign(EdwardsKeyPair key) {
    ArgChecker.notNull(key, "key");
    return EdDSA.sign(key, messageHash());
  }

  /**
   * Checks a signature of this message.
   *
   * @param publicKey the owner's public key (the leaf's {@code ownerPkX, ownerPkY})
   * @param signature the signature
   * @return true iff valid (the verdict of {@link EdDSA#verify}, computed by {@link
   *     io.zkmargin.commit.FastEdDSA}, about 12x faster: the order book checks every order this
   *     way); false, never an exception, when malformed
   */
  default boolean verify(EdwardsPoint publicKey, EdDSA.Signature signature) {
    if (publicKey == null || signature == null) {
      return false;
    }
    return io.zkmargin.commit.FastEdDSA.verify(publicKey, messageHash(), signature);
  }
}
