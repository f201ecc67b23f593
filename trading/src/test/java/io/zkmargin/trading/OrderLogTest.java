package io.zkmargin.trading;

import static io.zkmargin.trading.TestVenue.CALL;
import static io.zkmargin.trading.TestVenue.EXPIRY;
import static io.zkmargin.trading.TestVenue.PERP;
import static io.zkmargin.trading.TestVenue.PUT;
import static io.zkmargin.trading.TestVenue.TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.msg.OrderMessage;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The books survive a restart: the fsynced log replays to the same books; a torn tail is cut. */
class OrderLogTest {
  private static final TestVenue VENUE = new TestVenue();
  private static final EdwardsKeyPair[] KEYS = {
    null, new EdwardsKeyPair(BigInteger.valueOf(11)), new EdwardsKeyPair(BigInteger.valueOf(22))
  };

  private static SignedOrderGate gate() {
    SignedOrderGate g =
        new SignedOrderGate(new MatchingEngine(VENUE.vector, 8, TradeListener.NONE));
    for (int a = 1; a <= 2; a++) {
      g.registerAccount(a, KEYS[a].publicKey(), TestVenue.flat(10_000_000_000_000L));
    }
    return g;
  }

  private static void place(SignedOrderGate g, OrderMessage m) {
    assertTrue(
        g.place(m, m.sign(KEYS[(int) m.accountId()]), Order.TimeInForce.GTC, false, false, TIME)
            .accepted());
  }

  private static OrderMessage single(
      long acct, long id, long ins, long ratio, long qty, long limit) {
    return OrderMessage.singleLeg(4, acct, id, EXPIRY, qty, limit, 0, ins, ratio);
  }

  @Test
  void replayRebuildsTheBooks(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("orders.log");
    long straddle = VENUE.mark(CALL) + VENUE.mark(PUT);
    try (OrderLog log = new OrderLog(file)) {
      SignedOrderGate g = gate();
      g.attachLog(log);
      place(g, single(1, 1, PERP, 1, 10, 60_000));
      place(g, single(2, 1, PERP, -1, 4, -59_000));
      place(g, single(1, 2, PERP, 1, 3, 58_000));
      place(
          g,
          new OrderMessage(
              2,
              2,
              EXPIRY,
              2,
              -straddle,
              0,
              new long[] {CALL, PUT, 0, 0},
              new long[] {-1, -1, 0, 0}));
      assertTrue(g.cancel(1, 2, TIME));
    }
    // a crash in the middle of a record
    Files.write(file, new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND);
    try (OrderLog log = new OrderLog(file)) {
      assertEquals(5, log.recordsAtOpen());
      SignedOrderGate g = gate();
      assertEquals(5, log.replay(g));
      g.attachLog(log);
      MatchingEngine e = g.engine();
      assertEquals(6, e.remaining(1, 1));
      assertEquals(-1, e.remaining(1, 2));
      assertEquals(2, e.remaining(2, 2));
      assertEquals(4, e.position(1, PERP));
      assertEquals(-4, e.position(2, PERP));
      // the replayed orders are known: sending one again is a replay
      OrderMessage again = single(1, 1, PERP, 1, 10, 60_000);
      assertEquals(
          Reject.REPLAYED,
          g.place(again, again.sign(KEYS[1]), Order.TimeInForce.GTC, false, false, TIME).reject());
      place(g, single(1, 3, PERP, -1, 1, -61_000));
    }
    try (OrderLog log = new OrderLog(file)) {
      assertEquals(6, log.recordsAtOpen());
    }
  }
}
