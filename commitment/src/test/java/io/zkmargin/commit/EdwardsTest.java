package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Curve arithmetic against gnark-crypto v0.21.0 {@code ecc/bn254/twistededwards} (reference outputs
 * printed by a throwaway Go program), and EdDSA sign/verify.
 */
class EdwardsTest {
  private static BigInteger b(String s) {
    return new BigInteger(s);
  }

  @Test
  void parametersAreConsistent() {
    assertTrue(EdwardsPoint.BASE.isOnCurve());
    assertTrue(EdwardsPoint.IDENTITY.isOnCurve());
    assertTrue(EdwardsPoint.BASE.isInSubgroup());
    // a = -1 is a square and d is not: the unified addition is complete
    BigInteger e = Fr.MODULUS.subtract(BigInteger.ONE).shiftRight(1);
    assertEquals(BigInteger.ONE, EdwardsPoint.A.modPow(e, Fr.MODULUS));
    assertEquals(Fr.MODULUS.subtract(BigInteger.ONE), EdwardsPoint.D.modPow(e, Fr.MODULUS));
    assertTrue(EdwardsPoint.BASE.multiply(EdwardsPoint.ORDER).isIdentity());
    assertTrue(EdwardsPoint.ORDER.isProbablePrime(64));
  }

  @Test
  void scalarMultiplicationMatchesGnark() {
    assertEquals(
        new EdwardsPoint(
            b("6181589843805936102166733432625702983249926793164243794170119559257043191516"),
            b("633281375905621697187330766174974863687049529291089048651929454608812697683")),
        EdwardsPoint.BASE.multiply(BigInteger.TWO));
    assertEquals(
        EdwardsPoint.BASE.add(EdwardsPoint.BASE), EdwardsPoint.BASE.multiply(BigInteger.TWO));
    EdwardsPoint kb = EdwardsPoint.BASE.multiply(b("123456789123456789123456789"));
    assertEquals(
        new EdwardsPoint(
            b("12911477862479511381329158612478875128003707676331265430893547455182426368487"),
            b("6551374270651925842802397289223601850800962721990349527608619498493806756114")),
        kb);
    assertEquals(
        "12c11dd46beec349c691ac2de5f9ad04c97c97031e7fd9a7e394cd6649f27b8e",
        HexFormat.of().formatHex(kb.toCompressedBytes()));
  }

  @Test
  void groupLaws() {
    EdwardsPoint p = EdwardsPoint.BASE.multiply(BigInteger.valueOf(12345));
    EdwardsPoint q = EdwardsPoint.BASE.multiply(BigInteger.valueOf(678));
    assertEquals(p.add(q), q.add(p));
    assertEquals(EdwardsPoint.BASE.multiply(BigInteger.valueOf(13023)), p.add(q));
    assertEquals(EdwardsPoint.IDENTITY, p.add(p.negate()));
    assertEquals(p, p.add(EdwardsPoint.IDENTITY));
    assertEquals(EdwardsPoint.IDENTITY, p.multiply(BigInteger.ZERO));
    assertThrows(IllegalArgumentException.class, () -> p.multiply(BigInteger.valueOf(-1)));
    assertThrows(
        IllegalArgumentException.class, () -> EdwardsPoint.of(BigInteger.ONE, BigInteger.ONE));
    assertThrows(
        IllegalArgumentException.class, () -> new EdwardsPoint(Fr.MODULUS, BigInteger.ONE));
    // a point of order 2 is on the curve but not in the subgroup
    EdwardsPoint t2 = new EdwardsPoint(BigInteger.ZERO, Fr.MODULUS.subtract(BigInteger.ONE));
    assertTrue(t2.isOnCurve());
    assertFalse(t2.isInSubgroup());
  }

  @Test
  void compressedRoundTrip() {
    HexFormat hex = HexFormat.of();
    // gnark-crypto's encoding of 123456789123456789123456789 * B
    EdwardsPoint kb =
        EdwardsPoint.fromCompressedBytes(
            hex.parseHex("12c11dd46beec349c691ac2de5f9ad04c97c97031e7fd9a7e394cd6649f27b8e"));
    assertEquals(EdwardsPoint.BASE.multiply(b("123456789123456789123456789")), kb);
    for (int i = 1; i < 40; i++) {
      EdwardsPoint p = EdwardsPoint.BASE.multiply(BigInteger.valueOf(i * 7919L));
      assertEquals(p, EdwardsPoint.fromCompressedBytes(p.toCompressedBytes()));
      assertEquals(p.negate(), EdwardsPoint.fromCompressedBytes(p.negate().toCompressedBytes()));
    }
    assertEquals(
        EdwardsPoint.IDENTITY,
        EdwardsPoint.fromCompressedBytes(EdwardsPoint.IDENTITY.toCompressedBytes()));
    assertThrows(
        IllegalArgumentException.class, () -> EdwardsPoint.fromCompressedBytes(new byte[31]));
    // y = r - 1 + ... not canonical: all 0xff except the flag bit
    byte[] big = new byte[32];
    java.util.Arrays.fill(big, (byte) 0xff);
    big[31] = 0x7f;
    assertThrows(IllegalArgumentException.class, () -> EdwardsPoint.fromCompressedBytes(big));
    // a y with no x: search a small y whose x^2 is a non-square
    int found = 0;
    for (int y = 2; y < 50 && found == 0; y++) {
      byte[] enc = new byte[32];
      enc[0] = (byte) y;
      try {
        EdwardsPoint.fromCompressedBytes(enc);
      } catch (IllegalArgumentException e) {
        found = y;
      }
    }
    assertTrue(found > 0, "some small y must be off the curve");
  }

  @Test
  void messageOfBytes() {
    BigInteger m0 = EdDSA.messageOf(new byte[0]);
    assertEquals(Poseidon2.hashMD(BigInteger.ZERO), m0);
    byte[] d = new byte[40];
    for (int i = 0; i < d.length; i++) {
      d[i] = (byte) i;
    }
    BigInteger c0 = new BigInteger(1, java.util.Arrays.copyOfRange(d, 0, 31));
    BigInteger c1 = new BigInteger(1, java.util.Arrays.copyOfRange(d, 31, 40));
    assertEquals(Poseidon2.hashMD(BigInteger.valueOf(40), c0, c1), EdDSA.messageOf(d));
    // a leading zero byte changes the length, hence the message
    assertNotEquals(EdDSA.messageOf(new byte[] {1}), EdDSA.messageOf(new byte[] {0, 1}));
    assertThrows(IllegalArgumentException.class, () -> EdDSA.messageOf(null));
  }

  @Test
  void keyPairs() {
    EdwardsKeyPair k = new EdwardsKeyPair(BigInteger.TWO);
    assertEquals(EdwardsPoint.BASE.multiply(BigInteger.TWO), k.publicKey());
    assertFalse(k.toString().contains("privateScalar"));
    assertThrows(IllegalArgumentException.class, () -> new EdwardsKeyPair(BigInteger.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new EdwardsKeyPair(EdwardsPoint.ORDER));
    assertThrows(IllegalArgumentException.class, () -> new EdwardsKeyPair(null));
    EdwardsKeyPair r = EdwardsKeyPair.generate(new SecureRandom());
    assertTrue(r.publicKey().isInSubgroup());
  }

  /**
   * This exact key, message and signature were checked with gnark-crypto v0.21.0: {@code
   * eddsa.PublicKey.SetBytes(pk).Verify(sig, m.Bytes(), poseidon2.NewMerkleDamgardHasher())}
   * returned true.
   */
  @Test
  void signatureVerifiedByGnark() {
    EdwardsKeyPair key = new EdwardsKeyPair(b("987654321987654321987654321987654321"));
    BigInteger m = b("42424242424242424242");
    EdDSA.Signature sig = EdDSA.sign(key, m);
    HexFormat hex = HexFormat.of();
    assertEquals(
        "351a1a69adcb9a622e25bb73480c13fedd380d5ee9af626ee86c7c44334b2a2b",
        hex.formatHex(key.publicKey().toCompressedBytes()));
    assertEquals(
        "4bf6bae725f52c1edd013da547018445793c4809b8145bfb135d539450f6ec1f"
            + "03ccbfa0b72e26fff0be779ae6b1bc92182dba76ecd641e8329ebfc365a1ed13",
        hex.formatHex(sig.toBytes()));
    assertTrue(EdDSA.verify(key.publicKey(), m, sig));
  }

  @Test
  void signAndVerify() {
    EdwardsKeyPair key = new EdwardsKeyPair(b("1122334455667788990011223344556677889900"));
    BigInteger m = Poseidon2.hashMD(BigInteger.valueOf(7), BigInteger.valueOf(8));
    EdDSA.Signature sig = key.sign(m);
    assertTrue(EdDSA.verify(key.publicKey(), m, sig));
    // deterministic
    assertEquals(sig, key.sign(m));
    assertArrayEquals(sig.toBytes(), key.sign(m).toBytes());
    // wrong message, wrong key, tampered S or R
    assertFalse(EdDSA.verify(key.publicKey(), m.add(BigInteger.ONE), sig));
    EdwardsKeyPair other = new EdwardsKeyPair(BigInteger.valueOf(99));
    assertFalse(EdDSA.verify(other.publicKey(), m, sig));
    assertFalse(
        EdDSA.verify(
            key.publicKey(),
            m,
            new EdDSA.Signature(sig.r(), sig.s().add(BigInteger.ONE).mod(EdwardsPoint.ORDER))));
    assertFalse(EdDSA.verify(key.publicKey(), m, new EdDSA.Signature(sig.r().negate(), sig.s())));
    // S not reduced, identity key, off-curve R are rejected
    assertFalse(
        EdDSA.verify(
            key.publicKey(), m, new EdDSA.Signature(sig.r(), sig.s().add(EdwardsPoint.ORDER))));
    assertFalse(EdDSA.verify(EdwardsPoint.IDENTITY, m, sig));
    assertFalse(
        EdDSA.verify(
            key.publicKey(),
            m,
            new EdDSA.Signature(new EdwardsPoint(BigInteger.ONE, BigInteger.ONE), sig.s())));
    assertNotEquals(sig, key.sign(BigInteger.ZERO));
    assertThrows(IllegalArgumentException.class, () -> key.sign(Fr.MODULUS));
    assertThrows(
        IllegalArgumentException.class,
        () -> EdDSA.verify(key.publicKey(), BigInteger.valueOf(-1), sig));
  }
}
