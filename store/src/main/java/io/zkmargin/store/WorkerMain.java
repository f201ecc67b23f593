package io.zkmargin.store;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A worker process: joins the pool of the database at {@code --db} and runs jobs until SIGTERM or
 * SIGINT (then lets running jobs finish for a grace period). {@code ./zkm worker} runs this; the
 * pool's tests and benchmarks start it as a separate JVM ({@code java -cp ...
 * io.zkmargin.store.WorkerMain --db URL}).
 *
 * <p>Arguments: {@code --db URL} (required), {@code --threads N} (default 1), {@code --kinds
 * health,noop} (default both), {@code --lease-ms MS} (default 10000), {@code --name NAME}.
 */
public final class WorkerMain {
  private WorkerMain() {}

  /** The options of a worker. */
  public record Options(String db, int threads, List<String> kinds, Duration lease, String name) {
    public Options {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("--threads must be in [1, 256], was " + threads);
      }
      for (String k : kinds) {
        if (!k.equals(HealthJobs.KIND) && !k.equals("noop")) {
          throw new IllegalArgumentException("unknown job kind '" + k + "' (health, noop)");
        }
      }
      if (lease.toMillis() < 300) {
        throw new IllegalArgumentException("--lease-ms must be >= 300, was " + lease.toMillis());
      }
    }
  }

  public static void main(String[] args) throws Exception {
    String db = null;
    int threads = 1;
    List<String> kinds = List.of(HealthJobs.KIND, "noop");
    long leaseMs = 10_000;
    String name = Worker.defaultName();
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--db" -> db = v;
        case "--threads" -> threads = Integer.parseInt(v);
        case "--kinds" -> kinds = List.of(v.split(","));
        case "--lease-ms" -> leaseMs = Long.parseLong(v);
        case "--name" -> name = v;
        default -> {
          System.err.println("zkm worker: unknown argument " + args[i]);
          System.exit(2);
        }
      }
      i++;
    }
    if (db == null) {
      System.err.println("zkm worker: --db postgresql://USER:PASSWORD@HOST:PORT/DB is required");
      System.exit(2);
    }
    System.exit(run(new Options(db, threads, kinds, Duration.ofMillis(leaseMs), name)));
  }

  /**
   * Runs a worker until the JVM is asked to stop.
   *
   * @return the exit code
   */
  public static int run(Options o) throws InterruptedException {
    try (Database database = Database.connect(o.db(), o.threads() + 2)) {
      ProvingJobs jobs = new ProvingJobs(database.dataSource());
      Map<String, Worker.Handler> handlers = new LinkedHashMap<>();
      KeyStore keys = null;
      if (o.kinds().contains(HealthJobs.KIND)) {
        keys = KeyStore.openDefault();
        VenueCache venues = new VenueCache(new VenueRepository(database.dataSource()));
        handlers.put(HealthJobs.KIND, HealthJobs.handler(new HealthProver(keys), venues));
      }
      if (o.kinds().contains("noop")) {
        handlers.put("noop", Worker.NOOP);
      }
      PoolMetrics metrics = new PoolMetrics(new PrometheusRegistry(), null);
      Worker worker = new Worker(jobs, o.name(), o.threads(), handlers, metrics, o.lease());
      System.err.println(
          "zkm worker "
              + o.name()
              + ": "
              + o.threads()
              + " thread(s), kinds "
              + handlers.keySet()
              + ", on "
              + Database.redact(o.db()));
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    worker.stop(Duration.ofSeconds(20));
                    stopped.countDown();
                  }));
      stopped.await();
      if (keys != null) {
        keys.close();
      }
      return 0;
    }
  }
}
