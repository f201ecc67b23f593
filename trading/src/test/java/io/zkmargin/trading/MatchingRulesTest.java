package io.zkmargin.trading;

import static io.zkmargin.trading.TestVenue.EXPIRY;
import static io.zkmargin.trading.TestVenue.PERP;
import static io.zkmargin.trading.TestVenue.TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The single-leg matching rules one by one (margin check off: see PreTradeMarginTest). */
class MatchingRulesTest {
  private static final TestVenue VENUE = new TestVenue();
  private static final long USDC = 10_000_000_000_000L;
  private TradeChecker c;
  private MatchingEngine e;
  private final Order o = new Order();

  @BeforeEach
  void setUp() {
    c = new TradeChecker();
    e = VENUE.engine(c, 4, USDC);
  }

  private PlaceResult buy(long acct, long id, long lots, long px) {
    return c.place(e, o.single(acct, id, PERP, true, lots, px, EXPIRY), TIME);
  }

  private PlaceResult sell(long acct, long id, long lots, long px) {
    return c.place(e, o.single(acct, id, PERP, false, lots, px, EXPIRY), TIME);
  }

  @Test
  void priceThenTimePriority() {
    assertTrue(sell(1, 1, 5, 60_100).resting());
    assertTrue(sell(2, 1, 5, 60_100).resting());
    assertTrue(sell(3, 1, 5, 60_050).resting());
    PlaceResult r = buy(4, 1, 12, 60_200);
    assertEquals(12, r.filled());
    assertEquals(3, c.trades.size());
    // best price first (account 3), then the older order at the next price (account 1)
    assertEquals(3, c.trades.get(0).makerAcct());
    assertEquals(60_050, c.trades.get(0).net() * -1);
    assertEquals(1, c.trades.get(1).makerAcct());
    assertEquals(2, c.trades.get(2).makerAcct());
    assertEquals(2, c.trades.get(2).units());
    // trades at the maker's price
    assertEquals(60_100, c.trades.get(1).legPrice()[0]);
    assertEquals(3, e.remaining(2, 1));
    assertEquals(60_100, e.bestAsk(PERP));
  }

  @Test
  void partialFillRestsTheRemainder() {
    buy(1, 1, 10, 60_000);
    assertEquals(4, sell(2, 1, 4, 59_000).filled());
    assertEquals(6, e.remaining(1, 1));
    assertEquals(60_000, e.bestBid(PERP));
    assertEquals(6, e.levels(new long[] {PERP}, new long[] {1}, true).get(0)[1]);
    assertEquals(4, e.position(1, PERP));
    assertEquals(-4, e.position(2, PERP));
  }

  @Test
  void timeInForce() {
    sell(1, 1, 5, 60_000);
    // IOC: fills 5, the rest is cancelled
    PlaceResult r =
        c.place(e, o.single(2, 1, PERP, true, 8, 60_000, EXPIRY).tif(Order.TimeInForce.IOC), TIME);
    assertEquals(5, r.filled());
    assertFalse(r.resting());
    assertEquals(Reject.IOC_REMAINDER, c.cancels.get(0).reason());
    assertEquals(3, c.cancels.get(0).remaining());
    assertEquals(Long.MIN_VALUE, e.bestBid(PERP));
    // FOK: 5 available, 6 wanted: nothing fills
    sell(1, 2, 5, 60_000);
    r = c.place(e, o.single(3, 1, PERP, true, 6, 60_000, EXPIRY).tif(Order.TimeInForce.FOK), TIME);
    assertEquals(Reject.FOK_NOT_FILLABLE, r.reject());
    assertEquals(1, c.trades.size());
    assertEquals(5, e.remaining(1, 2));
    // FOK of exactly what is there fills
    r = c.place(e, o.single(3, 2, PERP, true, 5, 60_000, EXPIRY).tif(Order.TimeInForce.FOK), TIME);
    assertEquals(5, r.filled());
  }

  @Test
  void postOnly() {
    sell(1, 1, 5, 60_000);
    o.single(2, 1, PERP, true, 5, 60_000, EXPIRY).postOnly = true;
    assertEquals(Reject.POST_ONLY_WOULD_CROSS, c.place(e, o, TIME).reject());
    o.single(2, 2, PERP, true, 5, 59_999, EXPIRY).postOnly = true;
    PlaceResult r = c.place(e, o, TIME);
    assertTrue(r.accepted() && r.resting());
    assertTrue(c.trades.isEmpty());
  }

  @Test
  void reduceOnly() {
    MatchingEngine e2 = new MatchingEngine(VENUE.vector, 8, c);
    e2.registerAccount(1, VENUE.withPosition(USDC, PERP, 5));
    e2.registerAccount(2, TestVenue.flat(USDC));
    e = e2;
    // a long account may not buy reduce-only
    o.single(1, 1, PERP, true, 1, 60_000, EXPIRY).reduceOnly = true;
    assertEquals(Reject.REDUCE_ONLY_NOT_REDUCING, c.place(e, o, TIME).reject());
    // sells reduce-only 10 against 10 bid: fills only the 5 it holds
    buy(2, 1, 10, 60_000);
    o.single(1, 2, PERP, false, 10, 60_000, EXPIRY).reduceOnly = true;
    PlaceResult r = c.place(e, o, TIME);
    assertEquals(5, r.filled());
    assertFalse(r.resting());
    assertEquals(0, e.position(1, PERP));
    assertEquals(Reject.NOTHING_TO_REDUCE, c.cancels.get(c.cancels.size() - 1).reason());
  }

  @Test
  void selfTradePreventionCancelsTheRestingOrder() {
    sell(1, 1, 5, 60_000);
    sell(2, 1, 5, 60_010);
    PlaceResult r = buy(1, 2, 5, 60_010);
    assertEquals(5, r.filled());
    assertEquals(2, c.trades.get(0).makerAcct());
    assertEquals(Reject.SELF_TRADE, c.cancels.get(0).reason());
    assertEquals(-1, e.remaining(1, 1));
  }

  @Test
  void cancelAndCancelAll() {
    buy(1, 1, 5, 59_000);
    buy(1, 2, 5, 59_100);
    sell(1, 3, 5, 61_000);
    assertTrue(e.cancel(1, 2));
    assertFalse(e.cancel(1, 2));
    assertEquals(59_000, e.bestBid(PERP));
    assertEquals(2, e.cancelAll(1));
    assertEquals(Long.MIN_VALUE, e.bestBid(PERP));
    assertEquals(Long.MAX_VALUE, e.bestAsk(PERP));
    assertTrue(e.openOrders(1).isEmpty());
  }

  @Test
  void replayAndFillTreeSlots() {
    assertTrue(buy(1, 7, 5, 59_000).accepted());
    assertEquals(Reject.REPLAYED, buy(1, 7, 5, 59_000).reject());
    // 7 + 256 takes slot 7 (K = 8): the older order 7 can never fill again and is cancelled
    assertTrue(buy(1, 7 + 256, 5, 58_000).accepted());
    assertEquals(-1, e.remaining(1, 7));
    assertEquals(Reject.SLOT_REPLACED, c.cancels.get(0).reason());
    assertEquals(Reject.ORDER_SLOT_TAKEN, buy(1, 7, 5, 59_000).reject());
  }

  @Test
  void expiry() {
    assertEquals(
        Reject.EXPIRED, c.place(e, o.single(1, 1, PERP, true, 1, 60_000, TIME - 1), TIME).reject());
    c.place(e, o.single(1, 2, PERP, false, 1, 60_000, TIME + 10), TIME);
    // later, the resting order has expired: it is removed instead of filled
    PlaceResult r = c.place(e, o.single(2, 1, PERP, true, 1, 60_000, TIME + 100), TIME + 20);
    assertEquals(0, r.filled());
    assertEquals(Reject.EXPIRED, c.cancels.get(0).reason());
  }

  @Test
  void badOrders() {
    assertEquals(Reject.BAD_ORDER, buy(1, 0, 5, 1).reject());
    assertEquals(Reject.BAD_ORDER, buy(1, 1, 0, 1).reject());
    assertEquals(Reject.UNKNOWN_ACCOUNT, buy(99, 1, 1, 1).reject());
    assertEquals(
        Reject.UNLISTED_INSTRUMENT,
        c.place(e, o.single(1, 1, 40, true, 1, 1, EXPIRY), TIME).reject());
    o.single(1, 1, PERP, true, 1, 1, EXPIRY).ratio[0] = 2;
    assertEquals(Reject.BAD_ORDER, c.place(e, o, TIME).reject());
  }
}
