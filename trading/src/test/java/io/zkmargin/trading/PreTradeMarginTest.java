package io.zkmargin.trading;

import static io.zkmargin.trading.TestVenue.CALL;
import static io.zkmargin.trading.TestVenue.EXPIRY;
import static io.zkmargin.trading.TestVenue.PERP;
import static io.zkmargin.trading.TestVenue.TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.PreTradeCheck;
import org.junit.jupiter.api.Test;

/** The pre-trade margin check: worst case of open orders, rejections with figures, hedges. */
class PreTradeMarginTest {
  private static final TestVenue VENUE = new TestVenue();
  private final Order o = new Order();

  /** An account short 1,000 perp lots (1 BTC) whose balance leaves it exactly at effective IM. */
  private static AccountState atTheLimit(long extraWithdrawn) {
    AccountState rich = VENUE.withPosition(100_000_000_000L, PERP, -1000);
    long w = PreTradeCheck.DEFAULT.largestWithdrawal(VENUE.vector, rich, 0);
    return VENUE.withPosition(100_000_000_000L - w - extraWithdrawn, PERP, -1000);
  }

  @Test
  void anOrderThatBreachesImIsRefusedWithTheFigure() {
    MatchingEngine e = VENUE.engine(TradeListener.NONE, 1, 2_000_000_000L); // 2,000 USDC
    // 100 short calls (1 BTC of calls) need far more than 2,000 USDC
    PlaceResult r = e.place(o.single(1, 1, CALL, false, 100, VENUE.mark(CALL), EXPIRY), TIME);
    assertEquals(Reject.MARGIN, r.reject());
    assertTrue(r.figure().equals("IM") || r.figure().equals("MM"));
    assertTrue(r.shortfall() > 0, r.detail());
    assertEquals(r.required() - r.equity(), r.shortfall());
    assertTrue(r.detail().contains("short by " + r.shortfall()));
    assertTrue(e.openOrders(1).isEmpty());
    // a small one is fine
    assertTrue(e.place(o.single(1, 2, CALL, false, 1, VENUE.mark(CALL), EXPIRY), TIME).accepted());
  }

  @Test
  void openOrdersCountAsFilled() {
    MatchingEngine e = VENUE.engine(TradeListener.NONE, 1, 2_000_000_000L);
    long max =
        PreTradeCheck.DEFAULT.largestOrder(
            VENUE.vector, TestVenue.flat(2_000_000_000L), PERP, true, 1_000_000);
    assertTrue(max > 10, "max " + max);
    long half = max / 2 + 1;
    long px = VENUE.mark(PERP) - 1_000; // rests below the market, bought at its limit
    assertTrue(e.place(o.single(1, 1, PERP, true, half, px, EXPIRY), TIME).accepted());
    // alone it would fit, on top of the first it does not
    assertEquals(
        Reject.MARGIN, e.place(o.single(1, 2, PERP, true, half, px, EXPIRY), TIME).reject());
    // once the first is cancelled it fits
    assertTrue(e.cancel(1, 1));
    assertTrue(e.place(o.single(1, 3, PERP, true, half, px, EXPIRY), TIME).accepted());
  }

  @Test
  void aHedgeIsAcceptedAtTheLimitAndBeyond() {
    for (long beyond : new long[] {0, 50_000_000L}) {
      MatchingEngine e = new MatchingEngine(VENUE.vector, 8, TradeListener.NONE);
      AccountState acct = atTheLimit(beyond);
      e.registerAccount(1, acct);
      assertEquals(
          beyond == 0, MarginCalculator.DEFAULT.evaluate(VENUE.vector, acct).meetsInitialMargin());
      long mark = VENUE.mark(PERP);
      // adding to the short is refused
      PlaceResult r = e.place(o.single(1, 1, PERP, false, 10, mark, EXPIRY), TIME);
      assertEquals(Reject.MARGIN, r.reject(), "beyond " + beyond);
      // buying back half (a hedge that lowers margin) is accepted
      r = e.place(o.single(1, 2, PERP, true, 500, mark, EXPIRY), TIME);
      assertTrue(r.accepted(), "beyond " + beyond + ": " + r);
    }
  }

  @Test
  void theAnswerGivesMarginAndLiquidationPrice() {
    MatchingEngine e = new MatchingEngine(VENUE.vector, 8, TradeListener.NONE);
    e.registerAccount(1, atTheLimit(0));
    MarginAnswer a = e.marginAnswer(1, VENUE.estimator());
    assertTrue(a.meetsInitialMargin());
    assertEquals("BTC", a.underlying());
    assertTrue(a.initialMargin() > a.maintenanceMargin());
    assertTrue(a.equity() >= a.initialMargin());
    // a short perp is liquidated when the price rises, within the scenario range
    assertTrue(a.liquidationPrice() > a.spot(), a.toString());
    assertTrue(a.liquidationPrice() < a.spot() * 13 / 10, a.toString());
    // an open buy order on top changes the worst case the answer describes
    assertTrue(e.place(o.single(1, 1, PERP, true, 900, VENUE.mark(PERP), EXPIRY), TIME).accepted());
    MarginAnswer b = e.marginAnswer(1, VENUE.estimator());
    assertTrue(b.initialMargin() < a.initialMargin());
    assertFalse(b.liquidationPrice() >= 0 && b.liquidationPrice() < a.liquidationPrice());
  }
}
