package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.grpc.client.LoadGenerator;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.JsonLog;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 health-proof requests from 8 concurrent clients, each on its own TLS connection, against the real
 * prover at the TEST size: every answer verifies offline, states exactly the account and threshold that
 * were asked for (thresholds are unique per request), and none is lost or duplicated.
 */
class LoadTest {

  static final int REQUESTS = 200;
  static final int CLIENTS = 8;

  @Test
  void twoHundredRequestsFromEightClientsAllVerifyNoneLostOrDuplicated(@TempDir Path dir) throws Exception {
    JsonLog.redirect(null);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    VenueBackend backend = VenueBackend.of(TestVenue.venue(), KeyStore.openDefault());
    try (ZkmServer server = new ZkmServer(backend, id, new ZkmServer.Config("127.0.0.1", 0, false, 2, 16, -1, 10_000));
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
        LoadGenerator.Report report = LoadGenerator.run(clients, signers, requests, Duration.ofSeconds(300));

        assertEquals(REQUESTS, report.results().size());
        assertEquals(0, report.failures(), () -> report.results().stream().filter(r -> r.proof() == null)
            .map(r -> r.request() + " " + r.status()).toList().toString());
        Set<Long> thresholds = new HashSet<>();
        Set<Integer> clientsUsed = new HashSet<>();
        for (LoadGenerator.Result r : report.results()) {
          assertNotNull(r.proof());
          assertEquals(r.request().accountId(), r.proof().healthAccountId());
          assertEquals(r.request().thresholdBps(), r.proof().healthThresholdBps());
          assertTrue(thresholds.add(r.proof().healthThresholdBps()), "duplicate answer " + r.request());
          assertTrue(verifier.verify(r.proof()).valid(), "answer to " + r.request() + " does not verify");
          clientsUsed.add(r.client());
        }
        assertEquals(REQUESTS, thresholds.size());
        assertEquals(CLIENTS, clientsUsed.size(), "every client sent requests");
        assertEquals(REQUESTS, server.metrics().jobs("done"), "the server proved each request exactly once");
        System.out.printf("LoadTest: %d proofs from %d clients in %.2f s: %.1f proofs/s, latency p50 %.0f ms,"
                + " p99 %.0f ms, max %.0f ms, %d queue-full retries%n", REQUESTS, CLIENTS, report.wallNanos() / 1e9,
            report.throughputPerSecond(), report.latencyMillis(0.5), report.latencyMillis(0.99),
            report.latencyMillis(1.0), report.retries());
      } finally {
        clients.forEach(ZkmClient::close);
      }
    }
  }
}
