package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.AccountMargin;
import io.zkmargin.api.v1.AuditServiceGrpc;
import io.zkmargin.api.v1.GetAccountMarginRequest;
import io.zkmargin.api.v1.GetVerifyingKeyRequest;
import io.zkmargin.api.v1.HealthProof;
import io.zkmargin.api.v1.HealthServiceGrpc;
import io.zkmargin.api.v1.ProveHealthRequest;
import io.zkmargin.api.v1.ProveHealthResponse;
import io.zkmargin.api.v1.RequestAuth;
import io.zkmargin.api.v1.VerifyProofRequest;
import io.zkmargin.api.v1.VerifyProofResponse;
import io.zkmargin.api.v1.VerifyingKey;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.Venue;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call of the service, good and bad, against the real prover at the TEST circuit size.
 * Subclasses run it in-process and over a TLS socket.
 */
abstract class AbstractServiceTest {

  static final Duration D = Duration.ofSeconds(120);
  static final String PROVE = HealthServiceGrpc.getProveHealthMethod().getFullMethodName();
  static final String MARGIN = HealthServiceGrpc.getGetAccountMarginMethod().getFullMethodName();

  static VenueBackend backend;
  static ProofVerifier offline;
  static Venue venue;

  @TempDir static Path dataDir;

  GatedBackend gated;
  ZkmServer server;
  ManagedChannel channel;
  ZkmClient client;

  /** Starts {@code server} on the transport under test and returns a channel to it. */
  abstract ManagedChannel start(ZkmServer server) throws Exception;

  @BeforeAll
  static void backend() throws Exception {
    TestLogs.redirect(System.getenv("ZKM_TEST_LOG") != null ? System.err : null);
    venue = TestVenue.venue();
    backend = VenueBackend.of(venue, KeyStore.openDefault());
    offline = new ProofVerifier(KeyStore.openDefault());
  }

  @AfterAll
  static void closeBackend() {
    if (backend != null) {
      backend.close();
    }
    if (offline != null) {
      offline.close();
    }
  }

  void startServer(int workers, int queue) throws Exception {
    startServer(workers, queue, ZkmServer.Limits.DEFAULTS);
  }

  void startServer(int workers, int queue, ZkmServer.Limits limits) throws Exception {
    stopServer();
    gated = new GatedBackend(backend);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dataDir);
    server =
        new ZkmServer(
            gated,
            id,
            new ZkmServer.Config("127.0.0.1", 0, false, workers, queue, -1, 5_000, limits));
    channel = start(server);
    client = new ZkmClient(channel, id.serviceId());
  }

  @AfterEach
  void stopServer() {
    if (gated != null) {
      gated.openGate();
    }
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
    if (server != null) {
      server.close();
      server = null;
    }
  }

  RequestSigner signer(long account) {
    return new RequestSigner(TestVenue.ownerKey(account), client.serviceId());
  }

  HealthServiceGrpc.HealthServiceBlockingStub health() {
    return HealthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  AuditServiceGrpc.AuditServiceBlockingStub audit() {
    return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  ProveHealthRequest proveRequest(long account, long threshold, RequestAuth auth) {
    ProveHealthRequest.Builder b =
        ProveHealthRequest.newBuilder().setAccountId(account).setThresholdBps((int) threshold);
    if (auth != null) {
      b.setAuth(auth);
    }
    return b.build();
  }

  /** Drains a ProveHealth stream; returns the messages or throws the call's status. */
  List<ProveHealthResponse> drain(ProveHealthRequest req) {
    List<ProveHealthResponse> out = new ArrayList<>();
    Iterator<ProveHealthResponse> it = health().proveHealth(req);
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  static Status.Code code(Runnable r) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, r::run);
    return e.getStatus().getCode();
  }

  static void assertCode(Status.Code expected, Runnable r) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, r::run);
    assertEquals(expected, e.getStatus().getCode(), "status: " + e.getStatus());
  }

  // ---------------------------------------------------------------- ProveHealth

  @Test
  void proveHealthStreamsStagesAndTheProofVerifies() throws Exception {
    startServer(1, 8);
    long account = 3;
    long threshold = 15_000;
    List<ProveHealthResponse> msgs =
        drain(
            proveRequest(
                account,
                threshold,
                signer(account).sign(PROVE, account, threshold, RequestSigner.DEFAULT_VALIDITY)));
    List<ProveHealthResponse.Stage> stages =
        msgs.stream().map(ProveHealthResponse::getStage).toList();
    assertEquals(
        List.of(
            ProveHealthResponse.Stage.STAGE_QUEUED,
            ProveHealthResponse.Stage.STAGE_WITNESS,
            ProveHealthResponse.Stage.STAGE_PROVING,
            ProveHealthResponse.Stage.STAGE_DONE),
        stages);
    ProveHealthResponse done = msgs.get(3);
    assertTrue(done.getProveDuration().getSeconds() > 0 || done.getProveDuration().getNanos() > 0);
    ProofFile proof = ProtoConvert.fromProto(done.getProof());
    assertEquals(CircuitSizes.TEST.healthCircuitId(), proof.circuitId());
    assertEquals(backend.stateRoot(), proof.publicInputs().get(0));
    assertEquals(backend.riskRoot(), proof.publicInputs().get(1));
    assertEquals(
        BigInteger.valueOf(account).shiftLeft(32).add(BigInteger.valueOf(threshold)),
        proof.publicInputs().get(2));
    ProofVerifier.Verdict v = offline.verify(proof);
    assertTrue(v.valid(), v.message());

    VerifyProofResponse remote =
        audit().verifyProof(VerifyProofRequest.newBuilder().setProof(done.getProof()).build());
    assertTrue(remote.getValid(), remote.getReason());
    assertEquals(account, remote.getAccountId());
    assertEquals(threshold, remote.getThresholdBps());
    assertTrue(remote.getStateRootCurrent());
    assertTrue(remote.getRiskRootCurrent());
    assertEquals(1, server.metrics().jobs("done"));
  }

  @Test
  void clientLibrarySignsAndReturnsAVerifyingProof() throws Exception {
    startServer(1, 8);
    List<ProveHealthResponse.Stage> seen = new CopyOnWriteArrayList<>();
    ProofFile proof = client.proveHealth(5, 10_000, signer(5), D, r -> seen.add(r.getStage()));
    assertEquals(ProveHealthResponse.Stage.STAGE_DONE, seen.get(seen.size() - 1));
    assertTrue(offline.verify(proof).valid());
    assertEquals(5, proof.healthAccountId());
    assertEquals(10_000, proof.healthThresholdBps());
  }

  @Test
  void unhealthyAccountIsRefusedWithoutAProof() throws Exception {
    startServer(1, 8);
    long a = TestVenue.UNHEALTHY;
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                drain(
                    proveRequest(
                        a,
                        10_000,
                        signer(a).sign(PROVE, a, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("not healthy"), e.getStatus().getDescription());
    assertEquals(0, gated.proofsMade());
    // a healthy account above its real health ratio is refused as well: no proof of a false
    // statement
    long h = 0;
    assertCode(
        Status.Code.FAILED_PRECONDITION,
        () ->
            drain(
                proveRequest(
                    h,
                    1_000_000,
                    signer(h).sign(PROVE, h, 1_000_000, RequestSigner.DEFAULT_VALIDITY))));
  }

  @Test
  void badInputIsRefused() throws Exception {
    startServer(1, 8);
    // unknown account (in range, empty leaf): the same answer as a wrong key, no NOT_FOUND
    long absent = TestVenue.ABSENT;
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    absent,
                    10_000,
                    signer(absent).sign(PROVE, absent, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    // account id beyond the tree (D = 6: ids < 64)
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            drain(
                proveRequest(
                    64,
                    10_000,
                    signer(1).sign(PROVE, 64, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            drain(
                proveRequest(
                    -1L,
                    10_000,
                    signer(1).sign(PROVE, 1, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    // threshold out of range
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            drain(proveRequest(1, 0, signer(1).sign(PROVE, 1, 0, RequestSigner.DEFAULT_VALIDITY))));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            drain(
                proveRequest(
                    1,
                    1_000_001,
                    signer(1).sign(PROVE, 1, 1_000_001, RequestSigner.DEFAULT_VALIDITY))));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            drain(
                ProveHealthRequest.newBuilder()
                    .setAccountId(1)
                    .setThresholdBps(-5)
                    .setAuth(signer(1).sign(PROVE, 1, 10_000, RequestSigner.DEFAULT_VALIDITY))
                    .build()));
    // malformed key material: a signature of the wrong length, a nonce too short
    RequestAuth good = signer(1).sign(PROVE, 1, 10_000, RequestSigner.DEFAULT_VALIDITY);
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            drain(
                proveRequest(
                    1,
                    10_000,
                    good.toBuilder().setSignature(good.getSignature().substring(0, 64)).build())));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            drain(
                proveRequest(
                    1,
                    10_000,
                    good.toBuilder().setNonce(ByteString.copyFrom(new byte[8])).build())));
    // a signature whose R is not a point of the curve, and one with coordinates >= r
    byte[] offCurve = good.getSignature().toByteArray();
    offCurve[31] ^= 1;
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1,
                    10_000,
                    good.toBuilder().setSignature(ByteString.copyFrom(offCurve)).build())));
    byte[] huge = good.getSignature().toByteArray();
    java.util.Arrays.fill(huge, 0, 32, (byte) 0xff);
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1, 10_000, good.toBuilder().setSignature(ByteString.copyFrom(huge)).build())));
    // missing expiry
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> drain(proveRequest(1, 10_000, good.toBuilder().clearExpireTime().build())));
    assertEquals(0, gated.proofsMade());
  }

  @Test
  void unauthenticatedAndWronglySignedRequestsAreRefused() throws Exception {
    startServer(1, 8);
    // unsigned
    assertCode(Status.Code.UNAUTHENTICATED, () -> drain(proveRequest(1, 10_000, null)));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1,
                    10_000,
                    signer(1).sign(PROVE, 1, 10_000, RequestSigner.DEFAULT_VALIDITY).toBuilder()
                        .clearSignature()
                        .build())));
    // signed by another account's owner: never proves or reveals another account
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1, 10_000, signer(2).sign(PROVE, 1, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            health()
                .getAccountMargin(
                    GetAccountMarginRequest.newBuilder()
                        .setAccountId(1)
                        .setAuth(signer(2).sign(MARGIN, 1, 0, RequestSigner.DEFAULT_VALIDITY))
                        .build()));
    // signed for another threshold, another method, another service
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1, 10_000, signer(1).sign(PROVE, 1, 5_000, RequestSigner.DEFAULT_VALIDITY))));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1, 10_000, signer(1).sign(MARGIN, 1, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    RequestSigner otherService = new RequestSigner(TestVenue.ownerKey(1), "0".repeat(64));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1,
                    10_000,
                    otherService.sign(PROVE, 1, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    // a random key
    RequestSigner stranger =
        new RequestSigner(
            EdwardsKeyPair.generate(new java.security.SecureRandom()), client.serviceId());
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            drain(
                proveRequest(
                    1, 10_000, stranger.sign(PROVE, 1, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    assertEquals(0, gated.proofsMade());
  }

  @Test
  void replayedAndExpiredRequestsAreRefused() throws Exception {
    startServer(1, 8);
    RequestAuth once = signer(4).sign(MARGIN, 4, 0, RequestSigner.DEFAULT_VALIDITY);
    GetAccountMarginRequest req =
        GetAccountMarginRequest.newBuilder().setAccountId(4).setAuth(once).build();
    assertEquals(4, health().getAccountMargin(req).getAccountId());
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> health().getAccountMargin(req));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("replayed"));
    // the same for a proof request: the second copy is refused before it reaches the queue
    ProveHealthRequest p =
        proveRequest(4, 10_000, signer(4).sign(PROVE, 4, 10_000, RequestSigner.DEFAULT_VALIDITY));
    assertEquals(4, drain(p).size());
    assertCode(Status.Code.UNAUTHENTICATED, () -> drain(p));
    assertEquals(1, gated.proofsMade());
    // expired
    byte[] nonce = new byte[24];
    new java.security.SecureRandom().nextBytes(nonce);
    RequestAuth expired = signer(4).sign(MARGIN, 4, 0, nonce, Instant.now().minusSeconds(1));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            health()
                .getAccountMargin(
                    GetAccountMarginRequest.newBuilder().setAccountId(4).setAuth(expired).build()));
    // too far in the future
    RequestAuth far = signer(4).sign(MARGIN, 4, 0, nonce, Instant.now().plusSeconds(3600));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            health()
                .getAccountMargin(
                    GetAccountMarginRequest.newBuilder().setAccountId(4).setAuth(far).build()));
  }

  // ---------------------------------------------------------------- GetAccountMargin

  @Test
  void accountMarginReportsTheOwnersFigures() throws Exception {
    startServer(1, 8);
    AccountMargin cash =
        client.getAccountMargin(TestVenue.CASH_ONLY, signer(TestVenue.CASH_ONLY), D);
    assertEquals(1_234_567_890L, cash.getEquityQuoteAtoms());
    assertEquals(0, cash.getMaintenanceMarginQuoteAtoms());
    assertEquals(0, cash.getInitialMarginQuoteAtoms());
    assertTrue(cash.getMaintenanceMarginZero());
    assertFalse(cash.getLiquidatable());
    assertEquals(backend.stateRoot().toString(), cash.getStateRoot());
    assertEquals(backend.riskRoot().toString(), cash.getRiskRoot());

    AccountMargin bad =
        client.getAccountMargin(TestVenue.UNHEALTHY, signer(TestVenue.UNHEALTHY), D);
    assertTrue(bad.getLiquidatable());
    assertTrue(bad.getEquityQuoteAtoms() < 0);

    AccountMargin m = client.getAccountMargin(2, signer(2), D);
    MarginResult expect = MarginCalculator.DEFAULT.evaluate(venue.riskVector(), venue.account(2));
    assertEquals(expect.equityQuoteAtoms(), m.getEquityQuoteAtoms());
    assertEquals(expect.maintenanceQuoteAtoms(), m.getMaintenanceMarginQuoteAtoms());
    assertEquals(expect.initialQuoteAtoms(), m.getInitialMarginQuoteAtoms());
    assertEquals(expect.healthRatioBps(), m.getHealthRatioBps());
    assertTrue(m.getMaintenanceMarginQuoteAtoms() > 0);
    assertTrue(m.getInitialMarginQuoteAtoms() >= m.getMaintenanceMarginQuoteAtoms());
    assertTrue(m.getHealthRatioBps() > 10_000);
    assertFalse(m.getLiquidatable());

    assertCode(
        Status.Code.UNAUTHENTICATED,
        () -> client.getAccountMargin(TestVenue.ABSENT, signer(TestVenue.ABSENT), D));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        () ->
            health()
                .getAccountMargin(GetAccountMarginRequest.newBuilder().setAccountId(2).build()));
  }

  // ---------------------------------------------------------------- AuditService

  @Test
  void auditCallsReturnWhatOfflineVerificationNeeds() throws Exception {
    startServer(1, 8);
    assertEquals(backend.stateRoot().toString(), client.getStateRoot(D).getRoot());
    assertEquals(CircuitSizes.TEST.stateDepth(), client.getStateRoot(D).getDepth());
    assertEquals(venue.accounts().size(), client.getStateRoot(D).getAccountCount());
    assertEquals(backend.riskRoot().toString(), client.getRiskRoot(D).getRoot());
    assertEquals(7, client.getRiskRoot(D).getEpoch());

    VerifyingKey byId =
        audit()
            .getVerifyingKey(
                GetVerifyingKeyRequest.newBuilder()
                    .setCircuitId(CircuitSizes.TEST.healthCircuitId())
                    .build());
    assertEquals(KeyStore.sha256Hex(byId.getKeyData().toByteArray()), byId.getVerifyingKeyHash());
    VerifyingKey byHash = client.getVerifyingKeyByHash(byId.getVerifyingKeyHash(), D);
    assertArrayEquals(byId.getKeyData().toByteArray(), byHash.getKeyData().toByteArray());

    assertCode(Status.Code.NOT_FOUND, () -> client.getVerifyingKeyByHash("ab".repeat(32), D));
    assertCode(Status.Code.INVALID_ARGUMENT, () -> client.getVerifyingKeyByHash("not-a-hash", D));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> audit().getVerifyingKey(GetVerifyingKeyRequest.getDefaultInstance()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            audit()
                .getVerifyingKey(
                    GetVerifyingKeyRequest.newBuilder()
                        .setCircuitId("x")
                        .setVerifyingKeyHash("ab".repeat(32))
                        .build()));
    assertCode(
        Status.Code.NOT_FOUND,
        () ->
            audit()
                .getVerifyingKey(
                    GetVerifyingKeyRequest.newBuilder()
                        .setCircuitId("health-D32-I12-P8-A4-S16-T4x")
                        .build()));
  }

  @Test
  void verifyProofRejectsTamperingAndMalformedProofs() throws Exception {
    startServer(1, 8);
    ProofFile proof = client.proveHealth(6, 12_000, signer(6), D, null);
    HealthProof wire = ProtoConvert.toProto(proof);
    assertTrue(client.verifyProof(proof, D).getValid());

    // a changed public input (a higher threshold than proven)
    HealthProof higher =
        wire.toBuilder()
            .setPublicInputs(
                2, BigInteger.valueOf(6).shiftLeft(32).add(BigInteger.valueOf(50_000)).toString())
            .build();
    VerifyProofResponse r =
        audit().verifyProof(VerifyProofRequest.newBuilder().setProof(higher).build());
    assertFalse(r.getValid());
    assertFalse(r.getReason().isEmpty());
    // a tampered proof byte
    byte[] bytes = wire.getProof().toByteArray();
    bytes[bytes.length / 2] ^= 0x01;
    VerifyProofResponse t =
        audit()
            .verifyProof(
                VerifyProofRequest.newBuilder()
                    .setProof(wire.toBuilder().setProof(ByteString.copyFrom(bytes)))
                    .build());
    assertFalse(t.getValid());
    // an unknown verifying key
    VerifyProofResponse u =
        audit()
            .verifyProof(
                VerifyProofRequest.newBuilder()
                    .setProof(wire.toBuilder().setVerifyingKeyHash("cd".repeat(32)))
                    .build());
    assertFalse(u.getValid());
    assertTrue(u.getReason().contains("unknown verifying key"), u.getReason());
    // malformed fields
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () -> audit().verifyProof(VerifyProofRequest.getDefaultInstance()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            audit()
                .verifyProof(
                    VerifyProofRequest.newBuilder()
                        .setProof(wire.toBuilder().setFormat("v0"))
                        .build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            audit()
                .verifyProof(
                    VerifyProofRequest.newBuilder()
                        .setProof(wire.toBuilder().setPublicInputs(0, "-1"))
                        .build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            audit()
                .verifyProof(
                    VerifyProofRequest.newBuilder()
                        .setProof(
                            wire.toBuilder()
                                .setPublicInputs(0, io.zkmargin.commit.Fr.MODULUS.toString()))
                        .build()));
    // oversized messages: over the server's 4 KiB limit
    assertCode(
        Status.Code.RESOURCE_EXHAUSTED,
        () ->
            audit()
                .verifyProof(
                    VerifyProofRequest.newBuilder()
                        .setProof(wire.toBuilder().setProof(ByteString.copyFrom(new byte[5000])))
                        .build()));
    assertCode(
        Status.Code.RESOURCE_EXHAUSTED,
        () ->
            audit()
                .verifyProof(
                    VerifyProofRequest.newBuilder()
                        .setProof(wire.toBuilder().setProof(ByteString.copyFrom(new byte[2 << 20])))
                        .build()));
  }

  @Test
  void proofsOfAnyOtherLengthAreRefusedAtTheDoorAndTheLimitFitsEveryLegitimateRequest()
      throws Exception {
    startServer(1, 8);
    ProofFile proof = client.proveHealth(6, 12_000, signer(6), D, null);
    HealthProof wire = ProtoConvert.toProto(proof);
    // the outside review's attack: 256 zero bytes (points at infinity) + a commitment count of ff
    // ff ff ff
    byte[] attack = new byte[260];
    java.util.Arrays.fill(attack, 256, 260, (byte) 0xff);
    for (byte[] bad :
        List.of(
            attack,
            new byte[0],
            new byte[io.zkmargin.nativebridge.ProofEncoding.PROOF_BYTES + 1],
            java.util.Arrays.copyOf(wire.getProof().toByteArray(), 256))) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  audit()
                      .verifyProof(
                          VerifyProofRequest.newBuilder()
                              .setProof(wire.toBuilder().setProof(ByteString.copyFrom(bad)))
                              .build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
      assertTrue(
          e.getStatus()
              .getDescription()
              .contains("exactly " + io.zkmargin.nativebridge.ProofEncoding.PROOF_BYTES + " bytes"),
          e.getStatus().getDescription());
    }
    // a non-zero tail byte
    byte[] tail = wire.getProof().toByteArray();
    tail[tail.length - 1] = 1;
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        () ->
            audit()
                .verifyProof(
                    VerifyProofRequest.newBuilder()
                        .setProof(wire.toBuilder().setProof(ByteString.copyFrom(tail)))
                        .build()));
    // the largest legitimate request fits under the cap: 16 inputs of 77 digits, a 64-character
    // circuit id
    HealthProof.Builder max =
        wire.toBuilder()
            .setCircuitId("x".repeat(ProtoConvert.MAX_CIRCUIT_ID_CHARS))
            .setVerifyingKeyHash("cd".repeat(32))
            .clearPublicInputs();
    for (int i = 0; i < ProtoConvert.MAX_PUBLIC_INPUTS; i++) {
      max.addPublicInputs(io.zkmargin.commit.Fr.MODULUS.subtract(BigInteger.ONE).toString());
    }
    VerifyProofRequest biggest = VerifyProofRequest.newBuilder().setProof(max).build();
    assertTrue(
        biggest.getSerializedSize() <= ZkmServer.MAX_INBOUND_MESSAGE_BYTES,
        "" + biggest.getSerializedSize());
    assertFalse(audit().verifyProof(biggest).getValid());
    // and the valid proof still verifies after all that
    assertTrue(client.verifyProof(proof, D).getValid());
  }

  @Test
  void standardHealthCheckingAndReflectionAreServed() throws Exception {
    startServer(1, 8);
    HealthCheckResponse h =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("zkmargin.v1.HealthService").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
    HealthCheckResponse all =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, all.getStatus());

    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> req =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse r) {
                    names.complete(
                        r.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> services = names.get(10, TimeUnit.SECONDS);
    req.onCompleted();
    assertTrue(
        services.containsAll(
            List.of(
                "zkmargin.v1.HealthService", "zkmargin.v1.AuditService", "grpc.health.v1.Health")),
        services.toString());

    // reflection v1alpha, for older tools
    CompletableFuture<List<String>> old = new CompletableFuture<>();
    StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> oreq =
        io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(io.grpc.reflection.v1alpha.ServerReflectionResponse r) {
                    old.complete(
                        r.getListServicesResponse().getServiceList().stream()
                            .map(io.grpc.reflection.v1alpha.ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    old.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    oreq.onNext(
        io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
            .setListServices("")
            .build());
    List<String> oldServices = old.get(10, TimeUnit.SECONDS);
    oreq.onCompleted();
    assertTrue(
        oldServices.containsAll(List.of("zkmargin.v1.HealthService", "zkmargin.v1.AuditService")),
        oldServices.toString());
  }

  // ---------------------------------------------------------------- queue, cancellation, shutdown

  /** Records one asynchronous ProveHealth call and lets the test cancel it. */
  static final class Call
      implements ClientResponseObserver<ProveHealthRequest, ProveHealthResponse> {
    final List<ProveHealthResponse> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();
    volatile ClientCallStreamObserver<ProveHealthRequest> stream;

    @Override
    public void beforeStart(ClientCallStreamObserver<ProveHealthRequest> s) {
      stream = s;
    }

    @Override
    public void onNext(ProveHealthResponse r) {
      messages.add(r);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      end.complete(Status.OK);
    }

    Status await() throws Exception {
      return end.get(120, TimeUnit.SECONDS);
    }
  }

  Call proveAsync(long account, long threshold, long deadlineMillis) {
    Call c = new Call();
    HealthServiceGrpc.newStub(channel)
        .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
        .proveHealth(
            proveRequest(
                account,
                threshold,
                signer(account).sign(PROVE, account, threshold, RequestSigner.DEFAULT_VALIDITY)),
            c);
    return c;
  }

  static void waitFor(java.util.function.BooleanSupplier cond, String what)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void fullQueueAnswersResourceExhaustedAndRecovers() throws Exception {
    startServer(1, 1);
    gated.closeGate();
    Call running = proveAsync(1, 10_000, 120_000);
    assertTrue(gated.awaitAtGate(1, 60_000), "the first job never reached the prover");
    Call waiting = proveAsync(2, 10_000, 120_000);
    waitFor(() -> server.queue().queueDepth() == 1, "the second job to queue");
    Call refused = proveAsync(3, 10_000, 120_000);
    Status s = refused.await();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
    assertTrue(refused.messages.isEmpty());
    assertEquals(1, server.metrics().jobs("rejected"));
    gated.openGate();
    assertEquals(Status.Code.OK, running.await().getCode());
    assertEquals(Status.Code.OK, waiting.await().getCode());
    for (Call c : List.of(running, waiting)) {
      ProofFile p = ProtoConvert.fromProto(c.messages.get(c.messages.size() - 1).getProof());
      assertTrue(offline.verify(p).valid());
    }
    assertEquals(0, waiting.messages.get(0).getQueuePosition());
    // after the burst the service takes requests again
    assertTrue(offline.verify(client.proveHealth(3, 10_000, signer(3), D, null)).valid());
  }

  @Test
  void cancellingACallStopsItsJob() throws Exception {
    startServer(1, 4);
    gated.closeGate();
    // mid-proof: the job is in the PROVING stage when the client cancels
    Call proving = proveAsync(1, 10_000, 120_000);
    assertTrue(gated.awaitAtGate(1, 60_000));
    waitFor(
        () ->
            proving.messages.stream()
                .anyMatch(m -> m.getStage() == ProveHealthResponse.Stage.STAGE_PROVING),
        "the PROVING message");
    // queued: a second job waits behind it and is cancelled too
    Call queued = proveAsync(2, 10_000, 120_000);
    waitFor(() -> server.queue().queueDepth() == 1, "the second job to queue");
    queued.stream.cancel("test cancels the queued call", null);
    assertEquals(Status.Code.CANCELLED, queued.await().getCode());
    waitFor(() -> server.queue().queueDepth() == 0, "the queued job to leave the queue");
    waitFor(() -> server.metrics().jobs("cancelled") == 1, "the queued job to be cancelled");

    proving.stream.cancel("test cancels the proving call", null);
    assertEquals(Status.Code.CANCELLED, proving.await().getCode());
    // the client side ends at once; wait until the server has cancelled the job, then let the
    // prover finish
    waitFor(() -> server.queue().cancelRequests() == 2, "the server to cancel the proving job");
    gated.openGate();
    waitFor(() -> server.metrics().jobs("cancelled") == 2, "the proving job to be cancelled");
    waitFor(() -> server.queue().running() == 0, "the prover thread to be free");
    assertEquals(0, server.metrics().jobs("done"));
    assertEquals(1, gated.proofsMade(), "only the job that was already proving ran the prover");
    assertTrue(
        proving.messages.stream()
            .noneMatch(m -> m.getStage() == ProveHealthResponse.Stage.STAGE_DONE));
  }

  @Test
  void deadlineExpiringInTheQueueDropsTheJob() throws Exception {
    startServer(1, 4);
    gated.closeGate();
    Call running = proveAsync(1, 10_000, 120_000);
    assertTrue(gated.awaitAtGate(1, 60_000));
    Call late = proveAsync(2, 10_000, 300);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, late.await().getCode());
    waitFor(() -> server.metrics().jobs("cancelled") == 1, "the expired job to be dropped");
    assertEquals(0, server.queue().queueDepth());
    gated.openGate();
    assertEquals(Status.Code.OK, running.await().getCode());
    assertEquals(1, gated.proofsMade());
  }

  @Test
  void gracefulShutdownFinishesTheRunningProofAndRefusesNewWork() throws Exception {
    startServer(1, 4);
    gated.closeGate();
    Call running = proveAsync(1, 10_000, 120_000);
    assertTrue(gated.awaitAtGate(1, 60_000));
    ZkmServer s = server;
    Thread closer = new Thread(s::close);
    closer.start();
    waitFor(() -> s.queue().isShuttingDown(), "shutdown to begin");
    // new work is refused: by the transport once it stopped taking calls, else by the closed queue
    assertCode(
        Status.Code.UNAVAILABLE,
        () ->
            drain(
                proveRequest(
                    2, 10_000, signer(2).sign(PROVE, 2, 10_000, RequestSigner.DEFAULT_VALIDITY))));
    gated.openGate();
    assertEquals(Status.Code.OK, running.await().getCode());
    ProofFile p =
        ProtoConvert.fromProto(running.messages.get(running.messages.size() - 1).getProof());
    assertTrue(offline.verify(p).valid());
    closer.join(30_000);
    assertFalse(closer.isAlive());
    server = null;
  }
}
