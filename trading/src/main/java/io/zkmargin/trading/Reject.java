package io.zkmargin.trading;

/** Why the engine refused an order (at the door) or cancelled a resting one. */
public enum Reject {
  /** Accepted (not a rejection). */
  NONE,
  /** A field is outside its range (quantity, legs, ratios, order id, fee). */
  BAD_ORDER,
  /** The account is not registered with the engine. */
  UNKNOWN_ACCOUNT,
  /** A leg names an instrument the risk vector does not list. */
  UNLISTED_INSTRUMENT,
  /** A combo's legs are not in increasing instrument order or their ratios share a factor. */
  LEGS_NOT_CANONICAL,
  /** {@code now > expiry}. */
  EXPIRED,
  /** The signature does not verify with the account's key. */
  BAD_SIGNATURE,
  /** The order id was already accepted for this account. */
  REPLAYED,
  /** A newer order holds the order id's fill-tree slot (BATCH.md ORDER_SLOT_TAKEN). */
  ORDER_SLOT_TAKEN,
  /** A post-only order would have crossed. */
  POST_ONLY_WOULD_CROSS,
  /** A fill-or-kill order could not fill completely. */
  FOK_NOT_FILLABLE,
  /** A reduce-only order would not reduce the position (or is not single-leg). */
  REDUCE_ONLY_NOT_REDUCING,
  /** The account has no free position slot for a leg (BATCH.md NO_FREE_SLOT). */
  NO_FREE_SLOT,
  /** The account would not meet effective initial margin. */
  MARGIN,
  /** An amount overflowed 64 bits. */
  OUT_OF_RANGE,
  /** Cancelled by its owner. */
  CANCELLED,
  /** Cancelled by self-trade prevention (a resting order met its own account's taker). */
  SELF_TRADE,
  /** Cancelled because a newer order of the account took its fill-tree slot. */
  SLOT_REPLACED,
  /** The unfilled rest of an IOC order. */
  IOC_REMAINDER,
  /** A reduce-only order with nothing left to reduce. */
  NOTHING_TO_REDUCE
}
