package io.zkmargin.grpc.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * The service's metrics, kept by the Prometheus Java client in a registry of their own (one per
 * server) and served in the Prometheus text exposition format (version 0.0.4) over HTTP at {@code
 * /metrics} on the metrics port. Counters only grow; the proof time histogram has fixed buckets in
 * seconds.
 *
 * <ul>
 *   <li>{@code zkm_grpc_requests_total{code,method}}: finished gRPC calls by full method name and
 *       status code
 *   <li>{@code zkm_proving_queue_depth}: jobs waiting for a prover thread
 *   <li>{@code zkm_proving_jobs_running}: jobs being proven
 *   <li>{@code zkm_proving_jobs_total{outcome}}: jobs by outcome (done, cancelled, unhealthy,
 *       failed, rejected)
 *   <li>{@code zkm_proof_duration_seconds}: histogram of the Groth16 prover time of each proof
 * </ul>
 *
 * <p>The client writes labels in name order and values as doubles ({@code 1.0}).
 */
public final class Metrics {

  /** Upper bounds (seconds) of the proof time histogram buckets; +Inf is implied. */
  static final double[] PROOF_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  // the client appends _total to a counter's name in the exposition
  private final Counter requests =
      Counter.builder()
          .name("zkm_grpc_requests")
          .help("Finished gRPC calls by method and status code.")
          .labelNames("method", "code")
          .register(registry);
  private final Counter jobs =
      Counter.builder()
          .name("zkm_proving_jobs")
          .help("Proving jobs by outcome.")
          .labelNames("outcome")
          .register(registry);
  private final Histogram proofTime =
      Histogram.builder()
          .name("zkm_proof_duration_seconds")
          .help("Groth16 prover time per proof.")
          .classicOnly()
          .classicUpperBounds(PROOF_BUCKETS)
          .register(registry);

  /** How many recent prover times {@link #recentProofTimes()} keeps. */
  public static final int RECENT_PROOFS = 50;

  private final ArrayDeque<long[]> recent = new ArrayDeque<>();
  private volatile LongSupplier queueDepth = () -> 0;
  private volatile LongSupplier running = () -> 0;
  private HTTPServer http;

  /** Registers the two gauges, read when the metrics are scraped. */
  public Metrics() {
    GaugeWithCallback.builder()
        .name("zkm_proving_queue_depth")
        .help("Proving jobs waiting for a prover thread.")
        .callback(cb -> cb.call(queueDepth.getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("zkm_proving_jobs_running")
        .help("Proving jobs being proven now.")
        .callback(cb -> cb.call(running.getAsLong()))
        .register(registry);
  }

  /** Counts one finished call. */
  public void request(String method, String code) {
    requests.labelValues(method, code).inc();
  }

  /** Counts one proving job by outcome (done, cancelled, unhealthy, failed, rejected). */
  public void job(String outcome) {
    jobs.labelValues(outcome).inc();
  }

  /** The number of jobs with an outcome so far. */
  public long jobs(String outcome) {
    return count(jobs, Labels.of("outcome", outcome));
  }

  /** The number of finished calls of a method with a status code so far. */
  public long requests(String method, String code) {
    return count(requests, Labels.of("method", method, "code", code));
  }

  // reads the snapshot rather than labelValues(...).get(), which would create (and expose) a zero
  // series
  private static long count(Counter counter, Labels labels) {
    for (CounterSnapshot.CounterDataPointSnapshot p : counter.collect().getDataPoints()) {
      if (p.getLabels().equals(labels)) {
        return (long) p.getValue();
      }
    }
    return 0;
  }

  /** Records one proof's prover time, nanoseconds {@code >= 0}. */
  public void proofTime(long nanos) {
    proofTime.observe(nanos / 1e9);
    synchronized (recent) {
      if (recent.size() == RECENT_PROOFS) {
        recent.removeFirst();
      }
      recent.addLast(new long[] {System.currentTimeMillis(), nanos});
    }
  }

  /**
   * The prover times of the last {@value #RECENT_PROOFS} proofs, oldest first, each {@code
   * {finished at, Unix milliseconds; prover time, nanoseconds}} (the dashboard's operator view).
   */
  public List<long[]> recentProofTimes() {
    synchronized (recent) {
      return recent.stream().map(long[]::clone).toList();
    }
  }

  /** Sets the sources of the two gauges. */
  public void gauges(LongSupplier queueDepth, LongSupplier running) {
    this.queueDepth = queueDepth;
    this.running = running;
  }

  /** The exposition text, as served at {@code /metrics}. */
  public String render() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
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
    http =
        HTTPServer.builder()
            .inetAddress(address.getAddress())
            .port(address.getPort())
            .registry(registry)
            .executorService(
                Executors.newSingleThreadExecutor(
                    r -> {
                      Thread t = new Thread(r, "zkm-metrics-http");
                      t.setDaemon(true);
                      return t;
                    }))
            .buildAndStart();
    return http.getPort();
  }

  /** Stops the HTTP endpoint, if started. */
  public synchronized void stopHttp() {
    if (http != null) {
      http.stop();
      http = null;
    }
  }
}
