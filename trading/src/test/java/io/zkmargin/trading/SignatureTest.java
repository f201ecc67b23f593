package io.zkmargin.trading;

import static io.zkmargin.trading.TestVenue.CALL;
import static io.zkmargin.trading.TestVenue.EXPIRY;
import static io.zkmargin.trading.TestVenue.PUT;
import static io.zkmargin.trading.TestVenue.TIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.msg.OrderMessage;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** Orders are accepted only with a valid signature of the BATCH.md order message. */
class SignatureTest {
  private static final TestVenue VENUE = new TestVenue();
  private static final EdwardsKeyPair ALICE = new EdwardsKeyPair(BigInteger.valueOf(1234567));
  private static final EdwardsKeyPair BOB = new EdwardsKeyPair(BigInteger.valueOf(7654321));

  private static OrderMessage straddle(long acct, long id, long units, long limit, long expiry) {
    return new OrderMessage(
        acct, id, expiry, units, limit, 0, new long[] {CALL, PUT, 0, 0}, new long[] {1, 1, 0, 0});
  }

  @Test
  void signedStraddleTradesAndBadOnesAreRefused() {
    TradeChecker c = new TradeChecker();
    SignedOrderGate gate = new SignedOrderGate(new MatchingEngine(VENUE.vector, 8, c));
    gate.registerAccount(1, ALICE.publicKey(), TestVenue.flat(10_000_000_000_000L));
    gate.registerAccount(2, BOB.publicKey(), TestVenue.flat(10_000_000_000_000L));
    long price = VENUE.mark(CALL) + VENUE.mark(PUT);

    OrderMessage buy = straddle(1, 1, 2, price, EXPIRY);
    EdDSA.Signature sig = buy.sign(ALICE);
    // wrong key: Bob signs Alice's order
    assertEquals(
        Reject.BAD_SIGNATURE,
        gate.place(buy, buy.sign(BOB), Order.TimeInForce.GTC, false, false, TIME).reject());
    // tampered: the signature of another quantity
    assertEquals(
        Reject.BAD_SIGNATURE,
        gate.place(straddle(1, 1, 3, price, EXPIRY), sig, Order.TimeInForce.GTC, false, false, TIME)
            .reject());
    assertTrue(gate.place(buy, sig, Order.TimeInForce.GTC, false, false, TIME).accepted());
    // replayed order id
    assertEquals(
        Reject.REPLAYED, gate.place(buy, sig, Order.TimeInForce.GTC, false, false, TIME).reject());
    // expired
    OrderMessage late = straddle(2, 1, 2, -price, TIME - 1);
    assertEquals(
        Reject.EXPIRED,
        gate.place(late, late.sign(BOB), Order.TimeInForce.GTC, false, false, TIME).reject());
    // Bob sells the straddle: both signed orders are at hand for the sequencer
    OrderMessage sell =
        new OrderMessage(
            2, 2, EXPIRY, 2, -price, 0, new long[] {CALL, PUT, 0, 0}, new long[] {-1, -1, 0, 0});
    c.orders.put(TradeChecker.key(1, 1), orderOf(buy));
    c.orders.put(TradeChecker.key(2, 2), orderOf(sell));
    assertEquals(
        2, gate.place(sell, sell.sign(BOB), Order.TimeInForce.GTC, false, false, TIME).filled());
    assertEquals(1, c.trades.size());
    assertNotNull(gate.signed(1, 1));
    assertTrue(gate.signed(2, 2).message().verify(BOB.publicKey(), gate.signed(2, 2).signature()));
  }

  private static Order orderOf(OrderMessage m) {
    Order o = new Order();
    long[] ids = new long[m.usedLegs()];
    long[] rs = new long[m.usedLegs()];
    for (int l = 0; l < ids.length; l++) {
      ids[l] = m.instrumentId(l);
      rs[l] = m.ratio(l);
    }
    return o.combo(m.accountId(), m.orderId(), ids, rs, m.quantity(), m.limitPrice(), m.expiry());
  }
}
