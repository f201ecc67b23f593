package io.zkmargin.cli;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.grpc.server.HealthProofBackend;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.store.Database;
import io.zkmargin.store.HealthJobs;
import io.zkmargin.store.PoolMetrics;
import io.zkmargin.store.ProvingJobs;
import io.zkmargin.store.VenueCache;
import io.zkmargin.store.VenueImport;
import io.zkmargin.store.VenueRepository;
import io.zkmargin.store.Worker;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * The service's backend with proving moved to the database's pool ({@code ./zkm serve --db}):
 * {@link #prove} submits a health job (priority: trader) and waits for its result, so that every
 * {@code ./zkm worker} that reaches the database proves for the service; this process runs one
 * worker itself. Everything else is the wrapped backend's. A caller's cancellation (its deadline)
 * cancels the job while it is still queued.
 */
final class PoolBackend implements HealthProofBackend {
  private final HealthProofBackend delegate;
  private final Database db;
  private final ProvingJobs jobs;
  private final Worker worker;

  private PoolBackend(HealthProofBackend delegate, Database db, Worker worker) {
    this.delegate = delegate;
    this.db = db;
    this.jobs = new ProvingJobs(db.dataSource());
    this.worker = worker;
  }

  /**
   * Opens the database, writes the served venue into it when it holds another state (the JSON venue
   * of {@code dir} stays the service's source; the database's copy is what workers prove on, its
   * roots checked), and starts one in-process worker.
   */
  static PoolBackend open(HealthProofBackend delegate, String dbOption, Path dir, KeyStore keys)
      throws IOException, SQLException {
    Database db = DbOption.open(dbOption, dir, 8);
    try {
      Venue venue = VenueStore.load(dir);
      VenueRepository repo = new VenueRepository(db.dataSource());
      Optional<VenueRepository.Roots> last = repo.lastRoots();
      if (last.isEmpty()
          || !last.get().stateRoot().equals(delegate.stateRoot())
          || !last.get().riskRoot().equals(delegate.riskRoot())) {
        Optional<io.zkmargin.prover.demo.DemoVenue> demo = DemoVenues.market(venue);
        if (demo.isPresent()) {
          VenueImport.write(db.dataSource(), VenueImport.ofDemo(demo.get()), venue);
        } else {
          repo.save(venue, Optional.empty());
        }
      }
      VenueCache venues = new VenueCache(repo);
      BigInteger root = venues.current().stateRoot(); // rebuilds and checks the stored roots
      if (!root.equals(delegate.stateRoot())) {
        throw new IllegalStateException("the database's venue is not the served one");
      }
      ProvingJobs jobs = new ProvingJobs(db.dataSource());
      Worker worker =
          new Worker(
              jobs,
              Worker.defaultName() + "/serve",
              1,
              Map.of(HealthJobs.KIND, HealthJobs.handler(new HealthProver(keys), venues)),
              new PoolMetrics(new PrometheusRegistry(), jobs),
              Duration.ofSeconds(10));
      System.err.println(
          "zkm serve: proving pool on "
              + Database.redact(db.url())
              + " (./zkm worker --db URL joins it)");
      return new PoolBackend(delegate, db, worker);
    } catch (IOException | SQLException | RuntimeException e) {
      db.close();
      throw e;
    }
  }

  @Override
  public ProofFile prove(long accountId, long thresholdBps, Progress progress)
      throws NotHealthyException {
    if (delegate.account(accountId).isEmpty()) {
      throw new IllegalArgumentException("unknown account " + accountId);
    }
    long id;
    try {
      id =
          jobs.submit(
              HealthJobs.KIND,
              ProvingJobs.PRIORITY_TRADER,
              HealthJobs.payload(accountId, thresholdBps, delegate.stateRoot()),
              null,
              HealthJobs.MAX_ATTEMPTS);
    } catch (SQLException e) {
      throw new IllegalStateException("the proving pool's database is unreachable", e);
    }
    boolean leased = false;
    try {
      while (true) {
        ProvingJobs.Job j = jobs.get(id).orElseThrow();
        switch (j.state()) {
          case DONE -> {
            return ProofFile.parse(new String(j.result().orElseThrow(), StandardCharsets.UTF_8));
          }
          case FAILED -> {
            String why = j.error().orElse("failed");
            if (why.startsWith(HealthJobs.NOT_HEALTHY)) {
              throw new NotHealthyException(
                  accountId, thresholdBps, why.substring(HealthJobs.NOT_HEALTHY.length()));
            }
            throw new IllegalStateException("proving job " + id + " failed: " + why);
          }
          case CANCELLED -> throw new CancellationException("proving job " + id + " cancelled");
          case LEASED -> {
            if (!leased) {
              leased = true;
              progress.witness();
              progress.proving();
            }
          }
          case QUEUED -> progress.witness(); // throws CancellationException past the deadline
        }
        Thread.sleep(10);
      }
    } catch (CancellationException e) {
      try {
        jobs.cancel(id);
      } catch (SQLException ignored) {
        // the job runs and its result is not read
      }
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted");
    } catch (SQLException | ProofFile.MalformedProofException e) {
      throw new IllegalStateException("proving job " + id + ": " + e.getMessage(), e);
    }
  }

  @Override
  public CircuitSizes sizes() {
    return delegate.sizes();
  }

  @Override
  public Optional<AccountLeaf> account(long accountId) {
    return delegate.account(accountId);
  }

  @Override
  public long accountCount() {
    return delegate.accountCount();
  }

  @Override
  public BigInteger stateRoot() {
    return delegate.stateRoot();
  }

  @Override
  public BigInteger riskRoot() {
    return delegate.riskRoot();
  }

  @Override
  public long epoch() {
    return delegate.epoch();
  }

  @Override
  public Verdict verify(ProofFile proof) {
    return delegate.verify(proof);
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByCircuitId(String circuitId) {
    return delegate.verifyingKeyByCircuitId(circuitId);
  }

  @Override
  public Optional<VerifyingKeyData> verifyingKeyByHash(String verifyingKeyHash) {
    return delegate.verifyingKeyByHash(verifyingKeyHash);
  }

  @Override
  public MarginFigures margin(long accountId) {
    return delegate.margin(accountId);
  }

  @Override
  public void close() {
    worker.stop(Duration.ofSeconds(10));
    db.close();
    delegate.close();
  }
}
