package io.zkmargin.store;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A proving worker: {@code threads} threads that each lease a job from {@link ProvingJobs}, run the
 * handler of its kind and write the result, while a heartbeat thread keeps their leases alive and
 * now and then takes back leases of dead workers. Runs in any process that reaches the database
 * ({@code ./zkm worker}, or in {@code ./zkm serve}).
 *
 * <p>A worker that dies (SIGKILL, lost machine) stops heartbeating; its leases expire and another
 * worker's reaper queues the jobs again. A worker that lost a lease still finishes its computation,
 * but the queue refuses its result (fenced by the attempt number), so each job has one result.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Worker.class.getName());

  /** Runs one kind of job. */
  public interface Handler {
    /**
     * Runs a job.
     *
     * @param lease the job's lease (id, payload)
     * @return the result bytes to store
     * @throws PermanentFailure when retrying cannot help (the job fails at once with its message)
     * @throws Exception any other failure: the job is retried while it has attempts left
     */
    byte[] run(ProvingJobs.Lease lease) throws Exception;
  }

  /** A failure that another attempt would repeat (bad payload, unhealthy account). */
  public static final class PermanentFailure extends Exception {
    public PermanentFailure(String message) {
      super(message);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * The {@code noop} kind: measures the pool's own cost. Its payload may ask it to sleep {@code
   * sleepMillis} in its first {@code sleepAttempts} attempts (default: every attempt), which the
   * crash tests use to kill a worker in the middle of a job.
   */
  public static final Handler NOOP =
      lease -> {
        var p = JSON.readTree(lease.payload());
        long ms = p.path("sleepMillis").asLong(0);
        if (ms > 0 && lease.attempt() <= p.path("sleepAttempts").asInt(Integer.MAX_VALUE)) {
          Thread.sleep(ms);
        }
        return "ok".getBytes(StandardCharsets.UTF_8);
      };

  private final ProvingJobs jobs;
  private final String name;
  private final Map<String, Handler> handlers;
  private final List<String> kinds;
  private final PoolMetrics metrics;
  private final Duration leaseTime;
  private final List<Thread> threads = new ArrayList<>();
  private final int batch;
  private final ScheduledExecutorService heartbeats;
  private final Set<ProvingJobs.Lease> held = ConcurrentHashMap.newKeySet();
  private final AtomicLong done = new AtomicLong();
  private volatile boolean running = true;

  /**
   * Starts a worker.
   *
   * @param jobs the queue
   * @param name this worker's name, recorded on the jobs it leases (see {@link #defaultName})
   * @param threads jobs run at once, {@code >= 1}
   * @param handlers the handler of each kind this worker takes
   * @param metrics where outcomes are counted
   * @param leaseTime a lease's length; heartbeats renew it every third of it
   */
  public Worker(
      ProvingJobs jobs,
      String name,
      int threads,
      Map<String, Handler> handlers,
      PoolMetrics metrics,
      Duration leaseTime) {
    this(jobs, name, threads, 1, handlers, metrics, leaseTime);
  }

  /**
   * Starts a worker whose threads lease up to {@code batch} jobs per round trip and write their
   * results in one statement (short jobs: the queue's round trips and commits are shared by the
   * batch); see {@link #Worker(ProvingJobs, String, int, Map, PoolMetrics, Duration)}.
   *
   * @param batch jobs leased at once by a thread, {@code >= 1} (1 for proofs)
   */
  public Worker(
      ProvingJobs jobs,
      String name,
      int threads,
      int batch,
      Map<String, Handler> handlers,
      PoolMetrics metrics,
      Duration leaseTime) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, was " + batch);
    }
    this.batch = batch;
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    if (handlers.isEmpty()) {
      throw new IllegalArgumentException("a worker needs at least one job kind");
    }
    if (leaseTime.toMillis() < 300) {
      throw new IllegalArgumentException("leaseTime must be >= 300 ms, was " + leaseTime);
    }
    this.jobs = jobs;
    this.name = name;
    this.handlers = Map.copyOf(handlers);
    this.kinds = List.copyOf(handlers.keySet());
    this.metrics = metrics;
    this.leaseTime = leaseTime;
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "zkm-worker-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(100, leaseTime.toMillis() / 3);
    heartbeats.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::loop, "zkm-worker-" + (i + 1));
      t.setDaemon(true);
      startThread(t);
    }
  }

  private void startThread(Thread t) {
    threads.add(t);
    t.start();
  }

  /** {@code host:pid}, unique among workers of a pool. */
  public static String defaultName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
  }

  /** This worker's name. */
  public String name() {
    return name;
  }

  /** Jobs whose result this worker wrote. */
  public long completed() {
    return done.get();
  }

  private void beat() {
    for (ProvingJobs.Lease l : held) {
      try {
        if (!jobs.heartbeat(l, leaseTime)) {
          held.remove(l); // lost: the result will be refused; nothing more to renew
        }
      } catch (SQLException e) {
        LOG.log(Level.WARNING, "heartbeat of job " + l.id() + " failed: " + e.getMessage());
      }
    }
    try {
      jobs.reapExpired();
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "reaping expired leases failed: " + e.getMessage());
    }
  }

  private void loop() {
    long idle = 1;
    while (running) {
      List<ProvingJobs.Lease> leases;
      try {
        leases = jobs.lease(name, kinds, leaseTime, batch);
      } catch (SQLException e) {
        LOG.log(Level.WARNING, "leasing failed (retrying): " + e.getMessage());
        leases = List.of();
        idle = 1000;
      }
      if (leases.isEmpty()) {
        try {
          Thread.sleep(idle);
        } catch (InterruptedException e) {
          return;
        }
        idle = Math.min(200, idle * 2);
        continue;
      }
      idle = 1;
      if (leases.size() == 1) {
        run(leases.get(0));
      } else {
        runBatch(leases);
      }
    }
  }

  /**
   * Runs leased jobs one after the other and writes the results of those that succeeded in one
   * statement; a failure is recorded at once, as in {@link #run}.
   */
  private void runBatch(List<ProvingJobs.Lease> leases) {
    held.addAll(leases);
    List<ProvingJobs.Lease> ok = new ArrayList<>(leases.size());
    List<byte[]> results = new ArrayList<>(leases.size());
    List<Long> started = new ArrayList<>(leases.size());
    for (ProvingJobs.Lease lease : leases) {
      long t0 = System.nanoTime();
      try {
        results.add(handlers.get(lease.kind()).run(lease));
        ok.add(lease);
        started.add(t0);
      } catch (PermanentFailure e) {
        finishFailed(lease, record(lease, e.getMessage(), true), t0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        finishFailed(lease, record(lease, "worker " + name + " stopped", false), t0);
      } catch (Exception e) {
        finishFailed(lease, record(lease, e.toString(), false), t0);
      }
    }
    java.util.Set<Long> written;
    try {
      written = ok.isEmpty() ? java.util.Set.of() : jobs.completeAll(ok, results);
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "writing " + ok.size() + " results failed: " + e.getMessage());
      written = java.util.Set.of(); // their leases expire and the jobs run again
    }
    for (int i = 0; i < ok.size(); i++) {
      ProvingJobs.Lease lease = ok.get(i);
      held.remove(lease);
      boolean w = written.contains(lease.id());
      if (w) {
        done.incrementAndGet();
      }
      metrics.finished(name, lease.kind(), w ? "done" : "lost", System.nanoTime() - started.get(i));
    }
  }

  private void finishFailed(ProvingJobs.Lease lease, String outcome, long t0) {
    held.remove(lease);
    metrics.finished(name, lease.kind(), outcome, System.nanoTime() - t0);
  }

  private void run(ProvingJobs.Lease lease) {
    held.add(lease);
    long t0 = System.nanoTime();
    String outcome;
    try {
      byte[] result = handlers.get(lease.kind()).run(lease);
      if (jobs.complete(lease, result)) {
        done.incrementAndGet();
        outcome = "done";
      } else {
        outcome = "lost";
      }
    } catch (PermanentFailure e) {
      outcome = record(lease, e.getMessage(), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = record(lease, "worker " + name + " stopped", false);
    } catch (Exception e) {
      outcome = record(lease, e.toString(), false);
    } finally {
      held.remove(lease);
    }
    metrics.finished(name, lease.kind(), outcome, System.nanoTime() - t0);
  }

  private String record(ProvingJobs.Lease lease, String reason, boolean permanent) {
    try {
      if (!jobs.fail(lease, reason, permanent)) {
        return "lost";
      }
      return permanent || lease.attempt() >= lease.maxAttempts() ? "failed" : "retried";
    } catch (SQLException e) {
      // the lease expires and the job is retried elsewhere
      LOG.log(Level.WARNING, "recording the failure of job " + lease.id() + " failed", e);
      return "lost";
    }
  }

  /**
   * Stops taking jobs and waits up to {@code grace} for the running ones; jobs still running after
   * it are abandoned (their leases expire and they run elsewhere).
   */
  public void stop(Duration grace) {
    running = false;
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread t : threads) {
      try {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        t.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Thread t : threads) {
      t.interrupt();
    }
    heartbeats.shutdownNow();
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }
}
