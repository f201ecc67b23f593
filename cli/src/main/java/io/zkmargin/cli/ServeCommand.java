package io.zkmargin.cli;

import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.prover.Venue;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./zkm serve}: runs the gRPC proving service on embedded defaults. An empty data directory gets
 * a demo venue first; the TLS certificate and the development proving keys are made on first start and
 * reused after. Stops gracefully on SIGINT/SIGTERM.
 */
public final class ServeCommand {

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  static final String HELP = """
      usage: ./zkm serve [--data DIR] [--port N] [--bind ADDR] [--plaintext] [--workers N] [--queue N]
                         [--metrics-port N] [--grace-seconds S] [--demo-accounts N] [--size test|production]
                         [--no-chain] [--allow-demo-keys-on-network]

        --data DIR          data directory (default ./demo); a demo venue is written there when it holds none
        --port N            gRPC port (default 50051)
        --bind ADDR         listen address (default 127.0.0.1; 0.0.0.0 to serve other hosts; TLS unless --plaintext)
        --plaintext         no TLS; only with a loopback --bind (127.0.0.1 or ::1)
        --workers N         prover threads (default 1: one Groth16 prover already uses every core)
        --queue N           proving jobs that may wait; more get RESOURCE_EXHAUSTED (default 64)
        --metrics-port N    Prometheus metrics at http://127.0.0.1:N/metrics (default port+1; -1 = off)
        --grace-seconds S   on shutdown, how long running proofs may finish before being cancelled (default 30)
        --demo-accounts N   accounts of the demo venue made for an empty DIR (default 16)
        --size S            circuit size of that demo venue: test or production (default test, as ./zkm demo)
        --no-chain          do not start the local chain; by default the service runs `./zkm chain up --data DIR`
                            first (anvil + verifier + settlement contract, state and risk roots posted) so that
                            its proofs also verify on-chain (`./zkm verify FILE --on-chain --data DIR`), and
                            stops that chain again when it stops; its anvil dies with the service even on a
                            hard kill, and one left running by an earlier run is stopped (with a message)
        --allow-demo-keys-on-network
                            serve a venue that uses demo owner keys on a non-loopback --bind anyway. Without it
                            serve refuses (exit 1): every demo venue's owner keys follow from its public seed and
                            their secrets lie in DIR/keys/, so anyone who can reach the service could sign as them

      The service's certificate is DIR/tls/server.crt (made on first start); clients pin it.
      """;

  private ServeCommand() {}

  /** Runs the service until SIGINT/SIGTERM; returns the exit code. */
  public static int run(String[] argv) throws Args.UsageException {
    if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
      System.out.print(HELP);
      return 0;
    }
    ZkmServer server;
    try {
      server = start(argv);
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      System.err.println("zkm serve: " + e.getMessage());
      return 1;
    }
    Path dir = Args.parse(argv, OPTIONS, SWITCHES).dataDir();
    boolean chain = !java.util.Arrays.asList(argv).contains("--no-chain") && startChain(dir);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.atInfo().addKeyValue("reason", "signal").log("server.stopping");
      server.close();
      if (chain) {
        ChainCommand.run(new String[] {"down", "--data", dir.toString()});
      }
      stopped.countDown();
    }, "zkm-shutdown"));
    try {
      server.awaitTermination();
      stopped.await();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static final Set<String> OPTIONS = Set.of("data", "port", "bind", "workers", "queue", "metrics-port",
      "grace-seconds", "demo-accounts", "size");
  private static final Set<String> SWITCHES = Set.of("plaintext", "no-chain", "allow-demo-keys-on-network");

  /**
   * Starts the local chain of {@code dir}, tied to this process (a node left by an earlier run is stopped, not
   * reused); a failure is reported and the service runs without it.
   */
  private static boolean startChain(Path dir) {
    int rc = ChainCommand.upTiedToThisProcess(dir); // anvil dies with this JVM, even on SIGKILL
    if (rc != 0) {
      System.err.println("zkm serve: the local chain did not start (see above); serving without it");
      return false;
    }
    return true;
  }

  /** True when {@code bind} names a loopback address; a name that does not resolve counts as not loopback. */
  private static boolean isLoopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Why the venue of {@code dir} uses demo owner keys, or null when it does not: a demo venue (its owner keys
   * follow from the recorded seed, the same for every fresh demo folder) or owner secrets stored in DIR/keys/.
   */
  private static String demoKeysOf(Path dir) throws IOException {
    Optional<Venue.DemoOrigin> demo = VenueStore.load(dir).demo();
    if (demo.isPresent()) {
      return "the venue in " + dir + " is a demo venue whose owner keys follow from its seed " + demo.get().seed();
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
   * Parses the options, prepares the data directory (demo venue when empty, certificate, development
   * keys) and starts the service; the caller owns the returned server and closes it.
   *
   * @throws IOException when the data directory cannot be prepared or the port bound
   * @throws IllegalStateException when a venue with demo owner keys would be served on a non-loopback address
   *     without {@code --allow-demo-keys-on-network}
   */
  public static ZkmServer start(String[] argv) throws Args.UsageException, IOException {
    Args a = Args.parse(argv, OPTIONS, SWITCHES);
    Path dir = a.dataDir();
    int port = (int) a.getLong("port", 50051, 0, 65535);
    ZkmServer.Config config = new ZkmServer.Config(a.get("bind", "127.0.0.1"), port, a.flag("plaintext"),
        (int) a.getLong("workers", 1, 1, 64), (int) a.getLong("queue", 64, 1, 100_000),
        (int) a.getLong("metrics-port", port == 0 ? 0 : port + 1, -1, 65535),
        a.getLong("grace-seconds", 30, 0, 3600) * 1000);
    String size = a.get("size", "test");
    if (!size.equals("test") && !size.equals("production")) {
      throw new Args.UsageException("--size must be test or production, was " + size);
    }
    long demoAccounts = a.getLong("demo-accounts", 16, 1, 1 << 20);
    if (!Files.isRegularFile(dir.resolve(VenueStore.VENUE_FILE))) {
      LOG.atInfo().addKeyValue("data", dir.toString()).addKeyValue("accounts", demoAccounts).addKeyValue("size", size)
          .log("serve.demo");
      int rc = DemoCommand.run(new String[] {"--data", dir.toString(), "--accounts", Long.toString(demoAccounts),
          "--seed", "1", "--size", size});
      if (rc != 0) {
        throw new IOException("could not create the demo venue in " + dir);
      }
    }
    String bind = config.bindAddress();
    if (!isLoopback(bind) && !a.flag("allow-demo-keys-on-network")) {
      String demoKeys = demoKeysOf(dir);
      if (demoKeys != null) {
        throw new IllegalStateException("refusing to serve on " + bind + ": " + demoKeys + ", so anyone who can reach"
            + " the service could sign requests as its accounts; bind a loopback address (--bind 127.0.0.1), or pass"
            + " --allow-demo-keys-on-network to serve it to the network anyway");
      }
    }
    ServiceIdentity identity = ServiceIdentity.loadOrCreate(dir);
    VenueBackend backend = VenueBackend.open(dir, KeyStore.openDefault());
    ZkmServer server = new ZkmServer(backend, identity, config);
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    System.err.printf("zkm serve: listening on %s:%d (%s), certificate %s, metrics %s%n", config.bindAddress(),
        server.port(), config.plaintext() ? "plaintext" : "TLS", identity.certificateFile(),
        server.metricsPort() < 0 ? "off" : "http://127.0.0.1:" + server.metricsPort() + "/metrics");
    return server;
  }
}
