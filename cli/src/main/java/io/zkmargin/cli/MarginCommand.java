package io.zkmargin.cli;

import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.prover.demo.DemoVenue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./zkm margin --data DIR --account ID}: equity, IM, MM, health, liquidation status, Greeks, VaR and
 * per-scenario P&L of one account of a demo venue.
 */
final class MarginCommand {
  private MarginCommand() {}

  static int run(String[] argv) throws Args.UsageException {
    Args args = Args.parse(argv, Set.of("data", "account"), Set.of());
    Path dir = args.dataDir();
    long account = args.requiredLong("account", 0, Integer.MAX_VALUE);
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
      System.err.println("zkm margin: the instruments' market data of " + dir
          + " is unknown (not a demo venue, or its state was changed after ./zkm demo)");
      return 1;
    }
    System.out.print(market.get().marginReport((int) account));
    return 0;
  }
}
