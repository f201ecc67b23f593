package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.BookSnapshot;
import io.zkmargin.api.v1.Fill;
import io.zkmargin.api.v1.OpenOrder;
import io.zkmargin.api.v1.PlaceOrderRequest;
import io.zkmargin.api.v1.PlaceOrderResponse;
import io.zkmargin.api.v1.SignedOrder;
import io.zkmargin.api.v1.TimeInForce;
import io.zkmargin.api.v1.TradingInfo;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.client.TradingClient;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TradingService over a real TLS socket on loopback, on a demo venue: two accounts trade a
 * straddle (call + put of one strike and expiry) through the client library and both see the fill
 * (answer, fill streams, Fills); a refusal names its margin figure; the door refuses malformed and
 * forged orders; after a restart the resting order and the fills are still there (order log).
 */
class TradingServiceTest {

  static final Duration D = Duration.ofSeconds(30);

  /** Demo instruments of the test size: 2 = BTC call at 100% spot, 4 = the put of it. */
  static final List<TradingClient.Leg> STRADDLE =
      List.of(new TradingClient.Leg(2, 1), new TradingClient.Leg(4, 1));

  static final List<TradingClient.Leg> SELL_STRADDLE =
      List.of(new TradingClient.Leg(2, -1), new TradingClient.Leg(4, -1));

  static ZkmServer start(Path dir, Venue venue) throws Exception {
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    ZkmServer s =
        new ZkmServer(
            VenueBackend.of(venue, KeyStore.openDefault()),
            id,
            new ZkmServer.Config("127.0.0.1", 0, false, 1, 8, -1, 1_000));
    s.enableTrading(venue, dir.resolve("orders.log"));
    return s.start();
  }

  static <T> StreamObserver<T> into(LinkedBlockingQueue<T> q) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T v) {
        q.add(v);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  @Test
  void twoAccountsTradeAStraddleAndTheBookSurvivesARestart(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    Venue venue = DemoVenues.write(dir, 16, 1, CircuitSizes.TEST);
    // the test size has 2 position slots: two accounts that hold nothing but the straddle's legs
    long[] ab = new long[2];
    int found = 0;
    for (var e : venue.accounts().entrySet()) {
      boolean fits = true;
      for (int j = 0; j < e.getValue().quantities().length; j++) {
        long id = e.getValue().instrumentIds()[j];
        fits &= e.getValue().quantities()[j] == 0 || id == 2 || id == 4;
      }
      if (fits && found < 2) {
        ab[found++] = e.getKey();
      }
    }
    assertEquals(2, found, "two demo accounts with free slots");
    final long acctA = ab[0];
    final long acctB = ab[1];
    EdwardsKeyPair a = new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, acctA));
    EdwardsKeyPair b = new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, acctB));
    long restingId;
    long price;
    try (ZkmServer server = start(dir, venue);
        ZkmClient zc =
            ZkmClient.connectTls(
                "localhost:" + server.port(), server.identity().certificateFile())) {
      TradingClient tc = new TradingClient(zc);
      TradingInfo info = tc.info(D);
      assertEquals(2, info.getLegs());
      assertTrue(info.getInstruments(2).getName().endsWith("-C"), info.toString());
      assertTrue(info.getInstruments(4).getName().endsWith("-P"), info.toString());
      price = info.getInstruments(2).getMark() + info.getInstruments(4).getMark();
      long expiry = info.getNow() + 3600;

      LinkedBlockingQueue<Fill> fillsA = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<Fill> fillsB = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<BookSnapshot> book = new LinkedBlockingQueue<>();
      Context.CancellableContext sa = tc.streamFills(tc.signer(a), acctA, into(fillsA));
      Context.CancellableContext sb = tc.streamFills(tc.signer(b), acctB, into(fillsB));
      Context.CancellableContext sk = tc.streamBook(STRADDLE, 5, into(book));
      BookSnapshot first = book.poll(30, TimeUnit.SECONDS);
      assertNotNull(first);
      assertEquals(0, first.getBidsCount());
      // the fill streams are asynchronous calls: wait until the service holds both
      for (int i = 0;
          i < 3000
              && server.trading().fillSubscribers(acctA) + server.trading().fillSubscribers(acctB)
                  < 2;
          i++) {
        Thread.sleep(10);
      }
      assertEquals(1, server.trading().fillSubscribers(acctA));

      // every two-order fill goes to the sink (the operator's sequencer in ./zkm serve), once the
      // order log holds it on disk: every record appended so far is synced when the sink is called
      List<Object[]> handed = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      List<long[]> logAtHand = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      server
          .trading()
          .setSignedTradeSink(
              (m, t, units, legPrices) -> {
                handed.add(new Object[] {m, t, units, legPrices});
                logAtHand.add(
                    new long[] {
                      server.trading().orderLogSynced(), server.trading().orderLogWritten()
                    });
              });

      // A bids for one straddle at the sum of the marks; it rests
      PlaceOrderResponse bid =
          tc.place(
              a,
              acctA,
              11,
              expiry,
              1,
              price,
              STRADDLE,
              TimeInForce.TIME_IN_FORCE_GTC,
              false,
              false,
              D);
      assertTrue(bid.getAccepted(), bid.toString());
      assertTrue(bid.getResting());
      assertTrue(bid.getMargin().getInitialMarginQuoteAtoms() > 0, bid.toString());
      BookSnapshot afterBid = book.poll(30, TimeUnit.SECONDS);
      assertEquals(price, afterBid.getBids(0).getPrice());
      assertEquals(1, afterBid.getBids(0).getQuantity());

      // B sells one straddle receiving at least the same: it fills at A's price
      PlaceOrderResponse ask =
          tc.place(
              b,
              acctB,
              21,
              expiry,
              1,
              -price,
              SELL_STRADDLE,
              TimeInForce.TIME_IN_FORCE_IOC,
              false,
              false,
              D);
      assertTrue(ask.getAccepted(), ask.toString());
      assertEquals(1, ask.getFilledQuantity());
      assertEquals(1, ask.getFillsCount());
      assertEquals(-price, ask.getFills(0).getNetPrice()); // B receives the price
      Fill fa = fillsA.poll(30, TimeUnit.SECONDS);
      Fill fb = fillsB.poll(30, TimeUnit.SECONDS);
      assertNotNull(fa, "A sees its fill on its stream");
      assertNotNull(fb, "B sees its fill on its stream");
      assertEquals(11, fa.getOrderId());
      assertTrue(fa.getMaker());
      assertEquals(price, fa.getNetPrice());
      assertEquals(acctB, fa.getCounterpartyAccountId());
      assertEquals(21, fb.getOrderId());
      assertEquals(price, fa.getLegPrices(0) + fa.getLegPrices(1)); // net = sum ratio * leg price
      assertEquals(1, handed.size(), "one trade handed with both signed orders");
      assertEquals(
          logAtHand.get(0)[1], logAtHand.get(0)[0], "the fill was on disk before it was handed");
      var hm = (io.zkmargin.trading.SignedOrderGate.SignedOrder) handed.get(0)[0];
      var ht = (io.zkmargin.trading.SignedOrderGate.SignedOrder) handed.get(0)[1];
      assertEquals(11, hm.message().orderId());
      assertEquals(21, ht.message().orderId());
      assertTrue(hm.message().verify(a.publicKey(), hm.signature()), "the maker's own signature");
      assertTrue(ht.message().verify(b.publicKey(), ht.signature()), "the taker's own signature");
      assertEquals(1L, handed.get(0)[2]);
      long[] hp = (long[]) handed.get(0)[3];
      assertEquals(2, hp.length, "L leg prices");
      assertEquals(fa.getLegPrices(0), hp[0]);
      assertEquals(fa.getLegPrices(1), hp[1]);
      assertEquals(List.of(fa), tc.fills(tc.signer(a), acctA, D));
      assertEquals(List.of(fb), tc.fills(tc.signer(b), acctB, D));

      // a second bid, lower, rests; an order far beyond the account's means is refused with its
      // figure
      restingId = 12;
      assertTrue(
          tc.place(
                  a,
                  acctA,
                  restingId,
                  expiry,
                  1,
                  price * 9 / 10,
                  STRADDLE,
                  TimeInForce.TIME_IN_FORCE_GTC,
                  false,
                  false,
                  D)
              .getAccepted());
      PlaceOrderResponse huge =
          tc.place(
              a,
              acctA,
              13,
              expiry,
              1_000_000_000L,
              price,
              STRADDLE,
              TimeInForce.TIME_IN_FORCE_GTC,
              false,
              false,
              D);
      assertFalse(huge.getAccepted());
      assertEquals("MARGIN", huge.getRejectReason(), huge.toString());
      assertTrue(huge.getShortfallQuoteAtoms() > 0);
      assertEquals(
          huge.getRequiredQuoteAtoms() - huge.getFailedEquityQuoteAtoms(),
          huge.getShortfallQuoteAtoms());

      // the door: a forged order (B's key for A's account), a replayed order, malformed fields
      StatusRuntimeException forged =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  tc.place(
                      b,
                      acctA,
                      14,
                      expiry,
                      1,
                      price,
                      STRADDLE,
                      TimeInForce.TIME_IN_FORCE_GTC,
                      false,
                      false,
                      D));
      assertEquals(Status.Code.UNAUTHENTICATED, forged.getStatus().getCode());
      SignedOrder replay = TradingClient.sign(a, 2, acctA, 11, expiry, 1, price, 0, STRADDLE);
      assertEquals(
          "REPLAYED",
          tc.place(PlaceOrderRequest.newBuilder().setOrder(replay).build(), D).getRejectReason());
      SignedOrder shortSig =
          replay.toBuilder().setSignature(ByteString.copyFrom(new byte[95])).build();
      assertEquals(
          Status.Code.INVALID_ARGUMENT,
          assertThrows(
                  StatusRuntimeException.class,
                  () -> tc.place(PlaceOrderRequest.newBuilder().setOrder(shortSig).build(), D))
              .getStatus()
              .getCode());
      SignedOrder threeLegs =
          replay.toBuilder().addLegs(replay.getLegs(0).toBuilder().setInstrumentId(6)).build();
      assertEquals(
          Status.Code.INVALID_ARGUMENT,
          assertThrows(
                  StatusRuntimeException.class,
                  () -> tc.place(PlaceOrderRequest.newBuilder().setOrder(threeLegs).build(), D))
              .getStatus()
              .getCode());
      SignedOrder oversized =
          replay.toBuilder().setSignature(ByteString.copyFrom(new byte[5000])).build();
      assertEquals(
          Status.Code.RESOURCE_EXHAUSTED,
          assertThrows(
                  StatusRuntimeException.class,
                  () -> tc.place(PlaceOrderRequest.newBuilder().setOrder(oversized).build(), D))
              .getStatus()
              .getCode());
      // a cancel is signed for its order id: B cannot cancel A's order
      assertEquals(
          Status.Code.UNAUTHENTICATED,
          assertThrows(StatusRuntimeException.class, () -> tc.cancel(tc.signer(b), acctA, 12, D))
              .getStatus()
              .getCode());
      sa.cancel(null);
      sb.cancel(null);
      sk.cancel(null);
    }

    // restart: the order log rebuilds the book, the open orders and the fills
    try (ZkmServer server = start(dir, venue);
        ZkmClient zc =
            ZkmClient.connectTls(
                "localhost:" + server.port(), server.identity().certificateFile())) {
      TradingClient tc = new TradingClient(zc);
      List<OpenOrder> open = tc.openOrders(tc.signer(a), acctA, D);
      assertEquals(1, open.size(), open.toString());
      assertEquals(restingId, open.get(0).getOrderId());
      assertEquals(2, open.get(0).getLegsCount());
      BookSnapshot s = tc.book(STRADDLE, 5, D);
      assertEquals(price * 9 / 10, s.getBids(0).getPrice());
      assertEquals(1, tc.fills(tc.signer(a), acctA, D).size());
      assertTrue(tc.cancel(tc.signer(a), acctA, restingId, D));
      assertEquals(0, tc.book(STRADDLE, 5, D).getBidsCount());
      assertEquals(0, tc.cancelAll(tc.signer(a), acctA, D));

      // a fill the operator's ledger refuses: the live remainders of both orders are cancelled
      // (A's new resting bid; B's IOC order 21 is long done), so the books never fill them again
      assertTrue(
          tc.place(
                  a,
                  acctA,
                  16,
                  tc.info(D).getNow() + 3600,
                  1,
                  price * 9 / 10,
                  STRADDLE,
                  TimeInForce.TIME_IN_FORCE_GTC,
                  false,
                  false,
                  D)
              .getAccepted());
      assertEquals(1, tc.book(STRADDLE, 5, D).getBidsCount());
      assertEquals(
          1,
          server
              .trading()
              .refuseFill(
                  server.trading().signedOrder(acctA, 16),
                  server.trading().signedOrder(acctB, 21)));
      assertEquals(0, tc.book(STRADDLE, 5, D).getBidsCount());
      assertTrue(tc.openOrders(tc.signer(a), acctA, D).isEmpty());
      assertEquals(
          server.trading().orderLogWritten(),
          server.trading().orderLogSynced(),
          "the cancels are on disk");
    }
  }
}
