package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.grpc.client.LoadGenerator;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 health-proof requests from 8 concurrent clients, each on its own TLS connection, against the
 * real prover at the TEST size, with a proving queue of only 2 places behind 2 prover threads: the
 * queue fills, so RESOURCE_EXHAUSTED answers and the clients' retries really happen (asserted).
 * Every answer verifies offline against the public inputs of its own request (the venue's roots and
 * the requested account and threshold), not against the inputs that came back with it, so answers
 * mixed up between requests would fail; no proof is delivered twice and the server proved each
 * request exactly once.
 */
class LoadTest {

  static final int REQUESTS = 200;
  static final int CLIENTS = 8;

  /** Waiting places: fewer than the clients minus the prover threads, so the queue fills. */
  static final int QUEUE = 2;

  @Test
  void twoHundredRequestsFromEightClientsAllVerifyNoneLostOrDuplicated(@TempDir Path dir)
      throws Exception {
    TestLogs.redirect(null);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    VenueBackend backend = VenueBackend.of(TestVenue.venue(), KeyStore.openDefault());
    try (ZkmServer server =
            new ZkmServer(
                backend, id, new ZkmServer.Config("127.0.0.1", 0, false, 2, QUEUE, -1, 10_000));
        ProofVerifier verifier = new ProofVerifier(KeyStore.openDefault())) {
      server.start();
      List<ZkmClient> clients = new ArrayList<>();
      Map<Long, RequestSigner> signers = new HashMap<>();
      for (long a = 0; a < TestVenue.HEALTHY; a++) {
        signers.put(a, new RequestSigner(TestVenue.ownerKey(a), id.serviceId()));
      }
      List<LoadGenerator.Request> requests = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        requests.add(new LoadGenerator.Request(i, i % TestVenue.HEALTHY, 1_000 + i));
      }
      try {
        for (int c = 0; c < CLIENTS; c++) {
          clients.add(ZkmClient.connectTls("localhost:" + server.port(), id.certificateFile()));
        }
        LoadGenerator.Report report =
            LoadGenerator.run(clients, signers, requests, Duration.ofSeconds(300));

        assertEquals(REQUESTS, report.results().size());
        assertEquals(
            0,
            report.failures(),
            () ->
                report.results().stream()
                    .filter(r -> r.proof() == null)
                    .map(r -> r.request() + " " + r.status())
                    .toList()
                    .toString());
        Set<String> proofBytes = new HashSet<>();
        Set<Integer> clientsUsed = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
          LoadGenerator.Result r = report.results().get(i);
          LoadGenerator.Request asked = requests.get(i);
          assertEquals(asked, r.request(), "result " + i + " belongs to request " + i);
          assertNotNull(r.proof());
          // the statement this request asked for, built here, not read from the answer
          List<BigInteger> expected =
              List.of(
                  backend.stateRoot(),
                  backend.riskRoot(),
                  BigInteger.valueOf(asked.accountId())
                      .shiftLeft(32)
                      .add(BigInteger.valueOf(asked.thresholdBps())));
          ProofFile own =
              new ProofFile(
                  r.proof().circuitId(), r.proof().verifyingKeyHash(), expected, r.proof().proof());
          ProofVerifier.Verdict v = verifier.verify(own);
          assertTrue(
              v.valid(),
              "answer to " + asked + " does not prove its own statement: " + v.message());
          assertEquals(expected, r.proof().publicInputs(), "answer to " + asked);
          // a proof is randomized: the same bytes twice would be one proof delivered to two
          // requests
          assertTrue(
              proofBytes.add(HexFormat.of().formatHex(r.proof().proof())),
              "proof delivered twice: " + asked);
          clientsUsed.add(r.client());
        }
        assertEquals(CLIENTS, clientsUsed.size(), "every client sent requests");
        assertEquals(
            REQUESTS, server.metrics().jobs("done"), "the server proved each request exactly once");
        long rejected = server.metrics().jobs("rejected");
        assertTrue(rejected > 0, "the queue never filled: the retry path did not run");
        assertTrue(
            report.retries() >= rejected,
            report.retries() + " retries for " + rejected + " queue-full answers");
        System.out.printf(
            "LoadTest: %d proofs from %d clients in %.2f s: %.1f proofs/s, latency p50 %.0f ms,"
                + " p99 %.0f ms, max %.0f ms, %d RESOURCE_EXHAUSTED retries (%d queue full)%n",
            REQUESTS,
            CLIENTS,
            report.wallNanos() / 1e9,
            report.throughputPerSecond(),
            report.latencyMillis(0.5),
            report.latencyMillis(0.99),
            report.latencyMillis(1.0),
            report.retries(),
            rejected);
      } finally {
        clients.forEach(ZkmClient::close);
      }
    }
  }
}
