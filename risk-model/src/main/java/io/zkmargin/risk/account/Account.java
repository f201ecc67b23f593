package io.zkmargin.risk.account;

/**
 * What the risk model reads of an account: its risk tier, its collateral balances and its
 * positions. The margin, pre-trade and analytics code take this type; {@link AccountState} is the
 * risk model's own value, and the commitment's account leaf (owner key, nonce and an {@link
 * AccountState}) implements it too.
 *
 * <p>Amounts are integers: balances in venue atoms of each asset (asset 0 is the quote asset, 6
 * decimals), quantities in signed whole lots (positive = long), funding snapshots in quote atoms
 * per lot. The arrays are the implementation's own: callers must not mutate them.
 */
public interface Account {
  /** Risk tier, in {@code [0, T)}. */
  long tier();

  /** Signed balance per collateral asset, venue atoms, length A. */
  long[] balances();

  /** Instrument id per position slot, length P (ignored where the quantity is 0). */
  long[] instrumentIds();

  /** Signed quantity in lots per slot, length P ({@code 0} = empty slot). */
  long[] quantities();

  /** Funding index at each position's last settlement, quote atoms per lot, length P. */
  long[] fundingSnapshots();
}
