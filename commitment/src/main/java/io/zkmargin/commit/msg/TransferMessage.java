package io.zkmargin.commit.msg;

import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;

/**
 * A signed transfer between two accounts of one owner (docs/BATCH.md section 2, tag 3): {@code msg
 * = hashMD(3, pack(fromAccountId, toAccountId, nonce, asset, amount)...)}. The nonce is the sending
 * account's.
 *
 * @param fromAccountId the paying account, {@code >= 0}
 * @param toAccountId the receiving account, {@code >= 0}, not {@code fromAccountId}
 * @param nonce must equal the sending leaf's nonce when applied, {@code >= 0}
 * @param asset the collateral asset index, {@code >= 0}
 * @param amount venue atoms of the asset, {@code > 0}
 */
public record TransferMessage(
    long fromAccountId, long toAccountId, long nonce, long asset, long amount)
    implements SignedMessage {

  /** The message tag of a transfer. */
  public static final long TAG = 3;

  public TransferMessage {
    ArgChecker.notNegative(fromAccountId, "fromAccountId");
    ArgChecker.notNegative(toAccountId, "toAccountId");
    ArgChecker.isTrue(
        fromAccountId != toAccountId, "a transfer needs two accounts, got {} twice", fromAccountId);
    ArgChecker.notNegative(nonce, "nonce");
    ArgChecker.notNegative(asset, "asset");
    ArgChecker.notNegativeOrZero(amount, "amount");
  }

  @Override
  public long tag() {
    return TAG;
  }

  /** The signed words in message order (before packing). */
  public long[] words() {
    return new long[] {fromAccountId, toAccountId, nonce, asset, amount};
  }

  @Override
  public BigInteger messageHash() {
    BigInteger[] packed = WordPacking.pack(words());
    return Poseidon2.hashMD(BigInteger.valueOf(TAG), packed[0], packed[1]);
  }
}
