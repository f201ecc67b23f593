package io.zkmargin.risk.margin;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.RiskVector;

/**
 * Pre-trade what-ifs on the exact margin: the largest withdrawal of an asset and the largest order
 * of an instrument after which the account still meets initial margin ({@code E * 10^6 >= max(IM,
 * MM)}, see {@link MarginResult#meetsInitialMargin()}).
 *
 * <p>Both searches rely on convexity: IM and MM are maxima of functions linear in the traded amount
 * plus a floor on |q|, so the amounts that keep them form an interval; if the account meets IM now,
 * the largest one is found by an exact binary search (about 64 margin evaluations). If the account
 * does not meet IM now, both return 0. Orders execute at the mark (the quote balance pays {@code
 * lots * mark}; funding settles into the quote balance), without fees. Stateless; use {@link
 * #DEFAULT}.
 */
public final class PreTradeCheck {
  /** The shared stateless instance. */
  public static final PreTradeCheck DEFAULT = new PreTradeCheck();

  private PreTradeCheck() {}

  /**
   * The largest amount of asset {@code asset} that can be withdrawn keeping initial margin, venue
   * atoms, in {@code [0, max(0, balance)]}.
   *
   * @param vector risk vector
   * @param leaf account
   * @param asset asset index, in {@code [0, A)}
   * @return venue atoms, {@code >= 0}
   */
  public long largestWithdrawal(RiskVector vector, Account leaf, int asset) {
    ArgChecker.isTrue(
        asset >= 0 && asset < leaf.balances().length,
        "asset {} outside [0, {})",
        asset,
        leaf.balances().length);
    long[] balances = leaf.balances().clone();
    long original = balances[asset];
    MarginResult r = new MarginResult(vector.scenarios());
    if (!meets(vector, leaf, balances, leaf.quantities(), r) || original <= 0) {
      return 0;
    }
    long lo = 0;
    long hi = original;
    while (lo < hi) {
      long mid = lo + (hi - lo + 1) / 2;
      balances[asset] = original - mid;
      if (meets(vector, leaf, balances, leaf.quantities(), r)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * The largest order in lots of instrument {@code instrumentId} on side {@code buy} that keeps
   * initial margin.
   *
   * @param vector risk vector (must list the instrument)
   * @param leaf account
   * @param instrumentId instrument to trade
   * @param buy true for a buy (quantity increases), false for a sell
   * @param maxLots upper end of the search, {@code >= 0}
   * @return lots in {@code [0, maxLots]}; 0 if the account has no slot for the instrument or does
   *     not meet IM now
   */
  public long largestOrder(
      RiskVector vector, Account leaf, long instrumentId, boolean buy, long maxLots) {
    ArgChecker.isTrue(
        vector.has(instrumentId), "instrument {} is not in the risk vector", instrumentId);
    ArgChecker.notNegative(maxLots, "maxLots");
    long[] ids = leaf.instrumentIds().clone();
    long[] qty = leaf.quantities().clone();
    long[] snaps = leaf.fundingSnapshots().clone();
    int slot = -1;
    for (int j = 0; j < qty.length; j++) {
      if (qty[j] != 0 && ids[j] == instrumentId) {
        slot = j;
        break;
      }
    }
    if (slot < 0) {
      for (int j = 0; j < qty.length; j++) {
        if (qty[j] == 0) {
          slot = j;
          ids[j] = instrumentId;
          snaps[j] = vector.fundingArray()[(int) instrumentId];
          break;
        }
      }
    }
    MarginResult r = new MarginResult(vector.scenarios());
    if (slot < 0 || !meets(vector, leaf, leaf.balances(), leaf.quantities(), r)) {
      return 0;
    }
    long q0 = qty[slot];
    long[] balances = leaf.balances().clone();
    long b0 = balances[0];
    long mark = vector.markArray()[(int) instrumentId];
    long lo = 0;
    long hi = maxLots;
    while (lo < hi) {
      long mid = lo + (hi - lo + 1) / 2;
      boolean ok;
      try {
        long dq = buy ? mid : -mid;
        qty[slot] = Math.addExact(q0, dq);
        balances[0] = Math.subtractExact(b0, Math.multiplyExact(dq, mark));
        MarginCalculator.DEFAULT.evaluate(vector, leaf.tier(), balances, ids, qty, snaps, r);
        ok = r.meetsInitialMargin();
      } catch (ArithmeticException e) {
        ok = false;
      }
      if (ok) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private static boolean meets(
      RiskVector v, Account leaf, long[] balances, long[] qty, MarginResult r) {
    MarginCalculator.DEFAULT.evaluate(
        v, leaf.tier(), balances, leaf.instrumentIds(), qty, leaf.fundingSnapshots(), r);
    return r.meetsInitialMargin();
  }
}
