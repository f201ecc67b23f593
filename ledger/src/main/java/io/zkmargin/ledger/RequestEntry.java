package io.zkmargin.ledger;

import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.util.List;

/**
 * One entry of a batch's request list (/work FORCED.md, docs/LIQUIDATION.md section 12): what the
 * batch's request slots answered, in slot order, hashed into the batch proof's ninth public input
 * {@code requestsHash} and handed to {@code Settlement.finalizeBatch}, which clears the escape
 * hatch's pending requests they name.
 *
 * @param kind {@link #LIQUIDATION}, {@link #FORCED_PAID} or {@link #FORCED_REFUSED}
 * @param accountId the account, in {@code [0, 2^32)}
 * @param party the keeper of a liquidation (0 for none), the requester of a forced withdrawal: an
 *     L1 address in {@code [0, 2^160)}
 * @param amount quote atoms: 0 for a liquidation, the requested amount ({@code >= 1}) for a forced
 *     withdrawal (paid or refused)
 */
public record RequestEntry(int kind, long accountId, BigInteger party, long amount) {
  /** A liquidation (kind 6): {@code party} the keeper, {@code amount} 0. */
  public static final int LIQUIDATION = 6;

  /** A forced withdrawal paid (kind 8): {@code party} the requester, paid {@code amount}. */
  public static final int FORCED_PAID = 8;

  /** A forced withdrawal refused (kind 9): nothing moved. */
  public static final int FORCED_REFUSED = 9;

  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  /** Checks the kind and the ranges. */
  public RequestEntry {
    ArgChecker.isTrue(
        kind == LIQUIDATION || kind == FORCED_PAID || kind == FORCED_REFUSED,
        "request kind must be 6, 8 or 9, was {}",
        kind);
    ArgChecker.inRangeExclusive(accountId, 0, 1L << 32, "accountId");
    WithdrawalMessage.checkAddress(party);
    if (kind == LIQUIDATION) {
      ArgChecker.isTrue(amount == 0, "a liquidation entry's amount is 0, was {}", amount);
    } else {
      ArgChecker.notNegativeOrZero(amount, "amount");
    }
  }

  /**
   * The entry's element {@code e} of the requests hash chain: kind 6 {@code compress(accountId,
   * keeper)}; kind 8 {@code compress(accountId + 2^64, compress(requester, amount))}; kind 9 {@code
   * compress(accountId + 2 * 2^64, compress(requester, amount))}.
   */
  public BigInteger hash() {
    BigInteger id = BigInteger.valueOf(accountId);
    if (kind == LIQUIDATION) {
      return Poseidon2.compress(id, party);
    }
    BigInteger tag = TWO_64.multiply(BigInteger.valueOf(kind == FORCED_PAID ? 1 : 2)).add(id);
    return Poseidon2.compress(tag, Poseidon2.compress(party, BigInteger.valueOf(amount)));
  }

  /**
   * The batch's {@code requestsHash}: {@code q_0 = 0}, {@code q_{j+1} = compress(q_j, e_j)} over
   * the entries in slot order.
   */
  public static BigInteger requestsHash(List<RequestEntry> entries) {
    ArgChecker.notNull(entries, "entries");
    BigInteger q = BigInteger.ZERO;
    for (RequestEntry e : entries) {
      q = Poseidon2.compress(q, e.hash());
    }
    return q;
  }
}
