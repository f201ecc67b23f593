package io.zkmargin.cli;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.client.LoadGenerator;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.margin.MarginCalculator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./zkm bench-grpc}: health-proof throughput and latency over gRPC on this machine. Starts the
 * service in this JVM on a loopback TLS port (or uses {@code --target}), sends {@code --requests} proofs
 * from {@code --clients} concurrent clients, each on its own connection, after a warm-up, verifies every
 * answer offline, and prints throughput and p50/p99 latency.
 */
public final class GrpcBenchCommand {

  static final String HELP = """
      usage: ./zkm bench-grpc [--data DIR] [--requests N] [--clients C] [--workers W] [--threshold-bps B]
                              [--size test|production] [--target HOST:PORT]

        --data DIR        venue with owner keys (default ./bench-venue; made by ./zkm demo when absent)
        --requests N      measured requests (default 50)
        --clients C       concurrent clients, one connection each (default 8)
        --workers W       prover threads of the in-JVM service (default 1)
        --threshold-bps B proven threshold (default 10000)
        --size S          size of a demo venue made for an empty DIR (default production)
        --target H:P      bench a running service instead (it must serve DIR's venue; trusts DIR/tls/server.crt)
      """;

  private GrpcBenchCommand() {}

  /** Runs the benchmark; returns the exit code. */
  public static int run(String[] argv) throws Args.UsageException {
    if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
      System.out.print(HELP);
      return 0;
    }
    Args a = Args.parse(argv, Set.of("data", "requests", "clients", "workers", "threshold-bps", "size", "target"),
        Set.of());
    Path dir = Path.of(a.get("data", "bench-venue"));
    int requests = (int) a.getLong("requests", 50, 1, 1_000_000);
    int clientCount = (int) a.getLong("clients", 8, 1, 256);
    int workers = (int) a.getLong("workers", 1, 1, 64);
    long threshold = a.getLong("threshold-bps", 10_000, 1, 1_000_000);
    String size = a.get("size", "production");
    try {
      if (!Files.isRegularFile(dir.resolve(VenueStore.VENUE_FILE))) {
        int rc = DemoCommand.run(new String[] {"--data", dir.toString(), "--accounts", "32", "--seed", "1",
            "--size", size});
        if (rc != 0) {
          return rc;
        }
      }
      ServiceLogging.quiet(true);
      Venue venue = VenueStore.load(dir);
      Map<Long, RequestSigner> signers = new HashMap<>();
      ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
      List<Long> accounts = new ArrayList<>();
      for (Map.Entry<Long, AccountLeaf> e : venue.accounts().entrySet()) {
        if (MarginCalculator.DEFAULT.evaluate(venue.riskVector(), e.getValue()).isHealthy(threshold)
            && Files.isRegularFile(VenueStore.ownerKeyFile(dir, e.getKey()))) {
          accounts.add(e.getKey());
          signers.put(e.getKey(), new RequestSigner(new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, e.getKey())),
              id.serviceId()));
        }
      }
      if (accounts.isEmpty()) {
        System.err.println("zkm bench-grpc: no account in " + dir + " is healthy at " + threshold + " bps");
        return 1;
      }
      String target = a.get("target", null);
      ZkmServer server = null;
      if (target == null) {
        server = new ZkmServer(VenueBackend.open(dir, KeyStore.openDefault()), id,
            new ZkmServer.Config("127.0.0.1", 0, false, workers, Math.max(64, clientCount * 2), -1, 30_000)).start();
        target = "localhost:" + server.port();
      }
      List<ZkmClient> clients = new ArrayList<>();
      try (ProofVerifier verifier = new ProofVerifier(KeyStore.openDefault())) {
        for (int c = 0; c < clientCount; c++) {
          clients.add(ZkmClient.connectTls(target, id.certificateFile()));
        }
        List<LoadGenerator.Request> warm = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
          warm.add(new LoadGenerator.Request(i, accounts.get(i % accounts.size()), threshold));
        }
        LoadGenerator.run(clients, signers, warm, Duration.ofMinutes(10));
        List<LoadGenerator.Request> list = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          list.add(new LoadGenerator.Request(i, accounts.get(i % accounts.size()), threshold));
        }
        LoadGenerator.Report r = LoadGenerator.run(clients, signers, list, Duration.ofMinutes(10));
        long invalid = r.results().stream().filter(x -> x.proof() != null && !verifier.verify(x.proof()).valid()).count();
        System.out.printf("bench-grpc: circuit %s, %d requests, %d clients (TLS, one connection each), %d prover"
                + " thread(s), %d cores%n", venue.sizes().healthCircuitId(), requests, clientCount, workers,
            Runtime.getRuntime().availableProcessors());
        System.out.printf("  throughput  %.2f proofs/s  (wall %.2f s)%n", r.throughputPerSecond(), r.wallNanos() / 1e9);
        System.out.printf("  latency     p50 %.0f ms  p99 %.0f ms  max %.0f ms%n", r.latencyMillis(0.5),
            r.latencyMillis(0.99), r.latencyMillis(1.0));
        System.out.printf("  failures    %d   invalid proofs %d   queue-full retries %d%n", r.failures(), invalid,
            r.retries());
        return r.failures() == 0 && invalid == 0 ? 0 : 1;
      } finally {
        clients.forEach(ZkmClient::close);
        if (server != null) {
          server.close();
        }
      }
    } catch (IOException e) {
      System.err.println("zkm bench-grpc: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
