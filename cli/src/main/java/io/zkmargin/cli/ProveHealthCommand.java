package io.zkmargin.cli;

import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm prove-health --data DIR --account ID --threshold-bps B --out FILE}: proves that the
 * account's equity is at least B/10000 times its maintenance margin, writes the proof file and
 * prints the time taken. Refuses (exit 1, nothing written) an account that is not healthy enough.
 */
@Command(
    name = "prove-health",
    description = {
      "prove that the account's equity >= B/10000 x maintenance margin; refuses if it is not",
      "(exit 1, nothing written)"
    })
final class ProveHealthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;
  @Mixin Cli.DevKeysOption devKeys;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "demo",
      description = "the venue's data directory, written by ./zkm demo (default ./demo)")
  Path dir;

  @Option(names = "--account", paramLabel = "ID", required = true, description = "the account's id")
  long account;

  @Option(
      names = "--threshold-bps",
      paramLabel = "B",
      required = true,
      description = "the proven threshold in basis points of maintenance margin (10000 = 1x MM)")
  long threshold;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      required = true,
      description = "the proof file written")
  Path out;

  @Option(
      names = "--keys",
      paramLabel = "KEYDIR",
      description = "proving key cache (default $ZKM_KEYS, else <repo>/target/zkm-keys)")
  String keysDir;

  @Option(
      names = "--db",
      paramLabel = "URL|embedded",
      description =
          "read the venue from a database (its roots checked against the last recorded ones):"
              + " embedded (DIR/postgres) or postgresql://USER:PASSWORD@HOST:PORT/DB")
  String db;

  private Venue fromDatabase() throws java.sql.SQLException {
    try (io.zkmargin.store.Database database = DbOption.open(db, dir, 2)) {
      return new io.zkmargin.store.VenueRepository(database.dataSource()).openCommitted().venue();
    }
  }

  @Override
  public Integer call() {
    Cli.range(spec, "account", account, 0, Long.MAX_VALUE);
    Cli.range(
        spec,
        "threshold-bps",
        threshold,
        0,
        io.zkmargin.commit.HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS);

    Venue venue;
    try {
      venue = db == null ? VenueStore.load(dir) : fromDatabase();
    } catch (IOException | java.sql.SQLException | RuntimeException e) {
      System.err.println("zkm prove-health: " + e.getMessage());
      return 1;
    }
    if (!venue.accounts().containsKey(account)) {
      System.err.println(
          "zkm prove-health: unknown account "
              + account
              + " in "
              + dir
              + " (accounts "
              + venue.accounts().firstKey()
              + ".."
              + venue.accounts().lastKey()
              + ")");
      return 1;
    }
    long t0 = System.nanoTime();
    try (KeyStore keys = devKeys.open(keysDir, dir)) {
      CommittedVenue committed = new CommittedVenue(venue);
      System.err.printf(
          "zkm: proving health of account %d at %s x MM (%s)...%n",
          account, HealthProver.thresholdAsMultiple(threshold), venue.sizes().healthCircuitId());
      HealthProver.Proved proved = new HealthProver(keys).prove(committed, account, threshold);
      proved.proof().write(out);
      System.out.printf(
          "proof written to %s: account %d, equity >= %s x MM; keys %.0f ms, witness %.0f ms, prove %.0f ms, total %.2f s%n",
          out,
          account,
          HealthProver.thresholdAsMultiple(threshold),
          proved.timings().keysNanos() / 1e6,
          proved.timings().witnessNanos() / 1e6,
          proved.timings().proveNanos() / 1e6,
          (System.nanoTime() - t0) / 1e9);
      return 0;
    } catch (NotHealthyException e) {
      System.err.println("zkm prove-health: refused: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      System.err.println("zkm prove-health: cannot write " + out + ": " + e.getMessage());
      return 1;
    }
  }
}
