package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./zkm serve} runs the books of its demo venue; two accounts trade a straddle with {@code
 * ./zkm trade place}, see the fill with {@code ./zkm trade fills}, the book with {@code ./zkm trade
 * book}, and cancel with {@code ./zkm trade cancel}; a resting order survives a restart of serve.
 */
class TradeCommandTest {

  @Test
  void twoAccountsTradeAStraddleFromTheCommandLine(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    String[] serve = {
      "--data", dir.toString(), "--port", "0", "--bind", "127.0.0.1", "--metrics-port", "-1"
    };
    List<Long> ab = new ArrayList<>();
    String[] target = new String[1];
    try (ZkmServer server = ServeCommand.start(serve)) {
      target[0] = "localhost:" + server.port();
      // the demo venue's test size has 2 position slots: accounts holding only the straddle's legs
      Venue venue = VenueStore.load(dir);
      venue
          .accounts()
          .forEach(
              (id, leaf) -> {
                boolean fits = true;
                for (int j = 0; j < leaf.quantities().length; j++) {
                  long i = leaf.instrumentIds()[j];
                  fits &= leaf.quantities()[j] == 0 || i == 2 || i == 4;
                }
                if (fits && ab.size() < 2) {
                  ab.add(id);
                }
              });
      assertEquals(2, ab.size());
      Captured bid =
          trade(
              "place",
              target[0],
              dir,
              "--account",
              ab.get(0),
              "--legs",
              "2:1,4:1",
              "--qty",
              "1",
              "--limit",
              "80000000",
              "--order-id",
              "5");
      assertEquals(0, bid.exit(), bid.err());
      assertTrue(bid.out().startsWith("ACCEPTED order 5: filled 0 of 1"), bid.out());
      assertTrue(bid.out().contains("margin with open orders: equity "), bid.out());
      assertTrue(bid.out().contains("liquidation of BTC"), bid.out());
      Captured book = trade("book", target[0], dir, "--legs", "2:1,4:1");
      assertTrue(book.out().contains("80000000"), book.out());
      Captured ask =
          trade(
              "place",
              target[0],
              dir,
              "--account",
              ab.get(1),
              "--legs",
              "2:-1,4:-1",
              "--qty",
              "1",
              "--limit",
              "-75000000",
              "--tif",
              "IOC");
      assertEquals(0, ask.exit(), ask.err());
      assertTrue(ask.out().contains("filled 1 of 1"), ask.out());
      assertTrue(ask.out().contains("taker 1 units at net -80000000"), ask.out());
      for (long acct : ab) {
        Captured fills = trade("fills", target[0], dir, "--account", acct);
        assertEquals(0, fills.exit());
        assertTrue(fills.out().endsWith("1 fills\n"), fills.out());
      }
      Captured refused =
          trade(
              "place",
              target[0],
              dir,
              "--account",
              ab.get(0),
              "--legs",
              "2:1,4:1",
              "--qty",
              "100000000",
              "--limit",
              "80000000");
      assertEquals(1, refused.exit());
      assertTrue(refused.out().startsWith("REFUSED order"), refused.out());
      assertTrue(refused.out().contains("MARGIN ("), refused.out());
      assertTrue(refused.out().contains("shortfall"), refused.out());
      Captured rest =
          trade(
              "place",
              target[0],
              dir,
              "--account",
              ab.get(0),
              "--legs",
              "2:1,4:1",
              "--qty",
              "2",
              "--limit",
              "70000000",
              "--post-only");
      assertEquals(0, rest.exit(), rest.out());
    }
    try (ZkmServer server = ServeCommand.start(serve)) {
      target[0] = "localhost:" + server.port();
      Captured orders = trade("orders", target[0], dir, "--account", ab.get(0));
      assertTrue(
          orders.out().contains("legs 2:1,4:1, 0 of 2 filled, limit 70000000"), orders.out());
      assertTrue(orders.out().endsWith("1 live orders\n"), orders.out());
      Captured cancel = trade("cancel", target[0], dir, "--account", ab.get(0), "--all");
      assertEquals("cancelled 1 orders\n", cancel.out());
      Captured usage = trade("cancel", target[0], dir, "--account", ab.get(0));
      assertEquals(2, usage.exit());
    }
  }

  private static Captured trade(String cmd, String target, Path dir, Object... rest)
      throws Exception {
    List<String> argv = new ArrayList<>(List.of(cmd, "--target", target, "--data", dir.toString()));
    for (Object o : rest) {
      argv.add(String.valueOf(o));
    }
    return Captured.run(() -> TradeCommand.run(argv.toArray(new String[0])));
  }
}
