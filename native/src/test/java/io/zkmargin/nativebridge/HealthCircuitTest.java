package io.zkmargin.nativebridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health circuit at the TEST size through JNI. */
class HealthCircuitTest {
  static final String ID = TestCircuits.HEALTH_TEST;
  static final BigInteger R =
      new BigInteger(
          "21888242871839275222246405745257275088548364400416034343698204186575808495617");

  @Test
  void setupProveVerify() {
    CircuitInfo info = Gnark.compile(ID);
    assertEquals(3, info.publicInputs());
    KeyPair keys = Gnark.setup(ID);
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey());
        VerifyingKeyHandle vk = Gnark.loadVerifyingKey(ID, keys.verifyingKey())) {
      ProofResult r = Gnark.prove(pk, TestCircuits.witnessResource("health-test-healthy.json"));
      assertEquals(3, r.publicInputs().size());
      for (String s : r.publicInputs()) {
        BigInteger v = new BigInteger(s);
        assertTrue(v.signum() >= 0 && v.compareTo(R) < 0, s);
      }
      // accountAndThreshold = accountId * 2^32 + thresholdBps, the fixture proves at 10,000 bps
      assertEquals(10_000L, new BigInteger(r.publicInputs().get(2)).longValue() & 0xffffffffL);
      assertTrue(Gnark.verify(vk, r));
      // claiming another threshold with the same proof fails
      List<String> other = new ArrayList<>(r.publicInputs());
      other.set(2, new BigInteger(other.get(2)).add(BigInteger.ONE).toString());
      assertFalse(Gnark.verify(vk, r.proof(), other));
    }
  }

  @Test
  void unhealthyAccountHasNoProof() {
    KeyPair keys = Gnark.setup(ID);
    try (ProvingKeyHandle pk = Gnark.loadProvingKey(ID, keys.provingKey())) {
      NativeException e =
          assertThrows(
              NativeException.class,
              () -> Gnark.prove(pk, TestCircuits.witnessResource("health-test-unhealthy.json")));
      assertEquals(NativeException.UNSATISFIED, e.code());
      assertTrue(
          e.getMessage().startsWith("witness does not satisfy the circuit: "), e.getMessage());
      // a witness for another circuit is refused before proving
      NativeException wrong =
          assertThrows(
              NativeException.class,
              () -> Gnark.prove(pk, TestCircuits.selfTestWitness(TestCircuits.SELFTEST, 2, 3)));
      assertEquals(NativeException.INVALID_ARGUMENT, wrong.code());
    }
  }
}
