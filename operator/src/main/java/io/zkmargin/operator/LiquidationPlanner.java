package io.zkmargin.operator;

import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.Rule;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;

/**
 * Chooses the takes and the penalty of the operator's liquidation of one account at the ledger's
 * current batch (docs/LIQUIDATION.md section 2), with {@link Ledger#checkLiquidation} (a dry run)
 * as the only judge, so the plan obeys exactly the rules the ledger and the batch circuit apply.
 *
 * <p>The liquidator takes from one position only, the account's largest by notional at the
 * committed marks (or, without positions, its largest non-quote collateral balance): the "one unit
 * less of every non-zero take" of the close factor is then one lot less of that take, so the
 * verdict is OK for every take up to the smallest one that restores the close target (or the whole
 * position when none does) and CLOSE_FACTOR above it; a binary search finds that largest accepted
 * take (also the most the liquidator can hold while meeting IM). At each take the penalty is the
 * largest the rules allow ({@code ceil(penaltyPpm * notional / 10^6)}, capped at the account's
 * equity), found by a binary search on {@code PENALTY_TOO_HIGH}. An account with several positions
 * is liquidated one position per request; the keeper asks again at the next risk root if it is
 * still liquidatable.
 */
final class LiquidationPlanner {
  private LiquidationPlanner() {}

  /**
   * A plan: the message to sign (null when refused) and the ledger's verdict.
   *
   * @param rule OK, or the rule the smallest possible liquidation breaks
   */
  record Plan(Rule rule, LiquidationMessage message) {}

  /**
   * Plans the liquidation of {@code accountId} by {@code liquidatorId} for {@code keeper} at the
   * ledger's current batch and the liquidator's current nonce.
   *
   * @param ledger the ledger, in a batch
   * @param keeper the keeper's L1 address, 0 for none
   */
  static Plan plan(Ledger ledger, long accountId, long liquidatorId, BigInteger keeper) {
    ArgChecker.notNull(ledger, "ledger");
    ArgChecker.notNull(keeper, "keeper");
    if (!ledger.isRegistered(accountId) || !ledger.isRegistered(liquidatorId)) {
      return new Plan(Rule.UNKNOWN_ACCOUNT, null);
    }
    if (accountId == liquidatorId) {
      return new Plan(Rule.SAME_ACCOUNT, null);
    }
    int p = ledger.config().sizes().positionSlots();
    int a = ledger.config().sizes().collateralAssets();
    // the position with the largest notional at the committed marks, else the largest collateral
    int slot = largestPosition(ledger, accountId);
    int asset = -1;
    if (slot < 0) {
      long most = 0;
      for (int k = 1; k < a; k++) {
        long b = ledger.balance(accountId, k);
        if (b > most) {
          most = b;
          asset = k;
        }
      }
      if (asset < 0) {
        // nothing to take: NOT_LIQUIDATABLE for a healthy account (the ledger checks that first),
        // else NOTHING_TO_TAKE (closed out in debt: a case for the insurance fund)
        return new Plan(
            ledger.checkLiquidation(accountId, liquidatorId, keeper, new long[p], new long[a], 0),
            null);
      }
    }
    long size =
        slot >= 0 ? Math.abs(ledger.quantity(accountId, slot)) : ledger.balance(accountId, asset);
    long sign = slot >= 0 ? Long.signum(ledger.quantity(accountId, slot)) : 1;
    Search s = new Search(ledger, accountId, liquidatorId, keeper, p, a, slot, asset, sign);
    Rule first = s.verdict(1);
    if (!first.isOk()) {
      return new Plan(first, null);
    }
    long lo = 1; // accepted
    long hi = size; // largest candidate
    if (s.verdict(hi).isOk()) {
      lo = hi;
    }
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (s.verdict(mid).isOk()) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    long pen = s.penalty(lo);
    Rule r = s.verdict(lo);
    return new Plan(
        r,
        new LiquidationMessage(
            ledger.riskCommitment().riskRoot(),
            keeper,
            accountId,
            liquidatorId,
            ledger.nonce(liquidatorId),
            pen,
            s.lots(lo),
            s.atoms(lo)));
  }

  /**
   * The account's position slot with the largest notional {@code |q| * |mark|} at the ledger's
   * committed marks (the first on a tie), or -1 when it holds no position.
   *
   * @param ledger the ledger, in a batch
   * @param accountId a registered account
   */
  static int largestPosition(Ledger ledger, long accountId) {
    int slot = -1;
    BigInteger best = BigInteger.ZERO;
    var entries = ledger.riskCommitment().entries();
    for (int j = 0; j < ledger.config().sizes().positionSlots(); j++) {
      long q = ledger.quantity(accountId, j);
      if (q == 0) {
        continue;
      }
      var e = entries.get(ledger.instrumentId(accountId, j));
      BigInteger n =
          BigInteger.valueOf(q).abs().multiply(BigInteger.valueOf(e == null ? 0 : e.mark()).abs());
      if (slot < 0 || n.compareTo(best) > 0) {
        slot = j;
        best = n;
      }
    }
    return slot;
  }

  /** The dry runs of one account's plan. */
  private record Search(
      Ledger ledger,
      long accountId,
      long liquidatorId,
      BigInteger keeper,
      int p,
      int a,
      int slot,
      int asset,
      long sign) {
    long[] lots(long take) {
      long[] t = new long[p];
      if (slot >= 0) {
        t[slot] = sign * take;
      }
      return t;
    }

    long[] atoms(long take) {
      long[] t = new long[a];
      if (asset >= 0) {
        t[asset] = take;
      }
      return t;
    }

    Rule check(long take, long penalty) {
      return ledger.checkLiquidation(
          accountId, liquidatorId, keeper, lots(take), atoms(take), penalty);
    }

    /** The largest penalty not refused as PENALTY_TOO_HIGH at this take. */
    long penalty(long take) {
      Rule r0 = check(take, 0);
      if (r0 != Rule.OK && r0 != Rule.CLOSE_FACTOR && r0 != Rule.LIQUIDATOR_IM_BROKEN) {
        return 0; // refused before the penalty is looked at: the verdict will say why
      }
      long lo = 0;
      long hi = 1;
      while (hi < (1L << 62) && check(take, hi) != Rule.PENALTY_TOO_HIGH) {
        lo = hi;
        hi <<= 1;
      }
      while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        if (check(take, mid) == Rule.PENALTY_TOO_HIGH) {
          hi = mid;
        } else {
          lo = mid;
        }
      }
      return lo;
    }

    Rule verdict(long take) {
      return check(take, penalty(take));
    }
  }
}
