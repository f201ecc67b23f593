package io.zkmargin.grpc.server;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The service's metrics in the Prometheus text exposition format (version 0.0.4), served over HTTP at
 * {@code /metrics} on the metrics port. Counters only grow; the proof time histogram has fixed buckets
 * in seconds.
 *
 * <ul>
 *   <li>{@code zkm_grpc_requests_total{method,code}}: finished gRPC calls by full method name and status code
 *   <li>{@code zkm_proving_queue_depth}: jobs waiting for a prover thread
 *   <li>{@code zkm_proving_jobs_running}: jobs being proven
 *   <li>{@code zkm_proving_jobs_total{outcome}}: jobs by outcome (done, cancelled, unhealthy, failed, rejected)
 *   <li>{@code zkm_proof_duration_seconds}: histogram of the Groth16 prover time of each proof
 * </ul>
 */
public final class Metrics {

  /** Upper bounds (seconds) of the proof time histogram buckets; +Inf is implied. */
  static final double[] PROOF_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> jobs = new ConcurrentHashMap<>();
  private final AtomicLongArray proofBuckets = new AtomicLongArray(PROOF_BUCKETS.length + 1);
  private final LongAdder proofCount = new LongAdder();
  private final LongAdder proofNanos = new LongAdder();
  private volatile LongSupplier queueDepth = () -> 0;
  private volatile LongSupplier running = () -> 0;
  private HttpServer http;

  /** Counts one finished call. */
  public void request(String method, String code) {
    requests.computeIfAbsent(method + "\u0000" + code, k -> new LongAdder()).increment();
  }

  /** Counts one proving job by outcome (done, cancelled, unhealthy, failed, rejected). */
  public void job(String outcome) {
    jobs.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  /** The number of jobs with an outcome so far. */
  public long jobs(String outcome) {
    LongAdder a = jobs.get(outcome);
    return a == null ? 0 : a.sum();
  }

  /** The number of finished calls of a method with a status code so far. */
  public long requests(String method, String code) {
    LongAdder a = requests.get(method + "\u0000" + code);
    return a == null ? 0 : a.sum();
  }

  /** Records one proof's prover time, nanoseconds {@code >= 0}. */
  public void proofTime(long nanos) {
    double s = nanos / 1e9;
    int i = 0;
    while (i < PROOF_BUCKETS.length && s > PROOF_BUCKETS[i]) {
      i++;
    }
    proofBuckets.incrementAndGet(i);
    proofCount.increment();
    proofNanos.add(nanos);
  }

  /** Sets the sources of the two gauges. */
  public void gauges(LongSupplier queueDepth, LongSupplier running) {
    this.queueDepth = queueDepth;
    this.running = running;
  }

  /** The exposition text. */
  public String render() {
    StringBuilder sb = new StringBuilder(2048);
    sb.append("# HELP zkm_grpc_requests_total Finished gRPC calls by method and status code.\n");
    sb.append("# TYPE zkm_grpc_requests_total counter\n");
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(requests).entrySet()) {
      String[] k = e.getKey().split("\u0000", 2);
      sb.append("zkm_grpc_requests_total{method=\"").append(k[0]).append("\",code=\"").append(k[1])
          .append("\"} ").append(e.getValue().sum()).append('\n');
    }
    sb.append("# HELP zkm_proving_queue_depth Proving jobs waiting for a prover thread.\n");
    sb.append("# TYPE zkm_proving_queue_depth gauge\n");
    sb.append("zkm_proving_queue_depth ").append(queueDepth.getAsLong()).append('\n');
    sb.append("# HELP zkm_proving_jobs_running Proving jobs being proven now.\n");
    sb.append("# TYPE zkm_proving_jobs_running gauge\n");
    sb.append("zkm_proving_jobs_running ").append(running.getAsLong()).append('\n');
    sb.append("# HELP zkm_proving_jobs_total Proving jobs by outcome.\n");
    sb.append("# TYPE zkm_proving_jobs_total counter\n");
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(jobs).entrySet()) {
      sb.append("zkm_proving_jobs_total{outcome=\"").append(e.getKey()).append("\"} ")
          .append(e.getValue().sum()).append('\n');
    }
    sb.append("# HELP zkm_proof_duration_seconds Groth16 prover time per proof.\n");
    sb.append("# TYPE zkm_proof_duration_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i <= PROOF_BUCKETS.length; i++) {
      cumulative += proofBuckets.get(i);
      String le = i < PROOF_BUCKETS.length ? Double.toString(PROOF_BUCKETS[i]) : "+Inf";
      sb.append("zkm_proof_duration_seconds_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
    }
    sb.append("zkm_proof_duration_seconds_sum ").append(proofNanos.sum() / 1e9).append('\n');
    sb.append("zkm_proof_duration_seconds_count ").append(proofCount.sum()).append('\n');
    return sb.toString();
  }

  /**
   * Serves {@code GET /metrics} on {@code address}; port 0 picks a free port.
   *
   * @return the bound port
   */
  public synchronized int serveHttp(InetSocketAddress address) throws IOException {
    if (http != null) {
      throw new IllegalStateException("metrics are already served");
    }
    http = HttpServer.create(address, 16);
    http.createContext("/metrics", ex -> {
      byte[] body = render().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    http.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "zkm-metrics-http");
      t.setDaemon(true);
      return t;
    }));
    http.start();
    return http.getAddress().getPort();
  }

  /** Stops the HTTP endpoint, if started. */
  public synchronized void stopHttp() {
    if (http != null) {
      http.stop(0);
      http = null;
    }
  }
}
