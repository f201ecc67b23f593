package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.api.v1.VerifyProofResponse;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code AuditService.VerifyProof} over real gRPC on loopback with real proofs: VALID only for a
 * proof over the served venue's roots; a real proof about a private tree gets
 * VERDICT_VALID_PROOF_UNKNOWN_ROOTS with the "root is current" flags false; the circuit id answered
 * is the key's; an unknown key is named by its hash only.
 */
class AuditVerdictTest {

  private static final Duration D = Duration.ofSeconds(60);
  @TempDir static Path dir;
  private static ZkmServer server;
  private static ZkmClient client;
  private static PrivateTrees.Proofs proofs;
  private static KeyStore keys;

  @BeforeAll
  static void start() throws Exception {
    TestLogs.redirect(null);
    TestVenue.writeTo(dir);
    keys = KeyStore.openDefault();
    proofs = PrivateTrees.prove(keys);
    server =
        new ZkmServer(
                VenueBackend.open(dir, KeyStore.openDefault()),
                ServiceIdentity.loadOrCreate(dir),
                new ZkmServer.Config("127.0.0.1", 0, true, 1, 4, -1, 1_000))
            .start();
    client =
        ZkmClient.connectPlaintext(
            "127.0.0.1:" + server.port(), ServiceIdentity.certificateFileIn(dir));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
    keys.close();
  }

  @Test
  void anHonestProofIsValidWithCurrentRoots() {
    VerifyProofResponse r = client.verifyProof(proofs.honest(), D);
    assertEquals(VerifyProofResponse.Verdict.VERDICT_VALID, r.getVerdict(), r.getReason());
    assertTrue(r.getValid());
    assertEquals("", r.getReason());
    assertTrue(r.getStateRootCurrent());
    assertTrue(r.getRiskRootCurrent());
    assertEquals(3, r.getAccountId());
    assertEquals(10_000, r.getThresholdBps());
    assertEquals(CircuitSizes.TEST.healthCircuitId(), r.getCircuitId());
  }

  @Test
  void aProofAboutAPrivateAccountTreeIsNotValid() {
    VerifyProofResponse r = client.verifyProof(proofs.privateState(), D);
    assertEquals(
        VerifyProofResponse.Verdict.VERDICT_VALID_PROOF_UNKNOWN_ROOTS,
        r.getVerdict(),
        r.getReason());
    assertFalse(r.getValid());
    assertFalse(r.getStateRootCurrent(), "the private tree's state root is not the venue's");
    assertTrue(r.getRiskRootCurrent(), "the private tree kept the venue's risk vector");
    assertEquals(TestVenue.UNHEALTHY, r.getAccountId());
    assertTrue(
        r.getReason()
            .startsWith(
                "the proof verifies, but its state root was never settled by the served venue"),
        r.getReason());
  }

  @Test
  void aProofAboutAPrivateRiskVectorIsNotValid() {
    VerifyProofResponse r = client.verifyProof(proofs.privateRisk(), D);
    assertEquals(
        VerifyProofResponse.Verdict.VERDICT_VALID_PROOF_UNKNOWN_ROOTS,
        r.getVerdict(),
        r.getReason());
    assertFalse(r.getValid());
    assertTrue(r.getStateRootCurrent());
    assertFalse(r.getRiskRootCurrent(), "the private risk vector's root was never posted");
    assertTrue(
        r.getReason()
            .startsWith("the proof verifies, but its risk root was never posted by the oracles of"),
        r.getReason());
  }

  @Test
  void aTamperedProofIsInvalid() {
    ProofFile p = proofs.honest();
    byte[] raw = p.proof();
    raw[70] ^= 0x10;
    VerifyProofResponse r =
        client.verifyProof(
            new ProofFile(p.circuitId(), p.verifyingKeyHash(), p.publicInputs(), raw), D);
    assertEquals(VerifyProofResponse.Verdict.VERDICT_INVALID, r.getVerdict());
    assertFalse(r.getValid());
    assertFalse(r.getReason().isEmpty());
  }

  @Test
  void theCircuitIdAnsweredIsTheKeysNotTheRequests() {
    ProofFile p = proofs.honest();
    String claimed = "health-D6-I3-P2-A2-S4-T3";
    assertNotEquals(claimed, p.circuitId());
    VerifyProofResponse r =
        client.verifyProof(
            new ProofFile(claimed, p.verifyingKeyHash(), p.publicInputs(), p.proof()), D);
    assertEquals(
        CircuitSizes.TEST.healthCircuitId(), r.getCircuitId(), "the circuit of the key used");
    assertEquals(VerifyProofResponse.Verdict.VERDICT_INVALID, r.getVerdict());
    assertTrue(
        r.getReason().contains("belongs to circuit " + CircuitSizes.TEST.healthCircuitId()),
        r.getReason());
  }

  @Test
  void anUnknownKeyIsNamedByItsHashOnlyAndItsPathIsLogged() {
    ProofFile p = proofs.honest();
    String hash = "ab".repeat(32);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TestLogs.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
    VerifyProofResponse r;
    try {
      r = client.verifyProof(new ProofFile(p.circuitId(), hash, p.publicInputs(), p.proof()), D);
    } finally {
      TestLogs.redirect(null);
    }
    assertEquals(VerifyProofResponse.Verdict.VERDICT_INVALID, r.getVerdict());
    assertEquals("unknown verifying key " + hash, r.getReason());
    assertEquals("", r.getCircuitId(), "no key was used");
    String root = keys.root().toString();
    assertFalse(r.toString().contains(root), "the answer names no server path");
    String logged = log.toString(StandardCharsets.UTF_8);
    assertTrue(logged.contains("audit.unknown_key") && logged.contains(root), logged);
  }
}
