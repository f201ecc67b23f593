package io.zkmargin.dashboard;

import io.zkmargin.grpc.server.ProvingQueue;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * The health proofs requested from the dashboard: each goes through the service's own {@link
 * ProvingQueue} (the same queue, limits and metrics as gRPC's {@code ProveHealth}) and keeps its
 * stages as events for the page's server-sent event stream, and its proof file for download. A job
 * belongs to the account that requested it; its id is random (unguessable). The last {@link
 * #MAX_JOBS} jobs are kept. Thread-safe.
 */
final class ProofJobs {

  /** Jobs kept (the oldest are forgotten first). */
  static final int MAX_JOBS = 200;

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One stage of a job: {@code queued}, {@code witness}, {@code proving}, {@code done}, {@code
   * failed}.
   */
  record Event(String stage, String detail, long atMillis) {}

  /** One job: its account, events so far and, once done, the proof. */
  static final class Job {
    final String id;
    final long accountId;
    final long thresholdBps;
    private final List<Event> events = new ArrayList<>();
    private ProofFile proof;
    private boolean finished;
    private long proveNanos = -1;

    Job(String id, long accountId, long thresholdBps) {
      this.id = id;
      this.accountId = accountId;
      this.thresholdBps = thresholdBps;
    }

    synchronized void add(String stage, String detail) {
      events.add(new Event(stage, detail, System.currentTimeMillis()));
      if (stage.equals("done") || stage.equals("failed")) {
        finished = true;
      }
      notifyAll();
    }

    /**
     * Waits until the job has more than {@code seen} events or is finished, at most {@code millis}.
     *
     * @return the events after the first {@code seen}
     */
    synchronized List<Event> eventsAfter(int seen, long millis) throws InterruptedException {
      long end = System.currentTimeMillis() + millis;
      while (events.size() <= seen && !finished) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) {
          break;
        }
        wait(left);
      }
      return List.copyOf(events.subList(Math.min(seen, events.size()), events.size()));
    }

    synchronized boolean finished() {
      return finished;
    }

    synchronized Optional<ProofFile> proof() {
      return Optional.ofNullable(proof);
    }

    synchronized long proveNanos() {
      return proveNanos;
    }

    private synchronized void done(ProofFile p, long nanos) {
      proof = p;
      proveNanos = nanos;
    }
  }

  private final ProvingQueue queue;
  private final Map<String, Job> jobs = new LinkedHashMap<>();

  ProofJobs(ProvingQueue queue) {
    this.queue = queue;
  }

  /**
   * Queues a proof that {@code accountId}'s equity is at least {@code thresholdBps / 10^4} times
   * its maintenance margin.
   *
   * @throws ProvingQueue.QueueFullException when the queue is full
   * @throws ProvingQueue.AccountQuotaException when the account has its quota of jobs
   * @throws ProvingQueue.ShuttingDownException when the service is stopping
   */
  Job submit(long accountId, long thresholdBps)
      throws ProvingQueue.QueueFullException,
          ProvingQueue.AccountQuotaException,
          ProvingQueue.ShuttingDownException {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    Job job = new Job(HexFormat.of().formatHex(b), accountId, thresholdBps);
    synchronized (jobs) {
      while (jobs.size() >= MAX_JOBS) {
        jobs.remove(jobs.keySet().iterator().next());
      }
      jobs.put(job.id, job);
    }
    try {
      queue.submit(
          accountId,
          thresholdBps,
          new ProvingQueue.Listener() {
            @Override
            public void queued(int position) {
              job.add("queued", position + " job(s) ahead");
            }

            @Override
            public void witness() {
              job.add("witness", "building the witness");
            }

            @Override
            public void proving() {
              job.add("proving", "Groth16 prover running");
            }

            @Override
            public void done(ProofFile proof, long proveNanos) {
              job.done(proof, proveNanos);
              job.add("done", String.format(java.util.Locale.ROOT, "%.0f ms", proveNanos / 1e6));
            }

            @Override
            public void failed(Throwable reason) {
              String why =
                  reason instanceof CancellationException
                      ? "cancelled"
                      : reason instanceof NotHealthyException n
                          ? n.getMessage()
                          : reason instanceof IllegalArgumentException
                              ? reason.getMessage()
                              : "the prover failed";
              job.add("failed", why);
            }
          });
    } catch (ProvingQueue.QueueFullException
        | ProvingQueue.AccountQuotaException
        | ProvingQueue.ShuttingDownException e) {
      synchronized (jobs) {
        jobs.remove(job.id);
      }
      throw e;
    }
    return job;
  }

  /** The job with this id if it belongs to {@code accountId}; empty otherwise (alike). */
  Optional<Job> job(String id, long accountId) {
    synchronized (jobs) {
      Job j = jobs.get(id);
      return j != null && j.accountId == accountId ? Optional.of(j) : Optional.empty();
    }
  }
}
