package io.zkmargin.grpc;

import io.zkmargin.api.v1.PlaceOrderRequest;
import io.zkmargin.api.v1.PlaceOrderResponse;
import io.zkmargin.api.v1.TimeInForce;
import io.zkmargin.api.v1.TradingInfo;
import io.zkmargin.commit.AccountLeaf;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Orders per second through the TradingService over TLS on loopback, with C clients (default 8),
 * each its own connection and demo account, sending pre-signed single-leg orders on the BTC perp
 * (half resting 1..5 ticks from the mark, half IOC crossing) one after the other. Each order is
 * signature-checked, margin-checked, matched and fsynced to the order log before its answer. Not
 * run by CI:
 *
 * <pre>
 * mvn -B -q -o -pl grpc-api -am install -DskipTests -Dzkm.skipGoAndForge=true
 * mvn -B -q -o -pl grpc-api exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.zkmargin.grpc.TradingGrpcBench -Dexec.args="8 2000"
 * </pre>
 */
public final class TradingGrpcBench {

  private TradingGrpcBench() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    ServiceLogging.quiet(true);
    Path dir = Files.createTempDirectory("zkm-trading-bench");
    Venue venue = DemoVenues.write(dir, 64, 1, CircuitSizes.TEST);
    List<Long> accounts = new ArrayList<>();
    for (Map.Entry<Long, AccountLeaf> e : venue.accounts().entrySet()) {
      AccountLeaf l = e.getValue();
      boolean free = false;
      for (int j = 0; j < l.quantities().length; j++) {
        free |= l.quantities()[j] == 0 || l.instrumentIds()[j] == 0;
      }
      if (free && accounts.size() < clients) {
        accounts.add(e.getKey());
      }
    }
    if (accounts.size() < clients) {
      throw new IllegalStateException("only " + accounts.size() + " accounts with a free slot");
    }
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    try (ZkmServer server =
        new ZkmServer(
            VenueBackend.of(
                venue, KeyStore.openDefault(true)), // a benchmark: development keys are fine
            id,
            new ZkmServer.Config("127.0.0.1", 0, false, 1, 8, -1, 1_000))) {
      server.enableTrading(venue, dir.resolve("orders.log"));
      server.start();
      String target = "localhost:" + server.port();
      List<ZkmClient> conns = new ArrayList<>();
      List<List<PlaceOrderRequest>> orders = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        ZkmClient zc = ZkmClient.connectTls(target, id.certificateFile());
        conns.add(zc);
        TradingClient tc = new TradingClient(zc);
        TradingInfo info = tc.info(Duration.ofSeconds(30));
        long mark = info.getInstruments(0).getMark();
        long tick = Math.max(1, mark / 10_000);
        long acct = accounts.get(c);
        EdwardsKeyPair key = new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, acct));
        List<PlaceOrderRequest> mine = new ArrayList<>();
        for (int i = 0; i < perClient; i++) {
          boolean buy = ((i + c) & 1) == 0;
          boolean ioc = (i & 2) != 0;
          long offset = ioc ? -(1 + i % 5) : 1 + i % 5; // IOC crosses, GTC rests away
          long px = buy ? mark - offset * tick : mark + offset * tick;
          mine.add(
              PlaceOrderRequest.newBuilder()
                  .setOrder(
                      TradingClient.sign(
                          key,
                          (int) info.getLegs(),
                          acct,
                          ((long) (i + 1) << info.getOrderSlotBits()) | (i & 1023),
                          info.getNow() + 3600,
                          1,
                          buy ? px : -px,
                          0,
                          List.of(new TradingClient.Leg(0, buy ? 1 : -1))))
                  .setTimeInForce(
                      ioc ? TimeInForce.TIME_IN_FORCE_IOC : TimeInForce.TIME_IN_FORCE_GTC)
                  .build());
        }
        orders.add(mine);
      }
      System.out.printf(
          "signed %d orders in %.1f s%n", clients * perClient, (System.nanoTime() - t0) / 1e9);
      AtomicLong accepted = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      java.util.concurrent.ConcurrentHashMap<String, Integer> reasons =
          new java.util.concurrent.ConcurrentHashMap<>();
      List<Thread> threads = new ArrayList<>();
      long start = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        TradingClient tc = new TradingClient(conns.get(c));
        List<PlaceOrderRequest> mine = orders.get(c);
        Thread t =
            new Thread(
                () -> {
                  for (PlaceOrderRequest r : mine) {
                    PlaceOrderResponse a = tc.place(r, Duration.ofSeconds(60));
                    (a.getAccepted() ? accepted : refused).incrementAndGet();
                    if (!a.getAccepted()) {
                      reasons.merge(a.getRejectReason(), 1, Integer::sum);
                    }
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "%d clients x %d orders over TLS: %.0f orders/s (%d accepted, %d refused %s, %.1f s)%n",
          clients, perClient, clients * perClient / s, accepted.get(), refused.get(), reasons, s);
      for (ZkmClient zc : conns) {
        zc.close();
      }
    }
  }
}
