package io.zkmargin.trading;

import static io.zkmargin.trading.TestVenue.CALL;
import static io.zkmargin.trading.TestVenue.CALL_HI;
import static io.zkmargin.trading.TestVenue.PERP;
import static io.zkmargin.trading.TestVenue.PUT;
import static io.zkmargin.trading.TestVenue.TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random order streams (single legs with every time in force and flag, combos of three strategies
 * in both directions, cancels): every event obeys BATCH.md's trade rules (the TradeChecker asserts
 * them as they come), no order fills beyond its quantity or outside its limit, the per-instrument
 * net position stays zero, and the engine's positions equal those the trades imply.
 */
class RandomStreamPropertyTest {
  private static final TestVenue VENUE = new TestVenue();
  private static final long[] SINGLES = {PERP, CALL, PUT, CALL_HI};
  private static final long[][][] COMBOS = {
    {{CALL, PUT}, {1, 1}},
    {{CALL, CALL_HI}, {1, -1}},
    {{CALL, CALL_HI}, {1, -2}},
  };

  @Test
  void randomStreams() {
    for (int seed = 1; seed <= 12; seed++) {
      run(seed, 600);
    }
    // the streams exercise every kind of fill
    assertTrue(implied > 0 && comboTrades > 0 && singleTrades > 0, implied + " " + comboTrades);
  }

  private int implied;
  private int comboTrades;
  private int singleTrades;

  private void run(long seed, int ops) {
    SplittableRandom rnd = new SplittableRandom(seed);
    TradeChecker c = new TradeChecker();
    int accounts = 5;
    MatchingEngine e = VENUE.engine(c, accounts, 1_000_000_000_000L);
    Order o = new Order();
    long[] nextId = new long[accounts + 1];
    long now = TIME;
    for (int i = 0; i < ops; i++) {
      int acct = 1 + rnd.nextInt(accounts);
      now += rnd.nextInt(3);
      int kind = rnd.nextInt(10);
      if (kind == 0) {
        if (nextId[acct] > 0) {
          e.cancel(acct, 1 + rnd.nextLong(nextId[acct]));
        }
        continue;
      }
      long id = ++nextId[acct];
      long expiry = now + (rnd.nextInt(8) == 0 ? 5 : 10_000);
      if (kind <= 6) {
        long ins = SINGLES[rnd.nextInt(SINGLES.length)];
        long mark = VENUE.mark(ins);
        long tick = Math.max(1, mark / 1000);
        boolean buy = rnd.nextBoolean();
        long px = Math.max(1, mark + tick * (rnd.nextInt(11) - 5));
        o.single(acct, id, ins, buy, 1 + rnd.nextInt(20), px, expiry);
        o.postOnly = rnd.nextInt(10) == 0;
        o.reduceOnly = rnd.nextInt(10) == 0;
      } else {
        long[][] s = COMBOS[rnd.nextInt(COMBOS.length)];
        long sign = rnd.nextBoolean() ? 1 : -1;
        long[] ratios = {s[1][0] * sign, s[1][1] * sign};
        long net = 0;
        for (int l = 0; l < 2; l++) {
          net += ratios[l] * VENUE.mark(s[0][l]);
        }
        long tick = Math.max(1, Math.abs(net) / 200);
        o.combo(
            acct, id, s[0], ratios, 1 + rnd.nextInt(6), net + tick * (rnd.nextInt(11) - 5), expiry);
      }
      o.timeInForce = Order.TimeInForce.values()[rnd.nextInt(3)];
      PlaceResult r = c.place(e, o, now);
      assertTrue(r.filled() <= o.quantity);
    }
    for (long ins : SINGLES) {
      assertEquals(0, c.net(ins), "net position of " + ins + ", seed " + seed);
      for (int a = 1; a <= accounts; a++) {
        assertEquals(c.position(a, ins), e.position(a, ins), "position, seed " + seed);
      }
    }
    for (int a = 1; a <= accounts; a++) {
      for (long[] open : e.openOrders(a)) {
        long f = c.filled.getOrDefault(TradeChecker.key(a, open[0]), 0L);
        assertEquals(f, open[2], "engine and trades agree on fills");
        assertTrue(open[2] < open[1]);
      }
    }
    implied += c.implied.size();
    for (TradeChecker.Trade t : c.trades) {
      if (t.legPrice().length > 1) {
        comboTrades++;
      } else {
        singleTrades++;
      }
    }
    assertTrue(c.trades.size() + c.implied.size() > 50, "seed " + seed + " traded too little");
  }
}
