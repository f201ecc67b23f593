package io.zkmargin.cli;

import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code ./zkm prove-health --data DIR --account ID --threshold-bps B --out FILE}: proves that the account's
 * equity is at least B/10000 times its maintenance margin, writes the proof file and prints the time taken.
 * Refuses (exit 1, nothing written) an account that is not healthy enough.
 */
final class ProveHealthCommand {
  private ProveHealthCommand() {}

  static int run(String[] argv) throws Args.UsageException {
    Args args = Args.parse(argv, Set.of("data", "account", "threshold-bps", "out", "keys"), Set.of());
    Path dir = args.dataDir();
    long account = args.requiredLong("account", 0, Long.MAX_VALUE);
    long threshold = args.requiredLong("threshold-bps", 0, io.zkmargin.commit.HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS);
    Path out = Path.of(args.required("out"));
    String keysDir = args.get("keys", null);

    Venue venue;
    try {
      venue = VenueStore.load(dir);
    } catch (IOException e) {
      System.err.println("zkm prove-health: " + e.getMessage());
      return 1;
    }
    if (!venue.accounts().containsKey(account)) {
      System.err.println("zkm prove-health: unknown account " + account + " in " + dir
          + " (accounts " + venue.accounts().firstKey() + ".." + venue.accounts().lastKey() + ")");
      return 1;
    }
    long t0 = System.nanoTime();
    try (KeyStore keys = keysDir == null ? KeyStore.openDefault() : new KeyStore(Path.of(keysDir))) {
      CommittedVenue committed = new CommittedVenue(venue);
      System.err.printf("zkm: proving health of account %d at %s x MM (%s)...%n", account,
          HealthProver.thresholdAsMultiple(threshold), venue.sizes().healthCircuitId());
      HealthProver.Proved proved = new HealthProver(keys).prove(committed, account, threshold);
      proved.proof().write(out);
      System.out.printf("proof written to %s: account %d, equity >= %s x MM; keys %.0f ms, witness %.0f ms, prove %.0f ms, total %.2f s%n",
          out, account, HealthProver.thresholdAsMultiple(threshold), proved.timings().keysNanos() / 1e6,
          proved.timings().witnessNanos() / 1e6,
          proved.timings().proveNanos() / 1e6, (System.nanoTime() - t0) / 1e9);
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
