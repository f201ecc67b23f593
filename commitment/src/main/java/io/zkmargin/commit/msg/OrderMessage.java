package io.zkmargin.commit.msg;

import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * A signed order of {@code L} legs (docs/BATCH.md section 2, tag 1): {@code msg = hashMD(1,
 * pack(accountId, orderId, expiry, quantity, limitPrice, feePerUnit, instrumentId[0], ratio[0],
 * ..., instrumentId[L-1], ratio[L-1])...)}.
 *
 * <p>A combo unit is {@code ratio[l]} lots of each leg l (positive = the order buys that leg). Used
 * legs have {@code ratio != 0} and come first; unused legs are {@code (0, 0)}. {@code L} is the
 * circuit's leg count (test 2, production 4): the arrays have exactly L entries, and an order of
 * fewer legs is padded with unused legs. Arrays are copied in and out.
 *
 * @param accountId the ordering account (leaf index), {@code >= 0}
 * @param orderId the order's id, {@code [1, 2^62)}; its fill slot is {@code orderId mod 2^K}
 * @param expiry unix seconds, {@code >= 0}: the order is valid while {@code batchTime <= expiry}
 * @param quantity combo units, {@code > 0}
 * @param limitPrice quote atoms per combo unit, signed: the most the order pays net per unit
 *     (negative = it must receive at least {@code -limitPrice})
 * @param feePerUnit quote atoms per combo unit paid to the fee account, {@code >= 0}
 * @param instrumentIds per leg, the instrument id, {@code >= 0} (0 for an unused leg)
 * @param ratios per leg, lots per combo unit, {@code |ratio| <= 2^16} (0 for an unused leg)
 */
public record OrderMessage(
    long accountId,
    long orderId,
    long expiry,
    long quantity,
    long limitPrice,
    long feePerUnit,
    long[] instrumentIds,
    long[] ratios)
    implements SignedMessage {

  /** The message tag of an order. */
  public static final long TAG = 1;

  /** Order ids are below {@code 2^62} (so that {@code orderId * 2^64 + filled < r}). */
  public static final long ORDER_ID_LIMIT = 1L << 62;

  /** The largest leg ratio magnitude, {@code 2^16}. */
  public static final long MAX_RATIO = 1L << 16;

  public OrderMessage {
    ArgChecker.notNegative(accountId, "accountId");
    ArgChecker.inRangeExclusive(orderId, 1, ORDER_ID_LIMIT, "orderId");
    ArgChecker.notNegative(expiry, "expiry");
    ArgChecker.notNegativeOrZero(quantity, "quantity");
    ArgChecker.notNegative(feePerUnit, "feePerUnit");
    ArgChecker.notNull(instrumentIds, "instrumentIds");
    ArgChecker.notNull(ratios, "ratios");
    ArgChecker.isTrue(
        instrumentIds.length == ratios.length && ratios.length >= 1,
        "an order needs as many instrument ids as ratios, at least one; got {} and {}",
        instrumentIds.length,
        ratios.length);
    instrumentIds = instrumentIds.clone();
    ratios = ratios.clone();
    boolean unused = false;
    for (int l = 0; l < ratios.length; l++) {
      ArgChecker.notNegative(instrumentIds[l], "instrumentIds[" + l + "]");
      ArgChecker.inRange(ratios[l], -MAX_RATIO, MAX_RATIO, "ratios[" + l + "]");
      if (ratios[l] == 0) {
        ArgChecker.isTrue(
            instrumentIds[l] == 0,
            "unused leg {} must have instrument id 0, was {}",
            l,
            instrumentIds[l]);
        unused = true;
      } else {
        ArgChecker.isFalse(unused, "used legs come first: leg {} follows an unused leg", l);
      }
    }
    ArgChecker.isTrue(ratios[0] != 0, "an order needs at least one leg with a non-zero ratio");
  }

  /**
   * A single-leg order padded to {@code legs} legs.
   *
   * @param legs L, the circuit's leg count, {@code >= 1}
   */
  public static OrderMessage singleLeg(
      int legs,
      long accountId,
      long orderId,
      long expiry,
      long quantity,
      long limitPrice,
      long feePerUnit,
      long instrumentId,
      long ratio) {
    ArgChecker.notNegativeOrZero(legs, "legs");
    long[] ids = new long[legs];
    long[] rs = new long[legs];
    ids[0] = instrumentId;
    rs[0] = ratio;
    return new OrderMessage(accountId, orderId, expiry, quantity, limitPrice, feePerUnit, ids, rs);
  }

  @Override
  public long tag() {
    return TAG;
  }

  /** L, the number of legs including unused ones. */
  public int legs() {
    return ratios.length;
  }

  /** The number of used legs (those with a non-zero ratio; they come first). */
  public int usedLegs() {
    int n = 0;
    while (n < ratios.length && ratios[n] != 0) {
      n++;
    }
    return n;
  }

  /** The instrument id of leg {@code l}. */
  public long instrumentId(int l) {
    return instrumentIds[l];
  }

  /** The ratio of leg {@code l}: lots per combo unit, positive = buys. */
  public long ratio(int l) {
    return ratios[l];
  }

  @Override
  public long[] instrumentIds() {
    return instrumentIds.clone();
  }

  @Override
  public long[] ratios() {
    return ratios.clone();
  }

  /** The signed words in message order (before packing). */
  public long[] words() {
    long[] w = new long[6 + 2 * ratios.length];
    w[0] = accountId;
    w[1] = orderId;
    w[2] = expiry;
    w[3] = quantity;
    w[4] = limitPrice;
    w[5] = feePerUnit;
    for (int l = 0; l < ratios.length; l++) {
      w[6 + 2 * l] = instrumentIds[l];
      w[7 + 2 * l] = ratios[l];
    }
    return w;
  }

  @Override
  public BigInteger messageHash() {
    BigInteger[] packed = WordPacking.pack(words());
    BigInteger[] xs = new BigInteger[1 + packed.length];
    xs[0] = BigInteger.valueOf(TAG);
    System.arraycopy(packed, 0, xs, 1, packed.length);
    return Poseidon2.hashMD(xs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OrderMessage m && Arrays.equals(words(), m.words());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(words());
  }

  @Override
  public String toString() {
    return "OrderMessage[accountId="
        + accountId
        + ", orderId="
        + orderId
        + ", expiry="
        + expiry
        + ", quantity="
        + quantity
        + ", limitPrice="
        + limitPrice
        + ", feePerUnit="
        + feePerUnit
        + ", instrumentIds="
        + Arrays.toString(instrumentIds)
        + ", ratios="
        + Arrays.toString(ratios)
        + "]";
  }
}
