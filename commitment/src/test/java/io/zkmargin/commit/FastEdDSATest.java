package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FastEdDSA#verify} gives exactly {@link EdDSA#verify}'s verdict on random cases. */
class FastEdDSATest {
  /** A point of order 2: (0, -1). */
  private static final EdwardsPoint ORDER2 =
      new EdwardsPoint(BigInteger.ZERO, Fr.MODULUS.subtract(BigInteger.ONE));

  private static void same(EdwardsPoint pk, BigInteger m, EdDSA.Signature sig, int[] trueCount) {
    boolean expected = EdDSA.verify(pk, m, sig);
    assertEquals(expected, FastEdDSA.verify(pk, m, sig), () -> pk + " " + m + " " + sig);
    trueCount[0] += expected ? 1 : 0;
  }

  private static BigInteger element(Random rnd) {
    return new BigInteger(260, rnd).mod(Fr.MODULUS);
  }

  /** A random point on the curve (any subgroup), by decompressing random y until one exists. */
  private static EdwardsPoint randomPoint(Random rnd) {
    while (true) {
      byte[] b = new byte[32];
      rnd.nextBytes(b);
      b[31] &= 0x3f;
      try {
        return EdwardsPoint.fromCompressedBytes(b);
      } catch (IllegalArgumentException e) {
        // no point with this y: try another
      }
    }
  }

  @Test
  void sameVerdictOnValidTamperedAndMalformedSignatures() {
    Random rnd = new Random(42);
    int[] valid = {0};
    for (int i = 0; i < 8; i++) {
      EdwardsKeyPair key =
          EdwardsKeyPair.generate(new java.security.SecureRandom(new byte[] {(byte) i}));
      key = new EdwardsKeyPair(new BigInteger(250, rnd).add(BigInteger.ONE));
      EdwardsPoint pk = key.publicKey();
      BigInteger m = element(rnd);
      EdDSA.Signature sig = key.sign(m);
      BigInteger s = sig.s();
      EdwardsPoint r = sig.r();
      same(pk, m, sig, valid); // valid
      same(pk, m.add(BigInteger.ONE).mod(Fr.MODULUS), sig, valid); // another message
      same(pk, m, new EdDSA.Signature(r, s.add(BigInteger.ONE).mod(EdwardsPoint.ORDER)), valid);
      same(pk, m, new EdDSA.Signature(r, s.add(EdwardsPoint.ORDER)), valid); // S >= l
      same(pk, m, new EdDSA.Signature(r, s.negate()), valid); // S < 0
      same(pk, m, new EdDSA.Signature(r.add(EdwardsPoint.BASE), s), valid); // another R
      same(pk, m, new EdDSA.Signature(r.add(ORDER2), s), valid); // R + a small-order point
      same(pk, m, new EdDSA.Signature(r.negate(), s), valid);
      same(
          pk,
          m,
          new EdDSA.Signature(
              new EdwardsPoint(r.x(), r.y().add(BigInteger.ONE).mod(Fr.MODULUS)), s),
          valid); // R off the curve
      same(pk.add(ORDER2), m, sig, valid); // key outside the subgroup
      assertTrue(FastEdDSA.inPrimeSubgroup(pk));
      assertFalse(FastEdDSA.inPrimeSubgroup(pk.add(ORDER2)));
      same(randomPoint(rnd), m, sig, valid); // a random key, most likely outside the subgroup
      same(new EdwardsPoint(pk.x(), pk.y().add(BigInteger.ONE).mod(Fr.MODULUS)), m, sig, valid);
      same(EdwardsPoint.IDENTITY, m, sig, valid);
      same(ORDER2, m, sig, valid);
      same(
          new EdwardsKeyPair(new BigInteger(250, rnd).add(BigInteger.ONE)).publicKey(),
          m,
          sig,
          valid);
      // random garbage signatures
      same(pk, m, new EdDSA.Signature(randomPoint(rnd), new BigInteger(251, rnd)), valid);
    }
    assertEquals(8, valid[0]);
  }

  @Test
  void acceptsTheVectorsAndChecksArguments() {
    EdwardsKeyPair key = new EdwardsKeyPair(BigInteger.valueOf(7));
    EdDSA.Signature sig = key.sign(BigInteger.TEN);
    assertTrue(FastEdDSA.verify(key.publicKey(), BigInteger.TEN, sig));
    assertTrue(FastEdDSA.verify(key.publicKey(), BigInteger.TEN, sig)); // cached subgroup check
    assertFalse(FastEdDSA.verify(key.publicKey(), BigInteger.ONE, sig));
    assertThrows(IllegalArgumentException.class, () -> FastEdDSA.verify(null, BigInteger.ONE, sig));
    assertThrows(
        IllegalArgumentException.class, () -> FastEdDSA.verify(key.publicKey(), Fr.MODULUS, sig));
  }

  @Test
  void montgomerySubtractionMatchesBigInteger() {
    Random rnd = new Random(7);
    for (int i = 0; i < 200; i++) {
      BigInteger a = element(rnd);
      BigInteger b = i % 10 == 0 ? a : element(rnd);
      long[] z = new long[4];
      FrMont.sub(z, FrMont.toMont(a), FrMont.toMont(b));
      assertEquals(a.subtract(b).mod(Fr.MODULUS), FrMont.fromMont(z));
    }
  }
}
