package io.zkmargin.risk.margin;

import static io.zkmargin.risk.util.Math128.carry;
import static io.zkmargin.risk.util.Math128.unsignedMultiplyHigh;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.vector.RiskVector;

/**
 * Account margin exactly as docs/ENCODING.md "Margin" (and hence as the health circuit recomputes
 * it):
 *
 * <pre>
 *   E      = sum_a b[a]*price[a] + N * sum_j q_j * (mark_j - (fundingIndex_j - snap_j)),
 *            price[a] = cp[a] (haircut) if b[a] >= 0, dp[a] (debt price, no haircut) if b[a] < 0
 *   L[s]   = -(sum_a b[a]*C[a][s] + N * sum_j q_j * Rmm_j[s])
 *   MMcore = max(0, max_s L[s]);  MM = (MMcore + N * sum_j |q_j| * floorMm_j) * tierFactorPpm[tier]
 *   IM alike with Rim and floorIm; N = 10^9
 * </pre>
 *
 * The hot path uses primitive longs and 128-bit (hi, lo) pairs and allocates nothing: the caller
 * passes a reusable {@link MarginResult}. Position dot products run in plain {@code long} after a
 * per-account bound check ({@code sum |q| * max|R| < 2^62}); collateral products and the final sums
 * are exact 128-bit. A value that does not fit (|E|, MM or IM beyond 2^127, or the position bound)
 * throws {@link ArithmeticException}. Stateless; use {@link #DEFAULT}.
 */
public final class MarginCalculator {
  /** The shared stateless instance. */
  public static final MarginCalculator DEFAULT = new MarginCalculator();

  /** Nano quote atoms per quote atom. */
  public static final long N = 1_000_000_000L;

  private static final long POSITION_BOUND = 1L << 62;

  private MarginCalculator() {}

  /**
   * Margin of an account, into a reusable result (no allocation).
   *
   * @param vector risk vector of the epoch
   * @param leaf the account (balances in venue atoms, quantities in lots, snapshots in quote atoms
   *     per lot)
   * @param out result holder with {@code out.scenarios() == vector.scenarios()}; overwritten
   * @throws IllegalArgumentException on size mismatch, a bad tier or a position in an unlisted
   *     instrument
   * @throws ArithmeticException if a value does not fit the documented bounds
   */
  public void evaluate(RiskVector vector, Account leaf, MarginResult out) {
    evaluate(
        vector,
        leaf.tier(),
        leaf.balances(),
        leaf.instrumentIds(),
        leaf.quantities(),
        leaf.fundingSnapshots(),
        out);
  }

  /**
   * Margin of an account into a new result (allocates; convenience).
   *
   * @see #evaluate(RiskVector, Account, MarginResult)
   */
  public MarginResult evaluate(RiskVector vector, Account leaf) {
    MarginResult r = new MarginResult(vector.scenarios());
    evaluate(vector, leaf, r);
    return r;
  }

  /**
   * Margin of an account given as primitive arrays (no allocation).
   *
   * @param vector risk vector
   * @param tier risk tier, in {@code [0, T)}
   * @param balances signed balance per asset, venue atoms, length A
   * @param ids instrument id per slot (ignored where the quantity is 0)
   * @param quantities signed lots per slot
   * @param snapshots funding snapshot per slot, quote atoms per lot
   * @param out reusable result holder
   */
  public void evaluate(
      RiskVector vector,
      long tier,
      long[] balances,
      long[] ids,
      long[] quantities,
      long[] snapshots,
      MarginResult out) {
    final int sc = vector.scenarios();
    final long[] tiers = vector.tierFactorArray();
    final long[] cp = vector.collateralPriceArray();
    final long[] dp = vector.debtPriceArray();
    if (out.scenarios != sc) {
      throw new IllegalArgumentException(
          "result holder has " + out.scenarios + " scenarios, vector " + sc);
    }
    if (balances.length != cp.length) {
      throw new IllegalArgumentException(
          "account has " + balances.length + " balances, vector " + cp.length + " assets");
    }
    if (tier < 0 || tier >= tiers.length) {
      throw new IllegalArgumentException("tier " + tier + " outside [0, " + tiers.length + ")");
    }
    if (ids.length != quantities.length || snapshots.length != quantities.length) {
      throw new IllegalArgumentException("position arrays differ in length");
    }
    final long[] cs = vector.collateralScenarioArray();
    final long[] collHi = out.collHi;
    final long[] collLo = out.collLo;
    final long[] posMm = out.posMm;
    final long[] posIm = out.posIm;

    // collateral: equity part and scenario values, exact 128-bit
    long eHi = 0;
    long eLo = 0;
    for (int s = 0; s < sc; s++) {
      collHi[s] = 0;
      collLo[s] = 0;
      posMm[s] = 0;
      posIm[s] = 0;
    }
    // fast path: all collateral scenario products fit one long sum
    final long[] maxC = vector.maxAbsCollateralScenarioArray();
    long collBound = 0;
    boolean collFast = true;
    for (int a = 0; a < balances.length; a++) {
      long ab = Math.abs(balances[a]);
      if (ab < 0 || Math.multiplyHigh(ab, maxC[a]) != 0) {
        collFast = false;
        break;
      }
      collBound += ab * maxC[a];
      if (collBound < 0 || collBound >= POSITION_BOUND) {
        collFast = false;
        break;
      }
    }
    for (int a = 0; a < balances.length; a++) {
      long b = balances[a];
      if (b == 0) {
        continue;
      }
      long price = b < 0 ? dp[a] : cp[a]; // a debt is valued without the haircut
      long pl = b * price;
      long ph = Math.multiplyHigh(b, price);
      long lo = eLo + pl;
      eHi = Math.addExact(Math.addExact(eHi, ph), carry(eLo, pl, lo));
      eLo = lo;
      if (maxC[a] == 0) {
        continue;
      }
      int base = a * sc;
      if (collFast) {
        for (int s = 0; s < sc; s++) {
          collLo[s] += b * cs[base + s];
        }
        continue;
      }
      for (int s = 0; s < sc; s++) {
        long c = cs[base + s];
        long ql = b * c;
        long qh = Math.multiplyHigh(b, c);
        long l2 = collLo[s] + ql;
        collHi[s] = Math.addExact(Math.addExact(collHi[s], qh), carry(collLo[s], ql, l2));
        collLo[s] = l2;
      }
    }

    // positions: long arithmetic under a bound
    final long[] mark = vector.markArray();
    final long[] funding = vector.fundingArray();
    final long[] fMm = vector.floorMmArray();
    final long[] fIm = vector.floorImArray();
    final long[] rmm = vector.rmmArray();
    final long[] rim = vector.rimArray();
    final long[] maxR = vector.maxAbsRArray();
    long value = 0;
    long floorMmSum = 0;
    long floorImSum = 0;
    long bound = 0;
    for (int j = 0; j < quantities.length; j++) {
      long q = quantities[j];
      if (q == 0) {
        continue;
      }
      long id = ids[j];
      if (!vector.has(id)) {
        throw new IllegalArgumentException(
            "slot " + j + " holds instrument " + id + ", which the risk vector does not list");
      }
      int i = (int) id;
      long aq = Math.abs(q);
      if (aq < 0) {
        throw new ArithmeticException("quantity " + q + " out of range");
      }
      bound = Math.addExact(bound, Math.multiplyExact(aq, maxR[i]));
      if (bound >= POSITION_BOUND) {
        throw new ArithmeticException("positions too large: sum |q| * max|R| >= 2^62 quote atoms");
      }
      long unsettled = Math.subtractExact(mark[i], Math.subtractExact(funding[i], snapshots[j]));
      value = Math.addExact(value, Math.multiplyExact(q, unsettled));
      floorMmSum = Math.addExact(floorMmSum, Math.multiplyExact(aq, fMm[i]));
      floorImSum = Math.addExact(floorImSum, Math.multiplyExact(aq, fIm[i]));
      int base = i * sc;
      for (int s = 0; s < sc; s++) {
        posMm[s] += q * rmm[base + s];
        posIm[s] += q * rim[base + s];
      }
    }
    // E += N * value
    {
      long pl = value * N;
      long ph = Math.multiplyHigh(value, N);
      long lo = eLo + pl;
      eHi = Math.addExact(Math.addExact(eHi, ph), carry(eLo, pl, lo));
      eLo = lo;
    }
    out.eHi = eHi;
    out.eLo = eLo;

    // scenarios: L[s] = -(coll[s] + N * pos[s]); core = max(0, max_s L[s])
    long mmH = 0;
    long mmL = 0;
    long imH = 0;
    long imL = 0;
    int worstMm = -1;
    int worstIm = -1;
    final long[] lossHi = out.lossHi;
    final long[] lossLo = out.lossLo;
    if (collFast) {
      // |coll| < 2^62 and |N * pos| < 2^92: no 128-bit sum can overflow, plain arithmetic suffices
      for (int s = 0; s < sc; s++) {
        long cl = collLo[s];
        long ch = cl >> 63;
        long p = posMm[s];
        long lo = cl + p * N;
        long hi = ch + Math.multiplyHigh(p, N) + carry(cl, p * N, lo);
        long nl = -lo;
        long nh = ~hi + (lo == 0 ? 1 : 0);
        lossHi[s] = nh;
        lossLo[s] = nl;
        if (nh > mmH || (nh == mmH && Long.compareUnsigned(nl, mmL) > 0)) {
          mmH = nh;
          mmL = nl;
          worstMm = s;
        }
        p = posIm[s];
        lo = cl + p * N;
        hi = ch + Math.multiplyHigh(p, N) + carry(cl, p * N, lo);
        nl = -lo;
        nh = ~hi + (lo == 0 ? 1 : 0);
        if (nh > imH || (nh == imH && Long.compareUnsigned(nl, imL) > 0)) {
          imH = nh;
          imL = nl;
          worstIm = s;
        }
      }
    } else {
      for (int s = 0; s < sc; s++) {
        long ch = collHi[s];
        long cl = collLo[s];
        long p = posMm[s];
        long lo = cl + p * N;
        long hi = Math.addExact(Math.addExact(ch, Math.multiplyHigh(p, N)), carry(cl, p * N, lo));
        long nl = -lo;
        long nh = Math.addExact(~hi, lo == 0 ? 1 : 0);
        lossHi[s] = nh;
        lossLo[s] = nl;
        if (nh > mmH || (nh == mmH && Long.compareUnsigned(nl, mmL) > 0)) {
          mmH = nh;
          mmL = nl;
          worstMm = s;
        }
        p = posIm[s];
        lo = cl + p * N;
        hi = Math.addExact(Math.addExact(ch, Math.multiplyHigh(p, N)), carry(cl, p * N, lo));
        nl = -lo;
        nh = Math.addExact(~hi, lo == 0 ? 1 : 0);
        if (nh > imH || (nh == imH && Long.compareUnsigned(nl, imL) > 0)) {
          imH = nh;
          imL = nl;
          worstIm = s;
        }
      }
    }
    out.mmCoreHi = mmH;
    out.mmCoreLo = mmL;
    out.imCoreHi = imH;
    out.imCoreLo = imL;
    out.worstMm = worstMm;
    out.worstIm = worstIm;
    long t = tiers[(int) tier];
    out.tierPpm = t;
    // MM = (core + N * floorSum) * tier
    {
      long fl = floorMmSum * N;
      long fh = Math.multiplyHigh(floorMmSum, N);
      long lo = mmL + fl;
      long hi = Math.addExact(Math.addExact(mmH, fh), carry(mmL, fl, lo));
      out.mmLo = lo * t;
      out.mmHi = scaleHigh(hi, lo, t);
    }
    {
      long fl = floorImSum * N;
      long fh = Math.multiplyHigh(floorImSum, N);
      long lo = imL + fl;
      long hi = Math.addExact(Math.addExact(imH, fh), carry(imL, fl, lo));
      out.imLo = lo * t;
      out.imHi = scaleHigh(hi, lo, t);
    }
  }

  /**
   * High word of the non-negative 128-bit (hi:lo) times t (0 <= t < 2^32), checking that the
   * product < 2^127.
   */
  private static long scaleHigh(long hi, long lo, long t) {
    long carry = unsignedMultiplyHigh(lo, t);
    if (Math.multiplyHigh(hi, t) != 0) {
      throw new ArithmeticException("margin exceeds 2^127");
    }
    long h = Math.addExact(hi * t, carry);
    if (h < 0) {
      throw new ArithmeticException("margin exceeds 2^127");
    }
    return h;
  }
}
