package io.zkmargin.cli;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.dashboard.DashboardServer;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm serve}: runs the gRPC proving service on embedded defaults. An empty data directory
 * gets a demo venue first; the TLS certificate and the development proving keys are made on first
 * start and reused after. Stops gracefully on SIGINT/SIGTERM.
 */
@Command(
    name = "serve",
    header = "run the proving service (gRPC, TLS); stops gracefully on SIGINT/SIGTERM",
    description = {
      "An empty data directory gets a demo venue first; the TLS certificate and the development",
      "proving keys are made on first start and reused after."
    },
    footer = {
      "",
      "The service's certificate is DIR/tls/server.crt (made on first start); clients pin it."
    })
public final class ServeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  /** The order log of the books in the data directory. */
  public static final String ORDER_LOG = "orders.log";

  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;
  @Mixin Cli.DevKeysOption devKeys;

  @Option(
      names = "--db",
      paramLabel = "URL|embedded|none",
      defaultValue = DbOption.EMBEDDED,
      description = {
        "the venue's database: the served state, the market and the proving pool (this process",
        "runs one worker; ./zkm worker --db URL joins from anywhere). embedded (default): a",
        "PostgreSQL of this process in DIR/postgres; postgresql://USER:PASSWORD@HOST:PORT/DB: an",
        "existing server; none: files only (DIR/venue.json, proofs made in this process)"
      })
  String db;

  @Option(
      names = "--pool-workers",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "proving threads of the database's pool run by this process (default 1; 0: only"
              + " ./zkm worker processes prove)")
  long poolWorkers;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "demo",
      description =
          "data directory (default ./demo); a demo venue is written there when it holds none")
  Path dir;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "50051",
      description = "gRPC port (default 50051)")
  long port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description =
          "listen address (default 127.0.0.1; 0.0.0.0 to serve other hosts; TLS unless --plaintext)")
  String bind;

  @Option(
      names = "--plaintext",
      description = "no TLS; only with a loopback --bind (127.0.0.1 or ::1)")
  boolean plaintext;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "1",
      description = "prover threads (default 1: one Groth16 prover already uses every core)")
  long workers;

  @Option(
      names = "--queue",
      paramLabel = "N",
      defaultValue = "64",
      description = "proving jobs that may wait; more get RESOURCE_EXHAUSTED (default 64)")
  long queue;

  @Option(
      names = "--metrics-port",
      paramLabel = "N",
      description = "Prometheus metrics at http://127.0.0.1:N/metrics (default port+1; -1 = off)")
  Long metricsPort;

  @Option(
      names = "--dashboard-port",
      paramLabel = "N",
      description =
          "web dashboard at http://127.0.0.1:N/ (loopback only; default port+2; -1 = off)")
  Long dashboardPort;

  @Option(
      names = "--grace-seconds",
      paramLabel = "S",
      defaultValue = "30",
      description =
          "on shutdown, how long running proofs may finish before being cancelled (default 30)")
  long graceSeconds;

  @Option(
      names = "--demo-accounts",
      paramLabel = "N",
      defaultValue = "16",
      description = "accounts of the demo venue made for an empty DIR (default 16)")
  long demoAccounts;

  @Option(
      names = "--size",
      paramLabel = "S",
      defaultValue = "test",
      description =
          "circuit size of that demo venue: test or production (default test, as ./zkm demo)")
  Cli.Size size;

  @Option(
      names = "--no-chain",
      description = {
        "do not start the local chain; by default the service runs `./zkm chain up --data DIR`",
        "first (anvil + verifier + settlement contract, state and risk roots posted) so that",
        "its proofs also verify on-chain (`./zkm verify FILE --on-chain --data DIR`), and",
        "stops that chain again when it stops; its anvil dies with the service even on a",
        "hard kill, and one left running by an earlier run is stopped (with a message)"
      })
  boolean noChain;

  @Option(
      names = "--batch-interval",
      paramLabel = "S",
      defaultValue = "10",
      description =
          "the operator cuts a batch S seconds after its first transition, or when full (default"
              + " 10)")
  long batchInterval;

  @Option(
      names = "--grace-period",
      paramLabel = "S",
      defaultValue = "" + io.zkmargin.chain.LocalChain.DEFAULT_GRACE_PERIOD_SECONDS,
      description = {
        "the escape hatch's grace period: seconds the operator has to honour a forced withdrawal",
        "or a keeper's liquidation request before anyone may freeze the Settlement (default",
        "${DEFAULT-VALUE}, a demo's pace); 0 deploys no escape hatch"
      })
  long gracePeriod;

  @Option(
      names = "--own-liquidations",
      description = {
        "the operator also liquidates the accounts no keeper asked for: at every batch and risk",
        "root it scans every account and liquidates the liquidatable ones with its liquidator",
        "(keeper 0), after the keepers' requests. Off by default: the demo venue starts with",
        "accounts under maintenance margin, which the walk-through shows"
      })
  boolean ownLiquidations;

  @Option(
      names = "--allow-demo-keys-on-network",
      description = {
        "serve a venue that uses demo owner keys on a non-loopback --bind anyway. Without it",
        "serve refuses (exit 1): every demo venue's owner keys follow from its public seed and",
        "their secrets lie in DIR/keys/, so anyone who can reach the service could sign as them"
      })
  boolean allowDemoKeysOnNetwork;

  /** The database backend once started (null with {@code --db none}). */
  PoolBackend pool;

  /** Runs {@code ./zkm serve argv...} until SIGINT/SIGTERM; returns the exit code. */
  public static int run(String[] argv) {
    return Main.run("serve", argv);
  }

  /** Runs the service until SIGINT/SIGTERM; returns the exit code. */
  @Override
  public Integer call() {
    ZkmServer server;
    try {
      server = start();
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      System.err.println("zkm serve: " + e.getMessage());
      return 1;
    }
    if (gracePeriod < 0) {
      System.err.println("zkm serve: --grace-period must be >= 0");
      server.close();
      return Cli.USAGE_ERROR;
    }
    boolean chain = startChainAndOperator(server);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.atInfo().addKeyValue("reason", "signal").log("server.stopping");
                  server.close();
                  if (chain) {
                    ChainCommand.down(dir);
                  }
                  stopped.countDown();
                },
                "zkm-shutdown"));
    try {
      server.awaitTermination();
      stopped.await();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /**
   * Unless {@code --no-chain}: starts the local chain and the operator (sequencer, batches proven
   * and finalized on it), closed with {@code server}. On the database, both start from the
   * database's state (one state: the chain's genesis root is its root, the operator's ledger is it,
   * and every finalized batch is written back to it, which the health service proves against).
   *
   * @return whether the chain runs (the caller stops it with {@code ChainCommand.down})
   */
  boolean startChainAndOperator(ZkmServer server) {
    if (noChain) {
      return false;
    }
    io.zkmargin.operator.VenueState state = null;
    if (pool != null) {
      try {
        state =
            new DatabaseVenueState(
                new io.zkmargin.store.VenueRepository(pool.database().dataSource()),
                pool.current().venue());
      } catch (java.sql.SQLException | RuntimeException e) {
        System.err.println(
            "zkm serve: cannot read the venue's state for the operator: " + e.getMessage());
        return false;
      }
    }
    if (!startChain(dir, devKeys.allowed(dir), gracePeriod, state == null ? null : state.venue())) {
      return false;
    }
    AutoCloseable operator =
        OperatorCommand.startInServe(
            server, dir, devKeys.allowed(dir), batchInterval, state, ownLiquidations);
    if (operator != null) {
      server.closeWith(operator);
    }
    return true;
  }

  /**
   * Starts the local chain of {@code dir}, tied to this process (a node left by an earlier run is
   * stopped, not reused); a failure is reported and the service runs without it.
   *
   * @param venue the venue whose root a new deployment starts from, or null for DIR/venue.json
   */
  private static boolean startChain(Path dir, boolean allowDevKeys, long gracePeriod, Venue venue) {
    int rc;
    try (KeyStore keys = KeyStore.openDefault(allowDevKeys)) {
      // anvil dies with this JVM, even on SIGKILL
      rc = ChainCommand.upTiedToThisProcess(dir, keys, gracePeriod, venue);
    }
    if (rc != 0) {
      System.err.println(
          "zkm serve: the local chain did not start (see above); serving without it");
      return false;
    }
    return true;
  }

  /**
   * True when {@code bind} names a loopback address; a name that does not resolve counts as not
   * loopback.
   */
  private static boolean isLoopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Why the venue of {@code dir} uses demo owner keys, or null when it does not: a demo venue (its
   * owner keys follow from the recorded seed, the same for every fresh demo folder) or owner
   * secrets stored in DIR/keys/.
   */
  private static String demoKeysOf(Path dir, Venue venue) throws IOException {
    Optional<Venue.DemoOrigin> demo = venue.demo();
    if (demo.isPresent()) {
      return "the venue in "
          + dir
          + " is a demo venue whose owner keys follow from its seed "
          + demo.get().seed();
    }
    Path keys = dir.resolve("keys");
    if (Files.isDirectory(keys)) {
      try (Stream<Path> files = Files.list(keys)) {
        if (files.anyMatch(f -> f.getFileName().toString().matches("account-\\d+\\.key"))) {
          return "the owner secret keys of the venue's accounts are stored in " + keys;
        }
      }
    }
    return null;
  }

  /**
   * Refuses a venue with demo owner keys on a non-loopback {@code --bind} without {@code
   * --allow-demo-keys-on-network}.
   */
  private void refuseDemoKeysOnNetwork(Venue venue) throws IOException {
    if (!isLoopback(bind) && !allowDemoKeysOnNetwork) {
      String demoKeys = demoKeysOf(dir, venue);
      if (demoKeys != null) {
        throw new IllegalStateException(
            "refusing to serve on "
                + bind
                + ": "
                + demoKeys
                + ", so anyone who can reach"
                + " the service could sign requests as its accounts; bind a loopback address (--bind 127.0.0.1), or pass"
                + " --allow-demo-keys-on-network to serve it to the network anyway");
      }
    }
  }

  /**
   * The state the books' risk model starts from before the order log is replayed: the state the
   * log's first fills were made on. On the database the served state moves with the operator's
   * finalized batches, which already hold the log's finalized fills, so an existing order log is
   * replayed on the seed it started from ({@code DIR/venue.json}) rather than counted twice.
   */
  private Venue booksBase(Venue served) throws IOException {
    if (pool != null
        && Files.isRegularFile(dir.resolve(ORDER_LOG))
        && Files.isRegularFile(dir.resolve(VenueStore.VENUE_FILE))) {
      Venue seed = VenueStore.load(dir);
      if (seed.sizes().equals(served.sizes())) {
        return seed;
      }
    }
    return served;
  }

  /** Writes the demo venue of {@code --demo-accounts} and {@code --size} when DIR holds none. */
  private void makeDemoIfEmpty() throws IOException {
    if (Files.isRegularFile(dir.resolve(VenueStore.VENUE_FILE))) {
      return;
    }
    CircuitSizes sizes = size.sizes();
    if (demoAccounts > (1L << sizes.stateDepth())) {
      throw new ParameterException(
          spec.commandLine(),
          "--demo-accounts must be at most 2^" + sizes.stateDepth() + " for this size");
    }
    LOG.atInfo()
        .addKeyValue("data", dir.toString())
        .addKeyValue("accounts", demoAccounts)
        .addKeyValue("size", size.name())
        .log("serve.demo");
    int rc = DemoCommand.write(dir, (int) demoAccounts, 1, sizes, false);
    if (rc != 0) {
      throw new IOException("could not create the demo venue in " + dir);
    }
  }

  /**
   * Parses {@code argv} as {@code ./zkm serve} does, prepares the data directory and starts the
   * service (see {@link #start()}); the caller owns the returned server and closes it.
   *
   * @throws ParameterException on bad usage (an unknown option, a value of the wrong type or out of
   *     range)
   */
  public static ZkmServer start(String[] argv) throws IOException {
    CommandLine cl = Cli.configure(new CommandLine(new ServeCommand()));
    cl.parseArgs(argv);
    return cl.<ServeCommand>getCommand().start();
  }

  /**
   * Checks the options, prepares the data directory (demo venue when empty, certificate,
   * development keys) and starts the service; the caller owns the returned server and closes it.
   *
   * @throws ParameterException on an option value out of range
   * @throws IOException when the data directory cannot be prepared or the port bound
   * @throws IllegalStateException when a venue with demo owner keys would be served on a
   *     non-loopback address without {@code --allow-demo-keys-on-network}
   */
  ZkmServer start() throws IOException {
    int port = (int) Cli.range(spec, "port", this.port, 0, 65535);
    int workerCount = (int) Cli.range(spec, "workers", workers, 1, 64);
    int queueSize = (int) Cli.range(spec, "queue", queue, 1, 100_000);
    int metrics =
        (int)
            Cli.range(
                spec,
                "metrics-port",
                metricsPort == null ? (port == 0 ? 0 : port + 1) : metricsPort,
                -1,
                65535);
    int dashboard =
        (int)
            Cli.range(
                spec,
                "dashboard-port",
                dashboardPort == null ? (port == 0 ? 0 : port + 2) : dashboardPort,
                -1,
                65535);
    long graceMillis = Cli.range(spec, "grace-seconds", graceSeconds, 0, 3600) * 1000;
    Cli.range(spec, "demo-accounts", demoAccounts, 1, 1 << 20);
    ZkmServer.Config config =
        new ZkmServer.Config(bind, port, plaintext, workerCount, queueSize, metrics, graceMillis);
    boolean onDb = !DbOption.NONE.equals(db);
    // A fresh folder gets its demo venue now, before the key store is opened: the key store's
    // development-key policy depends on whether the folder holds a demo venue. On the embedded
    // database a folder with neither a venue file nor a cluster is fresh; on an external server the
    // database may already hold a venue, so the demo waits for the database to say it is empty.
    if (!onDb
        || (DbOption.EMBEDDED.equals(db)
            && !Files.exists(dir.resolve(VenueStore.VENUE_FILE))
            && !Files.exists(dir.resolve("postgres")))) {
      makeDemoIfEmpty();
    }
    if (Files.isRegularFile(dir.resolve(VenueStore.VENUE_FILE))) {
      refuseDemoKeysOnNetwork(VenueStore.load(dir)); // before anything is made
    }
    KeyStore keys = devKeys.open(null, dir);
    VenueBackend venue;
    io.zkmargin.grpc.server.HealthProofBackend backend;
    if (onDb) {
      try {
        int threads = (int) Cli.range(spec, "pool-workers", poolWorkers, 0, 64);
        pool = PoolBackend.open(db, dir, keys, threads, this::makeDemoIfEmpty);
        backend = pool;
        venue = pool.venueBackend();
      } catch (java.sql.SQLException | RuntimeException e) {
        keys.close();
        throw new IOException("cannot open the venue's database: " + e.getMessage(), e);
      }
    } else {
      venue = VenueBackend.open(dir, keys);
      backend = venue;
    }
    ServiceIdentity identity;
    try {
      refuseDemoKeysOnNetwork(venue.venue()); // the database's venue
      identity = ServiceIdentity.loadOrCreate(dir);
    } catch (IOException | RuntimeException e) {
      backend.close();
      throw e;
    }
    ZkmServer server = new ZkmServer(backend, identity, config);
    DashboardServer web = null;
    try {
      // the order books (TradingService), kept in DIR/orders.log: they survive a restart
      server.enableTrading(booksBase(venue.venue()), dir.resolve(ORDER_LOG));
      server.start();
      if (dashboard >= 0) {
        web = new DashboardServer(venue, server, dir, "127.0.0.1", dashboard);
        server.closeWith(web);
        web.start();
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    System.err.printf(
        "zkm serve: listening on %s:%d (%s), certificate %s, metrics %s%n",
        config.bindAddress(),
        server.port(),
        config.plaintext() ? "plaintext" : "TLS",
        identity.certificateFile(),
        server.metricsPort() < 0 ? "off" : "http://127.0.0.1:" + server.metricsPort() + "/metrics");
    System.err.println(
        "zkm serve: dashboard "
            + (web == null ? "off" : web.url() + " (sign in with ./zkm sign-challenge)"));
    return server;
  }
}
