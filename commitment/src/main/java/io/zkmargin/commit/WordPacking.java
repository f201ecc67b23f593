package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;

/**
 * Packing of signed 64-bit words into field elements (docs/ENCODING.md, "Words and packing").
 *
 * <p>A word {@code v} (a Java {@code long}) is carried as the unsigned 64-bit integer {@code u = v
 * + 2^63} ({@code v ^ Long.MIN_VALUE} read as unsigned). Three words pack into one element,
 * little-endian: {@code e = u0 + u1*2^64 + u2*2^128}; the last element is padded with words of
 * value 0 ({@code u = 2^63}). An element is therefore always below {@code 2^192}.
 */
public final class WordPacking {
  /** Words per field element. */
  public static final int WORDS_PER_ELEMENT = 3;

  private static final BigInteger TWO_192 = BigInteger.ONE.shiftLeft(192);

  private WordPacking() {}

  /**
   * The circuit's unsigned representation {@code v + 2^63} of word {@code v}, as unsigned long
   * bits.
   */
  public static long toUnsigned(long v) {
    return v ^ Long.MIN_VALUE;
  }

  /** The word {@code u - 2^63} of the unsigned representation {@code u} (unsigned long bits). */
  public static long fromUnsigned(long u) {
    return u ^ Long.MIN_VALUE;
  }

  /**
   * Number of field elements {@code ceil(wordCount / 3)} that {@code wordCount} words pack into.
   */
  public static int packedLength(int wordCount) {
    ArgChecker.notNegative(wordCount, "word count");
    return (wordCount + WORDS_PER_ELEMENT - 1) / WORDS_PER_ELEMENT;
  }

  /**
   * Packs words into field elements.
   *
   * @param words signed words in order, not null (may be empty: no elements)
   * @return {@code ceil(words.length / 3)} field elements, each in {@code [0, 2^192)}
   */
  public static BigInteger[] pack(long[] words) {
    long[][] limbs = packLimbs(words);
    BigInteger[] out = new BigInteger[limbs.length];
    for (int i = 0; i < limbs.length; i++) {
      out[i] = FrMont.limbsToBig(limbs[i]);
    }
    return out;
  }

  /** Packed elements as canonical 4-limb integers (limb 3 is always 0). */
  static long[][] packLimbs(long[] words) {
    ArgChecker.notNull(words, "words");
    int n = packedLength(words.length);
    long[][] out = new long[n][];
    for (int i = 0; i < n; i++) {
      long[] e = new long[4];
      for (int k = 0; k < WORDS_PER_ELEMENT; k++) {
        int w = WORDS_PER_ELEMENT * i + k;
        e[k] = toUnsigned(w < words.length ? words[w] : 0L);
      }
      out[i] = e;
    }
    return out;
  }

  /** Packed elements in Montgomery form, ready for hashing. */
  static long[][] packMont(long[] words) {
    long[][] limbs = packLimbs(words);
    for (int i = 0; i < limbs.length; i++) {
      limbs[i] = FrMont.toMont(limbs[i]);
    }
    return limbs;
  }

  /**
   * Unpacks field elements into {@code wordCount} words; the inverse of {@link #pack}.
   *
   * @param elements exactly {@code ceil(wordCount / 3)} elements, each in {@code [0, 2^192)}
   * @param wordCount number of words, {@code >= 0}
   * @return the words
   * @throws IllegalArgumentException if the count is wrong, an element is out of range or a padding
   *     word is not 0
   */
  public static long[] unpack(BigInteger[] elements, int wordCount) {
    ArgChecker.notNull(elements, "elements");
    int n = packedLength(wordCount);
    if (elements.length != n) {
      throw new IllegalArgumentException(
          wordCount + " words pack into " + n + " elements, got " + elements.length);
    }
    long[] out = new long[wordCount];
    for (int i = 0; i < n; i++) {
      BigInteger e = elements[i];
      if (e == null || e.signum() < 0 || e.compareTo(TWO_192) >= 0) {
        throw new IllegalArgumentException("packed element " + i + " is outside [0, 2^192): " + e);
      }
      for (int k = 0; k < WORDS_PER_ELEMENT; k++) {
        long v = fromUnsigned(e.shiftRight(64 * k).longValue());
        int w = WORDS_PER_ELEMENT * i + k;
        if (w < wordCount) {
          out[w] = v;
        } else if (v != 0) {
          throw new IllegalArgumentException("padding word " + w + " must be 0, was " + v);
        }
      }
    }
    return out;
  }
}
