package io.zkmargin.nativebridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A 3-party ceremony through the real JNI library, and the refusals of verify. */
class CeremonyTest {
  static final String ID = "selftest-N8";
  static final byte[] BEACON = "beacon: drand round 42".getBytes(StandardCharsets.US_ASCII);

  static int power;
  static List<byte[]> p1 = new ArrayList<>();
  static byte[] commons;
  static byte[] p2init;
  static List<byte[]> p2 = new ArrayList<>();

  @BeforeAll
  static void ceremony() {
    power = Ceremony.circuitPower(ID);
    byte[] prev = Ceremony.phase1Init(power);
    for (int i = 0; i < 3; i++) {
      Ceremony.Contribution c = Ceremony.phase1Contribute(power, prev);
      assertArrayEquals(sha256(prev), c.received());
      assertArrayEquals(sha256(c.next()), c.produced());
      p1.add(c.next());
      prev = c.next();
    }
    commons =
        Ceremony.phase1Seal(power, p1, "phase-1 beacon".getBytes(StandardCharsets.US_ASCII))
            .commons();
    p2init = Ceremony.phase2Init(ID, commons);
    prev = p2init;
    for (int i = 0; i < 3; i++) {
      Ceremony.Contribution c = Ceremony.phase2Contribute(ID, prev);
      assertArrayEquals(sha256(prev), c.received());
      assertArrayEquals(sha256(c.next()), c.produced());
      p2.add(c.next());
      prev = c.next();
    }
  }

  @Test
  void finalizedKeysProveAndVerify() {
    Ceremony.Final f = Ceremony.phase2Finalize(ID, commons, p2, BEACON);
    assertEquals(32, f.transcript().length);
    assertEquals(3, f.contributions().size());
    assertArrayEquals(sha256(p2.get(2)), f.contributions().get(2));
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, f.provingKey());
        VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, f.verifyingKey())) {
      ProofResult r = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 3, 5));
      assertTrue(Gnark.verify(vk, r));
      assertFalse(Gnark.verify(vk, r.proof(), List.of("16", "8")));
    }
    // deterministic: anybody recomputes the same keys and transcript from the files and the beacon
    Ceremony.Final again = Ceremony.phase2Finalize(ID, commons, p2, BEACON);
    assertArrayEquals(f.verifyingKey(), again.verifyingKey());
    assertArrayEquals(f.transcript(), again.transcript());
    Ceremony.Final other =
        Ceremony.phase2Finalize(
            ID, commons, p2, "another beacon".getBytes(StandardCharsets.US_ASCII));
    assertNotEquals(f.transcriptHex(), other.transcriptHex());
  }

  @Test
  void verifyReturnsEveryHash() {
    List<byte[]> h1 = Ceremony.phase1Verify(power, p1);
    List<byte[]> h2 = Ceremony.phase2Verify(ID, commons, p2);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(sha256(p1.get(i)), h1.get(i));
      assertArrayEquals(sha256(p2.get(i)), h2.get(i));
    }
  }

  @Test
  void tamperedSkippedAndForkedChainsAreRefused() {
    byte[] tampered = p2.get(1).clone();
    tampered[tampered.length - 150] ^= 1;
    assertRefused(
        () -> Ceremony.phase2Verify(ID, commons, List.of(p2.get(0), tampered, p2.get(2))));
    assertRefused(() -> Ceremony.phase2Verify(ID, commons, List.of(p2.get(0), p2.get(2))));
    byte[] fork = Ceremony.phase2Contribute(ID, p2.get(0)).next();
    byte[] onFork = Ceremony.phase2Contribute(ID, fork).next();
    assertRefused(() -> Ceremony.phase2Verify(ID, commons, List.of(p2.get(0), p2.get(1), onFork)));
    assertRefused(() -> Ceremony.phase1Verify(power, List.of(p1.get(1), p1.get(2))));
    byte[] t1 = p1.get(2).clone();
    t1[10] ^= 1;
    assertRefused(() -> Ceremony.phase1Verify(power, List.of(p1.get(0), p1.get(1), t1)));
  }

  @Test
  void malformedFilesAreInvalidArguments() {
    NativeException e =
        assertThrows(
            NativeException.class, () -> Ceremony.phase2Contribute(ID, new byte[] {1, 2, 3}));
    assertEquals(NativeException.INVALID_ARGUMENT, e.code());
    byte[] forged = p2init.clone();
    // the private-wire count prefix after the commitment count (2 bytes) and [δ]₁ (32 bytes)
    forged[34] = forged[35] = forged[36] = forged[37] = (byte) 0xff;
    e = assertThrows(NativeException.class, () -> Ceremony.phase2Contribute(ID, forged));
    assertEquals(NativeException.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("private wires"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Ceremony.phase1Init(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> Ceremony.phase2Finalize(ID, commons, p2, new byte[0]));
    assertThrows(
        IllegalArgumentException.class, () -> Ceremony.phase2Verify(ID, commons, List.of()));
  }

  private static void assertRefused(Runnable r) {
    NativeException e = assertThrows(NativeException.class, r::run);
    assertTrue(
        e.code() == NativeException.VERIFICATION_FAILED
            || e.code() == NativeException.INVALID_ARGUMENT,
        "code " + e.code() + ": " + e.getMessage());
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
