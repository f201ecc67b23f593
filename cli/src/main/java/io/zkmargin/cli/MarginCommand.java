package io.zkmargin.cli;

import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.prover.demo.DemoVenue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm margin --data DIR --account ID}: equity, IM, MM, health, liquidation status, Greeks,
 * VaR and per-scenario P&L of one account of a demo venue.
 */
@Command(
    name = "margin",
    description =
        "equity, IM, MM, health, liquidation status, Greeks, VaR and scenario P&L of one account")
final class MarginCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "demo",
      description = "the venue's data directory, written by ./zkm demo (default ./demo)")
  Path dir;

  @Option(names = "--account", paramLabel = "ID", required = true, description = "the account's id")
  long accountId;

  @Option(
      names = "--db",
      paramLabel = "URL|embedded",
      description = {
        "read the venue and its market from a database (any imported venue, not only a demo):",
        "embedded (DIR/postgres: the default when it exists, e.g. after ./zkm serve; shared",
        "with a serve running on DIR), postgresql://USER:PASSWORD@HOST:PORT/DB, or none",
        "(DIR/venue.json of a demo venue)"
      })
  String db;

  @Override
  public Integer call() {
    long account = Cli.range(spec, "account", accountId, 0, Integer.MAX_VALUE);
    if (db == null && java.nio.file.Files.isDirectory(DbOption.embeddedRoot(dir))) {
      db = DbOption.EMBEDDED; // serve (or demo --db, venue import) keeps the venue there
    }
    if (db != null && !DbOption.NONE.equals(db)) {
      return fromDatabase(account);
    }
    Venue venue;
    try {
      venue = VenueStore.load(dir);
    } catch (IOException e) {
      System.err.println("zkm margin: " + e.getMessage());
      return 1;
    }
    if (!venue.accounts().containsKey(account)) {
      System.err.println("zkm margin: unknown account " + account + " in " + dir);
      return 1;
    }
    Optional<DemoVenue> market = DemoVenues.market(venue);
    if (market.isEmpty()) {
      System.err.println(
          "zkm margin: the instruments' market data of "
              + dir
              + " is unknown (not a demo venue, or its state was changed after ./zkm demo)");
      return 1;
    }
    System.out.print(market.get().marginReport((int) account));
    return 0;
  }

  /** The report from the database's venue and market (instruments, epoch, assets, grid). */
  private int fromDatabase(long account) {
    try (io.zkmargin.store.Database database = DbOption.open(db, dir, 2)) {
      var stored = new io.zkmargin.store.VenueRepository(database.dataSource()).load();
      var market = io.zkmargin.store.VenueImport.loadMarket(database.dataSource());
      if (stored.isEmpty() || market.isEmpty()) {
        System.err.println("zkm margin: the database holds no venue (./zkm venue import)");
        return 1;
      }
      Venue venue = stored.get().venue();
      if (!venue.accounts().containsKey(account)) {
        System.err.println("zkm margin: unknown account " + account);
        return 1;
      }
      var m = market.get();
      System.out.print(
          io.zkmargin.risk.report.MarginReport.DEFAULT.format(
              (int) account,
              venue.account(account),
              m.epoch(),
              venue.riskVector(),
              m.config().grid(),
              m.instruments(),
              m.assets()));
      return 0;
    } catch (java.sql.SQLException | RuntimeException e) {
      System.err.println("zkm margin: " + e.getMessage());
      return 1;
    }
  }
}
