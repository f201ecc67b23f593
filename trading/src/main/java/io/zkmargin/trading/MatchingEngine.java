package io.zkmargin.trading;

import io.zkmargin.risk.account.Account;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order books and matching engine: limit orders on single instruments and combos, price-time
 * priority per book, combo-vs-combo and implied (combo-vs-single-leg) matching, self-trade
 * prevention, and the pre-trade margin check. Single-threaded; every public method runs on the
 * caller's thread.
 *
 * <p>Hot path in primitive arithmetic (exchange-core style): orders live in parallel primitive
 * arrays indexed by an int handle, price levels in sorted primitive arrays (best last), an
 * open-addressing map finds orders by (account, order id); a single-leg order allocates nothing
 * unless an array grows.
 *
 * <p>A book is a strategy: its legs (instrument ids, increasing) and ratios with the first ratio
 * positive; a single instrument is the strategy of one leg with ratio +1. An order whose ratios
 * equal the strategy's buys it at most at {@code limitPrice} per unit (a bid); one whose ratios are
 * the negation sells it at least at {@code -limitPrice} (an ask). A fill happens at the maker's
 * price; for a combo the engine splits that net into leg prices near the marks so that {@code sum_l
 * ratio[l] * legPrice[l]} equals it exactly (the ratios of a combo have no common factor, so every
 * integer net is reachable).
 *
 * <p>Risk state per account: the actual position and quote balance (moved by fills as BATCH.md's
 * trade moves them, funding settled on each position change) and the worst case "every open order
 * filled at its limit" state that the pre-trade check margins. An account uses at most P position
 * slots for positions and the instruments of its open orders, so that the ledger never meets
 * NO_FREE_SLOT.
 */
public final class MatchingEngine {
  static final byte BUY = 0;
  static final byte SELL = 1;
  private static final int L = Order.MAX_LEGS;
  private static final long MAX_ORDER_ID = 1L << 62;
  private static final long MAX_RATIO = 1L << 16;
  private static final BigInteger PPM = BigInteger.valueOf(1_000_000L);

  private final RiskVector vector;
  private final long[] mark;
  private final long[] funding;
  private final int slotMask;
  private final TradeListener listener;
  private final MarginResult mr;
  private final PlaceResult result = new PlaceResult();
  private boolean marginCheck = true;
  private long feeAccountId = 0;

  // accounts
  private final PairIntMap accountIndex = new PairIntMap(64);
  private Acct[] accts = new Acct[16];
  private int nAccts;

  // orders, by handle
  private int cap = 1024;
  private int[] oAcct = new int[cap];
  private long[] oId = new long[cap];
  private long[] oQty = new long[cap];
  private long[] oFilled = new long[cap];
  private long[] oLimit = new long[cap];
  private long[] oFee = new long[cap];
  private long[] oExpiry = new long[cap];
  private long[] oPrice = new long[cap];
  private int[] oBook = new int[cap];
  private byte[] oSide = new byte[cap];
  private boolean[] oReduce = new boolean[cap];
  private boolean[] oResting = new boolean[cap];
  private int[] oNext = new int[cap];
  private int[] oPrev = new int[cap];
  private int[] oAnext = new int[cap];
  private int[] oAprev = new int[cap];
  private int[] oLegs = new int[cap];
  private long[] oLegId = new long[cap * L];
  private long[] oLegRatio = new long[cap * L];
  private int freeHead = -1;
  private int nextHandle;

  // books
  private int nBooks;
  private BookSide[] bids = new BookSide[64];
  private BookSide[] asks = new BookSide[64];
  private int[] bookLegs = new int[64];
  private long[] bookLegId = new long[64 * L];
  private long[] bookLegRatio = new long[64 * L];
  private long[] bookCoef = new long[64 * L];
  private final int[] singleBook;
  private final Map<StrategyKey, Integer> comboBooks = new HashMap<>();

  // scratch
  private final long[] legPrice = new long[L];
  private final int[] cLevel = new int[L];
  private final int[] cOrd = new int[L];
  private final long[] cUsed = new long[L];
  private final int[] lastStep = new int[L];
  private final int[] legSteps = new int[L];
  private final int[] legStepsBefore = new int[L];
  private int maxMakersPerLeg = 4;
  private int pn;
  private int[] pLeg = new int[64];
  private int[] pMaker = new int[64];
  private long[] pLots = new long[64];
  private long[] pPrice = new long[64];
  private long[] sAcct = new long[64];
  private long[] sOrder = new long[64];

  /** Per-account state (allocated once at registration). */
  private static final class Acct {
    long id;
    long tier;
    long[] bal;
    long[] wcBal;
    long[] slotId;
    long[] qty;
    long[] wcQty;
    long[] snap;
    int[] refs;
    long[] slotOrder;
    // the live order holding each fill-tree slot, or -1: an account has at most one live order per
    // slot (a newer order id replaces an older one), so (account, orderId) finds it without a map
    int[] slotHandle;
    int head = -1;
  }

  private record StrategyKey(long[] ids, long[] ratios) {
    @Override
    public boolean equals(Object o) {
      return o instanceof StrategyKey k
          && Arrays.equals(ids, k.ids)
          && Arrays.equals(ratios, k.ratios);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(ids) * 31 + Arrays.hashCode(ratios);
    }
  }

  /**
   * An engine over the instruments the risk vector lists.
   *
   * @param vector the epoch's risk vector (marks, funding, margin)
   * @param orderSlotBits K of BATCH.md: an account's order ids share {@code 2^K} fill-tree slots
   * @param listener receives trades and cancels
   */
  public MatchingEngine(RiskVector vector, int orderSlotBits, TradeListener listener) {
    if (vector == null || listener == null) {
      throw new IllegalArgumentException("vector and listener must not be null");
    }
    if (orderSlotBits < 1 || orderSlotBits > 16) {
      throw new IllegalArgumentException("orderSlotBits must be in [1, 16], was " + orderSlotBits);
    }
    this.vector = vector;
    this.mark = vector.markArray();
    this.funding = vector.fundingArray();
    this.slotMask = (1 << orderSlotBits) - 1;
    this.listener = listener;
    this.mr = new MarginResult(vector.scenarios());
    singleBook = new int[mark.length];
    Arrays.fill(singleBook, -1);
    for (int i = 0; i < mark.length; i++) {
      if (vector.has(i)) {
        singleBook[i] = newBook(new long[] {i}, new long[] {1});
      }
    }
    Arrays.fill(oNext, -1);
  }

  /** Turns the pre-trade margin check on (default) or off (orders then only reserve slots). */
  public void setMarginCheck(boolean on) {
    this.marginCheck = on;
  }

  /**
   * The most single-leg maker orders one implied trade takes per leg (the proposed batch
   * transition's J; default 4). A combo unit that needs more makers on one leg is not filled by
   * implied matching.
   */
  public void setMaxMakersPerLeg(int j) {
    if (j < 1 || j > 64) {
      throw new IllegalArgumentException("makers per leg must be in [1, 64], was " + j);
    }
    this.maxMakersPerLeg = j;
  }

  /** The account that receives fees (BATCH.md: account 0); credited when registered. */
  public void setFeeAccount(long accountId) {
    this.feeAccountId = accountId;
  }

  /** The risk vector the engine margins and prices with. */
  public RiskVector vector() {
    return vector;
  }

  /**
   * Registers an account with its current state (balances, positions, tier); the engine copies it.
   *
   * @param accountId account id, {@code >= 0}
   * @param leaf its state
   * @throws IllegalArgumentException if already registered or its sizes do not match the vector
   */
  public void registerAccount(long accountId, Account leaf) {
    if (accountId < 0 || accountIndex.get(accountId, 0) >= 0) {
      throw new IllegalArgumentException("account " + accountId + " negative or registered");
    }
    if (leaf.balances().length != vector.collateralPriceArray().length) {
      throw new IllegalArgumentException("account has the wrong number of balances");
    }
    Acct a = new Acct();
    a.id = accountId;
    a.tier = leaf.tier();
    a.bal = leaf.balances().clone();
    a.wcBal = leaf.balances().clone();
    int p = leaf.quantities().length;
    a.slotId = leaf.instrumentIds().clone();
    a.qty = leaf.quantities().clone();
    a.wcQty = leaf.quantities().clone();
    a.snap = leaf.fundingSnapshots().clone();
    a.refs = new int[p];
    a.slotOrder = new long[slotMask + 1];
    a.slotHandle = new int[slotMask + 1];
    Arrays.fill(a.slotHandle, -1);
    for (int j = 0; j < p; j++) {
      if (a.qty[j] != 0 && !vector.has(a.slotId[j])) {
        throw new IllegalArgumentException("position in unlisted instrument " + a.slotId[j]);
      }
    }
    if (nAccts == accts.length) {
      accts = Arrays.copyOf(accts, nAccts * 2);
    }
    accts[nAccts] = a;
    accountIndex.put(accountId, 0, nAccts);
    nAccts++;
  }

  /**
   * Places an order: checks it at the door (ranges, expiry, replay, post-only, reduce-only,
   * fill-or-kill, position slots, margin), matches it, rests a GTC remainder. The order's signature
   * must have been checked before (on the way in, apart from matching).
   *
   * @param o the order (read, not kept)
   * @param now unix seconds
   * @return the engine's reusable result, valid until the next call
   */
  public PlaceResult place(Order o, long now) {
    PlaceResult r = result;
    r.reset();
    Reject bad = validate(o);
    if (bad != Reject.NONE) {
      return reject(r, bad, null);
    }
    int ai = accountIndex.get(o.accountId, 0);
    if (ai < 0) {
      return reject(r, Reject.UNKNOWN_ACCOUNT, null);
    }
    if (now > o.expiry) {
      return reject(r, Reject.EXPIRED, null);
    }
    Acct a = accts[ai];
    int slot = (int) (o.orderId & slotMask);
    long prev = a.slotOrder[slot];
    if (o.orderId == prev) {
      return reject(r, Reject.REPLAYED, null);
    }
    if (o.orderId < prev) {
      return reject(r, Reject.ORDER_SLOT_TAKEN, null);
    }
    int book;
    byte side;
    if (o.legs == 1) {
      book = singleBook[(int) o.instrumentId[0]];
      side = o.ratio[0] > 0 ? BUY : SELL;
    } else {
      book = comboBook(o);
      side = o.ratio[0] > 0 ? BUY : SELL;
    }
    long price = side == BUY ? o.limitPrice : -o.limitPrice;
    if (o.legs > 1) {
      try {
        splitNet(book, price);
      } catch (ArithmeticException e) {
        return reject(r, Reject.OUT_OF_RANGE, "leg prices of this net price overflow");
      }
    }
    if (o.postOnly && crosses(book, side, price)) {
      return reject(r, Reject.POST_ONLY_WOULD_CROSS, null);
    }
    if (o.reduceOnly) {
      if (o.legs != 1 || reducible(a, o.instrumentId[0], side) == 0) {
        return reject(r, Reject.REDUCE_ONLY_NOT_REDUCING, null);
      }
    }
    int h = allocHandle();
    oAcct[h] = ai;
    oId[h] = o.orderId;
    oQty[h] = o.quantity;
    oFilled[h] = 0;
    oLimit[h] = o.limitPrice;
    oFee[h] = o.feePerUnit;
    oExpiry[h] = o.expiry;
    oPrice[h] = price;
    oBook[h] = book;
    oSide[h] = side;
    oReduce[h] = o.reduceOnly;
    oResting[h] = false;
    oLegs[h] = o.legs;
    for (int l = 0; l < o.legs; l++) {
      oLegId[h * L + l] = o.instrumentId[l];
      oLegRatio[h * L + l] = o.ratio[l];
    }
    Reject res = reserve(h);
    if (res != Reject.NONE) {
      freeHandle(h);
      return reject(r, res, null);
    }
    long want = o.quantity;
    if (o.reduceOnly) {
      want = Math.min(want, reducible(a, o.instrumentId[0], side));
    }
    if (o.timeInForce == Order.TimeInForce.FOK && !fillable(h, want, now)) {
      release(h);
      freeHandle(h);
      return reject(r, Reject.FOK_NOT_FILLABLE, null);
    }
    if (marginCheck && !marginOk(a, h, r)) {
      freeHandle(h);
      return r;
    }
    // accepted: the order takes its fill-tree slot; an older live order there can never fill
    a.slotOrder[slot] = o.orderId;
    int old = a.slotHandle[slot];
    if (old >= 0) {
      cancelInternal(old, Reject.SLOT_REPLACED);
    }
    a.slotHandle[slot] = h;
    linkAccount(a, h);
    long filled = matchBook(h, want, now);
    if (o.legs > 1 && filled < want) {
      filled += implied(h, want - filled, now);
    }
    r.filled = filled;
    if (oFilled[h] == oQty[h]) {
      done(h);
    } else if (oReduce[h] && reducible(a, oLegId[h * L], side) == 0) {
      cancelInternal(h, Reject.NOTHING_TO_REDUCE);
    } else if (o.timeInForce == Order.TimeInForce.GTC) {
      rest(h);
      r.resting = true;
    } else {
      cancelInternal(h, Reject.IOC_REMAINDER);
    }
    return r;
  }

  /**
   * Cancels one live order of the account.
   *
   * @return true if it was live
   */
  public boolean cancel(long accountId, long orderId) {
    int h = live(accountId, orderId);
    if (h < 0) {
      return false;
    }
    cancelInternal(h, Reject.CANCELLED);
    return true;
  }

  /**
   * Cancels every live order of the account.
   *
   * @return how many were cancelled
   */
  public int cancelAll(long accountId) {
    int ai = accountIndex.get(accountId, 0);
    if (ai < 0) {
      return 0;
    }
    int n = 0;
    Acct a = accts[ai];
    while (a.head >= 0) {
      cancelInternal(a.head, Reject.CANCELLED);
      n++;
    }
    return n;
  }

  /** Cancels every resting order whose expiry is before {@code now}; returns how many. */
  public int expire(long now) {
    int n = 0;
    for (int i = 0; i < nAccts; i++) {
      int h = accts[i].head;
      while (h >= 0) {
        int next = oAnext[h];
        if (oExpiry[h] < now) {
          cancelInternal(h, Reject.EXPIRED);
          n++;
        }
        h = next;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- queries (off the hot path)

  /** Best bid of an instrument's single-leg book, quote atoms per lot, or Long.MIN_VALUE. */
  public long bestBid(long instrumentId) {
    BookSide s = bids[singleBook[(int) instrumentId]];
    return s.n == 0 ? Long.MIN_VALUE : s.keys[s.n - 1];
  }

  /** Best ask of an instrument's single-leg book, quote atoms per lot, or Long.MAX_VALUE. */
  public long bestAsk(long instrumentId) {
    BookSide s = asks[singleBook[(int) instrumentId]];
    return s.n == 0 ? Long.MAX_VALUE : -s.keys[s.n - 1];
  }

  /**
   * The levels of a book, best first.
   *
   * @param ids the strategy's instruments (increasing); one id for a single-leg book
   * @param ratios the strategy's ratios (first positive); {@code {1}} for a single-leg book
   * @param bidSide true for bids
   * @return {price, volume} per level, price in quote atoms per unit (empty if no such book)
   */
  public List<long[]> levels(long[] ids, long[] ratios, boolean bidSide) {
    Integer b =
        ids.length == 1
            ? Integer.valueOf(singleBook[(int) ids[0]])
            : comboBooks.get(key(ids, ratios));
    List<long[]> out = new ArrayList<>();
    if (b == null || b < 0) {
      return out;
    }
    BookSide s = bidSide ? bids[b] : asks[b];
    for (int i = s.n - 1; i >= 0; i--) {
      out.add(new long[] {bidSide ? s.keys[i] : -s.keys[i], s.volume[i]});
    }
    return out;
  }

  /**
   * The live orders of an account: {orderId, quantity, filled, limitPrice} each.
   *
   * @param accountId account
   */
  public List<long[]> openOrders(long accountId) {
    List<long[]> out = new ArrayList<>();
    int ai = accountIndex.get(accountId, 0);
    if (ai >= 0) {
      for (int h = accts[ai].head; h >= 0; h = oAnext[h]) {
        out.add(new long[] {oId[h], oQty[h], oFilled[h], oLimit[h]});
      }
    }
    return out;
  }

  /** Remaining (unfilled) combo units of a live order, or -1 if it is not live. */
  public long remaining(long accountId, long orderId) {
    int h = live(accountId, orderId);
    return h < 0 ? -1 : oQty[h] - oFilled[h];
  }

  /** The account's actual position in an instrument, lots (0 if none). */
  public long position(long accountId, long instrumentId) {
    Acct a = acct(accountId);
    for (int j = 0; j < a.qty.length; j++) {
      if (a.qty[j] != 0 && a.slotId[j] == instrumentId) {
        return a.qty[j];
      }
    }
    return 0;
  }

  /** The account's actual balance of an asset, venue atoms. */
  public long balance(long accountId, int asset) {
    return acct(accountId).bal[asset];
  }

  /** Number of registered accounts. */
  public int accountCount() {
    return nAccts;
  }

  /** Account id of the i-th registered account. */
  public long accountIdAt(int i) {
    return accts[i].id;
  }

  /**
   * The margin of the account's worst case (every open order filled at its limit), the margin the
   * pre-trade check uses, with the liquidation estimate when an estimator is given.
   *
   * @param accountId account
   * @param estimator liquidation price estimator, or null
   * @return the figures (allocates)
   */
  public MarginAnswer marginAnswer(long accountId, LiquidationEstimator estimator) {
    Acct a = acct(accountId);
    MarginResult m = new MarginResult(vector.scenarios());
    MarginCalculator.DEFAULT.evaluate(vector, a.tier, a.wcBal, a.slotId, a.wcQty, a.snap, m);
    var s = m.summary();
    long[] liq =
        estimator == null
            ? new long[] {-1, 0, -1}
            : estimator.estimate(vector, a.slotId, a.wcQty, m, s.equity() - s.maintenanceMargin());
    String u = estimator == null || liq[0] < 0 ? null : estimator.underlying((int) liq[0]);
    return new MarginAnswer(
        s.equity(),
        s.maintenanceMargin(),
        s.initialMargin(),
        s.meetsInitialMargin(),
        u,
        liq[1],
        liq[2]);
  }

  /** The handle of a live order, or -1. */
  private int live(long accountId, long orderId) {
    int ai = accountIndex.get(accountId, 0);
    if (ai < 0 || orderId < 1) {
      return -1;
    }
    int h = accts[ai].slotHandle[(int) (orderId & slotMask)];
    return h >= 0 && oId[h] == orderId ? h : -1;
  }

  private Acct acct(long accountId) {
    int ai = accountIndex.get(accountId, 0);
    if (ai < 0) {
      throw new IllegalArgumentException("unknown account " + accountId);
    }
    return accts[ai];
  }

  // ---------------------------------------------------------------- door

  private Reject validate(Order o) {
    int legs = o.legs;
    if (legs < 1 || legs > L || o.quantity <= 0 || o.quantity >= MAX_ORDER_ID) {
      return Reject.BAD_ORDER;
    }
    if (o.limitPrice == Long.MIN_VALUE) {
      return Reject.BAD_ORDER;
    }
    if (o.orderId < 1 || o.orderId >= MAX_ORDER_ID || o.feePerUnit < 0) {
      return Reject.BAD_ORDER;
    }
    long g = 0;
    for (int l = 0; l < legs; l++) {
      long id = o.instrumentId[l];
      long rt = o.ratio[l];
      if (rt == 0 || rt > MAX_RATIO || rt < -MAX_RATIO) {
        return Reject.BAD_ORDER;
      }
      if (!vector.has(id)) {
        return Reject.UNLISTED_INSTRUMENT;
      }
      if (l > 0 && id <= o.instrumentId[l - 1]) {
        return Reject.LEGS_NOT_CANONICAL;
      }
      g = gcd(g, Math.abs(rt));
    }
    for (int l = legs; l < L; l++) {
      if (o.ratio[l] != 0 || o.instrumentId[l] != 0) {
        return Reject.BAD_ORDER;
      }
    }
    if (legs == 1 && g != 1) {
      return Reject.BAD_ORDER; // a single-leg order trades lots: ratio +1 or -1
    }
    if (g != 1) {
      return Reject.LEGS_NOT_CANONICAL;
    }
    return Reject.NONE;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  private PlaceResult reject(PlaceResult r, Reject why, String detail) {
    r.reject = why;
    r.detail = detail;
    return r;
  }

  private int comboBook(Order o) {
    int legs = o.legs;
    long sign = o.ratio[0] > 0 ? 1 : -1;
    long[] ids = Arrays.copyOf(o.instrumentId, legs);
    long[] rs = new long[legs];
    for (int l = 0; l < legs; l++) {
      rs[l] = o.ratio[l] * sign;
    }
    StrategyKey k = new StrategyKey(ids, rs);
    Integer b = comboBooks.get(k);
    if (b == null) {
      b = newBook(ids, rs);
      comboBooks.put(k, b);
    }
    return b;
  }

  private static StrategyKey key(long[] ids, long[] ratios) {
    return new StrategyKey(ids.clone(), ratios.clone());
  }

  private int newBook(long[] ids, long[] ratios) {
    int b = nBooks++;
    if (b == bids.length) {
      int c = b * 2;
      bids = Arrays.copyOf(bids, c);
      asks = Arrays.copyOf(asks, c);
      bookLegs = Arrays.copyOf(bookLegs, c);
      bookLegId = Arrays.copyOf(bookLegId, c * L);
      bookLegRatio = Arrays.copyOf(bookLegRatio, c * L);
      bookCoef = Arrays.copyOf(bookCoef, c * L);
    }
    bids[b] = new BookSide();
    asks[b] = new BookSide();
    bookLegs[b] = ids.length;
    // coefficients c with sum r_l c_l = 1 (extended Euclid across the legs): any net X is reached
    // by legPrice_l = mark_l + (X - sum r mark) * c_l
    long g = Math.abs(ratios[0]);
    bookCoef[b * L] = Long.signum(ratios[0]);
    for (int l = 0; l < ids.length; l++) {
      bookLegId[b * L + l] = ids[l];
      bookLegRatio[b * L + l] = ratios[l];
      if (l > 0) {
        long r = Math.abs(ratios[l]);
        long[] e = extGcd(g, r);
        for (int j = 0; j < l; j++) {
          bookCoef[b * L + j] *= e[1];
        }
        bookCoef[b * L + l] = e[2] * Long.signum(ratios[l]);
        g = e[0];
      }
    }
    return b;
  }

  /** {g, x, y} with {@code x*a + y*b = g = gcd(a, b)}. */
  private static long[] extGcd(long a, long b) {
    if (b == 0) {
      return new long[] {a, 1, 0};
    }
    long[] e = extGcd(b, a % b);
    return new long[] {e[0], e[2], e[1] - (a / b) * e[2]};
  }

  private boolean crosses(int book, byte side, long price) {
    BookSide opp = side == BUY ? asks[book] : bids[book];
    if (opp.n == 0) {
      return false;
    }
    long best = side == BUY ? -opp.keys[opp.n - 1] : opp.keys[opp.n - 1];
    return side == BUY ? best <= price : best >= price;
  }

  /** Lots the account may still trade on {@code side} to reduce its position in the instrument. */
  private long reducible(Acct a, long instrumentId, byte side) {
    long pos = 0;
    for (int j = 0; j < a.qty.length; j++) {
      if (a.qty[j] != 0 && a.slotId[j] == instrumentId) {
        pos = a.qty[j];
        break;
      }
    }
    return side == SELL ? Math.max(0, pos) : Math.max(0, -pos);
  }

  /** Dry run: can {@code want} units fill now (the order's own book, then implied legs)? */
  private boolean fillable(int h, long want, long now) {
    int ai = oAcct[h];
    byte side = oSide[h];
    long price = oPrice[h];
    BookSide opp = side == BUY ? asks[oBook[h]] : bids[oBook[h]];
    long got = 0;
    for (int lv = opp.n - 1; lv >= 0 && got < want; lv--) {
      long px = side == BUY ? -opp.keys[lv] : opp.keys[lv];
      if (side == BUY ? px > price : px < price) {
        break;
      }
      for (int m = opp.head[lv]; m >= 0 && got < want; m = oNext[m]) {
        got += available(m, ai, now);
      }
    }
    if (got >= want) {
      return true;
    }
    if (oLegs[h] > 1) {
      long planned = plan(h, want - got, now, false);
      pn = 0;
      return got + planned >= want;
    }
    return false;
  }

  /** What maker m can fill against a taker of account ai now (0 for own, expired or no reduce). */
  private long available(int m, int ai, long now) {
    if (oAcct[m] == ai || oExpiry[m] < now) {
      return 0;
    }
    long avail = oQty[m] - oFilled[m];
    if (oReduce[m]) {
      avail = Math.min(avail, reducible(accts[oAcct[m]], oLegId[m * L], oSide[m]));
    }
    return avail;
  }

  // ---------------------------------------------------------------- risk state

  private int slotOf(Acct a, long id) {
    for (int j = 0; j < a.slotId.length; j++) {
      if ((a.qty[j] != 0 || a.refs[j] > 0) && a.slotId[j] == id) {
        return j;
      }
    }
    return -1;
  }

  private int slotOrAlloc(Acct a, long id) {
    int free = -1;
    for (int j = 0; j < a.slotId.length; j++) {
      if (a.qty[j] != 0 || a.refs[j] > 0) {
        if (a.slotId[j] == id) {
          return j;
        }
      } else if (free < 0) {
        free = j;
      }
    }
    if (free >= 0) {
      a.slotId[free] = id;
      a.snap[free] = funding[(int) id];
      a.wcQty[free] = 0;
    }
    return free;
  }

  /** Adds the whole order to the account's worst case; NONE or why not (then nothing changed). */
  private Reject reserve(int h) {
    Acct a = accts[oAcct[h]];
    long q = oQty[h];
    long cost;
    long[] dq = legPrice; // scratch: quantity change per leg
    try {
      cost = Math.multiplyExact(Math.addExact(oLimit[h], oFee[h]), q);
      for (int l = 0; l < oLegs[h]; l++) {
        dq[l] = Math.multiplyExact(oLegRatio[h * L + l], q);
      }
      Math.subtractExact(a.wcBal[0], cost);
    } catch (ArithmeticException e) {
      return Reject.OUT_OF_RANGE;
    }
    int legs = oLegs[h];
    for (int l = 0; l < legs; l++) {
      int s = slotOrAlloc(a, oLegId[h * L + l]);
      if (s < 0) {
        for (int k = 0; k < l; k++) {
          int sk = slotOf(a, oLegId[h * L + k]);
          a.wcQty[sk] -= dq[k];
          a.refs[sk]--;
        }
        return Reject.NO_FREE_SLOT;
      }
      a.wcQty[s] += dq[l];
      a.refs[s]++;
    }
    a.wcBal[0] -= cost;
    return Reject.NONE;
  }

  /** Removes the unfilled rest of the order from the account's worst case. */
  private void release(int h) {
    Acct a = accts[oAcct[h]];
    long rem = oQty[h] - oFilled[h];
    for (int l = 0; l < oLegs[h]; l++) {
      int s = slotOf(a, oLegId[h * L + l]);
      a.wcQty[s] -= oLegRatio[h * L + l] * rem;
      a.refs[s]--;
      if (a.refs[s] == 0 && a.qty[s] == 0) {
        a.slotId[s] = 0;
        a.snap[s] = 0;
        a.wcQty[s] = 0;
      }
    }
    a.wcBal[0] += (oLimit[h] + oFee[h]) * rem;
  }

  /** Applies a fill of {@code units} paying {@code totalNet} quote atoms (BATCH.md trade). */
  private void applyFill(int h, long units, long totalNet) {
    Acct a = accts[oAcct[h]];
    for (int l = 0; l < oLegs[h]; l++) {
      long id = oLegId[h * L + l];
      int s = slotOf(a, id);
      long f = funding[(int) id];
      long q = a.qty[s];
      if (q != 0) {
        long settle = -q * (f - a.snap[s]);
        a.bal[0] += settle;
        a.wcBal[0] += settle;
      }
      a.snap[s] = f;
      a.qty[s] = q + oLegRatio[h * L + l] * units;
    }
    long fee = oFee[h] * units;
    a.bal[0] -= totalNet + fee;
    a.wcBal[0] += oLimit[h] * units - totalNet;
    oFilled[h] += units;
    if (oResting[h]) {
      BookSide bs = oSide[h] == BUY ? bids[oBook[h]] : asks[oBook[h]];
      bs.volume[bs.find(oSide[h] == BUY ? oPrice[h] : -oPrice[h])] -= units;
    }
    if (fee != 0) {
      int fa = accountIndex.get(feeAccountId, 0);
      if (fa >= 0) {
        accts[fa].bal[0] += fee;
        accts[fa].wcBal[0] += fee;
      }
    }
  }

  private boolean marginOk(Acct a, int h, PlaceResult r) {
    MarginResult m = mr;
    try {
      MarginCalculator.DEFAULT.evaluate(vector, a.tier, a.wcBal, a.slotId, a.wcQty, a.snap, m);
    } catch (ArithmeticException e) {
      release(h);
      reject(r, Reject.OUT_OF_RANGE, e.getMessage());
      return false;
    }
    if (m.meetsInitialMargin()) {
      return true;
    }
    // off the fast path: a hedge (an order that does not lower the excess over effective IM) is
    // accepted even when the account is at or beyond its limit
    BigInteger postExcess = excess(m);
    BigInteger postIm = m.initialScaled();
    BigInteger postMm = m.maintenanceScaled();
    long postEquity = m.equityQuoteAtoms();
    long postRequired = m.initialQuoteAtoms();
    release(h);
    MarginCalculator.DEFAULT.evaluate(vector, a.tier, a.wcBal, a.slotId, a.wcQty, a.snap, m);
    BigInteger preExcess = excess(m);
    if (postExcess.compareTo(preExcess) >= 0) {
      reserve(h);
      return true;
    }
    r.figure = postIm.compareTo(postMm) >= 0 ? "IM" : "MM";
    r.required = postRequired;
    r.equity = postEquity;
    reject(
        r,
        Reject.MARGIN,
        "effective initial margin ("
            + r.figure
            + ") "
            + postRequired
            + " quote atoms, equity "
            + postEquity
            + ": short by "
            + (postRequired - postEquity));
    return false;
  }

  private static BigInteger excess(MarginResult m) {
    return m.equityNano().multiply(PPM).subtract(m.initialScaled().max(m.maintenanceScaled()));
  }

  // ---------------------------------------------------------------- matching

  /** Matches taker h against the opposite side of its own book; returns units filled. */
  private long matchBook(int h, long want, long now) {
    int book = oBook[h];
    byte side = oSide[h];
    long limit = oPrice[h];
    int ai = oAcct[h];
    BookSide opp = side == BUY ? asks[book] : bids[book];
    long filled = 0;
    while (want > 0 && opp.n > 0) {
      int lv = opp.n - 1;
      long px = side == BUY ? -opp.keys[lv] : opp.keys[lv];
      if (side == BUY ? px > limit : px < limit) {
        break;
      }
      int m = opp.head[lv];
      while (m >= 0 && want > 0) {
        int next = oNext[m];
        if (oExpiry[m] < now) {
          cancelInternal(m, Reject.EXPIRED);
        } else if (oAcct[m] == ai) {
          cancelInternal(m, Reject.SELF_TRADE); // self-trade prevention: cancel the resting order
        } else {
          long avail = oQty[m] - oFilled[m];
          if (oReduce[m]) {
            avail = Math.min(avail, reducible(accts[oAcct[m]], oLegId[m * L], oSide[m]));
          }
          if (avail == 0) {
            cancelInternal(m, Reject.NOTHING_TO_REDUCE);
          } else {
            long f = Math.min(avail, want);
            trade(m, h, f, px);
            want -= f;
            filled += f;
            if (oFilled[m] == oQty[m]) {
              done(m);
            } else if (oReduce[m] && reducible(accts[oAcct[m]], oLegId[m * L], oSide[m]) == 0) {
              cancelInternal(m, Reject.NOTHING_TO_REDUCE);
            }
          }
        }
        m = next;
      }
    }
    return filled;
  }

  /** A two-order fill at strategy price px (what the strategy's buyer pays per unit). */
  private void trade(int m, int t, long f, long px) {
    int b = oBook[m];
    int legs = bookLegs[b];
    splitNet(b, px); // cannot overflow: px is an order's price, checked at its door
    long netM = oSide[m] == BUY ? px : -px;
    applyFill(m, f, netM * f);
    applyFill(t, f, -netM * f);
    listener.onTrade(
        accts[oAcct[m]].id, oId[m], accts[oAcct[t]].id, oId[t], f, legPrice, legs, netM);
  }

  /**
   * Leg prices near the marks whose net {@code sum r[l] * legPrice[l]} is exactly {@code px}, into
   * {@code legPrice}: one leg of ratio +-1 takes the difference, else the extended-Euclid
   * coefficients of the book spread it.
   *
   * @throws ArithmeticException if a leg price does not fit a long
   */
  private void splitNet(int b, long px) {
    int legs = bookLegs[b];
    if (legs == 1) {
      legPrice[0] = px;
      return;
    }
    long base = 0;
    for (int l = 0; l < legs; l++) {
      base =
          Math.addExact(
              base, Math.multiplyExact(bookLegRatio[b * L + l], mark[(int) bookLegId[b * L + l]]));
    }
    long d = Math.subtractExact(px, base);
    int unit = -1;
    for (int l = 0; l < legs; l++) {
      if (Math.abs(bookLegRatio[b * L + l]) == 1) {
        unit = l;
        break;
      }
    }
    for (int l = 0; l < legs; l++) {
      long mk = mark[(int) bookLegId[b * L + l]];
      long coef = unit >= 0 ? (l == unit ? bookLegRatio[b * L + l] : 0) : bookCoef[b * L + l];
      legPrice[l] = Math.addExact(mk, Math.multiplyExact(d, coef));
    }
  }

  /** Implied matching of combo h against the single-leg books; returns units filled. */
  private long implied(int h, long want, long now) {
    long total = 0;
    while (total < want) {
      long u = impliedOnce(h, want - total, now);
      if (u == 0) {
        break;
      }
      total += u;
    }
    return total;
  }

  /** One implied trade: at most {@code maxMakersPerLeg} maker orders per leg. */
  private long impliedOnce(int h, long want, long now) {
    long units = plan(h, want, now, true);
    if (units == 0) {
      pn = 0;
      return 0;
    }
    int steps = pn;
    long total = 0;
    for (int k = 0; k < steps; k++) {
      int m = pMaker[k];
      long lots = pLots[k];
      long price = pPrice[k];
      long sign = oLegRatio[h * L + pLeg[k]] > 0 ? 1 : -1;
      total += sign * lots * price;
      applyFill(m, lots, -sign * lots * price);
      sAcct[k] = accts[oAcct[m]].id;
      sOrder[k] = oId[m];
    }
    applyFill(h, units, total);
    listener.onImpliedTrade(
        accts[oAcct[h]].id, oId[h], units, total, steps, pLeg, sAcct, sOrder, pLots, pPrice);
    for (int k = 0; k < steps; k++) {
      int m = pMaker[k];
      if (oFilled[m] == oQty[m]) {
        done(m);
      } else {
        if (oReduce[m] && reducible(accts[oAcct[m]], oLegId[m * L], oSide[m]) == 0) {
          cancelInternal(m, Reject.NOTHING_TO_REDUCE);
        }
      }
    }
    pn = 0;
    return units;
  }

  /**
   * Plans up to {@code want} units of combo h against the single-leg books, unit by unit, each
   * unit's net within the combo's limit (marginal unit costs only rise, so the first unit that
   * misses ends the plan). A unit may take from at most {@code maxMakersPerLeg} orders per leg;
   * with {@code capped}, the whole plan too (one implied trade, the proposed circuit's J), else the
   * plan is the sum of the implied trades that {@link #implied} would make one after the other.
   * Fills the plan arrays; changes nothing else.
   */
  private long plan(int h, long want, long now, boolean capped) {
    int legs = oLegs[h];
    int ai = oAcct[h];
    pn = 0;
    for (int l = 0; l < legs; l++) {
      int b = singleBook[(int) oLegId[h * L + l]];
      BookSide s = oLegRatio[h * L + l] > 0 ? asks[b] : bids[b];
      cLevel[l] = s.n - 1;
      cOrd[l] = s.n > 0 ? s.head[s.n - 1] : -1;
      cUsed[l] = 0;
      lastStep[l] = -1;
      legSteps[l] = 0;
    }
    long units = 0;
    long limit = oLimit[h];
    while (units < want) {
      int savePn = pn;
      for (int l = 0; l < legs; l++) {
        stepIdxBefore[l] = lastStep[l];
        stepLotsBefore[l] = lastStep[l] >= 0 ? pLots[lastStep[l]] : 0;
        legStepsBefore[l] = legSteps[l];
      }
      long cost = 0;
      boolean ok = true;
      for (int l = 0; l < legs && ok; l++) {
        long r = oLegRatio[h * L + l];
        int b = singleBook[(int) oLegId[h * L + l]];
        BookSide s = r > 0 ? asks[b] : bids[b];
        long need = Math.abs(r);
        int makers = 0;
        while (need > 0) {
          int m = cOrd[l];
          while (true) {
            if (m < 0) {
              int lv = cLevel[l] - 1;
              if (lv < 0) {
                break;
              }
              cLevel[l] = lv;
              m = s.head[lv];
              cUsed[l] = 0;
              continue;
            }
            if (available(m, ai, now) - cUsed[l] > 0) {
              break;
            }
            m = oNext[m];
            cUsed[l] = 0;
          }
          cOrd[l] = m;
          boolean newStep = lastStep[l] < 0 || pMaker[lastStep[l]] != m;
          if (m < 0
              || ++makers > maxMakersPerLeg
              || (capped && newStep && legSteps[l] == maxMakersPerLeg)) {
            ok = false;
            break;
          }
          long take = Math.min(need, available(m, ai, now) - cUsed[l]);
          cUsed[l] += take;
          need -= take;
          long px = oPrice[m];
          cost += (r > 0 ? px : -px) * take;
          addStep(l, m, take, px);
        }
      }
      if (!ok || cost > limit) {
        // drop the failed unit: its new steps, and the lots it merged into earlier steps (the
        // cursors are not used again)
        pn = savePn;
        for (int l = 0; l < legs; l++) {
          lastStep[l] = stepIdxBefore[l];
          legSteps[l] = legStepsBefore[l];
          if (stepIdxBefore[l] >= 0) {
            pLots[stepIdxBefore[l]] = stepLotsBefore[l];
          }
        }
        break;
      }
      units++;
    }
    return units;
  }

  private final long[] stepLotsBefore = new long[L];
  private final int[] stepIdxBefore = new int[L];

  private void addStep(int leg, int m, long lots, long price) {
    int k = lastStep[leg];
    if (k >= 0 && pMaker[k] == m) {
      pLots[k] += lots;
      return;
    }
    if (pn == pLeg.length) {
      int c = pn * 2;
      pLeg = Arrays.copyOf(pLeg, c);
      pMaker = Arrays.copyOf(pMaker, c);
      pLots = Arrays.copyOf(pLots, c);
      pPrice = Arrays.copyOf(pPrice, c);
      sAcct = Arrays.copyOf(sAcct, c);
      sOrder = Arrays.copyOf(sOrder, c);
    }
    legSteps[leg]++;
    pLeg[pn] = leg;
    pMaker[pn] = m;
    pLots[pn] = lots;
    pPrice[pn] = price;
    lastStep[leg] = pn;
    pn++;
  }

  // ---------------------------------------------------------------- book and list maintenance

  private void rest(int h) {
    BookSide s = oSide[h] == BUY ? bids[oBook[h]] : asks[oBook[h]];
    long key = oSide[h] == BUY ? oPrice[h] : -oPrice[h];
    int lv = s.find(key);
    if (lv < 0) {
      lv = s.insert(-lv - 1, key);
    }
    int t = s.tail[lv];
    oPrev[h] = t;
    oNext[h] = -1;
    if (t >= 0) {
      oNext[t] = h;
    } else {
      s.head[lv] = h;
    }
    s.tail[lv] = h;
    s.volume[lv] += oQty[h] - oFilled[h];
    s.count[lv]++;
    oResting[h] = true;
  }

  private void unrest(int h) {
    BookSide s = oSide[h] == BUY ? bids[oBook[h]] : asks[oBook[h]];
    int lv = s.find(oSide[h] == BUY ? oPrice[h] : -oPrice[h]);
    int p = oPrev[h];
    int n = oNext[h];
    if (p >= 0) {
      oNext[p] = n;
    } else {
      s.head[lv] = n;
    }
    if (n >= 0) {
      oPrev[n] = p;
    } else {
      s.tail[lv] = p;
    }
    s.volume[lv] -= oQty[h] - oFilled[h];
    if (--s.count[lv] == 0) {
      s.removeLevel(lv);
    }
    oResting[h] = false;
  }

  private void linkAccount(Acct a, int h) {
    oAprev[h] = -1;
    oAnext[h] = a.head;
    if (a.head >= 0) {
      oAprev[a.head] = h;
    }
    a.head = h;
  }

  private void unlinkAccount(int h) {
    Acct a = accts[oAcct[h]];
    int p = oAprev[h];
    int n = oAnext[h];
    if (p >= 0) {
      oAnext[p] = n;
    } else {
      a.head = n;
    }
    if (n >= 0) {
      oAprev[n] = p;
    }
  }

  /** A fully filled order leaves the book. */
  private void done(int h) {
    if (oResting[h]) {
      unrest(h);
    }
    unlinkAccount(h);
    accts[oAcct[h]].slotHandle[(int) (oId[h] & slotMask)] = -1;
    release(h);
    freeHandle(h);
  }

  private void cancelInternal(int h, Reject why) {
    long rem = oQty[h] - oFilled[h];
    if (oResting[h]) {
      unrest(h);
    }
    unlinkAccount(h);
    accts[oAcct[h]].slotHandle[(int) (oId[h] & slotMask)] = -1;
    release(h);
    listener.onCancel(accts[oAcct[h]].id, oId[h], rem, why);
    freeHandle(h);
  }

  private int allocHandle() {
    if (freeHead >= 0) {
      int h = freeHead;
      freeHead = oNext[h];
      return h;
    }
    if (nextHandle == cap) {
      grow();
    }
    return nextHandle++;
  }

  private void freeHandle(int h) {
    oNext[h] = freeHead;
    freeHead = h;
  }

  private void grow() {
    int c = cap * 2;
    oAcct = Arrays.copyOf(oAcct, c);
    oId = Arrays.copyOf(oId, c);
    oQty = Arrays.copyOf(oQty, c);
    oFilled = Arrays.copyOf(oFilled, c);
    oLimit = Arrays.copyOf(oLimit, c);
    oFee = Arrays.copyOf(oFee, c);
    oExpiry = Arrays.copyOf(oExpiry, c);
    oPrice = Arrays.copyOf(oPrice, c);
    oBook = Arrays.copyOf(oBook, c);
    oSide = Arrays.copyOf(oSide, c);
    oReduce = Arrays.copyOf(oReduce, c);
    oResting = Arrays.copyOf(oResting, c);
    oNext = Arrays.copyOf(oNext, c);
    oPrev = Arrays.copyOf(oPrev, c);
    oAnext = Arrays.copyOf(oAnext, c);
    oAprev = Arrays.copyOf(oAprev, c);
    oLegs = Arrays.copyOf(oLegs, c);
    oLegId = Arrays.copyOf(oLegId, c * L);
    oLegRatio = Arrays.copyOf(oLegRatio, c * L);
    cap = c;
  }
}
