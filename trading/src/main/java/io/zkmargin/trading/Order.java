package io.zkmargin.trading;

/**
 * An order as the engine reads it: the fields of docs/BATCH.md section 2's signed order message
 * (account, order id, expiry, quantity, limit price, fee, legs) plus the engine's instructions that
 * the message does not carry (time in force, post-only, reduce-only).
 *
 * <p>A mutable flyweight (exchange-core's OrderCommand style): a caller fills one instance and
 * passes it to {@link MatchingEngine#place}, which copies what it keeps, so one instance serves any
 * number of orders without allocation. Not thread-safe.
 *
 * <p>Units: {@code quantity} in combo units (lots for a single-leg order), {@code limitPrice} in
 * quote atoms per combo unit, signed: the most the order pays net per unit (negative: it must
 * receive at least {@code -limitPrice}); {@code ratio[l]} lots of leg l per unit, positive = the
 * order buys that leg. A single-leg order has one leg of ratio +1 (buy) or -1 (sell), so a sell at
 * price p has {@code limitPrice = -p}. Legs of a combo are listed by increasing instrument id.
 */
public final class Order {
  /** Time in force. */
  public enum TimeInForce {
    /** Good till cancelled: the remainder rests on the book. */
    GTC,
    /** Immediate or cancel: fills what it can now, cancels the remainder. */
    IOC,
    /** Fill or kill: fills the whole quantity now or nothing. */
    FOK
  }

  /** Most legs an order may have (BATCH.md production L). */
  public static final int MAX_LEGS = 4;

  /** Account id (leaf index). */
  public long accountId;

  /** Order id, in {@code [1, 2^62)}; slot {@code orderId mod 2^K} of the account's fill tree. */
  public long orderId;

  /** Unix seconds; the order is valid while {@code now <= expiry}. */
  public long expiry;

  /** Combo units, {@code > 0}. */
  public long quantity;

  /** Quote atoms per combo unit, signed (see the class comment). */
  public long limitPrice;

  /** Quote atoms per combo unit paid to the fee account, {@code >= 0}. */
  public long feePerUnit;

  /** Number of used legs, in {@code [1, MAX_LEGS]}. */
  public int legs;

  /** Instrument id per leg (used legs first). */
  public final long[] instrumentId = new long[MAX_LEGS];

  /** Signed lots per combo unit per leg, {@code |ratio| <= 2^16}. */
  public final long[] ratio = new long[MAX_LEGS];

  /** Time in force. */
  public TimeInForce timeInForce = TimeInForce.GTC;

  /** Refused instead of taking liquidity if it would cross on arrival. */
  public boolean postOnly;

  /** Single-leg only: may only reduce the account's position (fills are capped to it). */
  public boolean reduceOnly;

  /**
   * Sets this order to a single-leg limit order (GTC, no flags, no fee).
   *
   * @param accountId account
   * @param orderId order id
   * @param instrumentId instrument
   * @param buy true to buy, false to sell
   * @param lots quantity, lots
   * @param price limit price, quote atoms per lot ({@code >= 0} for a normal book; the signed
   *     message carries {@code -price} for a sell)
   * @param expiry unix seconds
   * @return this
   */
  public Order single(
      long accountId,
      long orderId,
      long instrumentId,
      boolean buy,
      long lots,
      long price,
      long expiry) {
    clear();
    this.accountId = accountId;
    this.orderId = orderId;
    this.expiry = expiry;
    this.quantity = lots;
    this.limitPrice = buy ? price : -price;
    this.legs = 1;
    this.instrumentId[0] = instrumentId;
    this.ratio[0] = buy ? 1 : -1;
    return this;
  }

  /**
   * Sets this order to a combo (GTC, no flags, no fee).
   *
   * @param accountId account
   * @param orderId order id
   * @param ids instrument per leg, increasing
   * @param ratios signed lots per unit per leg (positive = buy the leg)
   * @param units quantity, combo units
   * @param limitPrice most paid net per unit, quote atoms, signed
   * @param expiry unix seconds
   * @return this
   */
  public Order combo(
      long accountId,
      long orderId,
      long[] ids,
      long[] ratios,
      long units,
      long limitPrice,
      long expiry) {
    if (ids.length != ratios.length || ids.length > MAX_LEGS) {
      throw new IllegalArgumentException(
          "legs: " + ids.length + " ids, " + ratios.length + " ratios");
    }
    clear();
    this.accountId = accountId;
    this.orderId = orderId;
    this.expiry = expiry;
    this.quantity = units;
    this.limitPrice = limitPrice;
    this.legs = ids.length;
    System.arraycopy(ids, 0, instrumentId, 0, ids.length);
    System.arraycopy(ratios, 0, ratio, 0, ratios.length);
    return this;
  }

  /**
   * Sets the time in force.
   *
   * @return this
   */
  public Order tif(TimeInForce t) {
    this.timeInForce = t;
    return this;
  }

  /** Resets every field (legs unused, GTC, no flags). */
  public void clear() {
    accountId = 0;
    orderId = 0;
    expiry = 0;
    quantity = 0;
    limitPrice = 0;
    feePerUnit = 0;
    legs = 0;
    for (int l = 0; l < MAX_LEGS; l++) {
      instrumentId[l] = 0;
      ratio[l] = 0;
    }
    timeInForce = TimeInForce.GTC;
    postOnly = false;
    reduceOnly = false;
  }

  /** A copy (allocates; off the hot path). */
  public Order copy() {
    Order o = new Order();
    o.accountId = accountId;
    o.orderId = orderId;
    o.expiry = expiry;
    o.quantity = quantity;
    o.limitPrice = limitPrice;
    o.feePerUnit = feePerUnit;
    o.legs = legs;
    System.arraycopy(instrumentId, 0, o.instrumentId, 0, MAX_LEGS);
    System.arraycopy(ratio, 0, o.ratio, 0, MAX_LEGS);
    o.timeInForce = timeInForce;
    o.postOnly = postOnly;
    o.reduceOnly = reduceOnly;
    return o;
  }
}
