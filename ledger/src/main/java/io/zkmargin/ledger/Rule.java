package io.zkmargin.ledger;

/**
 * The outcome of a ledger transition: {@link #OK} (applied) or the rule of docs/BATCH.md the
 * transition breaks (refused; a refused transition changes nothing).
 */
public enum Rule {
  /** Applied. */
  OK,
  /** The signature does not verify against the account's owner key. */
  BAD_SIGNATURE,
  /** The message's nonce is not the account's current nonce. */
  BAD_NONCE,
  /** The order's expiry is before the batch time. */
  EXPIRED,
  /** The fill would take an order beyond its quantity. */
  OVERFILL,
  /** The order's fill slot holds a newer order (a larger order id). */
  ORDER_SLOT_TAKEN,
  /** The net leg price is beyond the maker's or the taker's limit. */
  PRICE_LIMIT,
  /**
   * The taker's legs are not the maker's legs with opposite ratios, or an order has a leg count
   * other than the ledger's L.
   */
  LEGS_MISMATCH,
  /** A leg opens a position and the account has no empty position slot. */
  NO_FREE_SLOT,
  /** An account does not meet effective initial margin ({@code E * 10^6 >= max(IM, MM)}) after. */
  IM_BROKEN,
  /** The two accounts of a transfer have different owner keys. */
  NOT_SAME_OWNER,
  /** An account named is not registered (its leaf is empty). */
  UNKNOWN_ACCOUNT,
  /** Maker and taker are the same account. */
  SAME_ACCOUNT,
  /** A leg or a position names an instrument the batch's risk commitment does not list. */
  UNKNOWN_INSTRUMENT,
  /** An asset index outside {@code [0, A)}, or a withdrawal of another asset than the quote. */
  BAD_ASSET,
  /** An amount or fill size that must be positive is not. */
  BAD_AMOUNT,
  /** A deposit carrying an owner key (a registration) to a leaf that is already registered. */
  REGISTRATION_OF_EXISTING,
  /** An account id outside {@code [0, 2^D)}. */
  BAD_ACCOUNT_ID,
  /** A signed liquidation names another risk root than the batch's. */
  WRONG_RISK_ROOT,
  /** A liquidation of an account that is not under maintenance ({@code E * 10^6 >= MM}). */
  NOT_LIQUIDATABLE,
  /**
   * A liquidation of an account that holds nothing to take (no position, no positive non-quote
   * balance): closed out, maybe in debt, the insurance fund's case ({@code absorbLoss}); the
   * eligibility circuit cannot prove it either (docs/LIQUIDATION.md section 5).
   */
  NOTHING_TO_TAKE,
  /**
   * A liquidation penalty above the committed one ({@code penaltyPpm} of the notional taken), or
   * one that would leave the liquidated account with negative equity.
   */
  PENALTY_TOO_HIGH,
  /**
   * A liquidation that takes more than the close factor allows: the account meets the close target
   * after it, and would meet it with one unit (lot, atom) less of every take.
   */
  CLOSE_FACTOR,
  /** The liquidator does not meet effective IM after taking the positions and collateral. */
  LIQUIDATOR_IM_BROKEN,
  /**
   * The insurance fund or auto-deleveraging asked to cover an account whose equity is not negative.
   */
  NO_NEGATIVE_EQUITY,
  /**
   * The insurance fund asked to cover an account that still holds positions or other collateral.
   */
  NOT_CLOSED_OUT,
  /** The insurance fund cannot cover the loss (its quote balance, or its IM after, falls short). */
  INSURANCE_INSUFFICIENT,
  /** Auto-deleveraging while the insurance fund could cover the loss. */
  INSURANCE_AVAILABLE,
  /** The deleveraging counterparty holds no opposite position of that size in the instrument. */
  NOT_OPPOSITE,
  /** The deleveraging counterparty is not the most profitable holder of an opposite position. */
  NOT_MOST_PROFITABLE,
  /** Deleveraging would leave the counterparty with negative equity. */
  COUNTERPARTY_BANKRUPT,
  /** A trade leg names an instrument that has settled at expiry (it can no longer be traded). */
  SETTLED_INSTRUMENT,
  /** A settle-expiry of a position whose instrument has not settled. */
  NOT_SETTLED,
  /** A settle-expiry of a position slot outside {@code [0, P)} or of an empty slot. */
  BAD_SLOT,
  /**
   * A forced withdrawal requested by another L1 address than the account's leaf {@code l1Address}
   * (or by address 0, or for an account without one): refused (docs/LIQUIDATION.md section 12).
   */
  NOT_OWNER,
  /**
   * A result leaves the word range (a balance, quantity, price product or margin sum beyond what a
   * 64-bit word, or the exact margin's 2^127, holds).
   */
  OVERFLOW;

  /** True iff this is {@link #OK}. */
  public boolean isOk() {
    return this == OK;
  }
}
