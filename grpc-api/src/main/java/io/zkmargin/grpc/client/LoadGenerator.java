package io.zkmargin.grpc.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zkmargin.api.v1.ProveHealthRequest;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.prover.ProofFile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends health-proof requests from several concurrent clients and measures them: the engine of the
 * load test and of {@code ./zkm bench-grpc}. Each client is one thread with its own {@link
 * ZkmClient} (its own connection); the clients take the requests from one shared list in order, so
 * every request is sent exactly once. A request refused with RESOURCE_EXHAUSTED (full queue) is
 * retried as is (the same signed request: a refusal without work does not consume its nonce) after
 * a short backoff; any other failure is recorded as the request's result.
 */
public final class LoadGenerator {

  /** One request: prove that {@code accountId} is healthy at {@code thresholdBps}. */
  public record Request(int index, long accountId, long thresholdBps) {}

  /**
   * One answer.
   *
   * @param request the request
   * @param proof the proof, or null when the call failed
   * @param status OK or the failure
   * @param latencyNanos time from the first send to the answer, including retries, nanoseconds
   * @param client index of the client that sent it
   */
  public record Result(
      Request request, ProofFile proof, Status status, long latencyNanos, int client) {}

  /**
   * All answers of one run.
   *
   * @param results one per request, in request order
   * @param wallNanos wall time of the run, nanoseconds
   * @param retries RESOURCE_EXHAUSTED answers that were retried
   */
  public record Report(List<Result> results, long wallNanos, long retries) {
    /** Successful answers per second of wall time. */
    public double throughputPerSecond() {
      long ok = results.stream().filter(r -> r.proof() != null).count();
      return ok / (wallNanos / 1e9);
    }

    /** The latency at quantile {@code q} in [0, 1] (nearest rank) of the successful answers, ms. */
    public double latencyMillis(double q) {
      long[] l =
          results.stream()
              .filter(r -> r.proof() != null)
              .mapToLong(Result::latencyNanos)
              .sorted()
              .toArray();
      if (l.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(q * l.length);
      return l[Math.max(0, Math.min(l.length - 1, rank - 1))] / 1e6;
    }

    /** Number of failed answers. */
    public long failures() {
      return results.stream().filter(r -> r.proof() == null).count();
    }
  }

  /**
   * A retried request that expires within this many milliseconds is signed anew instead of sent as
   * is.
   */
  private static final long RESIGN_BEFORE_EXPIRY_MILLIS = 15_000;

  private LoadGenerator() {}

  /**
   * Runs the requests.
   *
   * @param clients one client per concurrent sender, {@code >= 1}
   * @param signers the owner's signer of every account that appears in {@code requests}
   * @param requests the requests, each sent once
   * @param deadline per-call deadline
   */
  public static Report run(
      List<ZkmClient> clients,
      Map<Long, RequestSigner> signers,
      List<Request> requests,
      Duration deadline)
      throws InterruptedException {
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("at least one client is required");
    }
    Result[] results = new Result[requests.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicLong retries = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients.size());
    long t0 = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < clients.size(); c++) {
        int ci = c;
        ZkmClient client = clients.get(c);
        futures.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < requests.size();
                      i = next.getAndIncrement()) {
                    Request r = requests.get(i);
                    RequestSigner signer = signers.get(r.accountId());
                    if (signer == null) {
                      throw new IllegalArgumentException("no signer for account " + r.accountId());
                    }
                    long start = System.nanoTime();
                    Result res = null;
                    ProveHealthRequest signed =
                        ZkmClient.signedProveRequest(r.accountId(), r.thresholdBps(), signer);
                    for (int attempt = 0; res == null; attempt++) {
                      try {
                        ProofFile p = client.proveHealth(signed, deadline, null);
                        res = new Result(r, p, Status.OK, System.nanoTime() - start, ci);
                      } catch (StatusRuntimeException e) {
                        if (e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED
                            && attempt < 1000) {
                          retries.incrementAndGet();
                          sleep(Math.min(200, 20L << Math.min(attempt, 3)));
                          // the same signed request is retried as is while it is valid; one that
                          // would expire before
                          // it can be served (a queue full for minutes on a loaded machine) is
                          // signed anew
                          if (signed.getAuth().getExpireTime().getSeconds() * 1000
                                  - System.currentTimeMillis()
                              < RESIGN_BEFORE_EXPIRY_MILLIS) {
                            signed =
                                ZkmClient.signedProveRequest(
                                    r.accountId(), r.thresholdBps(), signer);
                          }
                        } else {
                          res = new Result(r, null, e.getStatus(), System.nanoTime() - start, ci);
                        }
                      } catch (RuntimeException e) {
                        res =
                            new Result(
                                r,
                                null,
                                Status.INTERNAL.withDescription(e.toString()),
                                System.nanoTime() - start,
                                ci);
                      }
                    }
                    results[i] = res;
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("a load client failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Report(Arrays.asList(results), System.nanoTime() - t0, retries.get());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
