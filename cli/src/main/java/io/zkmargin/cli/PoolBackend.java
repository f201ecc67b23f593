package io.zkmargin.cli;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.grpc.server.HealthProofBackend;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.NotHealthyException;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofStore;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.analytics.Portfolio;
import io.zkmargin.risk.analytics.PortfolioAnalytics;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * The service's backend on the database ({@code ./zkm serve}, unless {@code --db none}): the venue
 * served is the one stored in the database (its Merkle tree rebuilt at start and its roots checked
 * against the last recorded ones), the margin figures and Greeks come from the stored market
 * (instruments, quotes, assets), and every proof is a job of the database's proving pool, so that
 * every {@code ./zkm worker} that reaches the database proves for the service; this process runs
 * one worker itself.
 *
 * <p>Durability: a signed request is committed as a job (keyed by the request: its account, nonce,
 * expiry and threshold) in {@link #accept}, before the service's first answer; a crash after that
 * loses nothing: at the next start the job's lease expires (or it is still queued) and a worker
 * proves it, once. Proofs are kept as content-addressed files {@code DIR/proofs/<sha256>.json}
 * ({@link ProofStore}); the job row holds the same hash. A caller's cancellation (its deadline)
 * cancels the job while it is still queued.
 */
final class PoolBackend implements HealthProofBackend {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PoolBackend.class);
  private final VenueBackend delegate;
  private final Database db;
  private final ProvingJobs jobs;
  private final Worker worker;
  private final Optional<VenueImport.Market> market;
  private final ProofStore proofs;
  private final VenueCache venues; // the database's state: it moves with every finalized batch

  private PoolBackend(
      VenueBackend delegate,
      Database db,
      Worker worker,
      Optional<VenueImport.Market> market,
      ProofStore proofs,
      VenueCache venues) {
    this.delegate = delegate;
    this.venues = venues;
    this.db = db;
    this.jobs = new ProvingJobs(db.dataSource());
    this.worker = worker;
    this.market = market;
    this.proofs = proofs;
  }

  /** Makes a venue in a data directory that holds none (the demo venue of {@code ./zkm serve}). */
  interface VenueMaker {
    void make() throws IOException;
  }

  /**
   * Opens the database; when it holds no venue yet, imports the one of {@code DIR/venue.json} (made
   * first by {@code makeVenue} when there is none) through the import's path; opens the stored
   * venue (tree rebuilt, roots checked: a mismatch refuses to start) and starts one in-process
   * worker.
   */
  static PoolBackend open(
      String dbOption, Path dir, KeyStore keys, int workerThreads, VenueMaker makeVenue)
      throws IOException, SQLException {
    Database db = DbOption.open(dbOption, dir, 8);
    VenueBackend venueBackend = null;
    try {
      VenueRepository repo = new VenueRepository(db.dataSource());
      if (repo.load().isEmpty()) {
        if (!Files.isRegularFile(dir.resolve(VenueStore.VENUE_FILE))) {
          makeVenue.make();
        }
        Venue venue = VenueStore.load(dir);
        Optional<io.zkmargin.prover.demo.DemoVenue> demo = DemoVenues.market(venue);
        if (demo.isPresent()) {
          VenueImport.write(db.dataSource(), VenueImport.ofDemo(demo.get()), venue);
        } else {
          repo.save(venue, Optional.empty());
        }
        System.err.println(
            "zkm serve: the venue of "
                + dir.resolve(VenueStore.VENUE_FILE)
                + " was written into the database, which holds the service's state from now on");
      }
      VenueCache venues = new VenueCache(repo);
      CommittedVenue committed;
      try {
        committed = venues.current(); // rebuilds the tree and checks the last recorded roots
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            "refusing to start: the database's venue does not match its recorded roots: "
                + e.getMessage(),
            e);
      }
      venueBackend = VenueBackend.of(committed.venue(), keys);
      Optional<VenueImport.Market> market = VenueImport.loadMarket(db.dataSource());
      ProvingJobs jobs = new ProvingJobs(db.dataSource());
      Worker worker =
          workerThreads == 0
              ? null
              : new Worker(
                  jobs,
                  Worker.defaultName() + "/serve",
                  workerThreads,
                  Map.of(HealthJobs.KIND, HealthJobs.handler(new HealthProver(keys), venues)),
                  new PoolMetrics(new PrometheusRegistry(), jobs),
                  Duration.ofSeconds(10));
      System.err.println(
          "zkm serve: venue from the database (state root "
              + committed.stateRoot()
              + "), proving pool on "
              + Database.redact(db.url())
              + " (./zkm worker --db URL joins it; the password is in "
              + DbOption.embeddedRoot(dir).resolve("password")
              + " for the embedded server)");
      return new PoolBackend(venueBackend, db, worker, market, new ProofStore(dir), venues);
    } catch (IOException | SQLException | RuntimeException e) {
      if (venueBackend != null) {
        venueBackend.close();
      }
      db.close();
      throw e;
    }
  }

  /**
   * The venue served as it was at start (the database's), for the order books and the dashboard;
   * the health service itself follows the database ({@link #current()}).
   */
  VenueBackend venueBackend() {
    return delegate;
  }

  /** The database (the operator writes its finalized batches into it). */
  Database database() {
    return db;
  }

  /**
   * The database's state now: the operator's ledger at its last finalized batch (one state; the
   * tree is rebuilt when the stored version changes).
   */
  CommittedVenue current() {
    try {
      return venues.current();
    } catch (SQLException e) {
      throw new IllegalStateException("the venue's database is unreachable", e);
    }
  }

  @Override
  public void accept(String requestKey, long accountId, long thresholdBps) {
    try {
      long id = submit(requestKey, accountId, thresholdBps);
      jobs.reopen(requestKey); // the same request again after a refusal (not healthy then)
      LOG.atDebug().addKeyValue("job", id).addKeyValue("request", requestKey).log("pool.accepted");
    } catch (SQLException e) {
      throw new IllegalStateException("the proving pool's database is unreachable", e);
    }
  }

  @Override
  public void abandon(String requestKey) {
    try {
      jobs.cancel(submit(requestKey, 0, 1));
    } catch (SQLException e) {
      // the job stays queued and is proven: a wasted proof, nothing wrong
    }
  }

  private long submit(String requestKey, long accountId, long thresholdBps) throws SQLException {
    return jobs.submit(
        HealthJobs.KIND,
        ProvingJobs.PRIORITY_TRADER,
        HealthJobs.payload(accountId, thresholdBps, stateRoot()),
        requestKey,
        HealthJobs.MAX_ATTEMPTS);
  }

  @Override
  public ProofFile prove(long accountId, long thresholdBps, Progress progress)
      throws NotHealthyException {
    return prove(null, accountId, thresholdBps, progress);
  }

  @Override
  public ProofFile prove(String requestKey, long accountId, long thresholdBps, Progress progress)
      throws NotHealthyException {
    if (account(accountId).isEmpty()) {
      throw new IllegalArgumentException("unknown account " + accountId);
    }
    long id;
    try {
      id = submit(requestKey, accountId, thresholdBps); // the accepted request's job, when keyed
    } catch (SQLException e) {
      throw new IllegalStateException("the proving pool's database is unreachable", e);
    }
    boolean leased = false;
    try {
      while (true) {
        ProvingJobs.Job j = jobs.get(id).orElseThrow();
        switch (j.state()) {
          case DONE -> {
            byte[] bytes = j.result().orElseThrow();
            proofs.put(bytes); // DIR/proofs/<sha256>.json, the hash the job row holds
            return ProofFile.parse(new String(bytes, StandardCharsets.UTF_8));
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
    } catch (SQLException | ProofFile.MalformedProofException | IOException e) {
      throw new IllegalStateException("proving job " + id + ": " + e.getMessage(), e);
    }
  }

  /** The margin at the stored state; the Greeks from the stored market (any imported venue). */
  @Override
  public MarginFigures margin(long accountId) {
    Venue venue = current().venue();
    AccountLeaf leaf = venue.account(accountId);
    io.zkmargin.risk.margin.MarginSummary margin =
        io.zkmargin.risk.margin.MarginCalculator.DEFAULT
            .evaluate(venue.riskVector(), leaf)
            .summary();
    if (market.isEmpty()) {
      return new MarginFigures(margin, java.util.List.of());
    }
    VenueImport.Market m = market.get();
    return new MarginFigures(
        margin,
        PortfolioAnalytics.DEFAULT.greeks(
            Portfolio.of(leaf, m.instruments(), m.assets()), m.epoch()));
  }

  @Override
  public CircuitSizes sizes() {
    return delegate.sizes();
  }

  @Override
  public Optional<AccountLeaf> account(long accountId) {
    return Optional.ofNullable(current().venue().accounts().get(accountId));
  }

  @Override
  public long accountCount() {
    return current().venue().accounts().size();
  }

  @Override
  public BigInteger stateRoot() {
    return current().stateRoot();
  }

  @Override
  public BigInteger riskRoot() {
    return current().riskRoot();
  }

  @Override
  public long epoch() {
    return current().venue().epoch();
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
  public void close() {
    if (worker != null) {
      worker.stop(Duration.ofSeconds(10));
    }
    db.close();
    delegate.close();
  }
}
