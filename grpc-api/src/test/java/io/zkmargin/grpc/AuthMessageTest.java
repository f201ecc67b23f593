package io.zkmargin.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.Fr;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The signed request message binds every field, and the wire signature round-trips. */
class AuthMessageTest {

  static final byte[] NONCE = new byte[16];

  static BigInteger m(
      String method, String service, long account, long threshold, byte[] nonce, long s, int n) {
    return AuthMessage.fieldElement(method, service, account, threshold, nonce, s, n);
  }

  @Test
  void everyFieldChangesTheMessage() {
    byte[] other = NONCE.clone();
    other[15] = 1;
    Set<BigInteger> all = new HashSet<>();
    all.add(m("a/B", "svc", 1, 10_000, NONCE, 100, 0));
    all.add(m("a/C", "svc", 1, 10_000, NONCE, 100, 0));
    all.add(m("a/B", "svd", 1, 10_000, NONCE, 100, 0));
    all.add(m("a/B", "svc", 2, 10_000, NONCE, 100, 0));
    all.add(m("a/B", "svc", 1, 10_001, NONCE, 100, 0));
    all.add(m("a/B", "svc", 1, 10_000, other, 100, 0));
    all.add(m("a/B", "svc", 1, 10_000, NONCE, 101, 0));
    all.add(m("a/B", "svc", 1, 10_000, NONCE, 100, 1));
    assertEquals(8, all.size());
    for (BigInteger x : all) {
      assertTrue(x.signum() >= 0 && x.compareTo(Fr.MODULUS) < 0);
    }
    assertEquals(
        m("a/B", "svc", 1, 10_000, NONCE, 100, 0),
        m("a/B", "svc", 1, 10_000, NONCE.clone(), 100, 0));
  }

  @Test
  void argumentsAreCheckedAtTheDoor() {
    assertThrows(IllegalArgumentException.class, () -> m("a/B", "svc", -1, 1, NONCE, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> m("a/B", "svc", 1, 1L << 32, NONCE, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> m("a/B", "svc", 1, 1, new byte[15], 1, 0));
    assertThrows(IllegalArgumentException.class, () -> m("a/B", "svc", 1, 1, new byte[65], 1, 0));
    assertThrows(IllegalArgumentException.class, () -> m("a/B", "", 1, 1, NONCE, 1, 0));
    assertThrows(
        IllegalArgumentException.class, () -> m("a/B", "svc", 1, 1, NONCE, 1, 1_000_000_000));
  }

  @Test
  void wireSignatureRoundTripsAndVerifies() {
    var key = TestVenue.ownerKey(3);
    BigInteger msg = m("a/B", "svc", 3, 10_000, NONCE, 100, 0);
    EdDSA.Signature sig = EdDSA.sign(key, msg);
    byte[] wire = RequestSigner.encode(sig);
    assertEquals(RequestSigner.SIGNATURE_BYTES, wire.length);
    EdDSA.Signature back = RequestSigner.decode(wire);
    assertTrue(EdDSA.verify(key.publicKey(), msg, back));
    assertNotEquals(msg, m("a/B", "svc", 3, 10_001, NONCE, 100, 0));
    assertTrue(!EdDSA.verify(key.publicKey(), m("a/B", "svc", 3, 10_001, NONCE, 100, 0), back));
    assertThrows(IllegalArgumentException.class, () -> RequestSigner.decode(new byte[64]));
  }
}
