package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WordPackingTest {
  private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  /** The contract's formula with BigInteger: e = sum_k (v_k + 2^63) * 2^(64k), padding v = 0. */
  private static BigInteger reference(long[] words, int from) {
    BigInteger e = BigInteger.ZERO;
    for (int k = 2; k >= 0; k--) {
      long v = from + k < words.length ? words[from + k] : 0L;
      e = e.multiply(TWO_64).add(BigInteger.valueOf(v).add(TWO_63));
    }
    return e;
  }

  @Test
  void unsignedRepresentation() {
    assertEquals(Long.MIN_VALUE, WordPacking.toUnsigned(0)); // 2^63
    assertEquals(0L, WordPacking.toUnsigned(Long.MIN_VALUE));
    assertEquals(-1L, WordPacking.toUnsigned(Long.MAX_VALUE)); // 2^64 - 1
    assertEquals(-5L, WordPacking.fromUnsigned(WordPacking.toUnsigned(-5L)));
  }

  @Test
  void packsLittleEndianWithZeroPadding() {
    long[] words = {1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0};
    BigInteger[] e = WordPacking.pack(words);
    assertEquals(2, e.length);
    assertEquals(reference(words, 0), e[0]);
    assertEquals(reference(words, 3), e[1]);
    // explicit: element 1 = (MAX + 2^63) + (0 + 2^63) 2^64 + (pad 0 + 2^63) 2^128
    BigInteger expected1 =
        TWO_64.subtract(BigInteger.ONE).add(TWO_63.shiftLeft(64)).add(TWO_63.shiftLeft(128));
    assertEquals(expected1, e[1]);
    assertEquals(0, WordPacking.pack(new long[0]).length);
  }

  @Test
  void randomRoundTrip() {
    Random rnd = new Random(3);
    for (int n = 0; n < 20; n++) {
      long[] w = new long[n];
      for (int i = 0; i < n; i++) {
        w[i] = rnd.nextLong();
      }
      BigInteger[] e = WordPacking.pack(w);
      assertEquals(WordPacking.packedLength(n), e.length);
      for (int i = 0; i < e.length; i++) {
        assertEquals(reference(w, 3 * i), e[i]);
        assertTrue(e[i].bitLength() <= 192);
      }
      assertArrayEquals(w, WordPacking.unpack(e, n));
    }
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> WordPacking.pack(null));
    assertThrows(IllegalArgumentException.class, () -> WordPacking.packedLength(-1));
    BigInteger[] e = WordPacking.pack(new long[] {1, 2, 3, 4});
    // wrong element count
    assertThrows(IllegalArgumentException.class, () -> WordPacking.unpack(e, 7));
    assertThrows(IllegalArgumentException.class, () -> WordPacking.unpack(e, 3));
    // element out of range (>= 2^192, negative)
    assertThrows(
        IllegalArgumentException.class,
        () -> WordPacking.unpack(new BigInteger[] {BigInteger.ONE.shiftLeft(192)}, 3));
    assertThrows(
        IllegalArgumentException.class,
        () -> WordPacking.unpack(new BigInteger[] {BigInteger.ONE.negate()}, 3));
    // padding word not 0: 4 words, the 2 padding words of element 1 must be u = 2^63
    BigInteger[] bad = e.clone();
    bad[1] = bad[1].add(BigInteger.ONE.shiftLeft(64));
    assertThrows(IllegalArgumentException.class, () -> WordPacking.unpack(bad, 4));
    assertThrows(IllegalArgumentException.class, () -> WordPacking.unpack(null, 4));
  }
}
