package io.zkmargin.risk.account;

import io.zkmargin.risk.util.ArgChecker;
import java.util.Arrays;

/**
 * An account as the risk model sees it: tier, balances and positions (instrument id, quantity,
 * funding snapshot per slot). No owner, no nonce, no encoding: those belong to the commitment.
 *
 * <p>Amounts are integers: balances in venue atoms of each asset (asset 0 is the quote asset, 6
 * decimals), quantities in signed whole lots (positive = long), funding snapshots in quote atoms
 * per lot. Arrays are owned by the record: callers must not mutate them after construction.
 *
 * @param tier risk tier, in {@code [0, T)}
 * @param balances signed balance per collateral asset, length A
 * @param instrumentIds instrument id per position slot, length P ({@code 0} for an empty slot)
 * @param quantities signed quantity in lots per slot, length P ({@code 0} = empty slot)
 * @param fundingSnapshots funding index at the position's last settlement, quote atoms per lot,
 *     length P
 */
public record AccountState(
    long tier, long[] balances, long[] instrumentIds, long[] quantities, long[] fundingSnapshots)
    implements Account {

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public AccountState {
    ArgChecker.notNegative(tier, "tier");
    if (balances == null
        || instrumentIds == null
        || quantities == null
        || fundingSnapshots == null) {
      throw new IllegalArgumentException("balances and position arrays must not be null");
    }
    if (instrumentIds.length != quantities.length || quantities.length != fundingSnapshots.length) {
      throw new IllegalArgumentException("position arrays must have equal lengths");
    }
    for (int j = 0; j < quantities.length; j++) {
      if (quantities[j] != 0 && instrumentIds[j] < 0) {
        throw new IllegalArgumentException("instrument id of slot " + j + " must be >= 0");
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountState a
        && tier == a.tier
        && Arrays.equals(balances, a.balances)
        && Arrays.equals(instrumentIds, a.instrumentIds)
        && Arrays.equals(quantities, a.quantities)
        && Arrays.equals(fundingSnapshots, a.fundingSnapshots);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(balances) * 17 + Arrays.hashCode(quantities);
  }

  @Override
  public String toString() {
    return "AccountState[tier="
        + tier
        + ", balances="
        + Arrays.toString(balances)
        + ", instrumentIds="
        + Arrays.toString(instrumentIds)
        + ", quantities="
        + Arrays.toString(quantities)
        + ", fundingSnapshots="
        + Arrays.toString(fundingSnapshots)
        + "]";
  }
}
