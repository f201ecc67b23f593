package io.zkmargin.cli;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code ./zkm demo --data DIR --accounts N --seed S [--size test|production]}: writes a reproducible demo
 * venue (accounts with mixed portfolios, an oracle epoch and its risk vector, owner keys) to DIR.
 */
final class DemoCommand {
  private DemoCommand() {}

  static int run(String[] argv) throws Args.UsageException {
    Args args = Args.parse(argv, Set.of("data", "accounts", "seed", "size"), Set.of("force"));
    Path dir = args.dataDir();
    int accounts = (int) args.getLong("accounts", 20, 1, 1_000_000);
    long seed = args.getLong("seed", 7, Long.MIN_VALUE, Long.MAX_VALUE);
    CircuitSizes sizes = switch (args.get("size", "test")) {
      case "test" -> CircuitSizes.TEST;
      case "production" -> CircuitSizes.PRODUCTION;
      default -> throw new Args.UsageException("--size must be test or production");
    };
    if (accounts > (1L << sizes.stateDepth())) {
      throw new Args.UsageException("--accounts must be at most 2^" + sizes.stateDepth() + " for this size");
    }
    if (Files.exists(dir.resolve(VenueStore.VENUE_FILE)) && !args.flag("force")) {
      System.err.println("zkm demo: " + dir.resolve(VenueStore.VENUE_FILE)
          + " exists; pass --force to replace it (its proofs will no longer match the state root)");
      return 1;
    }
    long t0 = System.nanoTime();
    try {
      Venue venue = DemoVenues.write(dir, accounts, seed, sizes);
      CommittedVenue committed = new CommittedVenue(venue);
      int healthy = 0;
      int liquidatable = 0;
      for (var leaf : venue.accounts().values()) {
        MarginSummary m = MarginCalculator.DEFAULT.evaluate(venue.riskVector(), leaf).summary();
        if (m.liquidatable()) {
          liquidatable++;
        } else {
          healthy++;
        }
      }
      System.out.printf("demo venue written to %s in %.2f s: %d accounts (%d above maintenance margin, %d liquidatable),"
              + " %d instruments, epoch %d, circuit %s%n  stateRoot %s%n  riskRoot  %s%n",
          dir, (System.nanoTime() - t0) / 1e9, accounts, healthy, liquidatable,
          venue.riskVector().entries().size(), venue.epoch(), sizes.healthCircuitId(),
          committed.stateRoot(), committed.riskRoot());
      return 0;
    } catch (IOException e) {
      System.err.println("zkm demo: cannot write " + dir + ": " + e.getMessage());
      return 1;
    }
  }
}
