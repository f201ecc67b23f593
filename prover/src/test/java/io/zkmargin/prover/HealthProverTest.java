package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.commit.HealthWitness;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole health path for real at the test circuit size: demo venue on disk, Poseidon2 trees,
 * margin, witness, the gnark prover through JNI, the proof file, and the offline verifier with each
 * way a proof file can be wrong. One proof is made and reused by every negative case.
 */
class HealthProverTest {
  private static final CircuitSizes SIZES = CircuitSizes.TEST;

  @TempDir static Path dir;
  private static KeyStore keys;
  private static CommittedVenue venue;
  private static ProofFile proof;
  private static long healthyAccount = -1;
  private static long unhealthyAccount = -1;
  private static long healthyThreshold;

  @BeforeAll
  static void proveOnce() throws Exception {
    keys = KeyStore.openDefault();
    DemoVenues.write(dir, 12, 42, SIZES);
    venue = new CommittedVenue(VenueStore.load(dir));
    for (var e : venue.venue().accounts().entrySet()) {
      MarginResult m = MarginCalculator.DEFAULT.evaluate(venue.venue().riskVector(), e.getValue());
      if (m.isLiquidatable() && unhealthyAccount < 0) {
        unhealthyAccount = e.getKey();
      } else if (!m.isLiquidatable() && m.maintenanceCore().signum() > 0 && healthyAccount < 0) {
        healthyAccount = e.getKey();
        healthyThreshold = Math.min(m.healthRatioBps(), 10_000);
      }
    }
    assertTrue(
        healthyAccount >= 0 && unhealthyAccount >= 0,
        "demo venue must have healthy and liquidatable accounts");
    proof = new HealthProver(keys).prove(venue, healthyAccount, healthyThreshold).proof();
  }

  @AfterAll
  static void closeKeys() {
    keys.close();
  }

  private static ProofVerifier.Verdict verify(ProofFile p) {
    try (ProofVerifier v = new ProofVerifier(keys)) {
      return v.verify(p);
    }
  }

  @Test
  void validProofVerifiesAndStatesTheClaim() throws Exception {
    ProofVerifier.Verdict verdict = verify(proof);
    assertTrue(verdict.valid(), verdict.message());
    assertEquals(healthyAccount, proof.healthAccountId());
    assertEquals(healthyThreshold, proof.healthThresholdBps());
    assertEquals(venue.stateRoot(), proof.publicInputs().get(0));
    assertEquals(venue.riskRoot(), proof.publicInputs().get(1));
    // the file round-trips through disk
    Path f = dir.resolve("p.json");
    proof.write(f);
    assertTrue(verify(ProofFile.read(f)).valid());
  }

  @Test
  void unhealthyAccountIsRefusedWithoutAProof() {
    NotHealthyException e =
        assertThrows(
            NotHealthyException.class,
            () -> new HealthProver(keys).prove(venue, unhealthyAccount, 10_000));
    assertTrue(e.getMessage().contains("not healthy"), e.getMessage());
  }

  @Test
  void thresholdAboveTheHealthRatioIsRefused() {
    MarginResult m =
        MarginCalculator.DEFAULT.evaluate(
            venue.venue().riskVector(), venue.venue().account(healthyAccount));
    assertThrows(
        NotHealthyException.class,
        () -> new HealthProver(keys).prove(venue, healthyAccount, m.healthRatioBps() + 1));
  }

  @Test
  void badArgumentsAreRejectedAtTheDoor() {
    HealthProver prover = new HealthProver(keys);
    assertThrows(Venue.UnknownAccountException.class, () -> prover.prove(venue, 63, 10_000));
    assertThrows(IllegalArgumentException.class, () -> prover.prove(venue, healthyAccount, -1));
    assertThrows(
        IllegalArgumentException.class, () -> prover.prove(venue, healthyAccount, 1L << 32));
  }

  @Test
  void tamperedProofBytesAreRejected() {
    byte[] bytes = proof.proof();
    bytes[40] ^= 0x01;
    ProofVerifier.Verdict v =
        verify(
            new ProofFile(
                proof.circuitId(), proof.verifyingKeyHash(), proof.publicInputs(), bytes));
    assertFalse(v.valid());
  }

  @Test
  void changedPublicInputsAreRejected() {
    for (int i = 0; i < 3; i++) {
      List<BigInteger> inputs = new ArrayList<>(proof.publicInputs());
      inputs.set(i, inputs.get(i).add(BigInteger.ONE));
      ProofVerifier.Verdict v =
          verify(new ProofFile(proof.circuitId(), proof.verifyingKeyHash(), inputs, proof.proof()));
      assertFalse(v.valid(), "input " + i);
      assertTrue(v.message().contains("does not verify"), v.message());
    }
  }

  @Test
  void unknownVerifyingKeyIsRejected() {
    ProofVerifier.Verdict v =
        verify(
            new ProofFile(proof.circuitId(), "ab".repeat(32), proof.publicInputs(), proof.proof()));
    assertFalse(v.valid());
    assertTrue(v.message().startsWith("unknown verifying key"), v.message());
  }

  @Test
  void proofAgainstAnotherSetupsKeyIsRejected(@TempDir Path otherKeys) {
    try (KeyStore other = new KeyStore(otherKeys);
        ProofVerifier verifier = new ProofVerifier(other)) {
      KeyStore.KeyEntry otherEntry = other.ensureKeys(proof.circuitId());
      // the file names the other key: it is pinned there, but the proof was made for ours
      ProofVerifier.Verdict v =
          verifier.verify(
              new ProofFile(
                  proof.circuitId(),
                  otherEntry.verifyingKeyHash(),
                  proof.publicInputs(),
                  proof.proof()));
      assertFalse(v.valid());
      assertTrue(v.message().contains("does not verify"), v.message());
      // and our key is unknown to the other store
      assertTrue(verifier.verify(proof).message().startsWith("unknown verifying key"));
    }
  }

  @Test
  void malformedFilesAreRejectedWithAReason() throws Exception {
    assertThrows(ProofFile.MalformedProofException.class, () -> ProofFile.parse("not json"));
    assertThrows(ProofFile.MalformedProofException.class, () -> ProofFile.parse("{}"));
    String json = proof.toJson();
    assertThrows(
        ProofFile.MalformedProofException.class,
        () -> ProofFile.parse(json.replace("\"proof\" : \"", "\"proof\" : \"zz")));
    assertThrows(
        ProofFile.MalformedProofException.class,
        () -> ProofFile.parse(json.replace(proof.publicInputs().get(0).toString(), "-5")));
    assertThrows(
        ProofFile.MalformedProofException.class,
        () ->
            ProofFile.parse(
                json.replace(
                    proof.publicInputs().get(0).toString(),
                    io.zkmargin.commit.Fr.MODULUS.toString())));
    Path truncated = dir.resolve("truncated.json");
    Files.writeString(truncated, json.substring(0, json.length() / 2));
    assertThrows(ProofFile.MalformedProofException.class, () -> ProofFile.read(truncated));
    // a proof of the wrong length parses, but the verifier rejects it
    ProofVerifier.Verdict v =
        verify(
            new ProofFile(
                proof.circuitId(),
                proof.verifyingKeyHash(),
                proof.publicInputs(),
                new byte[] {1, 2, 3}));
    assertFalse(v.valid());
  }

  @Test
  void thresholdsPrintAsMultiplesOfMaintenanceMargin() {
    assertEquals("1.2500", HealthProver.thresholdAsMultiple(12_500));
    assertEquals("0.0001", HealthProver.thresholdAsMultiple(1));
    assertEquals("-0.9900", HealthProver.thresholdAsMultiple(-9_900));
    assertEquals(
        "429496.7295", HealthProver.thresholdAsMultiple(HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS));
  }

  @Test
  void venueStoreRoundTripsExactly() throws Exception {
    Path copy = dir.resolve("copy");
    VenueStore.save(copy, venue.venue());
    CommittedVenue again = new CommittedVenue(VenueStore.load(copy));
    assertEquals(venue.stateRoot(), again.stateRoot());
    assertEquals(venue.riskRoot(), again.riskRoot());
    assertTrue(DemoVenues.market(venue.venue()).isPresent());
  }
}
