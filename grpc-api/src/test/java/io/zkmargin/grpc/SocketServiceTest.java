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
import io.zkmargin.api.v1.GetAccountMarginRequest;
import io.zkmargin.api.v1.HealthServiceGrpc;
import io.zkmargin.api.v1.ProveHealthRequest;
import io.zkmargin.api.v1.ProveHealthResponse;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.ProofFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The service tests over a real TLS socket on loopback, plus TLS, plaintext and metrics checks. */
class SocketServiceTest extends AbstractServiceTest {

  @Override
  ManagedChannel start(ZkmServer server) throws Exception {
    server.start();
    return Grpc.newChannelBuilder(
            "localhost:" + server.port(),
            TlsChannelCredentials.newBuilder()
                .trustManager(server.identity().certificateFile().toFile())
                .build())
        .maxInboundMessageSize(16 << 20)
        .build();
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
  void plaintextClientCannotTalkToTheTlsServerAndAStrangeCertificateIsNotTrusted(
      @org.junit.jupiter.api.io.TempDir Path other) throws Exception {
    startServer(1, 4);
    try (ZkmClient plain =
        ZkmClient.connectPlaintext(
            "localhost:" + server.port(), server.identity().certificateFile())) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class, () -> plain.getStateRoot(Duration.ofSeconds(10)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(
          e.getStatus().getDescription().contains("probably speaks TLS"), e.getStatus().toString());
    }
    ServiceIdentity stranger = ServiceIdentity.loadOrCreate(other);
    try (ZkmClient wrongTrust =
        ZkmClient.connectTls("localhost:" + server.port(), stranger.certificateFile())) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class, () -> wrongTrust.getStateRoot(Duration.ofSeconds(10)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(
          e.getStatus().getDescription().contains("TLS handshake"), e.getStatus().toString());
    }
  }

  @Test
  void theClientSaysWhetherNothingListensOrTheProtocolIsWrong() throws Exception {
    int free;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      free = s.getLocalPort();
    }
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dataDir);
    for (boolean tls : new boolean[] {true, false}) {
      try (ZkmClient c =
          tls
              ? ZkmClient.connectTls("127.0.0.1:" + free, id.certificateFile())
              : ZkmClient.connectPlaintext("127.0.0.1:" + free, id.certificateFile())) {
        StatusRuntimeException e =
            assertThrows(
                StatusRuntimeException.class, () -> c.getStateRoot(Duration.ofSeconds(10)));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(
            e.getStatus().getDescription().startsWith("nothing listens at 127.0.0.1:" + free),
            e.getStatus().toString());
      }
    }
    // a TLS client against a plaintext service
    ZkmServer loop =
        new ZkmServer(
                new GatedBackend(backend),
                id,
                new ZkmServer.Config("127.0.0.1", 0, true, 1, 1, -1, 1000))
            .start();
    try (ZkmClient c = ZkmClient.connectTls("localhost:" + loop.port(), id.certificateFile())) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> c.getStateRoot(Duration.ofSeconds(10)));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(
          e.getStatus().getDescription().contains("does not speak TLS"), e.getStatus().toString());
    } finally {
      loop.close();
    }
  }

  @Test
  void plaintextIsOnlyAllowedOnLoopback() throws Exception {
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dataDir);
    ZkmServer open =
        new ZkmServer(
            new GatedBackend(backend),
            id,
            new ZkmServer.Config("0.0.0.0", 0, true, 1, 1, -1, 1000));
    assertThrows(IllegalArgumentException.class, open::start);
    ZkmServer loop =
        new ZkmServer(
            new GatedBackend(backend),
            id,
            new ZkmServer.Config("127.0.0.1", 0, true, 1, 1, -1, 1000));
    loop.start();
    try {
      ManagedChannel ch =
          Grpc.newChannelBuilder("127.0.0.1:" + loop.port(), InsecureChannelCredentials.create())
              .build();
      try {
        ZkmClient c = new ZkmClient(ch, id.serviceId());
        assertEquals(
            backend.stateRoot().toString(), c.getStateRoot(Duration.ofSeconds(10)).getRoot());
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
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    String body = r.body();
    assertTrue(
        body.contains(
            "zkm_grpc_requests_total{code=\"OK\",method=\"zkmargin.v1.HealthService/ProveHealth\"} 1"),
        body);
    assertTrue(
        body.contains(
            "zkm_grpc_requests_total{code=\"OK\",method=\"zkmargin.v1.AuditService/GetStateRoot\"} 1"),
        body);
    assertTrue(body.contains("zkm_proving_queue_depth 0"), body);
    assertTrue(body.contains("zkm_proving_jobs_total{outcome=\"done\"} 1"), body);
    assertTrue(body.contains("zkm_proof_duration_seconds_count 1"), body);
    assertTrue(body.contains("zkm_proof_duration_seconds_bucket{le=\"+Inf\"} 1"), body);
    assertTrue(Files.exists(id.privateKeyFile()));
  }

  // ---------------------------------------------------------------- replay protection across
  // restarts

  @Test
  void anAcceptedRequestIsRefusedAfterARestartOnTheSameDataFolder(
      @org.junit.jupiter.api.io.TempDir Path folder) throws Exception {
    stopServer();
    ServiceIdentity id = ServiceIdentity.loadOrCreate(folder);
    ZkmServer first =
        new ZkmServer(
                new GatedBackend(backend),
                id,
                new ZkmServer.Config("127.0.0.1", 0, false, 1, 4, -1, 1000))
            .start();
    RequestSigner owner = new RequestSigner(TestVenue.ownerKey(4), id.serviceId());
    GetAccountMarginRequest captured =
        GetAccountMarginRequest.newBuilder()
            .setAccountId(4)
            .setAuth(owner.sign(MARGIN, 4, 0, RequestSigner.DEFAULT_VALIDITY))
            .build();
    int port = first.port();
    try (ZkmClient c = ZkmClient.connectTls("localhost:" + port, id.certificateFile())) {
      assertEquals(
          4,
          HealthServiceGrpc.newBlockingStub(c.channel()).getAccountMargin(captured).getAccountId());
    } finally {
      first.close();
    }
    assertTrue(Files.size(id.certificateFile().resolveSibling(ZkmServer.NONCE_LOG)) > 0);
    // a new process on the same folder (same port, real socket): the captured request is refused
    ZkmServer second =
        new ZkmServer(
                new GatedBackend(backend),
                id,
                new ZkmServer.Config("127.0.0.1", port, false, 1, 4, -1, 1000))
            .start();
    try (ZkmClient c = ZkmClient.connectTls("localhost:" + second.port(), id.certificateFile())) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> HealthServiceGrpc.newBlockingStub(c.channel()).getAccountMargin(captured));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("replayed"), e.getStatus().toString());
      // a fresh request of the same owner is served
      assertEquals(4, c.getAccountMargin(4, owner, D).getAccountId());
    } finally {
      second.close();
    }
  }

  // ---------------------------------------------------------------- a refusal keeps the nonce

  @Test
  void aRequestRefusedWithoutWorkCanBeRetriedAsIs() throws Exception {
    startServer(1, 1);
    gated.closeGate();
    Call running = proveAsync(1, 10_000, 120_000);
    assertTrue(gated.awaitAtGate(1, 60_000));
    Call waiting = proveAsync(2, 10_000, 120_000);
    waitFor(() -> server.queue().queueDepth() == 1, "the second job to queue");
    // queue full: RESOURCE_EXHAUSTED, then the very same request (same nonce and signature) is
    // accepted
    ProveHealthRequest third =
        proveRequest(3, 10_000, signer(3).sign(PROVE, 3, 10_000, RequestSigner.DEFAULT_VALIDITY));
    StatusRuntimeException full = assertThrows(StatusRuntimeException.class, () -> drain(third));
    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode(), full.getStatus().toString());
    gated.openGate();
    assertEquals(Status.Code.OK, running.await().getCode());
    assertEquals(Status.Code.OK, waiting.await().getCode());
    List<ProveHealthResponse> retried = drain(third);
    ProofFile p = ProtoConvert.fromProto(retried.get(retried.size() - 1).getProof());
    assertEquals(3, p.healthAccountId());
    assertTrue(offline.verify(p).valid());
    // and once it did its work, the same request is a replay
    assertCode(Status.Code.UNAUTHENTICATED, () -> drain(third));

    // not healthy enough: FAILED_PRECONDITION, and the retry as is gets FAILED_PRECONDITION again,
    // not "replayed"
    long u = TestVenue.UNHEALTHY;
    ProveHealthRequest unhealthy =
        proveRequest(u, 10_000, signer(u).sign(PROVE, u, 10_000, RequestSigner.DEFAULT_VALIDITY));
    assertCode(Status.Code.FAILED_PRECONDITION, () -> drain(unhealthy));
    assertCode(Status.Code.FAILED_PRECONDITION, () -> drain(unhealthy));
  }

  // ---------------------------------------------------------------- enumeration, key cache,
  // limits, quotas

  @Test
  void anUnknownAccountAnswersLikeAKnownOneWithAWrongKey() throws Exception {
    startServer(1, 4);
    RequestSigner stranger = new RequestSigner(TestVenue.ownerKey(99), client.serviceId());
    long absent = TestVenue.ABSENT;
    long known = 1;
    long checks0 = server.authenticator().signatureChecks();
    StatusRuntimeException a =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                health()
                    .getAccountMargin(
                        GetAccountMarginRequest.newBuilder()
                            .setAccountId(absent)
                            .setAuth(
                                stranger.sign(MARGIN, absent, 0, RequestSigner.DEFAULT_VALIDITY))
                            .build()));
    assertEquals(
        checks0 + 1,
        server.authenticator().signatureChecks(),
        "the unknown account's signature was checked");
    StatusRuntimeException k =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                health()
                    .getAccountMargin(
                        GetAccountMarginRequest.newBuilder()
                            .setAccountId(known)
                            .setAuth(
                                stranger.sign(MARGIN, known, 0, RequestSigner.DEFAULT_VALIDITY))
                            .build()));
    assertEquals(checks0 + 2, server.authenticator().signatureChecks());
    assertEquals(Status.Code.UNAUTHENTICATED, a.getStatus().getCode());
    assertEquals(Status.Code.UNAUTHENTICATED, k.getStatus().getCode());
    assertEquals(
        k.getStatus().getDescription().replace("account " + known, "account " + absent),
        a.getStatus().getDescription());
    // the same for ProveHealth
    StatusRuntimeException pa =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                drain(
                    proveRequest(
                        absent,
                        10_000,
                        stranger.sign(PROVE, absent, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    StatusRuntimeException pk =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                drain(
                    proveRequest(
                        known,
                        10_000,
                        stranger.sign(PROVE, known, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    assertEquals(pk.getStatus().getCode(), pa.getStatus().getCode());
    assertEquals(
        pk.getStatus().getDescription().replace("account " + known, "account " + absent),
        pa.getStatus().getDescription());
  }

  @Test
  void ownerKeyValidityIsCheckedOncePerKey() throws Exception {
    startServer(1, 4);
    RequestSigner stranger = new RequestSigner(TestVenue.ownerKey(98), client.serviceId());
    long keys0 = server.authenticator().keyChecks();
    for (int i = 0; i < 5; i++) {
      assertCode(
          Status.Code.UNAUTHENTICATED,
          () ->
              health()
                  .getAccountMargin(
                      GetAccountMarginRequest.newBuilder()
                          .setAccountId(8)
                          .setAuth(stranger.sign(MARGIN, 8, 0, RequestSigner.DEFAULT_VALIDITY))
                          .build()));
    }
    assertEquals(8, client.getAccountMargin(8, signer(8), D).getAccountId());
    assertEquals(
        keys0 + 1,
        server.authenticator().keyChecks(),
        "account 8's key was checked once for six requests");
  }

  @Test
  void requestsAreLimitedPerAddressAndPerAccount() throws Exception {
    // per address: 5 at once, then (almost) nothing
    startServer(1, 4, new ZkmServer.Limits(0.001, 5, 100, 100, 8, 1000));
    for (int i = 0; i < 5; i++) {
      client.getStateRoot(D);
    }
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> client.getStateRoot(D));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("too many requests from this address"),
        e.getStatus().toString());
    // per account: 3 at once for account 4 (good or junk alike), then refused before any signature
    // check; account 5 still served
    startServer(1, 4, new ZkmServer.Limits(1000, 1000, 0.001, 3, 8, 1000));
    for (int i = 0; i < 3; i++) {
      client.getAccountMargin(4, signer(4), D);
    }
    long checks = server.authenticator().signatureChecks();
    StatusRuntimeException a =
        assertThrows(StatusRuntimeException.class, () -> client.getAccountMargin(4, signer(4), D));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, a.getStatus().getCode());
    assertTrue(
        a.getStatus().getDescription().contains("too many requests for account 4"),
        a.getStatus().toString());
    assertEquals(
        checks, server.authenticator().signatureChecks(), "no signature check beyond the limit");
    assertEquals(5, client.getAccountMargin(5, signer(5), D).getAccountId());
  }

  @Test
  void oneAccountCannotFillTheQueueOrTheNonceTable() throws Exception {
    // accounts 9, 10 and 11 are used by no other test of this class, which share one nonce log
    startServer(1, 8, new ZkmServer.Limits(1000, 1000, 1000, 1000, 1, 2));
    // at most 1 proving job per account: the second of account 9 is refused while another account
    // queues
    gated.closeGate();
    Call running = proveAsync(9, 10_000, 120_000);
    assertTrue(gated.awaitAtGate(1, 60_000), "the first job never reached the prover");
    ProveHealthRequest again =
        proveRequest(9, 11_000, signer(9).sign(PROVE, 9, 11_000, RequestSigner.DEFAULT_VALIDITY));
    StatusRuntimeException q = assertThrows(StatusRuntimeException.class, () -> drain(again));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, q.getStatus().getCode());
    assertTrue(
        q.getStatus().getDescription().contains("account 9 already has 1 proving jobs"),
        q.getStatus().toString());
    Call other = proveAsync(11, 10_000, 120_000);
    waitFor(() -> server.queue().queueDepth() == 1, "account 11's job to queue");
    gated.openGate();
    assertEquals(Status.Code.OK, running.await().getCode());
    assertEquals(Status.Code.OK, other.await().getCode());
    // the refused request of account 9 did no work: retried as is, it is proven now
    assertEquals(
        11_000, ProtoConvert.fromProto(drain(again).get(3).getProof()).healthThresholdBps());
    // at most 2 live nonces per account: account 10's third request is refused, account 11 is
    // served
    client.getAccountMargin(10, signer(10), D);
    client.getAccountMargin(10, signer(10), D);
    StatusRuntimeException n =
        assertThrows(
            StatusRuntimeException.class, () -> client.getAccountMargin(10, signer(10), D));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, n.getStatus().getCode());
    assertTrue(
        n.getStatus().getDescription().contains("account 10 has 2 signed requests"),
        n.getStatus().toString());
    assertEquals(11, client.getAccountMargin(11, signer(11), D).getAccountId());
  }
}
