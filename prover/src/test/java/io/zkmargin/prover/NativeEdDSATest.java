package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.EdwardsPoint;
import io.zkmargin.commit.Fr;
import io.zkmargin.nativebridge.NativeEdDSA;
import io.zkmargin.nativebridge.NativeException;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The native EdDSA fast path ({@link NativeEdDSA}, gnark-crypto through JNI) gives exactly {@link
 * EdDSA#verify}'s verdict on random valid, tampered and malformed signatures and keys (the Java
 * fast path has the same test in the commitment module, FastEdDSATest).
 */
class NativeEdDSATest {
  private static final EdwardsPoint ORDER2 =
      new EdwardsPoint(BigInteger.ZERO, Fr.MODULUS.subtract(BigInteger.ONE));

  private static int same(EdwardsPoint pk, BigInteger m, EdwardsPoint r, BigInteger s) {
    boolean inRange = s.signum() >= 0;
    EdDSA.Signature sig = new EdDSA.Signature(r, s);
    boolean expected = EdDSA.verify(pk, m, sig);
    if (inRange && s.bitLength() <= 256) {
      assertEquals(expected, NativeEdDSA.verify(pk.x(), pk.y(), m, r.x(), r.y(), s), "NativeEdDSA");
    }
    return expected ? 1 : 0;
  }

  private static EdwardsPoint randomPoint(Random rnd) {
    while (true) {
      byte[] b = new byte[32];
      rnd.nextBytes(b);
      b[31] &= 0x3f;
      try {
        return EdwardsPoint.fromCompressedBytes(b);
      } catch (IllegalArgumentException e) {
        // no point with this y
      }
    }
  }

  @Test
  void sameVerdictAsTheReference() {
    Random rnd = new Random(2026);
    int valid = 0;
    for (int i = 0; i < 8; i++) {
      EdwardsKeyPair key = new EdwardsKeyPair(new BigInteger(250, rnd).add(BigInteger.ONE));
      EdwardsPoint pk = key.publicKey();
      BigInteger m = new BigInteger(260, rnd).mod(Fr.MODULUS);
      EdDSA.Signature sig = key.sign(m);
      EdwardsPoint r = sig.r();
      BigInteger s = sig.s();
      valid += same(pk, m, r, s);
      valid += same(pk, m.add(BigInteger.ONE).mod(Fr.MODULUS), r, s);
      valid += same(pk, m, r, s.add(BigInteger.ONE).mod(EdwardsPoint.ORDER));
      valid += same(pk, m, r, s.add(EdwardsPoint.ORDER));
      valid += same(pk, m, r.add(ORDER2), s);
      valid += same(pk, m, r.negate(), s);
      valid += same(pk, m, new EdwardsPoint(r.x(), r.y().add(BigInteger.ONE).mod(Fr.MODULUS)), s);
      valid += same(pk.add(ORDER2), m, r, s);
      valid += same(randomPoint(rnd), m, r, s);
      valid += same(new EdwardsPoint(pk.x(), pk.y().add(BigInteger.ONE).mod(Fr.MODULUS)), m, r, s);
      valid += same(EdwardsPoint.IDENTITY, m, r, s);
      valid += same(ORDER2, m, r, s);
      valid += same(pk, m, randomPoint(rnd), new BigInteger(251, rnd));
    }
    assertEquals(8, valid);
  }

  @Test
  void malformedInputIsAnArgumentError() {
    assertThrows(IllegalArgumentException.class, () -> NativeEdDSA.verify(new byte[191]));
    assertThrows(IllegalArgumentException.class, () -> NativeEdDSA.verify((byte[]) null));
    byte[] in = new byte[NativeEdDSA.INPUT_BYTES];
    java.util.Arrays.fill(in, 0, 32, (byte) 0xff); // pkX >= r
    assertThrows(NativeException.class, () -> NativeEdDSA.verify(in));
    assertEquals(false, NativeEdDSA.verify(new byte[NativeEdDSA.INPUT_BYTES])); // (0,0) off curve
  }
}
