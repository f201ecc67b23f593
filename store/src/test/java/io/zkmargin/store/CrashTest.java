package io.zkmargin.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.margin.MarginCalculator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Crash tests with real processes on the embedded server: a worker killed with SIGKILL in the
 * middle of a job, three worker processes proving health for real, the JVM that runs PostgreSQL
 * killed, and PostgreSQL itself killed. After each: every job has exactly one result, none is
 * stuck, no process is left.
 */
class CrashTest {

  @Test
  void aWorkerKilledMidJobLosesItsLeaseAndTheJobCompletesElsewhereOnce() throws Exception {
    Path root = TestDb.freshRoot("kill-worker");
    try (Database db = Database.embedded(root, 4)) {
      ProvingJobs jobs = new ProvingJobs(db.dataSource());
      // the first attempt sleeps 10 minutes: the worker is killed while it runs
      long id = jobs.submit("noop", 0, "{\"sleepMillis\":600000,\"sleepAttempts\":1}", null, 3);
      Process a = Processes.worker(root.getParent(), db.url(), "A", "noop", 1000);
      awaitState(jobs, id, ProvingJobs.State.LEASED, 60);
      assertEquals("A", jobs.get(id).orElseThrow().worker().orElseThrow());
      Processes.kill9(a);
      Process b = Processes.worker(root.getParent(), db.url(), "B", "noop", 1000);
      try {
        ProvingJobs.Job j = jobs.await(id, Duration.ofSeconds(90)).orElseThrow();
        assertEquals(ProvingJobs.State.DONE, j.state());
        assertEquals("B", j.worker().orElseThrow());
        assertEquals(2, j.attempts(), "A's attempt, then B's");
        assertEquals("ok", new String(j.result().orElseThrow(), StandardCharsets.UTF_8));
        assertEquals(Map.of("done", Map.of("noop", 1L)), jobs.counts());
      } finally {
        b.destroy(); // SIGTERM: a clean stop
        assertTrue(b.waitFor(60, TimeUnit.SECONDS), "worker B stops on SIGTERM");
      }
      assertTrue(Processes.gone(a.pid()) && Processes.gone(b.pid()));
    }
  }

  @Test
  void threeWorkerProcessesProveHealthForRealAndEveryJobEndsOnce() throws Exception {
    Path root = TestDb.freshRoot("three-workers");
    CircuitSizes sizes = CircuitSizes.TEST;
    DemoVenue demo = DemoVenues.generate(20, 7, sizes);
    TreeMap<Long, AccountLeaf> leaves = new TreeMap<>();
    for (int i = 0; i < demo.accounts().size(); i++) {
      leaves.put((long) i, demo.accounts().get(i));
    }
    Venue venue = new Venue(sizes, leaves, demo.riskVector(), Optional.empty());
    CommittedVenue committed = new CommittedVenue(venue);
    List<Long> healthy = new ArrayList<>();
    long unhealthy = -1;
    for (Map.Entry<Long, AccountLeaf> e : leaves.entrySet()) {
      boolean ok =
          MarginCalculator.DEFAULT.evaluate(venue.riskVector(), e.getValue()).isHealthy(10_000);
      if (ok && healthy.size() < 9) {
        healthy.add(e.getKey());
      } else if (!ok && unhealthy < 0) {
        unhealthy = e.getKey();
      }
    }
    assertTrue(healthy.size() == 9 && unhealthy >= 0, "the demo venue has both kinds");
    try (KeyStore keys = KeyStore.openDefault()) {
      keys.ensureKeys(sizes.healthCircuitId()); // made once here, not by three processes at once
    }
    List<Process> workers = new ArrayList<>();
    try (Database db = Database.embedded(root, 4)) {
      new VenueRepository(db.dataSource()).save(venue, Optional.of(committed));
      ProvingJobs jobs = new ProvingJobs(db.dataSource());
      List<Long> ids = new ArrayList<>();
      for (long acc : healthy) {
        ids.add(
            jobs.submit(
                HealthJobs.KIND,
                ProvingJobs.PRIORITY_TRADER,
                HealthJobs.payload(acc, 10_000, committed.stateRoot()),
                "health-" + acc,
                HealthJobs.MAX_ATTEMPTS));
      }
      long refused =
          jobs.submit(
              HealthJobs.KIND,
              0,
              HealthJobs.payload(unhealthy, 10_000, null),
              null,
              HealthJobs.MAX_ATTEMPTS);
      for (String name : List.of("W1", "W2", "W3")) {
        workers.add(Processes.worker(root.getParent(), db.url(), name, "health", 10_000));
      }
      Set<String> names = new TreeSet<>();
      try (KeyStore keys = KeyStore.openDefault();
          ProofVerifier verifier = new ProofVerifier(keys)) {
        for (int i = 0; i < ids.size(); i++) {
          ProvingJobs.Job j = jobs.await(ids.get(i), Duration.ofSeconds(300)).orElseThrow();
          assertEquals(ProvingJobs.State.DONE, j.state(), j.error().orElse(""));
          assertEquals(1, j.attempts());
          names.add(j.worker().orElseThrow());
          ProofFile proof =
              ProofFile.parse(new String(j.result().orElseThrow(), StandardCharsets.UTF_8));
          assertTrue(verifier.verify(proof).valid());
          assertEquals(healthy.get(i), proof.healthAccountId());
          assertEquals(committed.stateRoot(), proof.publicInputs().get(0));
          assertEquals(committed.riskRoot(), proof.publicInputs().get(1));
        }
      }
      ProvingJobs.Job r = jobs.await(refused, Duration.ofSeconds(120)).orElseThrow();
      assertEquals(ProvingJobs.State.FAILED, r.state());
      assertEquals(1, r.attempts(), "an unhealthy account is not retried");
      assertTrue(r.error().orElseThrow().contains("equity"), r.error().get());
      assertTrue(List.of("W1", "W2", "W3").containsAll(names));
      assertEquals(
          Map.of("done", Map.of("health", 9L), "failed", Map.of("health", 1L)), jobs.counts());
    } finally {
      for (Process p : workers) {
        p.destroy();
      }
      for (Process p : workers) {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "a worker stops on SIGTERM");
      }
    }
  }

  @Test
  void postgresDiesWithItsJvmAndAKilledServerRestartsWithItsData() throws Exception {
    Path root = TestDb.freshRoot("kill-jvm");
    Path log = root.getParent().resolve("hold.log");
    Process holder = Processes.java(log, HoldServer.class.getName(), root.toString());
    String ready = awaitLine(log, "READY ", 120);
    long postmaster = Long.parseLong(ready.split(" ")[1]);
    try (Database db = Database.connect(ready.split(" ")[2], 2);
        Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE acknowledged (v int)");
      s.execute("INSERT INTO acknowledged VALUES (1)"); // autocommit: durable once it returns
    }
    Processes.kill9(holder);
    assertTrue(Processes.awaitGone(postmaster, 60), "the postmaster dies with its JVM");
    try (Database db = Database.embedded(root, 2)) {
      assertEquals(1, count(db, "SELECT count(*) FROM acknowledged"));
      // now PostgreSQL itself is killed; a restart recovers from its WAL
      long pid = db.embedded().orElseThrow().pid();
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("INSERT INTO acknowledged VALUES (2)");
      }
      new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
      assertTrue(Processes.awaitGone(pid, 30));
    }
    try (Database db = Database.embedded(root, 2)) {
      assertEquals(2, count(db, "SELECT count(*) FROM acknowledged"));
    }
  }

  private static int count(Database db, String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String awaitLine(Path log, String prefix, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (line.startsWith(prefix)) {
            return line;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + prefix + "' line in " + log + " after " + seconds + " s");
  }

  private static void awaitState(ProvingJobs jobs, long id, ProvingJobs.State s, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (jobs.get(id).orElseThrow().state() != s) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " not " + s + " after " + seconds + " s");
      }
      Thread.sleep(50);
    }
  }
}
