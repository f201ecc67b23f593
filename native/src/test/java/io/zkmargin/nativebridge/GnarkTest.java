package io.zkmargin.nativebridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GnarkTest {
  static final String ID = TestCircuits.SELFTEST;
  static KeyPair keys;

  @BeforeAll
  static void setup() {
    keys = Gnark.setup(ID);
  }

  @Test
  void compileReportsSizesAndDigestIsStable() {
    CircuitInfo info = Gnark.compile(ID);
    assertEquals(ID, info.circuitId());
    assertEquals(2, info.publicInputs());
    assertTrue(info.constraints() >= 64, "constraints " + info.constraints());
    assertTrue(info.wires() > info.constraints() / 2);
    byte[] d = Gnark.circuitDigest(ID);
    assertEquals(32, d.length);
    assertArrayEquals(d, Gnark.circuitDigest(ID));
    // compare contents (hex), not array identity: List.of(byte[]) compared two fresh arrays by
    // identity,
    // so it called the digests of the SAME circuit different too and its assertNotEquals could not
    // fail
    HexFormat hex = HexFormat.of();
    assertEquals(List.of(hex.formatHex(d)), List.of(hex.formatHex(Gnark.circuitDigest(ID))));
    assertNotEquals(
        List.of(hex.formatHex(d)), List.of(hex.formatHex(Gnark.circuitDigest("selftest-N65"))));
    assertFalse(java.util.Arrays.equals(d, Gnark.circuitDigest("selftest-N65")));
  }

  @Test
  void roundTrip() {
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey());
        VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      ProofResult r = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 6, 7));
      assertEquals(List.of("42", "13"), r.publicInputs());
      assertEquals(ProofEncoding.PROOF_BYTES, r.proof().length);
      assertNull(ProofEncoding.whyNotCanonical(r.proof()));
      assertTrue(Gnark.verify(vk, r));
      // the same proof with another statement does not verify
      assertFalse(Gnark.verify(vk, r.proof(), List.of("43", "13")));
      // a second proof of the same statement is different (fresh randomness) and verifies too
      ProofResult r2 = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 6, 7));
      assertFalse(java.util.Arrays.equals(r.proof(), r2.proof()));
      assertTrue(Gnark.verify(vk, r2));
    }
  }

  @Test
  void unsatisfiedWitnessThrowsWithGoMessage() {
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey())) {
      NativeException e =
          assertThrows(
              NativeException.class, () -> Gnark.prove(pk, TestCircuits.json(ID, 43, 13, 6, 7)));
      assertEquals(NativeException.UNSATISFIED, e.code());
      assertTrue(
          e.getMessage().startsWith("witness does not satisfy the circuit: "), e.getMessage());
      NativeException bad =
          assertThrows(
              NativeException.class,
              () -> Gnark.prove(pk, "{not json".getBytes(StandardCharsets.UTF_8)));
      assertEquals(NativeException.INVALID_ARGUMENT, bad.code());
      NativeException other =
          assertThrows(
              NativeException.class,
              () -> Gnark.prove(pk, TestCircuits.selfTestWitness("selftest-N65", 6, 7)));
      assertEquals(NativeException.INVALID_ARGUMENT, other.code());
      assertTrue(other.getMessage().contains("selftest-N65"), other.getMessage());
    }
  }

  @Test
  void malformedInputsAreRejected() {
    NativeException e = assertThrows(NativeException.class, () -> Gnark.compile("no-such-circuit"));
    assertEquals(NativeException.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("no-such-circuit"), e.getMessage());
    byte[] truncated = java.util.Arrays.copyOf(keys.verifyingKey(), keys.verifyingKey().length - 1);
    assertEquals(
        NativeException.INVALID_ARGUMENT,
        assertThrows(NativeException.class, () -> Gnark.loadVerifyingKey(ID, truncated)).code());
    assertEquals(
        NativeException.INVALID_ARGUMENT,
        assertThrows(
                NativeException.class,
                () -> Gnark.loadProvingKey("selftest-N65", keys.provingKey()))
            .code());
    assertThrows(IllegalArgumentException.class, () -> Gnark.loadProvingKey(ID, new byte[0]));
    assertThrows(NullPointerException.class, () -> Gnark.compile(null));
    try (VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      byte[] garbage = new byte[ProofEncoding.PROOF_BYTES];
      java.util.Arrays.fill(garbage, 0, ProofEncoding.POINTS_BYTES, (byte) 0x15);
      assertEquals(
          NativeException.INVALID_ARGUMENT,
          assertThrows(NativeException.class, () -> Gnark.verify(vk, garbage, List.of("42", "13")))
              .code());
      assertThrows(
          IllegalArgumentException.class,
          () -> Gnark.verify(vk, new byte[256], List.of("42", "13")));
      try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey())) {
        ProofResult r = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 2, 3));
        assertEquals(
            NativeException.INVALID_ARGUMENT,
            assertThrows(NativeException.class, () -> Gnark.verify(vk, r.proof(), List.of("6")))
                .code());
      }
    }
  }

  /**
   * The proof of the outside review that killed the JVM: 256 zero bytes and a commitment count of
   * 0xffffffff made gnark-crypto allocate 256 GiB (Go's fatal out-of-memory, exit 134). Java
   * refuses it before the native call, and the native side refuses it on its own too (called
   * directly here).
   */
  @Test
  void attackProofIsRefusedAndTheJvmLives() {
    byte[] attack = new byte[260];
    attack[256] = attack[257] = attack[258] = attack[259] = (byte) 0xff;
    byte[] attack324 = java.util.Arrays.copyOf(attack, ProofEncoding.PROOF_BYTES);
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey());
        VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      for (byte[] a : List.of(attack, attack324)) {
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class, () -> Gnark.verify(vk, a, List.of("42", "13")));
        assertTrue(e.getMessage().contains("proof"), e.getMessage());
        long h = vk.enter();
        try {
          NativeException n =
              assertThrows(NativeException.class, () -> NativeLib.verify(h, a, "42\n13"));
          assertEquals(NativeException.INVALID_ARGUMENT, n.code());
          assertTrue(
              n.getMessage().contains("324 bytes") || n.getMessage().contains("must be 0"),
              n.getMessage());
        } finally {
          vk.exit();
        }
      }
      // a tail byte changed (the chain path never reads it): refused alike
      ProofResult r = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 6, 7));
      byte[] tail = r.proof();
      tail[ProofEncoding.PROOF_BYTES - 1] = 1;
      assertThrows(IllegalArgumentException.class, () -> Gnark.verify(vk, tail, r.publicInputs()));
      // and the library still verifies afterwards
      assertTrue(Gnark.verify(vk, r));
    }
  }

  /** One canonical decimal per public input, refused in Java and (called directly) in Go. */
  @Test
  void nonCanonicalPublicInputsAreRefused() {
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey());
        VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      ProofResult r = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 2, 3));
      assertEquals(List.of("6", "5"), r.publicInputs());
      String r0 = ProofEncoding.SCALAR_FIELD_MODULUS.toString();
      for (String bad :
          List.of(
              "05",
              "00",
              "+5",
              "-5",
              " 5",
              "5 ",
              "5\n",
              "",
              "0x5",
              "\u0665",
              r0,
              ProofEncoding.SCALAR_FIELD_MODULUS.add(java.math.BigInteger.valueOf(5)).toString())) {
        assertThrows(
            IllegalArgumentException.class,
            () -> Gnark.verify(vk, r.proof(), List.of("6", bad)),
            bad);
      }
      long h = vk.enter();
      try {
        for (String bad : List.of("05", "+5", "00")) {
          NativeException n =
              assertThrows(
                  NativeException.class, () -> NativeLib.verify(h, r.proof(), "6\n" + bad));
          assertEquals(NativeException.INVALID_ARGUMENT, n.code(), n.getMessage());
        }
      } finally {
        vk.exit();
      }
      assertTrue(Gnark.verify(vk, r.proof(), List.of("6", "5")));
      assertEquals(java.math.BigInteger.ZERO, ProofEncoding.parseCanonicalInput("0"));
      assertEquals(
          ProofEncoding.SCALAR_FIELD_MODULUS.subtract(java.math.BigInteger.ONE),
          ProofEncoding.parseCanonicalInput(
              ProofEncoding.SCALAR_FIELD_MODULUS.subtract(java.math.BigInteger.ONE).toString()));
    }
  }

  @Test
  void useAfterCloseThrowsAndCloseReleases() {
    long before = Gnark.liveHandles();
    ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey());
    VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey());
    assertEquals(before + 2, Gnark.liveHandles());
    ProofResult r = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 3, 4));
    pk.close();
    pk.close(); // idempotent
    assertTrue(pk.isClosed());
    assertThrows(
        IllegalStateException.class, () -> Gnark.prove(pk, TestCircuits.selfTestWitness(ID, 3, 4)));
    assertTrue(Gnark.verify(vk, r));
    vk.close();
    assertThrows(IllegalStateException.class, () -> Gnark.verify(vk, r));
    assertThrows(IllegalStateException.class, () -> Gnark.exportSolidity(vk));
    assertEquals(before, Gnark.liveHandles());
  }

  /**
   * Closing a proving key while other threads prove with it: a proof already inside the native call
   * finishes and verifies, later calls get IllegalStateException, never an unknown-handle error
   * from Go. An attempt counts only when a proof really was in flight across the close (the key was
   * open when the call entered and closed when it returned); the scenario is repeated until that
   * happened, at most 20 times.
   */
  @Test
  void closeDuringProofsDoesNotDisturbThem() throws Exception {
    int spanningAttempts = 0;
    for (int attempt = 0; attempt < 20 && spanningAttempts == 0; attempt++) {
      spanningAttempts += closeWhileProving() > 0 ? 1 : 0;
    }
    assertTrue(
        spanningAttempts > 0, "in 20 attempts no proof was in flight when the key was closed");
  }

  /**
   * @return the number of proofs that were in flight across the close (each verified against its
   *     own inputs)
   */
  private int closeWhileProving() throws Exception {
    ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    java.util.concurrent.atomic.AtomicInteger spanning =
        new java.util.concurrent.atomic.AtomicInteger();
    try (VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      CountDownLatch proved = new CountDownLatch(2);
      List<Future<Integer>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < 2; t++) {
        final long a = t + 2;
        fs.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < 200; i++) {
                    long b = i + 1;
                    boolean openBefore = !pk.isClosed();
                    ProofResult r;
                    try {
                      r = Gnark.prove(pk, TestCircuits.selfTestWitness(ID, a, b));
                    } catch (IllegalStateException closed) {
                      break; // the key was closed before this call entered: expected
                    }
                    if (openBefore && pk.isClosed()) {
                      spanning.incrementAndGet();
                    }
                    // against the statement this thread asked for, not the inputs the proof came
                    // back with
                    List<String> expected = List.of(Long.toString(a * b), Long.toString(a + b));
                    assertEquals(expected, r.publicInputs(), "thread " + a + " proof " + b);
                    assertTrue(Gnark.verify(vk, r.proof(), expected));
                    if (++ok == 1) {
                      proved.countDown();
                    }
                  }
                  return ok;
                }));
      }
      proved.await(); // both threads are in their proving loops
      pk.close();
      for (Future<Integer> f : fs) {
        assertTrue(f.get() >= 1); // and no NativeException (unknown handle) from a proof in flight
      }
    } finally {
      pool.shutdown();
    }
    return spanning.get();
  }

  @Test
  void solidityExport() {
    try (VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      String src = Gnark.exportSolidity(vk);
      assertTrue(src.contains("pragma solidity"), src.substring(0, Math.min(200, src.length())));
      assertTrue(src.contains("function verifyProof("));
    }
  }

  @Test
  void goPanicsBecomeExceptions() {
    NativeException p = assertThrows(NativeException.class, () -> NativeLib.selfTestPanic(0));
    assertEquals(NativeException.PANIC, p.code());
    assertTrue(p.getMessage().contains("assignment to entry in nil map"), p.getMessage());
    // a nil dereference is a real SIGSEGV in Go code: it has to pass the chained signal handlers
    NativeException s = assertThrows(NativeException.class, () -> NativeLib.selfTestPanic(1));
    assertEquals(NativeException.PANIC, s.code());
    assertTrue(s.getMessage().contains("nil pointer dereference"), s.getMessage());
    // and the library still works afterwards
    assertEquals(32, Gnark.circuitDigest(ID).length);
  }
}
