package io.zkmargin.trading;

import static io.zkmargin.trading.TestVenue.CALL;
import static io.zkmargin.trading.TestVenue.CALL_HI;
import static io.zkmargin.trading.TestVenue.EXPIRY;
import static io.zkmargin.trading.TestVenue.PUT;
import static io.zkmargin.trading.TestVenue.TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Combos against combos, and implied matching against the single-leg books. */
class ComboMatchingTest {
  private static final TestVenue VENUE = new TestVenue();
  private static final long USDC = 10_000_000_000_000L;
  private static final long CM = VENUE.mark(CALL);
  private static final long PM = VENUE.mark(PUT);
  private TradeChecker c;
  private MatchingEngine e;
  private final Order o = new Order();

  @BeforeEach
  void setUp() {
    c = new TradeChecker();
    e = VENUE.engine(c, 4, USDC);
  }

  private PlaceResult combo(long acct, long id, long[] ids, long[] ratios, long units, long limit) {
    return c.place(e, o.combo(acct, id, ids, ratios, units, limit, EXPIRY), TIME);
  }

  private PlaceResult single(long acct, long id, long ins, boolean buy, long lots, long px) {
    return c.place(e, o.single(acct, id, ins, buy, lots, px, EXPIRY), TIME);
  }

  @Test
  void straddleAgainstStraddle() {
    long[] ids = {CALL, PUT};
    assertTrue(combo(1, 1, ids, new long[] {1, 1}, 3, CM + PM + 1000).resting());
    // the seller must receive at least CM + PM: crosses, fills at the maker's price
    PlaceResult r = combo(2, 1, ids, new long[] {-1, -1}, 5, -(CM + PM));
    assertEquals(3, r.filled());
    assertTrue(r.resting());
    TradeChecker.Trade t = c.trades.get(0);
    assertEquals(CM + PM + 1000, t.net());
    assertEquals(CM + PM + 1000, t.legPrice()[0] + t.legPrice()[1]);
    assertEquals(3, e.position(1, CALL));
    assertEquals(3, e.position(1, PUT));
    assertEquals(-3, e.position(2, CALL));
    assertEquals(-3, e.position(2, PUT));
    // a different strategy (1 call, 2 puts) does not match the straddle book
    assertEquals(0, combo(3, 1, new long[] {CALL, PUT}, new long[] {1, 2}, 1, 10 * CM).filled());
  }

  @Test
  void ratioSpreadLegsAndNetPrice() {
    long[] ids = {CALL, CALL_HI};
    long hm = VENUE.mark(CALL_HI);
    // 1x2 call ratio spread: buy 1 call, sell 2 higher calls
    combo(1, 1, ids, new long[] {1, -2}, 4, CM - 2 * hm + 500);
    PlaceResult r = combo(2, 1, ids, new long[] {-1, 2}, 4, -(CM - 2 * hm));
    assertEquals(4, r.filled());
    TradeChecker.Trade t = c.trades.get(0);
    assertEquals(CM - 2 * hm + 500, t.legPrice()[0] - 2 * t.legPrice()[1]);
    assertEquals(4, e.position(1, CALL));
    assertEquals(-8, e.position(1, CALL_HI));
    assertEquals(8, e.position(2, CALL_HI));
  }

  @Test
  void ratiosWithoutAUnitLegSplitExactly() {
    // 2:3 has no leg of ratio 1: leg prices come from extended Euclid, the net is still exact
    long[] ids = {CALL, PUT};
    combo(1, 1, ids, new long[] {2, 3}, 2, 2 * CM + 3 * PM + 7);
    assertEquals(2, combo(2, 1, ids, new long[] {-2, -3}, 2, -(2 * CM + 3 * PM)).filled());
    TradeChecker.Trade t = c.trades.get(0);
    assertEquals(2 * CM + 3 * PM + 7, 2 * t.legPrice()[0] + 3 * t.legPrice()[1]);
  }

  @Test
  void canonicalLegs() {
    assertEquals(
        Reject.LEGS_NOT_CANONICAL,
        combo(1, 1, new long[] {PUT, CALL}, new long[] {1, 1}, 1, 0).reject());
    assertEquals(
        Reject.LEGS_NOT_CANONICAL,
        combo(1, 2, new long[] {CALL, PUT}, new long[] {2, 2}, 1, 0).reject());
  }

  @Test
  void fillOrKillComboIsAllOrNone() {
    long[] ids = {CALL, PUT};
    combo(1, 1, ids, new long[] {-1, -1}, 2, -(CM + PM));
    single(2, 1, CALL, false, 10, CM);
    // 2 units in the combo book, 0 implied (no put offers): 3 cannot fill, nothing does
    o.combo(3, 1, ids, new long[] {1, 1}, 3, CM + PM, EXPIRY).tif(Order.TimeInForce.FOK);
    assertEquals(Reject.FOK_NOT_FILLABLE, c.place(e, o, TIME).reject());
    assertTrue(c.trades.isEmpty() && c.implied.isEmpty());
    assertEquals(2, e.remaining(1, 1));
    assertEquals(10, e.remaining(2, 1));
  }

  @Test
  void impliedAgainstSingleLegBooks() {
    single(2, 1, CALL, false, 2, CM + 100);
    single(3, 1, CALL, false, 5, CM + 300);
    single(3, 2, PUT, false, 10, PM + 50);
    PlaceResult r = combo(1, 1, new long[] {CALL, PUT}, new long[] {1, 1}, 4, CM + PM + 400);
    assertEquals(4, r.filled());
    assertEquals(1, c.implied.size());
    TradeChecker.Implied im = c.implied.get(0);
    assertEquals(4, im.units());
    assertEquals(2 * (CM + 100) + 2 * (CM + 300) + 4 * (PM + 50), im.totalNet());
    assertEquals(3, im.steps().size());
    assertEquals(4, e.position(1, CALL));
    assertEquals(4, e.position(1, PUT));
    assertEquals(-2, e.position(2, CALL));
    assertEquals(-2, e.position(3, CALL));
    assertEquals(-4, e.position(3, PUT));
    assertEquals(3, e.remaining(3, 1));
  }

  @Test
  void impliedStopsAtTheComboLimitAndRestsTheRest() {
    single(2, 1, CALL, false, 2, CM + 100);
    single(3, 1, CALL, false, 5, CM + 300);
    single(3, 2, PUT, false, 10, PM + 50);
    PlaceResult r = combo(1, 1, new long[] {CALL, PUT}, new long[] {1, 1}, 4, CM + PM + 200);
    // units 1-2 cost CM + PM + 150; unit 3 would cost CM + PM + 350 > limit
    assertEquals(2, r.filled());
    assertTrue(r.resting());
    assertEquals(2, e.remaining(1, 1));
  }

  @Test
  void impliedIsAtomic() {
    single(2, 1, CALL, false, 5, CM);
    // no put offers: no leg fills
    PlaceResult r = combo(1, 1, new long[] {CALL, PUT}, new long[] {1, 1}, 2, CM + PM + 10_000);
    assertEquals(0, r.filled());
    assertTrue(c.implied.isEmpty());
    assertEquals(5, e.remaining(2, 1));
    assertEquals(0, e.position(1, CALL));
  }

  @Test
  void impliedWithRatioAcrossSeveralMakers() {
    long hm = VENUE.mark(CALL_HI);
    single(2, 1, CALL, false, 3, CM);
    single(3, 1, CALL_HI, true, 1, hm);
    single(4, 1, CALL_HI, true, 4, hm - 10);
    // buy 1 call, sell 2 higher calls, per unit: net at most CM - 2 hm + 20
    PlaceResult r =
        combo(1, 1, new long[] {CALL, CALL_HI}, new long[] {1, -2}, 3, CM - 2 * hm + 20);
    assertEquals(2, r.filled()); // 5 bids on the high call = 2 whole units
    assertEquals(2, e.position(1, CALL));
    assertEquals(-4, e.position(1, CALL_HI));
    assertEquals(1, e.position(3, CALL_HI));
    assertEquals(3, e.position(4, CALL_HI));
    assertEquals(1, e.remaining(4, 1));
  }

  @Test
  void impliedTradesTakeAtMostJMakersPerLeg() {
    e.setMaxMakersPerLeg(2);
    for (int k = 1; k <= 3; k++) {
      single(2, k, CALL, false, 1, CM + k);
      single(3, k, PUT, false, 1, PM + k);
    }
    single(4, 1, PUT, false, 1, PM + 4);
    // 3 units: the first trade takes 2 makers per leg, the next the third
    PlaceResult r = combo(1, 1, new long[] {CALL, PUT}, new long[] {1, 1}, 3, CM + PM + 10);
    assertEquals(3, r.filled());
    assertEquals(2, c.implied.size());
    assertEquals(2, c.implied.get(0).units());
    assertEquals(4, c.implied.get(0).steps().size());
    assertEquals(1, c.implied.get(1).units());
    // a unit that needs more than J makers on one leg is not filled by implied matching
    single(2, 4, CALL, false, 1, CM);
    single(3, 4, PUT, false, 1, PM);
    single(2, 5, PUT, false, 1, PM + 1); // 3 puts from 3 orders (with account 4's at PM + 4)
    o.combo(1, 2, new long[] {CALL, PUT}, new long[] {1, 3}, 1, CM + 3 * PM + 100, EXPIRY);
    assertEquals(0, c.place(e, o, TIME).filled());
    e.setMaxMakersPerLeg(3);
    assertEquals(
        1,
        c.place(
                e,
                o.combo(
                    1, 3, new long[] {CALL, PUT}, new long[] {1, 3}, 1, CM + 3 * PM + 100, EXPIRY),
                TIME)
            .filled());
  }

  @Test
  void impliedSkipsOwnOrders() {
    single(1, 1, CALL, false, 5, CM);
    single(2, 1, PUT, false, 5, PM);
    single(3, 1, CALL, false, 5, CM + 10);
    PlaceResult r = combo(1, 2, new long[] {CALL, PUT}, new long[] {1, 1}, 1, CM + PM + 10);
    assertEquals(1, r.filled());
    assertEquals(3, c.implied.get(0).steps().get(0).makerAcct());
  }
}
