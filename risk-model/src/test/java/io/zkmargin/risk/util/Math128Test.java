package io.zkmargin.risk.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Math128Test {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private static BigInteger unsigned(long x) {
    return new BigInteger(Long.toUnsignedString(x));
  }

  private static final long[] EDGES = {
    0, 1, 2, -1, -2, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFF_FFFFL, 1L << 32
  };

  @Test
  void unsignedMultiplyHighMatchesBigInteger() {
    SplittableRandom rnd = new SplittableRandom(8);
    for (int i = 0; i < 20_000; i++) {
      long a = i < EDGES.length * EDGES.length ? EDGES[i % EDGES.length] : rnd.nextLong();
      long b = i < EDGES.length * EDGES.length ? EDGES[i / EDGES.length] : rnd.nextLong();
      BigInteger p = unsigned(a).multiply(unsigned(b));
      assertEquals(p.shiftRight(64).longValue(), Math128.unsignedMultiplyHigh(a, b), a + " * " + b);
    }
  }

  @Test
  void carryIsTheBitAbove64OfTheUnsignedSum() {
    SplittableRandom rnd = new SplittableRandom(9);
    for (int i = 0; i < 20_000; i++) {
      long a = i < EDGES.length * EDGES.length ? EDGES[i % EDGES.length] : rnd.nextLong();
      long b = i < EDGES.length * EDGES.length ? EDGES[i / EDGES.length] : rnd.nextLong();
      long expected = unsigned(a).add(unsigned(b)).compareTo(TWO_64) >= 0 ? 1 : 0;
      assertEquals(expected, Math128.carry(a, b, a + b), a + " + " + b);
    }
  }
}
