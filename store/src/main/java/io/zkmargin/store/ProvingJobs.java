package io.zkmargin.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The proving pool's queue: the {@code proving_jobs} table. Jobs are submitted by the service,
 * leased by {@link Worker}s anywhere with {@code SELECT ... FOR UPDATE SKIP LOCKED} (two workers
 * never lease the same job and never wait for each other), kept by heartbeats, and finished once.
 *
 * <p>A lease is fenced by the job's attempt number: {@link #complete} and {@link #fail} only act
 * when the job is still leased at that attempt, so a worker that lost its lease (its deadline
 * passed and {@link #reapExpired} queued the job again, or another worker took it) cannot write a
 * result, and a result is written exactly once. Every method is one autocommitted statement, so an
 * acknowledged submit, completion or cancel is durable.
 */
public final class ProvingJobs {

  /** Priority of a trader's health proof: runs before everything else. */
  public static final int PRIORITY_TRADER = 0;

  /** Priority of background work (batch and exit proofs, benchmarks). */
  public static final int PRIORITY_BACKGROUND = 100;

  /** A job's state. */
  public enum State {
    QUEUED,
    LEASED,
    DONE,
    FAILED,
    CANCELLED;

    static State of(String db) {
      return valueOf(db.toUpperCase(java.util.Locale.ROOT));
    }

    String db() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A leased job.
   *
   * @param id the job's id
   * @param kind the job's kind ({@code health}, {@code noop})
   * @param payload its JSON payload
   * @param attempt this lease's attempt number (1 = first), the fencing token of the lease
   * @param maxAttempts attempts allowed before the job fails
   */
  public record Lease(long id, String kind, String payload, int attempt, int maxAttempts) {}

  /**
   * A job as stored.
   *
   * @param state its state
   * @param attempts leases taken so far
   * @param worker the worker of the last lease, if any
   * @param result the result bytes when done
   * @param error the last failure's reason, if any
   */
  public record Job(
      long id,
      String kind,
      State state,
      int attempts,
      Optional<String> worker,
      Optional<byte[]> result,
      Optional<String> error) {}

  private final DataSource db;

  public ProvingJobs(DataSource db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * Submits a job; with a {@code requestKey}, submitting the same request again returns the first
   * job's id instead of a second job (the caller's retry after a lost answer costs nothing).
   *
   * @param kind the job's kind, matched by workers' handlers
   * @param priority lower runs first ({@link #PRIORITY_TRADER}, {@link #PRIORITY_BACKGROUND})
   * @param payloadJson the job's input, a JSON object
   * @param requestKey an idempotency key, or null
   * @param maxAttempts leases allowed before the job fails, {@code >= 1}
   * @return the job's id
   */
  public long submit(
      String kind, int priority, String payloadJson, String requestKey, int maxAttempts)
      throws SQLException {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payloadJson, "payloadJson");
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO proving_jobs (kind, priority, payload, request_key, max_attempts)"
                    + " VALUES (?, ?, ?::jsonb, ?, ?)"
                    + " ON CONFLICT (request_key) DO UPDATE SET request_key = EXCLUDED.request_key"
                    + " RETURNING id")) {
      ps.setString(1, kind);
      ps.setInt(2, priority);
      ps.setString(3, payloadJson);
      ps.setString(4, requestKey);
      ps.setInt(5, maxAttempts);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Submits many jobs of one kind in one transaction (benchmarks, batch work).
   *
   * @return their ids in order
   */
  public List<Long> submitAll(String kind, int priority, List<String> payloads, int maxAttempts)
      throws SQLException {
    List<Long> ids = new ArrayList<>(payloads.size());
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO proving_jobs (kind, priority, payload, max_attempts)"
                  + " VALUES (?, ?, ?::jsonb, ?)",
              Statement.RETURN_GENERATED_KEYS)) {
        for (String p : payloads) {
          ps.setString(1, kind);
          ps.setInt(2, priority);
          ps.setString(3, p);
          ps.setInt(4, maxAttempts);
          ps.addBatch();
        }
        ps.executeBatch();
        try (ResultSet rs = ps.getGeneratedKeys()) {
          while (rs.next()) {
            ids.add(rs.getLong("id"));
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
    return ids;
  }

  /**
   * Leases the next queued job (lowest priority value, then oldest) of one of {@code kinds}, or
   * none. Skips rows other workers have locked instead of waiting for them.
   *
   * @param worker this worker's name (recorded on the job)
   * @param kinds the kinds this worker can run
   * @param lease how long the lease lasts without a heartbeat
   */
  public Optional<Lease> lease(String worker, List<String> kinds, Duration lease)
      throws SQLException {
    return lease(worker, kinds, lease, 1).stream().findFirst();
  }

  /**
   * Leases up to {@code max} queued jobs in one round trip (in priority order), each with its own
   * lease; see {@link #lease(String, List, Duration)}. A worker of short jobs amortizes the round
   * trips over a batch; a worker of long jobs (proofs) leases one at a time, so that no queued job
   * waits behind another one's run.
   */
  public List<Lease> lease(String worker, List<String> kinds, Duration lease, int max)
      throws SQLException {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement();
          PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE proving_jobs j SET state = 'leased', attempts = j.attempts + 1,"
                      + " worker = ?, leased_at = now(), heartbeat_at = now(),"
                      + " lease_deadline = now() + ? * interval '1 millisecond'"
                      + " FROM (SELECT id FROM proving_jobs WHERE state = 'queued'"
                      + " AND kind = ANY (?) ORDER BY priority, id LIMIT ?"
                      + " FOR UPDATE SKIP LOCKED) n"
                      + " WHERE j.id = n.id"
                      + " RETURNING j.id, j.kind, j.payload::text, j.attempts, j.max_attempts")) {
        // A lease need not wait for its WAL flush: if the server crashes before the flush, the job
        // is simply queued again at its previous attempt, and this lease's result is refused by
        // the fence (the attempt no longer matches). The result's commit (complete) is
        // synchronous, and flushes this lease's WAL record with it.
        s.execute("SET LOCAL synchronous_commit = off");
        ps.setString(1, worker);
        ps.setLong(2, lease.toMillis());
        ps.setArray(3, c.createArrayOf("text", kinds.toArray()));
        ps.setInt(4, max);
        List<Lease> out = new ArrayList<>(max);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(
                new Lease(
                    rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5)));
          }
        }
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  /**
   * Extends a lease by {@code lease} from now.
   *
   * @return false when the lease is lost (expired and reaped, or the job was taken elsewhere): the
   *     worker should abandon the job, its result would be refused
   */
  public boolean heartbeat(Lease l, Duration lease) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE proving_jobs SET heartbeat_at = now(),"
                    + " lease_deadline = now() + ? * interval '1 millisecond'"
                    + " WHERE id = ? AND state = 'leased' AND attempts = ?")) {
      ps.setLong(1, lease.toMillis());
      ps.setLong(2, l.id());
      ps.setInt(3, l.attempt());
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Writes a leased job's result, once: only the holder of the current attempt's lease can, and
   * only while the job is leased.
   *
   * @return true when this call wrote the result; false when the lease was lost (the job was
   *     reaped, retried or cancelled), in which case nothing changed
   */
  public boolean complete(Lease l, byte[] result) throws SQLException {
    Objects.requireNonNull(result, "result");
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE proving_jobs SET state = 'done', result = ?, result_sha256 = ?,"
                    + " error = NULL, finished_at = now(), lease_deadline = NULL"
                    + " WHERE id = ? AND state = 'leased' AND attempts = ?")) {
      ps.setBytes(1, result);
      ps.setString(2, io.zkmargin.prover.ProofStore.sha256Hex(result));
      ps.setLong(3, l.id());
      ps.setInt(4, l.attempt());
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Writes the results of several leased jobs in one statement, one round trip and one commit (one
   * WAL flush for all); each is written under the same rule as {@link #complete}.
   *
   * @param leases the leases, in the order of {@code results}
   * @return the ids whose result was written (the others' leases were lost)
   */
  public java.util.Set<Long> completeAll(List<Lease> leases, List<byte[]> results)
      throws SQLException {
    if (leases.size() != results.size()) {
      throw new IllegalArgumentException(leases.size() + " leases, " + results.size() + " results");
    }
    if (leases.size() == 1) {
      return complete(leases.get(0), results.get(0))
          ? java.util.Set.of(leases.get(0).id())
          : java.util.Set.of();
    }
    Long[] ids = new Long[leases.size()];
    Integer[] attempts = new Integer[leases.size()];
    String[] hashes = new String[leases.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = leases.get(i).id();
      attempts[i] = leases.get(i).attempt();
      hashes[i] = io.zkmargin.prover.ProofStore.sha256Hex(results.get(i));
    }
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE proving_jobs j SET state = 'done', result = r.result,"
                    + " result_sha256 = r.sha, error = NULL, finished_at = now(),"
                    + " lease_deadline = NULL"
                    + " FROM unnest(?::bigint[], ?::int[], ?::bytea[], ?::text[])"
                    + " AS r(id, attempt, result, sha)"
                    + " WHERE j.id = r.id AND j.state = 'leased' AND j.attempts = r.attempt"
                    + " RETURNING j.id")) {
      ps.setArray(1, c.createArrayOf("bigint", ids));
      ps.setArray(2, c.createArrayOf("int4", attempts));
      ps.setObject(3, results.toArray(new byte[0][]));
      ps.setArray(4, c.createArrayOf("text", hashes));
      java.util.Set<Long> written = new java.util.HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          written.add(rs.getLong(1));
        }
      }
      return written;
    }
  }

  /**
   * Records a failed attempt: the job is queued again while it has attempts left, else failed with
   * this reason. A {@code permanent} failure (e.g. the account is not healthy: retrying cannot
   * help) fails the job at once.
   *
   * @return false when the lease was already lost (nothing changed)
   */
  public boolean fail(Lease l, String reason, boolean permanent) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE proving_jobs SET error = ?, lease_deadline = NULL,"
                    + " state = CASE WHEN ? OR attempts >= max_attempts THEN 'failed'"
                    + " ELSE 'queued' END,"
                    + " finished_at = CASE WHEN ? OR attempts >= max_attempts THEN now() END"
                    + " WHERE id = ? AND state = 'leased' AND attempts = ?")) {
      ps.setString(1, reason);
      ps.setBoolean(2, permanent);
      ps.setBoolean(3, permanent);
      ps.setLong(4, l.id());
      ps.setInt(5, l.attempt());
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Takes back every lease past its deadline (its worker died or hung): the job is queued again, or
   * failed when it used all its attempts. Any worker runs this now and then; it is idempotent.
   *
   * @return the number of jobs taken back
   */
  public int reapExpired() throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE proving_jobs SET lease_deadline = NULL,"
                    + " error = 'lease expired (worker ' || coalesce(worker, '?')"
                    + " || ' stopped heartbeating, attempt ' || attempts || ')',"
                    + " state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
                    + " finished_at = CASE WHEN attempts >= max_attempts THEN now() END"
                    + " WHERE state = 'leased' AND lease_deadline < now()")) {
      return ps.executeUpdate();
    }
  }

  /**
   * Cancels a job that no worker has leased yet (e.g. its caller's deadline passed).
   *
   * @return true when it was queued and is now cancelled
   */
  public boolean cancel(long id) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE proving_jobs SET state = 'cancelled', finished_at = now(),"
                    + " error = 'cancelled before a worker took it'"
                    + " WHERE id = ? AND state = 'queued'")) {
      ps.setLong(1, id);
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Queues again the job of {@code requestKey} when it ended without a result (failed: e.g. the
   * account was not healthy enough then; or cancelled), as a fresh job with its attempts reset: the
   * same request retried is the same row. A job queued, leased or done is left as it is.
   *
   * @return true when a job was queued again
   */
  public boolean reopen(String requestKey) throws SQLException {
    Objects.requireNonNull(requestKey, "requestKey");
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE proving_jobs SET state = 'queued', attempts = 0, error = NULL,"
                    + " worker = NULL, finished_at = NULL"
                    + " WHERE request_key = ? AND state IN ('failed', 'cancelled')")) {
      ps.setString(1, requestKey);
      return ps.executeUpdate() == 1;
    }
  }

  /** The SHA-256 (hex) of a done job's result, which names its content-addressed file. */
  public Optional<String> resultHash(long id) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT result_sha256 FROM proving_jobs WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** The job with this id, if any. */
  public Optional<Job> get(long id) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, kind, state, attempts, worker, result, error FROM proving_jobs"
                    + " WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Job(
                rs.getLong(1),
                rs.getString(2),
                State.of(rs.getString(3)),
                rs.getInt(4),
                Optional.ofNullable(rs.getString(5)),
                Optional.ofNullable(rs.getBytes(6)),
                Optional.ofNullable(rs.getString(7))));
      }
    }
  }

  /**
   * Waits until a job is finished (done, failed or cancelled), polling.
   *
   * @param timeout how long to wait
   * @return the finished job, or empty on timeout
   */
  public Optional<Job> await(long id, Duration timeout) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = 2;
    while (true) {
      Optional<Job> j = get(id);
      if (j.isEmpty()) {
        throw new IllegalArgumentException("no proving job " + id);
      }
      State s = j.get().state();
      if (s == State.DONE || s == State.FAILED || s == State.CANCELLED) {
        return j;
      }
      if (System.nanoTime() > deadline) {
        return Optional.empty();
      }
      Thread.sleep(sleep);
      sleep = Math.min(50, sleep * 2);
    }
  }

  /** Jobs by state and kind: {@code counts().get("queued").get("health")}. */
  public Map<String, Map<String, Long>> counts() throws SQLException {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT state, kind, count(*) FROM proving_jobs GROUP BY state, kind")) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
            .put(rs.getString(2), rs.getLong(3));
      }
    }
    return out;
  }

  /** Queued jobs by kind (the metrics' queue depth). */
  public Map<String, Long> queueDepth() throws SQLException {
    return counts().getOrDefault("queued", Map.of());
  }

  /** Age in seconds of the oldest lease held now (0 when none): a stuck job shows here. */
  public double oldestLeaseSeconds() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(extract(epoch FROM now() - min(leased_at)), 0)"
                    + " FROM proving_jobs WHERE state = 'leased'")) {
      rs.next();
      return rs.getDouble(1);
    }
  }
}
