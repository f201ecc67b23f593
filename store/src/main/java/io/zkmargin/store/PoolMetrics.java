package io.zkmargin.store;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.sql.SQLException;
import java.util.Map;

/**
 * The proving pool's metrics, in a Prometheus registry (the service's, or a worker's own):
 *
 * <ul>
 *   <li>{@code zkm_pool_queue_depth{kind}}: queued jobs by kind (read from the database when
 *       scraped)
 *   <li>{@code zkm_pool_oldest_lease_seconds}: age of the oldest lease held now; a job stuck on a
 *       hung worker shows here until its lease expires
 *   <li>{@code zkm_pool_jobs_total{worker,kind,outcome}}: jobs each worker finished by outcome
 *       (done, failed, retried, lost), i.e. proofs per worker
 *   <li>{@code zkm_pool_job_duration_seconds{kind}}: time from lease to result
 * </ul>
 */
public final class PoolMetrics {
  static final double[] BUCKETS = {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};

  private final Counter jobs;
  private final Histogram duration;

  /**
   * Registers the pool's metrics in {@code registry}.
   *
   * @param jobsTable the queue whose depth and leases the gauges read, or null for a registry that
   *     only counts this process's jobs (a worker: the service exports the queue's gauges)
   */
  public PoolMetrics(PrometheusRegistry registry, ProvingJobs jobsTable) {
    jobs =
        Counter.builder()
            .name("zkm_pool_jobs")
            .help("Proving jobs finished by each worker, by kind and outcome.")
            .labelNames("worker", "kind", "outcome")
            .register(registry);
    duration =
        Histogram.builder()
            .name("zkm_pool_job_duration_seconds")
            .help("Time from lease to result of a proving job.")
            .labelNames("kind")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .register(registry);
    if (jobsTable != null) {
      GaugeWithCallback.builder()
          .name("zkm_pool_queue_depth")
          .help("Queued proving jobs by kind.")
          .labelNames("kind")
          .callback(
              cb -> {
                try {
                  for (Map.Entry<String, Long> e : jobsTable.queueDepth().entrySet()) {
                    cb.call(e.getValue(), e.getKey());
                  }
                } catch (SQLException e) {
                  // an unreachable database shows as a missing series, not a failed scrape
                }
              })
          .register(registry);
      GaugeWithCallback.builder()
          .name("zkm_pool_oldest_lease_seconds")
          .help("Age of the oldest lease held now, seconds (0 when none).")
          .callback(
              cb -> {
                try {
                  cb.call(jobsTable.oldestLeaseSeconds());
                } catch (SQLException e) {
                  // as above
                }
              })
          .register(registry);
    }
  }

  void finished(String worker, String kind, String outcome, long nanos) {
    jobs.labelValues(worker, kind, outcome).inc();
    duration.labelValues(kind).observe(nanos / 1e9);
  }

  /** Jobs a worker finished with an outcome so far (for tests and progress lines). */
  public long count(String worker, String kind, String outcome) {
    return (long) jobs.labelValues(worker, kind, outcome).get();
  }
}
