package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Poseidon2 against reference outputs printed by a throwaway Go program that calls gnark-crypto
 * v0.21.0 {@code ecc/bn254/fr/poseidon2} ({@code NewDefaultPermutation}, {@code Compress}, {@code
 * NewMerkleDamgardHasher}, {@code GetDefaultParameters().RoundKeys}).
 */
class Poseidon2Test {
  private static final BigInteger RM1 = Fr.MODULUS.subtract(BigInteger.ONE);

  private static BigInteger b(String s) {
    return new BigInteger(s);
  }

  @Test
  void keccakMatchesKnownDigests() {
    HexFormat hex = HexFormat.of();
    assertEquals(
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        hex.formatHex(Poseidon2.keccak256(new byte[0])));
    assertEquals(
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
        hex.formatHex(Poseidon2.keccak256("abc".getBytes(StandardCharsets.US_ASCII))));
    // multi-block input (200 bytes of 'a' spans two 136-byte blocks); differs from a one-byte
    // change
    byte[] long1 = new byte[200];
    java.util.Arrays.fill(long1, (byte) 'a');
    byte[] long2 = long1.clone();
    long2[199] = 'b';
    assertNotEquals(
        hex.formatHex(Poseidon2.keccak256(long1)), hex.formatHex(Poseidon2.keccak256(long2)));
    assertThrows(IllegalArgumentException.class, () -> Poseidon2.keccak256(null));
  }

  @Test
  void roundKeysMatchGnark() {
    assertEquals(
        b("13408317191766118125459928988660904723912386643555460372160024256765517343823"),
        Poseidon2.roundKey(0, 0));
    assertEquals(
        b("4194623319915549675396267121566035406844708410002911784811707666420946700108"),
        Poseidon2.roundKey(0, 1));
    assertEquals(
        b("17639106492467163824471711470904197146741191403150907096205381935655010152412"),
        Poseidon2.roundKey(3, 0));
    assertEquals(
        b("3910091859541134120391800995572544668894173656502109592309955225780361554898"),
        Poseidon2.roundKey(55, 1));
    assertThrows(IllegalArgumentException.class, () -> Poseidon2.roundKey(3, 1));
    assertThrows(IllegalArgumentException.class, () -> Poseidon2.roundKey(56, 0));
  }

  @Test
  void permuteMatchesGnark() {
    assertArrayEquals(
        new BigInteger[] {
          b("5760396826252723620130659814739767625264053726049147948400048226670170422969"),
          b("18622970401557034651033185129330286139447343337105683528700775943440799145467")
        },
        Poseidon2.permute(new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO}));
    assertArrayEquals(
        new BigInteger[] {
          b("1197409642805673503548047715485910702500396810305169145705533208671921662963"),
          b("1313337560616139085277676701856612540166622156368305732529371734734451176750")
        },
        Poseidon2.permute(new BigInteger[] {BigInteger.ONE, BigInteger.TWO}));
    assertArrayEquals(
        new BigInteger[] {
          b("2189165690142353815396444811426595331812134346871650933449805310100591805816"),
          b("7122069960885894322617930202994857312381687430504291943387049074474516857586")
        },
        Poseidon2.permute(new BigInteger[] {RM1, RM1}));
    assertArrayEquals(
        new BigInteger[] {
          b("5482140098014916540385146539775022006111419645729230675855405592018581637704"),
          b("18843270720158965090227541929895336579000044047914135771317058642361844812208")
        },
        Poseidon2.permute(
            new BigInteger[] {
              b("123456789012345678901234567890"), b("987654321098765432109876543210")
            }));
  }

  @Test
  void compressMatchesGnark() {
    assertEquals(
        b("18622970401557034651033185129330286139447343337105683528700775943440799145467"),
        Poseidon2.compress(BigInteger.ZERO, BigInteger.ZERO));
    assertEquals(
        b("1313337560616139085277676701856612540166622156368305732529371734734451176752"),
        Poseidon2.compress(BigInteger.ONE, BigInteger.TWO));
    assertEquals(
        b("7122069960885894322617930202994857312381687430504291943387049074474516857585"),
        Poseidon2.compress(RM1, RM1));
    assertEquals(
        b("18843270720158965090227541929895336579000044048901790092415824074471721355418"),
        Poseidon2.compress(
            b("123456789012345678901234567890"), b("987654321098765432109876543210")));
  }

  @Test
  void hashMDMatchesGnark() {
    assertEquals(BigInteger.ZERO, Poseidon2.hashMD());
    assertEquals(
        b("12157562999385135173166708316607836110878334226144932937475223226141207470306"),
        Poseidon2.hashMD(BigInteger.ONE));
    assertEquals(
        b("15420506892278731668823630372592719583204298986030877100115762694548203411900"),
        Poseidon2.hashMD(BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(3)));
    assertEquals(
        b("10535417925723116862694970305918583150289938883379624460206400453409020677044"),
        Poseidon2.hashMD(RM1, BigInteger.ZERO, BigInteger.valueOf(5)));
  }

  @Test
  void hashMDIsChainedCompress() {
    Random rnd = new Random(7);
    BigInteger[] xs = new BigInteger[5];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = new BigInteger(256, rnd).mod(Fr.MODULUS);
    }
    BigInteger s = BigInteger.ZERO;
    for (BigInteger x : xs) {
      s = Poseidon2.compress(s, x);
    }
    assertEquals(s, Poseidon2.hashMD(xs));
    // continued from a prefix's chaining value
    assertEquals(
        s,
        Poseidon2.hashMDFrom(
            Poseidon2.hashMD(xs[0], xs[1]), java.util.Arrays.copyOfRange(xs, 2, 5)));
    assertEquals(s, Poseidon2.hashMDFrom(s));
    assertEquals(Poseidon2.hashMD(xs), Poseidon2.hashMDFrom(BigInteger.ZERO, xs));
  }

  @Test
  void montgomeryArithmeticMatchesBigInteger() {
    Random rnd = new Random(11);
    for (int i = 0; i < 2000; i++) {
      BigInteger x = i == 0 ? RM1 : new BigInteger(254, rnd).mod(Fr.MODULUS);
      BigInteger y = i == 1 ? RM1 : new BigInteger(254, rnd).mod(Fr.MODULUS);
      long[] xm = FrMont.toMont(x);
      long[] ym = FrMont.toMont(y);
      long[] z = new long[4];
      FrMont.mul(z, xm, ym);
      assertEquals(x.multiply(y).mod(Fr.MODULUS), FrMont.fromMont(z));
      FrMont.add(z, xm, ym);
      assertEquals(x.add(y).mod(Fr.MODULUS), FrMont.fromMont(z));
      FrMont.pow5(z, xm, new long[4]);
      assertEquals(x.modPow(BigInteger.valueOf(5), Fr.MODULUS), FrMont.fromMont(z));
    }
  }

  @Test
  void rejectsBadInput() {
    assertThrows(
        IllegalArgumentException.class, () -> Poseidon2.permute(new BigInteger[] {BigInteger.ONE}));
    assertThrows(IllegalArgumentException.class, () -> Poseidon2.permute(null));
    assertThrows(
        IllegalArgumentException.class,
        () -> Poseidon2.permute(new BigInteger[] {BigInteger.ONE, BigInteger.ONE, BigInteger.ONE}));
    assertThrows(
        IllegalArgumentException.class, () -> Poseidon2.compress(Fr.MODULUS, BigInteger.ONE));
    assertThrows(
        IllegalArgumentException.class,
        () -> Poseidon2.compress(BigInteger.ONE, BigInteger.valueOf(-1)));
    assertThrows(IllegalArgumentException.class, () -> Poseidon2.compress(null, BigInteger.ONE));
    assertThrows(IllegalArgumentException.class, () -> Poseidon2.hashMD(BigInteger.ONE, null));
    assertThrows(IllegalArgumentException.class, () -> Poseidon2.hashMD((BigInteger[]) null));
  }
}
