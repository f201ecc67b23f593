package io.zkmargin.store.bench;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.store.Database;
import io.zkmargin.store.HealthJobs;
import io.zkmargin.store.PoolMetrics;
import io.zkmargin.store.ProvingJobs;
import io.zkmargin.store.VenueRepository;
import io.zkmargin.store.Worker;
import io.zkmargin.store.WorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Benchmarks of the proving pool on the embedded server (not a test: prints figures).
 *
 * <ul>
 *   <li>{@code noop THREADS JOBS}: no-op jobs per second through the queue with one worker of
 *       THREADS threads (each its own lease/complete loop and connection): the queue's own limit
 *   <li>{@code health PROCESSES JOBS}: real health proofs (test circuit size) per second with
 *       PROCESSES worker JVMs of one thread each
 * </ul>
 *
 * Run: {@code tools/bench-pool.sh noop 8 20000}, {@code tools/bench-pool.sh health 3 60}.
 */
public final class PoolBench {
  private PoolBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int n = Integer.parseInt(args[1]);
    int jobsN = Integer.parseInt(args[2]);
    Path dir = Files.createTempDirectory("zkm-pool-bench-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Database db = Database.embedded(dir.resolve("pg"), n + 4)) {
      ProvingJobs jobs = new ProvingJobs(db.dataSource());
      if (mode.equals("noop")) {
        noop(db, jobs, n, jobsN, args.length > 3 ? Integer.parseInt(args[3]) : 1);
      } else {
        health(db, jobs, n, jobsN, dir);
      }
    } finally {
      try (var walk = Files.walk(dir)) {
        for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(q);
        }
      }
    }
  }

  private static void noop(Database db, ProvingJobs jobs, int threads, int jobsN, int batch)
      throws Exception {
    for (int round = 0; round < 2; round++) { // round 0 warms up the JIT and the pool
      int count = round == 0 ? Math.min(2000, jobsN) : jobsN;
      jobs.submitAll("noop", ProvingJobs.PRIORITY_BACKGROUND, Collections.nCopies(count, "{}"), 1);
      PoolMetrics m = new PoolMetrics(new PrometheusRegistry(), null);
      long t0 = System.nanoTime();
      try (Worker w =
          new Worker(
              jobs,
              "bench",
              threads,
              batch,
              Map.of("noop", Worker.NOOP),
              m,
              Duration.ofSeconds(30))) {
        while (w.completed() < count) {
          Thread.sleep(5);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (round == 1) {
          System.out.printf(
              "noop: %d jobs, %d worker threads, %d leased per round trip: %.2f s, %.0f jobs/s"
                  + " (load %s)%n",
              count, threads, batch, s, count / s, load());
        }
      }
    }
  }

  private static void health(Database db, ProvingJobs jobs, int processes, int jobsN, Path dir)
      throws Exception {
    CircuitSizes sizes = CircuitSizes.TEST;
    DemoVenue demo = DemoVenues.generate(60, 7, sizes);
    TreeMap<Long, AccountLeaf> leaves = new TreeMap<>();
    for (int i = 0; i < demo.accounts().size(); i++) {
      leaves.put((long) i, demo.accounts().get(i));
    }
    Venue venue = new Venue(sizes, leaves, demo.riskVector(), Optional.empty());
    CommittedVenue committed = new CommittedVenue(venue);
    new VenueRepository(db.dataSource()).save(venue, Optional.of(committed));
    List<Long> healthy = new ArrayList<>();
    leaves.forEach(
        (id, leaf) -> {
          if (MarginCalculator.DEFAULT.evaluate(venue.riskVector(), leaf).isHealthy(10_000)) {
            healthy.add(id);
          }
        });
    try (KeyStore keys = KeyStore.openDefault(true)) {
      keys.ensureKeys(sizes.healthCircuitId());
    }
    List<Process> workers = new ArrayList<>();
    for (int i = 0; i < processes; i++) {
      workers.add(
          new ProcessBuilder(
                  "setpriv",
                  "--pdeathsig",
                  "KILL",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-Dzkm.root=" + System.getProperty("zkm.root", "."),
                  "-Dzkm.allowDevKeys=true",
                  WorkerMain.class.getName(),
                  "--db",
                  db.url(),
                  "--kinds",
                  "health",
                  "--name",
                  "P" + (i + 1))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("worker-" + i + ".log").toFile())
              .start());
    }
    try {
      // warm-up: every worker proves a few before the clock starts (JVM start, key load, JIT)
      run(jobs, healthy, processes * 3);
      long t0 = System.nanoTime();
      run(jobs, healthy, jobsN);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "health (%s): %d proofs, %d worker process(es): %.2f s, %.2f proofs/s (load %s)%n",
          sizes.healthCircuitId(), jobsN, processes, s, jobsN / s, load());
    } finally {
      workers.forEach(Process::destroy);
      for (Process p : workers) {
        p.waitFor();
      }
    }
  }

  private static void run(ProvingJobs jobs, List<Long> accounts, int count) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(
          jobs.submit(
              HealthJobs.KIND,
              0,
              HealthJobs.payload(accounts.get(i % accounts.size()), 10_000, null),
              null,
              1));
    }
    for (long id : ids) {
      ProvingJobs.Job j = jobs.await(id, Duration.ofMinutes(10)).orElseThrow();
      if (j.state() != ProvingJobs.State.DONE) {
        throw new IllegalStateException("job " + id + " " + j.state() + ": " + j.error());
      }
    }
  }

  private static String load() throws java.io.IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
