package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.ZkmServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The service tests over a real TLS socket on loopback, plus TLS, plaintext and metrics checks. */
class SocketServiceTest extends AbstractServiceTest {

  @Override
  ManagedChannel start(ZkmServer server) throws Exception {
    server.start();
    return Grpc.newChannelBuilder("localhost:" + server.port(),
            TlsChannelCredentials.newBuilder().trustManager(server.identity().certificateFile().toFile()).build())
        .maxInboundMessageSize(16 << 20).build();
  }

  @Test
  void certificateIsMadeOnceAndReused() throws Exception {
    ServiceIdentity a = ServiceIdentity.loadOrCreate(dataDir);
    ServiceIdentity b = ServiceIdentity.loadOrCreate(dataDir);
    assertEquals(a.serviceId(), b.serviceId());
    assertEquals(a.serviceId(), ServiceIdentity.serviceIdOf(a.certificateFile()));
    assertTrue(a.serviceId().matches("[0-9a-f]{64}"));
  }

  @Test
  void plaintextClientCannotTalkToTheTlsServerAndAStrangeCertificateIsNotTrusted(@org.junit.jupiter.api.io.TempDir Path other)
      throws Exception {
    startServer(1, 4);
    try (ZkmClient plain = ZkmClient.connectPlaintext("localhost:" + server.port(), server.identity().certificateFile())) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> plain.getStateRoot(Duration.ofSeconds(10)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }
    ServiceIdentity stranger = ServiceIdentity.loadOrCreate(other);
    try (ZkmClient wrongTrust = ZkmClient.connectTls("localhost:" + server.port(), stranger.certificateFile())) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> wrongTrust.getStateRoot(Duration.ofSeconds(10)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    }
  }

  @Test
  void plaintextIsOnlyAllowedOnLoopback() throws Exception {
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dataDir);
    ZkmServer open = new ZkmServer(new GatedBackend(backend), id,
        new ZkmServer.Config("0.0.0.0", 0, true, 1, 1, -1, 1000));
    assertThrows(IllegalArgumentException.class, open::start);
    ZkmServer loop = new ZkmServer(new GatedBackend(backend), id,
        new ZkmServer.Config("127.0.0.1", 0, true, 1, 1, -1, 1000));
    loop.start();
    try {
      ManagedChannel ch = Grpc.newChannelBuilder("127.0.0.1:" + loop.port(), InsecureChannelCredentials.create()).build();
      try {
        ZkmClient c = new ZkmClient(ch, id.serviceId());
        assertEquals(backend.stateRoot().toString(), c.getStateRoot(Duration.ofSeconds(10)).getRoot());
      } finally {
        ch.shutdownNow();
      }
    } finally {
      loop.close();
    }
  }

  @Test
  void metricsAreServedInPrometheusFormat() throws Exception {
    stopServer();
    gated = new GatedBackend(backend);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dataDir);
    server = new ZkmServer(gated, id, new ZkmServer.Config("127.0.0.1", 0, false, 1, 4, 0, 5_000));
    channel = start(server);
    client = new ZkmClient(channel, id.serviceId());
    client.proveHealth(7, 10_000, signer(7), D, null);
    client.getStateRoot(D);
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    String body = r.body();
    assertTrue(body.contains("zkm_grpc_requests_total{method=\"zkmargin.v1.HealthService/ProveHealth\",code=\"OK\"} 1"), body);
    assertTrue(body.contains("zkm_grpc_requests_total{method=\"zkmargin.v1.AuditService/GetStateRoot\",code=\"OK\"} 1"), body);
    assertTrue(body.contains("zkm_proving_queue_depth 0"), body);
    assertTrue(body.contains("zkm_proving_jobs_total{outcome=\"done\"} 1"), body);
    assertTrue(body.contains("zkm_proof_duration_seconds_count 1"), body);
    assertTrue(body.contains("zkm_proof_duration_seconds_bucket{le=\"+Inf\"} 1"), body);
    assertTrue(Files.exists(id.privateKeyFile()));
  }
}
