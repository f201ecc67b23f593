package io.zkmargin.ledger;

import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.RiskVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The keeper's scan (docs/LIQUIDATION.md): which accounts are liquidatable ({@code E * 10^6 < MM})
 * at a new risk vector, over the ledger's flat primitive arrays (exchange-core layout: account i's
 * balances at {@code [i * A, (i + 1) * A)}, its slots at {@code [i * P, (i + 1) * P)}). Each thread
 * margins a contiguous range of accounts with {@link MarginCalculator} into its own reusable {@link
 * MarginResult} and scratch arrays: nothing is allocated per account. An account the vector cannot
 * margin (a position in an instrument it does not list, or beyond the margin bounds) is reported
 * too: the keeper must look at it.
 *
 * <p>Eligibility is "liquidatable and something to take" ({@link #hasTake}), the rule of the
 * eligibility circuit and of the batch circuit's liquidation slot: an account already closed out
 * (no position, no positive non-quote balance), even in debt, is the insurance fund's, never a
 * keeper's request (one could never be answered, and the hatch would freeze after its grace
 * period).
 */
public final class LiquidationScan {
  private LiquidationScan() {}

  /**
   * Whether a liquidation could take something from an account: one of its position quantities is
   * non-zero, or one of its non-quote balances is positive (a take is {@code 0 < |t| <= |q|} lots
   * of a position's sign, or {@code 0 < c <= balance} atoms of a non-quote asset; the quote asset
   * is never taken). The eligibility circuit proves the same ({@code circuits/liquidation},
   * Takeable).
   *
   * @param bal balances, venue atoms; the account's A entries start at {@code balFrom}
   * @param balFrom the index of the account's quote balance in {@code bal}
   * @param assets A
   * @param qty quantities, lots; the account's P entries start at {@code qtyFrom}
   * @param qtyFrom the index of the account's slot 0 in {@code qty}
   * @param slots P
   * @return true iff some take is possible
   */
  public static boolean hasTake(
      long[] bal, int balFrom, int assets, long[] qty, int qtyFrom, int slots) {
    for (int j = 0; j < slots; j++) {
      if (qty[qtyFrom + j] != 0) {
        return true;
      }
    }
    for (int k = 1; k < assets; k++) {
      if (bal[balFrom + k] > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The ids of the registered accounts that are liquidatable at {@code vector} and hold something
   * to take ({@link #hasTake}), ascending.
   *
   * @param vector the risk vector (S, A, T as the accounts')
   * @param accounts accounts {@code [0, accounts)} are scanned
   * @param slots P, position slots per account
   * @param registered per account, null for all registered
   * @param tier per account
   * @param bal balances, A per account, venue atoms
   * @param ids instrument ids, P per account
   * @param qty quantities, P per account, lots
   * @param snap funding snapshots, P per account
   * @param threads worker threads, {@code >= 1}
   * @return the liquidatable (or unmarginable) account ids with something to take, ascending
   */
  public static long[] scan(
      RiskVector vector,
      int accounts,
      int slots,
      boolean[] registered,
      long[] tier,
      long[] bal,
      long[] ids,
      long[] qty,
      long[] snap,
      int threads) {
    ArgChecker.notNull(vector, "vector");
    ArgChecker.isTrue(accounts >= 0 && tier.length >= accounts, "tier needs {} entries", accounts);
    ArgChecker.isTrue(threads >= 1, "threads must be >= 1, was {}", threads);
    int assets = vector.collateralPriceArray().length;
    ArgChecker.isTrue(bal.length >= (long) accounts * assets, "bal needs A entries per account");
    ArgChecker.isTrue(slots >= 1, "slots must be >= 1, was {}", slots);
    ArgChecker.isTrue(
        ids.length >= (long) accounts * slots
            && qty.length >= (long) accounts * slots
            && snap.length >= (long) accounts * slots,
        "ids, qty, snap need P entries per account");
    if (threads == 1 || accounts < 10_000) {
      return range(vector, 0, accounts, registered, tier, bal, ids, qty, snap, assets, slots);
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<long[]>> parts = new ArrayList<>();
      int chunk = (accounts + threads - 1) / threads;
      for (int t = 0; t < threads; t++) {
        int from = Math.min(accounts, t * chunk);
        int to = Math.min(accounts, from + chunk);
        parts.add(
            pool.submit(
                () ->
                    range(vector, from, to, registered, tier, bal, ids, qty, snap, assets, slots)));
      }
      long[][] found = new long[threads][];
      int n = 0;
      for (int t = 0; t < threads; t++) {
        found[t] = parts.get(t).get();
        n += found[t].length;
      }
      long[] out = new long[n];
      int k = 0;
      for (long[] f : found) {
        System.arraycopy(f, 0, out, k, f.length);
        k += f.length;
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("scan interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("scan failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static long[] range(
      RiskVector vector,
      int from,
      int to,
      boolean[] registered,
      long[] tier,
      long[] bal,
      long[] ids,
      long[] qty,
      long[] snap,
      int assets,
      int slots) {
    MarginResult m = new MarginResult(vector.scenarios());
    long[] b = new long[assets];
    long[] in = new long[slots];
    long[] q = new long[slots];
    long[] sn = new long[slots];
    long[] out = new long[64];
    int n = 0;
    for (int i = from; i < to; i++) {
      if (registered != null && !registered[i]
          || !hasTake(bal, i * assets, assets, qty, i * slots, slots)) {
        continue; // nothing to take: the fund's case (absorbLoss), not a liquidation
      }
      System.arraycopy(bal, i * assets, b, 0, assets);
      System.arraycopy(ids, i * slots, in, 0, slots);
      System.arraycopy(qty, i * slots, q, 0, slots);
      System.arraycopy(snap, i * slots, sn, 0, slots);
      boolean hit;
      try {
        MarginCalculator.DEFAULT.evaluate(vector, tier[i], b, in, q, sn, m);
        hit = m.isLiquidatable();
      } catch (RuntimeException e) {
        hit = true; // cannot be margined at this vector: the keeper must look at it
      }
      if (hit) {
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
