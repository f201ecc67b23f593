package io.zkmargin.commit.msg;

import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;

/**
 * A signed withdrawal (docs/BATCH.md section 2, tag 2): {@code msg = hashMD(2, l1Address,
 * pack(accountId, nonce, amount)...)}. Withdrawals take the quote asset (asset 0) only; the batch's
 * withdrawal list pays {@code amount} quote atoms to {@code l1Address} on chain.
 *
 * @param accountId the account (leaf index), {@code >= 0}
 * @param nonce must equal the leaf's nonce when applied, {@code >= 0}
 * @param amount quote atoms, {@code > 0}
 * @param l1Address the Ethereum address paid, as an integer in {@code [0, 2^160)}
 */
public record WithdrawalMessage(long accountId, long nonce, long amount, BigInteger l1Address)
    implements SignedMessage {

  /** The message tag of a withdrawal. */
  public static final long TAG = 2;

  /** Ethereum addresses are below {@code 2^160}. */
  public static final BigInteger ADDRESS_LIMIT = BigInteger.ONE.shiftLeft(160);

  public WithdrawalMessage {
    ArgChecker.notNegative(accountId, "accountId");
    ArgChecker.notNegative(nonce, "nonce");
    ArgChecker.notNegativeOrZero(amount, "amount");
    checkAddress(l1Address);
  }

  /** Checks that {@code address} is an integer in {@code [0, 2^160)}; returns it. */
  public static BigInteger checkAddress(BigInteger address) {
    ArgChecker.notNull(address, "l1Address");
    ArgChecker.isTrue(
        address.signum() >= 0 && address.compareTo(ADDRESS_LIMIT) < 0,
        "l1Address must be in [0, 2^160), was {}",
        address);
    return address;
  }

  @Override
  public long tag() {
    return TAG;
  }

  /** The signed words in message order (before packing). */
  public long[] words() {
    return new long[] {accountId, nonce, amount};
  }

  @Override
  public BigInteger messageHash() {
    BigInteger[] packed = WordPacking.pack(words());
    return Poseidon2.hashMD(BigInteger.valueOf(TAG), l1Address, packed[0]);
  }
}
