package io.zkmargin.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The queue's rules, on the embedded server, in one process. */
class ProvingJobsTest {
  private static Database db;
  private static ProvingJobs jobs;
  private static final Duration LEASE = Duration.ofSeconds(30);

  @BeforeAll
  static void start() {
    db = Database.embedded(TestDb.freshRoot("jobs"), 12);
    jobs = new ProvingJobs(db.dataSource());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @BeforeEach
  void empty() throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM proving_jobs");
    }
  }

  @Test
  void traderHealthProofsAreLeasedBeforeBackgroundWorkThenOldestFirst() throws Exception {
    long bg = jobs.submit("noop", ProvingJobs.PRIORITY_BACKGROUND, "{}", null, 1);
    long h1 = jobs.submit("health", ProvingJobs.PRIORITY_TRADER, "{}", null, 1);
    long h2 = jobs.submit("health", ProvingJobs.PRIORITY_TRADER, "{}", null, 1);
    List<String> kinds = List.of("noop", "health");
    assertEquals(h1, jobs.lease("w", kinds, LEASE).orElseThrow().id());
    assertEquals(h2, jobs.lease("w", kinds, LEASE).orElseThrow().id());
    assertEquals(bg, jobs.lease("w", kinds, LEASE).orElseThrow().id());
    assertTrue(jobs.lease("w", kinds, LEASE).isEmpty());
    // a worker only leases the kinds it can run
    long other = jobs.submit("noop", 0, "{}", null, 1);
    assertTrue(jobs.lease("w", List.of("health"), LEASE).isEmpty());
    assertEquals(other, jobs.lease("w", List.of("noop"), LEASE).orElseThrow().id());
  }

  @Test
  void aBatchIsLeasedInOneRoundTripAndItsResultsWrittenUnderEachFence() throws Exception {
    List<Long> ids =
        jobs.submitAll("batch-kind", ProvingJobs.PRIORITY_BACKGROUND, List.of("{}", "{}", "{}"), 2);
    List<ProvingJobs.Lease> got = jobs.lease("b", List.of("batch-kind"), LEASE, 8);
    assertEquals(ids, got.stream().map(ProvingJobs.Lease::id).toList());
    // a stale lease (another attempt) is not written; the others are, each with its hash
    ProvingJobs.Lease stale =
        new ProvingJobs.Lease(got.get(1).id(), "batch-kind", "{}", 99, got.get(1).maxAttempts());
    byte[] r = "r".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    var written = jobs.completeAll(List.of(got.get(0), stale, got.get(2)), List.of(r, r, r));
    assertEquals(java.util.Set.of(ids.get(0), ids.get(2)), written);
    assertEquals(ProvingJobs.State.DONE, jobs.get(ids.get(0)).orElseThrow().state());
    assertEquals(ProvingJobs.State.LEASED, jobs.get(ids.get(1)).orElseThrow().state());
    assertEquals(
        io.zkmargin.prover.ProofStore.sha256Hex(r), jobs.resultHash(ids.get(2)).orElseThrow());
    assertTrue(jobs.completeAll(List.of(got.get(0)), List.of(r)).isEmpty(), "written once");
    assertTrue(jobs.complete(got.get(1), r));
  }

  @Test
  void aFailedRequestIsReopenedWhenRetried() throws Exception {
    long id = jobs.submit("reopen-kind", 0, "{}", "req-reopen", 3);
    ProvingJobs.Lease l = jobs.lease("a", List.of("reopen-kind"), LEASE).orElseThrow();
    assertTrue(jobs.fail(l, "not healthy: x", true));
    assertTrue(jobs.reopen("req-reopen"));
    assertEquals(ProvingJobs.State.QUEUED, jobs.get(id).orElseThrow().state());
    assertFalse(jobs.reopen("req-reopen"), "a queued job is left as it is");
    assertEquals(id, jobs.submit("reopen-kind", 0, "{}", "req-reopen", 3));
  }

  @Test
  void theSameRequestIsOneJob() throws Exception {
    long a = jobs.submit("health", 0, "{\"accountId\":1}", "req-1", 3);
    long b = jobs.submit("health", 0, "{\"accountId\":1}", "req-1", 3);
    assertEquals(a, b);
    assertEquals(1L, jobs.queueDepth().get("health"));
  }

  @Test
  void aResultIsWrittenOnceAndOnlyByTheCurrentLease() throws Exception {
    long id = jobs.submit("noop", 0, "{}", null, 3);
    ProvingJobs.Lease first =
        jobs.lease("a", List.of("noop"), Duration.ofMillis(300)).orElseThrow();
    Thread.sleep(400);
    assertEquals(1, jobs.reapExpired()); // a's lease expired: queued again
    assertFalse(jobs.heartbeat(first, LEASE), "an expired lease cannot be renewed");
    ProvingJobs.Lease second = jobs.lease("b", List.of("noop"), LEASE).orElseThrow();
    assertEquals(id, second.id());
    assertEquals(2, second.attempt());
    assertFalse(jobs.complete(first, bytes("from a")), "the stale lease's result is refused");
    assertTrue(jobs.complete(second, bytes("from b")));
    assertFalse(jobs.complete(second, bytes("again")), "written once");
    ProvingJobs.Job j = jobs.get(id).orElseThrow();
    assertEquals(ProvingJobs.State.DONE, j.state());
    assertArrayEquals(bytes("from b"), j.result().orElseThrow());
    assertEquals("b", j.worker().orElseThrow());
  }

  @Test
  void aJobFailsWithItsReasonAfterItsAttempts() throws Exception {
    long id = jobs.submit("noop", 0, "{}", null, 2);
    ProvingJobs.Lease l1 = jobs.lease("a", List.of("noop"), LEASE).orElseThrow();
    assertTrue(jobs.fail(l1, "boom 1", false));
    assertEquals(ProvingJobs.State.QUEUED, jobs.get(id).orElseThrow().state());
    ProvingJobs.Lease l2 = jobs.lease("a", List.of("noop"), Duration.ofMillis(300)).orElseThrow();
    Thread.sleep(400);
    jobs.reapExpired(); // the second attempt's worker died: no attempts left
    ProvingJobs.Job j = jobs.get(id).orElseThrow();
    assertEquals(ProvingJobs.State.FAILED, j.state());
    assertEquals(2, j.attempts());
    assertTrue(j.error().orElseThrow().contains("lease expired"), j.error().get());
    assertFalse(jobs.complete(l2, bytes("late")));
    // a permanent failure does not retry
    long p = jobs.submit("noop", 0, "{}", null, 5);
    ProvingJobs.Lease lp = jobs.lease("a", List.of("noop"), LEASE).orElseThrow();
    assertTrue(jobs.fail(lp, "account 1 is not healthy", true));
    assertEquals(ProvingJobs.State.FAILED, jobs.get(p).orElseThrow().state());
    assertEquals("account 1 is not healthy", jobs.get(p).orElseThrow().error().orElseThrow());
  }

  @Test
  void onlyAQueuedJobCanBeCancelled() throws Exception {
    long queued = jobs.submit("noop", 0, "{}", null, 1);
    assertTrue(jobs.cancel(queued));
    assertEquals(ProvingJobs.State.CANCELLED, jobs.get(queued).orElseThrow().state());
    assertTrue(jobs.lease("w", List.of("noop"), LEASE).isEmpty(), "a cancelled job is not run");
    long leased = jobs.submit("noop", 0, "{}", null, 1);
    jobs.lease("w", List.of("noop"), LEASE).orElseThrow();
    assertFalse(jobs.cancel(leased));
  }

  @Test
  void aWorkerRunsEveryJobOnceWithManyThreads() throws Exception {
    List<Long> ids =
        jobs.submitAll(
            "noop", ProvingJobs.PRIORITY_BACKGROUND, java.util.Collections.nCopies(300, "{}"), 1);
    PoolMetrics metrics = new PoolMetrics(new PrometheusRegistry(), jobs);
    try (Worker w =
        new Worker(jobs, "in-process", 4, Map.of("noop", Worker.NOOP), metrics, LEASE)) {
      for (long id : ids) {
        assertEquals(
            ProvingJobs.State.DONE, jobs.await(id, Duration.ofSeconds(60)).orElseThrow().state());
      }
      assertEquals(300, w.completed());
      assertEquals(300, metrics.count("in-process", "noop", "done"));
    }
    assertEquals(Map.of("done", Map.of("noop", 300L)), jobs.counts());
    assertEquals(0.0, jobs.oldestLeaseSeconds());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
