package io.zkmargin.trading;

import java.util.Arrays;

/**
 * Open-addressing hash map from a pair of longs to a non-negative int, without boxing (linear
 * probing; no removal: accounts are only ever added). Not thread-safe.
 */
final class PairIntMap {
  private long[] k1;
  private long[] k2;
  private int[] vals;
  private int size;
  private int mask;

  PairIntMap(int capacityPow2) {
    int cap = Integer.highestOneBit(Math.max(16, capacityPow2) - 1) << 1;
    alloc(cap);
  }

  private void alloc(int cap) {
    k1 = new long[cap];
    k2 = new long[cap];
    vals = new int[cap];
    Arrays.fill(vals, -1);
    mask = cap - 1;
    size = 0;
  }

  private static int hash(long a, long b) {
    long h = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 32));
  }

  /** The value, or -1. */
  int get(long a, long b) {
    int i = hash(a, b) & mask;
    while (vals[i] >= 0) {
      if (k1[i] == a && k2[i] == b) {
        return vals[i];
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  void put(long a, long b, int v) {
    if ((size + 1) * 2 > mask + 1) {
      grow();
    }
    int i = hash(a, b) & mask;
    while (vals[i] >= 0) {
      if (k1[i] == a && k2[i] == b) {
        vals[i] = v;
        return;
      }
      i = (i + 1) & mask;
    }
    k1[i] = a;
    k2[i] = b;
    vals[i] = v;
    size++;
  }

  private void grow() {
    long[] o1 = k1;
    long[] o2 = k2;
    int[] ov = vals;
    alloc((mask + 1) * 2);
    for (int i = 0; i < ov.length; i++) {
      if (ov[i] >= 0) {
        put(o1[i], o2[i], ov[i]);
      }
    }
  }
}
