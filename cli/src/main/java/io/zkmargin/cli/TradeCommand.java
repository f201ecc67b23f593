package io.zkmargin.cli;

import io.zkmargin.api.v1.BookLevel;
import io.zkmargin.api.v1.BookSnapshot;
import io.zkmargin.api.v1.Fill;
import io.zkmargin.api.v1.OpenOrder;
import io.zkmargin.api.v1.OrderLeg;
import io.zkmargin.api.v1.OrderMargin;
import io.zkmargin.api.v1.PlaceOrderResponse;
import io.zkmargin.api.v1.TimeInForce;
import io.zkmargin.api.v1.TradingInfo;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.client.TradingClient;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm trade ...}: the order book of a running service (TradingService). Orders are signed
 * with the account owner's key under DIR/keys (the BATCH.md order message, as the batch circuit
 * checks it); the connection trusts only DIR/tls/server.crt, as {@code ./zkm client} does.
 */
@Command(
    name = "trade",
    description = "trade on a running service's order book (./zkm serve)",
    subcommands = {
      TradeCommand.Place.class,
      TradeCommand.Cancel.class,
      TradeCommand.Book.class,
      TradeCommand.Orders.class,
      TradeCommand.Fills.class
    })
public final class TradeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  static final Duration DEADLINE = Duration.ofSeconds(30);

  /** {@code ./zkm trade} alone: its help, as a usage error (exit 2). */
  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return Cli.USAGE_ERROR;
  }

  /** Runs {@code ./zkm trade argv...}; returns the exit code. */
  public static int run(String[] argv) {
    return Main.run("trade", argv);
  }

  /**
   * Parses {@code instr:ratio,...} (e.g. {@code 2:1,3:1}, a straddle; {@code 0:-1}, sell the first
   * instrument).
   */
  static List<TradingClient.Leg> parseLegs(CommandSpec spec, String s) {
    List<TradingClient.Leg> out = new ArrayList<>();
    for (String part : s.split(",", -1)) {
      String[] f = part.trim().split(":", -1);
      try {
        if (f.length != 2) {
          throw new NumberFormatException();
        }
        long id = Long.parseLong(f[0].trim());
        long ratio = Long.parseLong(f[1].trim());
        if (id < 0 || ratio == 0 || Math.abs(ratio) > 65536) {
          throw new NumberFormatException();
        }
        out.add(new TradingClient.Leg(id, ratio));
      } catch (NumberFormatException e) {
        throw new ParameterException(
            spec.commandLine(),
            "--legs must be INSTRUMENT:RATIO[,...] with ids >= 0 and ratios in [-65536, 65536]"
                + " \\ {0}, e.g. 2:1,3:1; was '"
                + s
                + "'");
      }
    }
    if (out.size() > 4) {
      throw new ParameterException(spec.commandLine(), "--legs: at most 4 legs");
    }
    return out;
  }

  static String legs(List<OrderLeg> legs) {
    StringBuilder b = new StringBuilder();
    for (OrderLeg l : legs) {
      b.append(b.length() == 0 ? "" : ",")
          .append(l.getInstrumentId())
          .append(':')
          .append(l.getRatio());
    }
    return b.toString();
  }

  static EdwardsKeyPair key(ClientCommand.Connection c, long account) throws IOException {
    return new EdwardsKeyPair(VenueStore.loadOwnerSecret(c.dir, account));
  }

  static String fill(Fill f) {
    return String.format(
        "fill #%d: account %d order %d %s %d units at net %d (legs %s) vs account %d%s",
        f.getSequence(),
        f.getAccountId(),
        f.getOrderId(),
        f.getMaker() ? "maker" : "taker",
        f.getQuantity(),
        f.getNetPrice(),
        f.getLegPricesList(),
        f.getCounterpartyAccountId(),
        f.getImplied() ? " (implied)" : "");
  }

  @Command(
      name = "place",
      header = "sign and place an order (a single leg or a 2..4-leg combo at one net limit)",
      description = {
        "sign and place an order; prints ACCEPTED (filled, resting, the margin the account's",
        "orders use, the estimated liquidation price) or REFUSED with the reason and, for",
        "margin, the failing figure and shortfall. Exit 0 accepted, 1 refused or failed."
      })
  static final class Place implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the account")
    long account;

    @Option(
        names = "--legs",
        paramLabel = "LEGS",
        required = true,
        description = {
          "INSTRUMENT:RATIO,... lots per unit, positive = buy the leg; e.g. 2:1,3:1 (a straddle),",
          "0:1 (buy instrument 0), 0:-1 (sell it)"
        })
    String legs;

    @Option(names = "--qty", paramLabel = "Q", required = true, description = "combo units > 0")
    long qty;

    @Option(
        names = "--limit",
        paramLabel = "P",
        required = true,
        description = {
          "net limit per unit, quote atoms (6 decimals): the most paid; negative = at least -P",
          "received (a sell of one instrument at 1.5 USDC: --legs 0:-1 --limit -1500000)"
        })
    long limit;

    @Option(
        names = "--tif",
        paramLabel = "TIF",
        defaultValue = "GTC",
        description = "GTC (default), IOC or FOK")
    String tif;

    @Option(names = "--post-only", description = "refused if it would match on arrival")
    boolean postOnly;

    @Option(names = "--reduce-only", description = "single leg; only reduces the position")
    boolean reduceOnly;

    @Option(
        names = "--order-id",
        paramLabel = "ID",
        description = "order id in [1, 2^62) (default: a fresh one in a free fill slot)")
    Long orderId;

    @Option(
        names = "--expiry-seconds",
        paramLabel = "S",
        defaultValue = "86400",
        description = "the order expires S seconds from now (default 86400)")
    long expirySeconds;

    @Override
    public Integer call() {
      Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
      Cli.range(spec, "qty", qty, 1, Long.MAX_VALUE);
      Cli.range(spec, "expiry-seconds", expirySeconds, 1, 10L * 365 * 86_400);
      List<TradingClient.Leg> l = parseLegs(spec, legs);
      TimeInForce t =
          switch (tif.toUpperCase(java.util.Locale.ROOT)) {
            case "GTC" -> TimeInForce.TIME_IN_FORCE_GTC;
            case "IOC" -> TimeInForce.TIME_IN_FORCE_IOC;
            case "FOK" -> TimeInForce.TIME_IN_FORCE_FOK;
            default ->
                throw new ParameterException(
                    spec.commandLine(), "--tif must be GTC, IOC or FOK, was " + tif);
          };
      if (orderId != null) {
        Cli.range(spec, "order-id", orderId, 1, (1L << 62) - 1);
      }
      return connection.run("trade place", client -> place(client, l, t));
    }

    private int place(ZkmClient client, List<TradingClient.Leg> l, TimeInForce t)
        throws IOException {
      EdwardsKeyPair key = key(connection, account);
      TradingClient tc = new TradingClient(client);
      TradingInfo info = tc.info(DEADLINE);
      long id =
          orderId != null
              ? orderId
              : TradingClient.nextOrderId(
                  info.getOrderSlotBits(), tc.openOrders(tc.signer(key), account, DEADLINE));
      PlaceOrderResponse r =
          tc.place(
              key,
              account,
              id,
              info.getNow() + expirySeconds,
              qty,
              limit,
              l,
              t,
              postOnly,
              reduceOnly,
              DEADLINE);
      if (r.getAccepted()) {
        System.out.printf(
            "ACCEPTED order %d: filled %d of %d, %s%n",
            id,
            r.getFilledQuantity(),
            qty,
            r.getResting() ? "the rest rests on the book" : "none rests");
      } else {
        System.out.printf("REFUSED order %d: %s", id, r.getRejectReason());
        if (r.getRejectReason().equals("MARGIN")) {
          System.out.printf(
              " (%s %d required, equity %d, shortfall %d quote atoms)",
              r.getFailedFigure(),
              r.getRequiredQuoteAtoms(),
              r.getFailedEquityQuoteAtoms(),
              r.getShortfallQuoteAtoms());
        }
        System.out.printf("%s%n", r.getDetail().isEmpty() ? "" : ": " + r.getDetail());
      }
      for (Fill f : r.getFillsList()) {
        System.out.println("  " + fill(f));
      }
      if (r.hasMargin()) {
        OrderMargin m = r.getMargin();
        System.out.printf(
            "margin with open orders: equity %d, initial margin %d, maintenance margin %d quote"
                + " atoms%s%n",
            m.getEquityQuoteAtoms(),
            m.getInitialMarginQuoteAtoms(),
            m.getMaintenanceMarginQuoteAtoms(),
            m.getUnderlying().isEmpty()
                ? ""
                : m.getLiquidationPrice() < 0
                    ? "; no liquidation of " + m.getUnderlying() + " within the scenario range"
                    : "; estimated liquidation of "
                        + m.getUnderlying()
                        + " at "
                        + m.getLiquidationPrice()
                        + " (spot "
                        + m.getSpot()
                        + ")");
      }
      return r.getAccepted() ? 0 : 1;
    }
  }

  @Command(
      name = "cancel",
      header = "cancel one order (--order-id) or every order (--all) of an account")
  static final class Cancel implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the account")
    long account;

    @Option(names = "--order-id", paramLabel = "ID", description = "the order to cancel")
    Long orderId;

    @Option(names = "--all", description = "cancel every live order of the account")
    boolean all;

    @Override
    public Integer call() {
      Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
      if ((orderId == null) == !all) {
        throw new ParameterException(spec.commandLine(), "give exactly one of --order-id, --all");
      }
      return connection.run(
          "trade cancel",
          client -> {
            TradingClient tc = new TradingClient(client);
            var signer = tc.signer(key(connection, account));
            if (all) {
              System.out.println(
                  "cancelled " + tc.cancelAll(signer, account, DEADLINE) + " orders");
              return 0;
            }
            boolean done = tc.cancel(signer, account, orderId, DEADLINE);
            System.out.println(
                done ? "cancelled order " + orderId : "order " + orderId + " was not live");
            return done ? 0 : 1;
          });
    }
  }

  @Command(name = "book", header = "print a strategy's book (bids and asks, best first)")
  static final class Book implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(
        names = "--legs",
        paramLabel = "LEGS",
        required = true,
        description = "the strategy: INSTRUMENT:RATIO,... increasing ids, first ratio positive")
    String legs;

    @Option(
        names = "--depth",
        paramLabel = "N",
        defaultValue = "10",
        description = "levels per side (default 10)")
    long depth;

    @Override
    public Integer call() {
      Cli.range(spec, "depth", depth, 1, 100);
      List<TradingClient.Leg> l = parseLegs(spec, legs);
      return connection.run(
          "trade book",
          client -> {
            BookSnapshot s = new TradingClient(client).book(l, (int) depth, DEADLINE);
            System.out.println("book " + legs(s.getLegsList()));
            System.out.printf("%20s %12s | %-12s %-20s%n", "bid qty", "bid", "ask", "ask qty");
            for (int i = 0; i < Math.max(s.getBidsCount(), s.getAsksCount()); i++) {
              BookLevel b = i < s.getBidsCount() ? s.getBids(i) : null;
              BookLevel a = i < s.getAsksCount() ? s.getAsks(i) : null;
              System.out.printf(
                  "%20s %12s | %-12s %-20s%n",
                  b == null ? "" : b.getQuantity(),
                  b == null ? "" : b.getPrice(),
                  a == null ? "" : a.getPrice(),
                  a == null ? "" : a.getQuantity());
            }
            return 0;
          });
    }
  }

  @Command(name = "orders", header = "print an account's live orders")
  static final class Orders implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the account")
    long account;

    @Override
    public Integer call() {
      Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
      return connection.run(
          "trade orders",
          client -> {
            TradingClient tc = new TradingClient(client);
            List<OpenOrder> os =
                tc.openOrders(tc.signer(key(connection, account)), account, DEADLINE);
            for (OpenOrder o : os) {
              System.out.printf(
                  "order %d: legs %s, %d of %d filled, limit %d, expiry %d%n",
                  o.getOrderId(),
                  legs(o.getLegsList()),
                  o.getFilled(),
                  o.getQuantity(),
                  o.getLimitPrice(),
                  o.getExpiry());
            }
            System.out.println(os.size() + " live orders");
            return 0;
          });
    }
  }

  @Command(name = "fills", header = "print an account's fills, oldest first")
  static final class Fills implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.HelpOption help;
    @Mixin ClientCommand.Connection connection;

    @Option(names = "--account", paramLabel = "N", required = true, description = "the account")
    long account;

    @Override
    public Integer call() {
      Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
      return connection.run(
          "trade fills",
          client -> {
            TradingClient tc = new TradingClient(client);
            List<Fill> fs = tc.fills(tc.signer(key(connection, account)), account, DEADLINE);
            for (Fill f : fs) {
              System.out.println(fill(f));
            }
            System.out.println(fs.size() + " fills");
            return 0;
          });
    }
  }
}
