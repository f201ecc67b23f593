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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm bench-grpc}: health-proof throughput and latency over gRPC on this machine. Starts
 * the service in this JVM on a loopback TLS port (or uses {@code --target}), sends {@code
 * --requests} proofs from {@code --clients} concurrent clients, each on its own connection, after a
 * warm-up, verifies every answer offline, and prints throughput and p50/p99 latency.
 */
@Command(
    name = "bench-grpc",
    header = "health-proof throughput and p50/p99 latency over gRPC",
    description = {
      "Starts the service in this JVM on a loopback TLS port (or uses --target), sends the proofs",
      "from concurrent clients, each on its own connection, after a warm-up, and verifies every answer offline."
    })
public final class GrpcBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "bench-venue",
      description = "venue with owner keys (default ./bench-venue; made by ./zkm demo when absent)")
  Path dir;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "50",
      description = "measured requests (default 50)")
  long requestCount;

  @Option(
      names = "--clients",
      paramLabel = "C",
      defaultValue = "8",
      description = "concurrent clients, one connection each (default 8)")
  long clientCountOption;

  @Option(
      names = "--workers",
      paramLabel = "W",
      defaultValue = "1",
      description = "prover threads of the in-JVM service (default 1)")
  long workerCount;

  @Option(
      names = "--threshold-bps",
      paramLabel = "B",
      defaultValue = "10000",
      description = "proven threshold (default 10000)")
  long threshold;

  @Option(
      names = "--size",
      paramLabel = "S",
      defaultValue = "production",
      description =
          "size of a demo venue made for an empty DIR: test or production (default production)")
  Cli.Size size;

  @Option(
      names = "--target",
      paramLabel = "H:P",
      description =
          "bench a running service instead (it must serve DIR's venue; trusts DIR/tls/server.crt)")
  String targetOption;

  /** Runs the benchmark; returns the exit code. */
  @Override
  public Integer call() {
    int requests = (int) Cli.range(spec, "requests", requestCount, 1, 1_000_000);
    int clientCount = (int) Cli.range(spec, "clients", clientCountOption, 1, 256);
    int workers = (int) Cli.range(spec, "workers", workerCount, 1, 64);
    Cli.range(spec, "threshold-bps", threshold, 1, 1_000_000);
    try {
      if (!Files.isRegularFile(dir.resolve(VenueStore.VENUE_FILE))) {
        int rc = DemoCommand.write(dir, 32, 1, size.sizes(), false);
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
          signers.put(
              e.getKey(),
              new RequestSigner(
                  new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, e.getKey())), id.serviceId()));
        }
      }
      if (accounts.isEmpty()) {
        System.err.println(
            "zkm bench-grpc: no account in " + dir + " is healthy at " + threshold + " bps");
        return 1;
      }
      String target = targetOption;
      ZkmServer server = null;
      if (target == null) {
        server =
            new ZkmServer(
                    VenueBackend.open(dir, KeyStore.openDefault(true)), // a benchmark: dev keys
                    id,
                    new ZkmServer.Config(
                        "127.0.0.1", 0, false, workers, Math.max(64, clientCount * 2), -1, 30_000))
                .start();
        target = "localhost:" + server.port();
      }
      List<ZkmClient> clients = new ArrayList<>();
      try (ProofVerifier verifier = new ProofVerifier(KeyStore.openDefault(true))) {
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
        long invalid =
            r.results().stream()
                .filter(x -> x.proof() != null && !verifier.verify(x.proof()).valid())
                .count();
        System.out.printf(
            "bench-grpc: circuit %s, %d requests, %d clients (TLS, one connection each), %d prover"
                + " thread(s), %d cores%n",
            venue.sizes().healthCircuitId(),
            requests,
            clientCount,
            workers,
            Runtime.getRuntime().availableProcessors());
        System.out.printf(
            "  throughput  %.2f proofs/s  (wall %.2f s)%n",
            r.throughputPerSecond(), r.wallNanos() / 1e9);
        System.out.printf(
            "  latency     p50 %.0f ms  p99 %.0f ms  max %.0f ms%n",
            r.latencyMillis(0.5), r.latencyMillis(0.99), r.latencyMillis(1.0));
        System.out.printf(
            "  failures    %d   invalid proofs %d   queue-full retries %d%n",
            r.failures(), invalid, r.retries());
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
