package io.zkmargin.grpc.server;

import io.zkmargin.prover.ProofFile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded queue of health-proof jobs in front of a fixed number of prover threads.
 *
 * <p>Back-pressure: when {@code capacity} jobs already wait, {@link #submit} throws {@link
 * QueueFullException} at once (the service answers RESOURCE_EXHAUSTED) instead of queueing without
 * bound. A cancelled job leaves the queue at once; a running job stops at its next stage boundary,
 * and a result that arrives after cancellation is discarded. {@link #shutdown} lets accepted jobs
 * finish for a grace period, then cancels the rest.
 */
public final class ProvingQueue {

  /** Receives the events of one job, on the job's prover thread (or the cancelling thread). */
  public interface Listener {
    /** The job was accepted; {@code position} jobs wait ahead of it. */
    void queued(int position);

    /** The witness is being built. */
    void witness();

    /** The prover runs. */
    void proving();

    /** The proof is ready; {@code proveNanos} is the prover time. */
    void done(ProofFile proof, long proveNanos);

    /**
     * The job ended without a proof: {@link CancellationException} (cancelled or shut down), {@link
     * io.zkmargin.prover.NotHealthyException}, {@link IllegalArgumentException} or another failure.
     */
    void failed(Throwable reason);
  }

  /** Thrown by {@link #submit} when the queue is full. */
  public static final class QueueFullException extends Exception {
    QueueFullException(int capacity) {
      super("the proving queue is full (" + capacity + " jobs waiting); retry later");
    }
  }

  /** Thrown by {@link #submit} when the account already has its quota of jobs queued or running. */
  public static final class AccountQuotaException extends Exception {
    AccountQuotaException(long accountId, int quota) {
      super(
          "account "
              + accountId
              + " already has "
              + quota
              + " proving jobs queued or running; retry later");
    }
  }

  /** Thrown by {@link #submit} after {@link #shutdown} began. */
  public static final class ShuttingDownException extends Exception {
    ShuttingDownException() {
      super("the service is shutting down");
    }
  }

  private final HealthProofBackend backend;
  private final Metrics metrics;
  private final int capacity;
  private final int maxJobsPerAccount;
  private final Map<Long, Integer> perAccount = new HashMap<>();
  private final ThreadPoolExecutor executor;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong cancelRequests = new AtomicLong();
  private final Set<Job> active = ConcurrentHashMap.newKeySet();

  /**
   * @param backend the prover
   * @param workers prover threads, {@code >= 1}
   * @param capacity jobs that may wait for a thread, {@code >= 1}
   * @param maxJobsPerAccount jobs one account may have queued or running at once, {@code >= 1}: one
   *     account cannot fill the queue for everyone
   * @param metrics where queue depth and job outcomes are recorded
   */
  public ProvingQueue(
      HealthProofBackend backend,
      int workers,
      int capacity,
      int maxJobsPerAccount,
      Metrics metrics) {
    if (workers < 1 || capacity < 1 || maxJobsPerAccount < 1) {
      throw new IllegalArgumentException(
          "workers, capacity and maxJobsPerAccount must be >= 1, were "
              + workers
              + ", "
              + capacity
              + ", "
              + maxJobsPerAccount);
    }
    this.maxJobsPerAccount = maxJobsPerAccount;
    this.backend = backend;
    this.metrics = metrics;
    this.capacity = capacity;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity),
            r -> {
              Thread t = new Thread(r, "zkm-prover-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    metrics.gauges(this::queueDepth, running::get);
  }

  /** Jobs waiting for a prover thread. */
  public int queueDepth() {
    return executor.getQueue().size();
  }

  /**
   * True when {@code capacity} jobs wait, so that a new job would be refused now; such a refusal is
   * counted as a rejected job. Lets the service refuse before the costly signature check.
   */
  public boolean rejectIfFull() {
    if (queueDepth() < capacity) {
      return false;
    }
    metrics.job("rejected");
    return true;
  }

  /**
   * Jobs whose cancellation was asked for before they finished (callers' cancellations and
   * deadlines).
   */
  public long cancelRequests() {
    return cancelRequests.get();
  }

  /** True once {@link #shutdown} began: new jobs are refused. */
  public boolean isShuttingDown() {
    return executor.isShutdown();
  }

  /** Jobs being proven now. */
  public int running() {
    return running.get();
  }

  /**
   * Accepts a job or refuses it at once.
   *
   * @throws QueueFullException when {@code capacity} jobs already wait
   * @throws AccountQuotaException when the account already has its quota of jobs queued or running
   * @throws ShuttingDownException after shutdown began
   */
  public Job submit(long accountId, long thresholdBps, Listener listener)
      throws QueueFullException, AccountQuotaException, ShuttingDownException {
    return submit(null, accountId, thresholdBps, listener);
  }

  /**
   * Accepts the job of a request recorded under {@code requestKey} ({@link
   * HealthProofBackend#accept}), or refuses it at once; see {@link #submit(long, long, Listener)}.
   *
   * @param requestKey the request's key, passed to {@link HealthProofBackend#prove(String, long,
   *     long, HealthProofBackend.Progress)}; null for none
   */
  public Job submit(String requestKey, long accountId, long thresholdBps, Listener listener)
      throws QueueFullException, AccountQuotaException, ShuttingDownException {
    if (executor.isShutdown()) {
      throw new ShuttingDownException();
    }
    synchronized (perAccount) {
      int n = perAccount.getOrDefault(accountId, 0);
      if (n >= maxJobsPerAccount) {
        metrics.job("rejected");
        throw new AccountQuotaException(accountId, maxJobsPerAccount);
      }
      perAccount.put(accountId, n + 1);
    }
    Job job = new Job(ids.incrementAndGet(), requestKey, accountId, thresholdBps, listener);
    active.add(job);
    try {
      executor.execute(job);
    } catch (RejectedExecutionException e) {
      active.remove(job);
      leave(accountId);
      metrics.job("rejected");
      if (executor.isShutdown()) {
        throw new ShuttingDownException();
      }
      throw new QueueFullException(capacity);
    }
    // QUEUED is reported before the job may report its later stages (run() waits for this latch)
    try {
      listener.queued(Math.max(0, queueDepth() - 1));
    } finally {
      job.admitted.countDown();
    }
    return job;
  }

  /**
   * Stops accepting jobs, lets accepted ones finish for {@code graceMillis}, then cancels those
   * still waiting or running and waits up to {@code graceMillis} more for running prover calls to
   * return.
   *
   * @return true when every job finished within the grace period (none was cancelled)
   */
  public boolean shutdown(long graceMillis) {
    executor.shutdown();
    boolean clean;
    try {
      clean = executor.awaitTermination(graceMillis, TimeUnit.MILLISECONDS);
      if (!clean) {
        List<Runnable> waiting = executor.shutdownNow();
        for (Runnable r : waiting) {
          ((Job) r)
              .abandon(new CancellationException("the service shut down before the job started"));
        }
        for (Job j : active) {
          j.cancelled = true;
        }
        executor.awaitTermination(graceMillis, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      clean = false;
    }
    return clean;
  }

  /** Jobs of {@code accountId} queued or running now. */
  public int jobsOf(long accountId) {
    synchronized (perAccount) {
      return perAccount.getOrDefault(accountId, 0);
    }
  }

  private void leave(long accountId) {
    synchronized (perAccount) {
      perAccount.computeIfPresent(accountId, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /** One accepted proving job. */
  public final class Job implements Runnable {
    private final long id;
    private final String requestKey;
    private final long accountId;
    private final long thresholdBps;
    private final Listener listener;
    private volatile boolean cancelled;
    private volatile boolean finished;
    private final java.util.concurrent.CountDownLatch admitted =
        new java.util.concurrent.CountDownLatch(1);

    Job(long id, String requestKey, long accountId, long thresholdBps, Listener listener) {
      this.id = id;
      this.requestKey = requestKey;
      this.accountId = accountId;
      this.thresholdBps = thresholdBps;
      this.listener = listener;
    }

    /** The job's sequence number, unique within this queue. */
    public long id() {
      return id;
    }

    /**
     * Cancels the job: a waiting job leaves the queue now; a running one stops at its next stage
     * boundary or has its result discarded. Idempotent.
     */
    public void cancel() {
      synchronized (this) {
        if (finished || cancelled) {
          return;
        }
        cancelled = true;
      }
      cancelRequests.incrementAndGet();
      if (executor.remove(this)) {
        abandon(new CancellationException("cancelled while queued"));
      }
    }

    private void abandon(CancellationException reason) {
      if (finish()) {
        metrics.job("cancelled");
        listener.failed(reason);
      }
    }

    private synchronized boolean finish() {
      if (finished) {
        return false;
      }
      finished = true;
      active.remove(this);
      leave(accountId);
      return true;
    }

    @Override
    public void run() {
      boolean interrupted = false;
      while (true) {
        try {
          admitted.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (cancelled) {
        abandon(new CancellationException("cancelled while queued"));
        return;
      }
      running.incrementAndGet();
      long[] proveStart = {0};
      try {
        ProofFile proof =
            backend.prove(
                requestKey,
                accountId,
                thresholdBps,
                new HealthProofBackend.Progress() {
                  @Override
                  public void witness() {
                    checkCancelled();
                    listener.witness();
                  }

                  @Override
                  public void proving() {
                    checkCancelled();
                    listener.proving();
                    proveStart[0] = System.nanoTime();
                  }
                });
        long nanos = System.nanoTime() - (proveStart[0] == 0 ? System.nanoTime() : proveStart[0]);
        if (cancelled) {
          abandon(new CancellationException("cancelled while proving; the result was discarded"));
          return;
        }
        metrics.proofTime(nanos);
        if (finish()) {
          metrics.job("done");
          listener.done(proof, nanos);
        }
      } catch (CancellationException e) {
        abandon(e);
      } catch (io.zkmargin.prover.NotHealthyException e) {
        if (finish()) {
          metrics.job("unhealthy");
          listener.failed(e);
        }
      } catch (RuntimeException | Error e) {
        if (finish()) {
          metrics.job("failed");
          listener.failed(e);
        }
      } finally {
        running.decrementAndGet();
      }
    }

    private void checkCancelled() {
      if (cancelled) {
        throw new CancellationException("cancelled");
      }
    }
  }
}
