package io.zkmargin.ledger;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.risk.util.ArgChecker;

/**
 * The sizes a ledger keeps its accounts in (docs/BATCH.md section 5).
 *
 * @param sizes D (account ids), DI, P (position slots), A (assets), S, T of the account leaf
 * @param orderDepth K, depth of each account's order-fill subtree (slot = orderId mod 2^K), in
 *     {@code [1, 16]}
 * @param legs L, legs per order, in {@code [1, 16]}
 * @param feeAccountId the account credited with trading fees (docs/BATCH.md: account 0)
 */
public record LedgerConfig(CircuitSizes sizes, int orderDepth, int legs, long feeAccountId) {
  /** The test sizes: D6 I3 P2 A2 S4 T2, K2, L2, fees to account 0. */
  public static final LedgerConfig TEST = new LedgerConfig(CircuitSizes.TEST, 2, 2, 0);

  /** The production sizes: D32 I12 P8 A4 S16 T4, K8, L4, fees to account 0. */
  public static final LedgerConfig PRODUCTION = new LedgerConfig(CircuitSizes.PRODUCTION, 8, 4, 0);

  public LedgerConfig {
    ArgChecker.notNull(sizes, "sizes");
    ArgChecker.inRange(orderDepth, 1, 16, "orderDepth");
    ArgChecker.inRange(legs, 1, 16, "legs");
    ArgChecker.inRangeExclusive(feeAccountId, 0, 1L << sizes.stateDepth(), "feeAccountId");
  }
}
