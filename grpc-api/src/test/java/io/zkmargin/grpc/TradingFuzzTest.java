package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.zkmargin.api.v1.BookRequest;
import io.zkmargin.api.v1.CancelOrderRequest;
import io.zkmargin.api.v1.OrderLeg;
import io.zkmargin.api.v1.PlaceOrderRequest;
import io.zkmargin.api.v1.TradingServiceGrpc;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.client.TradingClient;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the TradingService's untrusted decoders (PlaceOrder's signed order, CancelOrder, Book) on
 * a real TLS server on loopback with random bytes and mutated valid messages (bit flips,
 * overwritten, inserted and deleted bytes, truncation), sent raw so that unparseable protobuf is
 * included. Every answer must be a well-defined status (never UNKNOWN or INTERNAL), and afterwards
 * a valid order is still accepted. Reproduce with {@code -Dzkm.fuzz.seed=N}.
 */
class TradingFuzzTest {

  static final Set<Status.Code> WELL_DEFINED =
      Set.of(
          Status.Code.OK,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.UNAUTHENTICATED,
          Status.Code.RESOURCE_EXHAUSTED);

  @Test
  void placeCancelAndBookSurviveRandomAndMutatedMessages(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("zkm.fuzz.seed", 0x7bad_2026L);
    int count = Integer.getInteger("zkm.fuzz.count", 300);
    System.out.println("TradingFuzzTest: seed " + seed + ", " + count + " messages");
    Random rnd = new Random(seed);
    ServiceLogging.quiet(true);
    Venue venue = DemoVenues.write(dir, 4, 1, CircuitSizes.TEST);
    EdwardsKeyPair key = new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, 1));
    try (ZkmServer server = TradingServiceTest.start(dir, venue);
        ZkmClient zc =
            ZkmClient.connectTls(
                "localhost:" + server.port(), server.identity().certificateFile())) {
      ManagedChannel ch = zc.channel();
      TradingClient tc = new TradingClient(zc);
      long now = tc.info(Duration.ofSeconds(30)).getNow();
      List<TradingClient.Leg> legs = List.of(new TradingClient.Leg(0, 1));
      byte[][] valid = {
        PlaceOrderRequest.newBuilder()
            .setOrder(TradingClient.sign(key, 2, 1, 1L << 20, now + 600, 1, 1_000_000, 0, legs))
            .build()
            .toByteArray(),
        CancelOrderRequest.newBuilder()
            .setAccountId(1)
            .setOrderId(5)
            .setAuth(
                tc.signer(key)
                    .sign(
                        TradingServiceGrpc.getCancelOrderMethod().getFullMethodName() + ":5",
                        1,
                        0,
                        Duration.ofSeconds(120)))
            .build()
            .toByteArray(),
        BookRequest.newBuilder()
            .addLegs(OrderLeg.newBuilder().setInstrumentId(2).setRatio(1))
            .addLegs(OrderLeg.newBuilder().setInstrumentId(4).setRatio(1))
            .setDepth(5)
            .build()
            .toByteArray()
      };
      String[] methods = {
        TradingServiceGrpc.getPlaceOrderMethod().getFullMethodName(),
        TradingServiceGrpc.getCancelOrderMethod().getFullMethodName(),
        TradingServiceGrpc.getBookMethod().getFullMethodName()
      };
      for (int i = 0; i < count; i++) {
        int m = rnd.nextInt(methods.length);
        byte[] msg = mutate(rnd, valid[m]);
        Status s = RawCalls.call(ch, methods[m], msg);
        assertTrue(
            WELL_DEFINED.contains(s.getCode()),
            "message " + i + " to " + methods[m] + ": " + s + " for " + Arrays.toString(msg));
      }
      // the service is still up and answers a valid order with the engine's verdict and figures
      io.zkmargin.api.v1.PlaceOrderResponse after =
          tc.place(
              key,
              1,
              (1L << 21) | 3,
              now + 600,
              1,
              1_000_000,
              legs,
              io.zkmargin.api.v1.TimeInForce.TIME_IN_FORCE_GTC,
              false,
              false,
              Duration.ofSeconds(30));
      assertTrue(after.hasMargin(), after.toString());
      assertTrue(after.getAccepted() || !after.getRejectReason().isEmpty(), after.toString());
    }
  }

  static byte[] mutate(Random rnd, byte[] v) {
    byte[] b = v.clone();
    switch (rnd.nextInt(6)) {
      case 0 -> {
        b = new byte[rnd.nextInt(300)];
        rnd.nextBytes(b);
      }
      case 1 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
      case 2 -> {
        for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      case 3 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
      case 4 -> {
        int at = rnd.nextInt(b.length);
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, at);
        c[at] = (byte) rnd.nextInt(256);
        System.arraycopy(b, at, c, at + 1, b.length - at);
        b = c;
      }
      default -> {
        int at = rnd.nextInt(b.length);
        byte[] c = new byte[b.length - 1];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
        b = c;
      }
    }
    return b;
  }
}
