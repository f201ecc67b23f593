package io.zkmargin.commit;

import static io.zkmargin.risk.util.Math128.carry;
import static io.zkmargin.risk.util.Math128.unsignedMultiplyHigh;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Montgomery-limb path as it was before the fast-path change (commit 0d1e8051d8): FrMont's
 * looped product, a Poseidon2 compression that allocates its state, and the sparse tree that
 * rehashes every changed leaf's path up to the root at the first read. Kept only so that {@code
 * Poseidon2Benchmarks} measures old and new in one run (the ratio survives a loaded machine); the
 * tests check the production code against {@link Poseidon2Reference}, not against this.
 */
final class LegacyFastPath {
  private static final long Q0 = FrMont.Q0;
  private static final long Q1 = FrMont.Q1;
  private static final long Q2 = FrMont.Q2;
  private static final long Q3 = FrMont.Q3;
  private static final long QINV_NEG = FrMont.QINV_NEG;

  private LegacyFastPath() {}

  private static long borrow(long a, long b, long d) {
    return ((~a & b) | (~(a ^ b) & d)) >>> 63;
  }

  private static void reduceOnce(long[] z, long s0, long s1, long s2, long s3) {
    long d0 = s0 - Q0;
    long b = borrow(s0, Q0, d0);
    long t = s1 - Q1;
    long b1 = borrow(s1, Q1, t);
    long d1 = t - b;
    b = b1 | borrow(t, b, d1);
    t = s2 - Q2;
    b1 = borrow(s2, Q2, t);
    long d2 = t - b;
    b = b1 | borrow(t, b, d2);
    t = s3 - Q3;
    b1 = borrow(s3, Q3, t);
    long d3 = t - b;
    b = b1 | borrow(t, b, d3);
    if (b == 0) {
      z[0] = d0;
      z[1] = d1;
      z[2] = d2;
      z[3] = d3;
    } else {
      z[0] = s0;
      z[1] = s1;
      z[2] = s2;
      z[3] = s3;
    }
  }

  static void mul(long[] z, long[] x, long[] y) {
    long x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    long t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; i++) {
      long yi = y[i];
      long lo, hi, s, a, c;
      // (A, t0) = t0 + x0*yi
      lo = x0 * yi;
      hi = unsignedMultiplyHigh(x0, yi);
      s = lo + t0;
      a = hi + carry(lo, t0, s);
      t0 = s;
      long m = t0 * QINV_NEG;
      // (C, _) = t0 + m*q0
      lo = m * Q0;
      hi = unsignedMultiplyHigh(m, Q0);
      s = lo + t0;
      c = hi + carry(lo, t0, s);
      // j = 1: (A, t1) = t1 + x1*yi + A ; (C, t0) = t1 + m*q1 + C
      lo = x1 * yi;
      hi = unsignedMultiplyHigh(x1, yi);
      s = lo + t1;
      hi += carry(lo, t1, s);
      lo = s + a;
      a = hi + carry(s, a, lo);
      t1 = lo;
      lo = m * Q1;
      hi = unsignedMultiplyHigh(m, Q1);
      s = lo + t1;
      hi += carry(lo, t1, s);
      lo = s + c;
      c = hi + carry(s, c, lo);
      t0 = lo;
      // j = 2
      lo = x2 * yi;
      hi = unsignedMultiplyHigh(x2, yi);
      s = lo + t2;
      hi += carry(lo, t2, s);
      lo = s + a;
      a = hi + carry(s, a, lo);
      t2 = lo;
      lo = m * Q2;
      hi = unsignedMultiplyHigh(m, Q2);
      s = lo + t2;
      hi += carry(lo, t2, s);
      lo = s + c;
      c = hi + carry(s, c, lo);
      t1 = lo;
      // j = 3
      lo = x3 * yi;
      hi = unsignedMultiplyHigh(x3, yi);
      s = lo + t3;
      hi += carry(lo, t3, s);
      lo = s + a;
      a = hi + carry(s, a, lo);
      t3 = lo;
      lo = m * Q3;
      hi = unsignedMultiplyHigh(m, Q3);
      s = lo + t3;
      hi += carry(lo, t3, s);
      lo = s + c;
      c = hi + carry(s, c, lo);
      t2 = lo;
      // t3 = C + A (no carry: r's top limb < 2^63 - 1)
      t3 = c + a;
    }
    reduceOnce(z, t0, t1, t2, t3);
  }

  static void pow5(long[] z, long[] x, long[] scratch) {
    mul(scratch, x, x);
    mul(scratch, scratch, scratch);
    mul(z, scratch, x);
  }

  /** out = compress(l, r), allocating the permutation state as before. */
  static void compressMont(long[] out, long[] l, long[] r) {
    long[] s0 = l.clone();
    long[] s1 = r.clone();
    permuteMont(s0, s1, new long[4]);
    FrMont.add(out, s1, r);
  }

  static void permuteMont(long[] s0, long[] s1, long[] tmp) {
    external(s0, s1, tmp);
    int half = Poseidon2.FULL_ROUNDS / 2;
    for (int i = 0; i < half; i++) {
      fullRound(i, s0, s1, tmp);
    }
    for (int i = half; i < half + Poseidon2.PARTIAL_ROUNDS; i++) {
      FrMont.add(s0, s0, RK[i][0]);
      pow5(s0, s0, tmp);
      FrMont.add(tmp, s0, s1);
      FrMont.add(s0, s0, tmp);
      FrMont.dbl(s1, s1);
      FrMont.add(s1, s1, tmp);
    }
    for (int i = half + Poseidon2.PARTIAL_ROUNDS;
        i < Poseidon2.FULL_ROUNDS + Poseidon2.PARTIAL_ROUNDS;
        i++) {
      fullRound(i, s0, s1, tmp);
    }
  }

  private static final long[][][] RK =
      new long[Poseidon2.FULL_ROUNDS + Poseidon2.PARTIAL_ROUNDS][][];

  static {
    for (int i = 0; i < RK.length; i++) {
      int w = (i < 3 || i >= 3 + Poseidon2.PARTIAL_ROUNDS) ? 2 : 1;
      RK[i] = new long[w][];
      for (int j = 0; j < w; j++) {
        RK[i][j] = FrMont.toMont(Poseidon2.roundKey(i, j));
      }
    }
  }

  private static void fullRound(int i, long[] s0, long[] s1, long[] tmp) {
    FrMont.add(s0, s0, RK[i][0]);
    FrMont.add(s1, s1, RK[i][1]);
    pow5(s0, s0, tmp);
    pow5(s1, s1, tmp);
    external(s0, s1, tmp);
  }

  private static void external(long[] s0, long[] s1, long[] tmp) {
    FrMont.add(tmp, s0, s1);
    FrMont.add(s0, s0, tmp);
    FrMont.add(s1, s1, tmp);
  }

  /** The old tree's update and read path (set, then flush everything at the first read). */
  static final class Tree {
    private final int depth;
    private final Map<Long, long[]>[] levels;
    private final Set<Long> dirty = new HashSet<>();
    private final long[][] zero;

    @SuppressWarnings("unchecked")
    Tree(int depth) {
      this.depth = depth;
      this.levels = new Map[depth + 1];
      this.zero = new long[depth + 1][];
      zero[0] = new long[4];
      for (int k = 0; k <= depth; k++) {
        levels[k] = new HashMap<>();
        if (k > 0) {
          zero[k] = new long[4];
          compressMont(zero[k], zero[k - 1], zero[k - 1]);
        }
      }
    }

    void setMont(long index, long[] leafMont) {
      if (FrMont.isZero(leafMont)) {
        levels[0].remove(index);
      } else {
        levels[0].put(index, leafMont.clone());
      }
      dirty.add(index);
    }

    long[] rootMont() {
      flush();
      return node(depth, 0);
    }

    long[][] pathMont(long index) {
      flush();
      long[][] out = new long[depth][];
      for (int k = 0; k < depth; k++) {
        out[k] = node(k, (index >>> k) ^ 1);
      }
      return out;
    }

    private long[] node(int level, long idx) {
      long[] v = levels[level].get(idx);
      return v != null ? v : zero[level];
    }

    private void flush() {
      if (dirty.isEmpty()) {
        return;
      }
      Set<Long> current = new HashSet<>(dirty);
      for (int k = 0; k < depth; k++) {
        Set<Long> parents = new HashSet<>();
        for (long idx : current) {
          parents.add(idx >>> 1);
        }
        Map<Long, long[]> up = levels[k + 1];
        for (long p : parents) {
          long[] h = new long[4];
          compressMont(h, node(k, 2 * p), node(k, 2 * p + 1));
          if (Arrays.equals(h, zero[k + 1])) {
            up.remove(p);
          } else {
            up.put(p, h);
          }
        }
        current = parents;
      }
      dirty.clear();
    }
  }
}
