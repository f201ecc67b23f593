package io.zkmargin.store.bench;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.store.Database;
import io.zkmargin.store.VenueImport;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Times {@code ./zkm venue import} of N accounts at the production circuit size (parse, check every
 * field, build the risk vector, COPY into PostgreSQL, commit) on the embedded server. The accounts
 * are the 20 demo accounts' portfolios repeated under ids 0..N-1. Not a test: prints the figure.
 * Run: {@code tools/bench-pool.sh import 1000000} (same class path as the pool bench).
 */
public final class ImportBench {
  private ImportBench() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    Path dir = Files.createTempDirectory("zkm-import-bench-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      DemoVenue demo = DemoVenues.generate(20, 7, CircuitSizes.PRODUCTION);
      TreeMap<Long, AccountLeaf> leaves = new TreeMap<>();
      for (int i = 0; i < demo.accounts().size(); i++) {
        leaves.put((long) i, demo.accounts().get(i));
      }
      Venue venue = new Venue(demo.sizes(), leaves, demo.riskVector(), Optional.empty());
      Path files = dir.resolve("files");
      VenueImport.export(files, VenueImport.ofDemo(demo), venue);
      try (Writer w =
          Files.newBufferedWriter(
              files.resolve(VenueImport.ACCOUNTS_FILE), StandardCharsets.UTF_8)) {
        w.write(VenueImport.ACCOUNTS_HEADER + "\n");
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < n; i++) {
          VenueImport.accountLine(line, i, demo.accounts().get(i % 20));
          w.append(line);
        }
      }
      System.out.printf(
          "accounts.csv: %d accounts, %.1f MB%n",
          n, Files.size(files.resolve(VenueImport.ACCOUNTS_FILE)) / 1e6);
      try (Database db = Database.embedded(dir.resolve("pg"), 4)) {
        List<Path> all;
        try (Stream<Path> s = Files.list(files)) {
          all = s.sorted().toList();
        }
        long t0 = System.nanoTime();
        VenueImport.Result r = VenueImport.importFiles(db.dataSource(), all);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
            "import (%s): %d accounts in %.2f s (parse and check %.2f s, write %.2f s),"
                + " %.0f accounts/s (load %s)%n",
            CircuitSizes.PRODUCTION.healthCircuitId(),
            r.accounts(),
            s,
            r.checkNanos() / 1e9,
            r.writeNanos() / 1e9,
            r.accounts() / s,
            Files.readString(Path.of("/proc/loadavg")).trim());
      }
    } finally {
      try (var walk = Files.walk(dir)) {
        for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(q);
        }
      }
    }
  }
}
