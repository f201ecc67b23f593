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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm demo --data DIR --accounts N --seed S [--size test|production]}: writes a
 * reproducible demo venue (accounts with mixed portfolios, an oracle epoch and its risk vector,
 * owner keys) to DIR.
 */
@Command(
    name = "demo",
    description =
        "write a reproducible demo venue (accounts, oracle epoch, risk vector, owner keys)")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "demo",
      description = "directory the venue is written to (default ./demo)")
  Path dir;

  @Option(
      names = "--accounts",
      paramLabel = "N",
      defaultValue = "20",
      description = "number of accounts, 1 to 2^(state tree depth of the size) (default 20)")
  long accounts;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "7",
      description = "seed of the venue: the same seed writes the same venue (default 7)")
  long seed;

  @Option(
      names = "--size",
      paramLabel = "test|production",
      defaultValue = "test",
      description = "circuit size: test (small trees, fast keys) or production (default test)")
  Cli.Size size;

  @Option(
      names = "--force",
      description =
          "replace a venue already in DIR (its proofs will no longer match the state root)")
  boolean force;

  @Option(
      names = "--db",
      paramLabel = "URL|embedded",
      description =
          "also write the venue into a database, through the import's path: embedded (DIR/postgres)"
              + " or postgresql://USER:PASSWORD@HOST:PORT/DB")
  String db;

  @Override
  public Integer call() {
    Cli.range(spec, "accounts", accounts, 1, 1_000_000);
    CircuitSizes sizes = size.sizes();
    if (accounts > (1L << sizes.stateDepth())) {
      throw new ParameterException(
          spec.commandLine(),
          "--accounts must be at most 2^" + sizes.stateDepth() + " for this size");
    }
    int rc = write(dir, (int) accounts, seed, sizes, force);
    if (rc != 0 || db == null) {
      return rc;
    }
    try (io.zkmargin.store.Database database = DbOption.open(db, dir, 2)) {
      io.zkmargin.prover.demo.DemoVenue demo = DemoVenues.generate((int) accounts, seed, sizes);
      Venue venue = VenueStore.load(dir); // as written, with its demo origin
      long version =
          io.zkmargin.store.VenueImport.write(
              database.dataSource(), io.zkmargin.store.VenueImport.ofDemo(demo), venue);
      new io.zkmargin.store.VenueRepository(database.dataSource()).openCommitted();
      System.out.println("  written to the database (venue version " + version + ")");
      return 0;
    } catch (Exception e) {
      System.err.println("zkm demo: cannot write the venue to the database: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Writes the demo venue and prints its summary line.
   *
   * @param accounts number of accounts, at most 2^(state depth of {@code sizes})
   * @param force replace a venue already in {@code dir}; without it an existing venue is refused
   *     (exit 1)
   * @return exit code: 0 written, 1 refused or not written
   */
  static int write(Path dir, int accounts, long seed, CircuitSizes sizes, boolean force) {
    if (Files.exists(dir.resolve(VenueStore.VENUE_FILE)) && !force) {
      System.err.println(
          "zkm demo: "
              + dir.resolve(VenueStore.VENUE_FILE)
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
      System.out.printf(
          "demo venue written to %s in %.2f s: %d accounts (%d above maintenance margin, %d liquidatable),"
              + " %d instruments, epoch %d, circuit %s%n  stateRoot %s%n  riskRoot  %s%n",
          dir,
          (System.nanoTime() - t0) / 1e9,
          accounts,
          healthy,
          liquidatable,
          venue.riskVector().entries().size(),
          venue.epoch(),
          sizes.healthCircuitId(),
          committed.stateRoot(),
          committed.riskRoot());
      return 0;
    } catch (IOException e) {
      System.err.println("zkm demo: cannot write " + dir + ": " + e.getMessage());
      return 1;
    }
  }
}
