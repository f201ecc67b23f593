package io.zkmargin.trading;

/**
 * One side of one book: price levels in a sorted array, best level last (so taking the best level
 * and adding near it move little), each a FIFO of order handles linked through the engine's arrays.
 * Keys are prices for bids and negated prices for asks, so both sides sort ascending with the best
 * (highest key) last.
 */
final class BookSide {
  long[] keys = new long[16];
  int[] head = new int[16];
  int[] tail = new int[16];
  long[] volume = new long[16];
  int[] count = new int[16];
  int n;

  /** Index of the level with this key, or -(insertion point) - 1. */
  int find(long key) {
    int lo = 0;
    int hi = n - 1;
    // most activity is near the best level (the end): check it first
    if (n > 0 && keys[n - 1] == key) {
      return n - 1;
    }
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long k = keys[mid];
      if (k < key) {
        lo = mid + 1;
      } else if (k > key) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /** Inserts an empty level at {@code at}, shifting the worse... better levels up. */
  int insert(int at, long key) {
    if (n == keys.length) {
      int cap = n * 2;
      keys = java.util.Arrays.copyOf(keys, cap);
      head = java.util.Arrays.copyOf(head, cap);
      tail = java.util.Arrays.copyOf(tail, cap);
      volume = java.util.Arrays.copyOf(volume, cap);
      count = java.util.Arrays.copyOf(count, cap);
    }
    int move = n - at;
    if (move > 0) {
      System.arraycopy(keys, at, keys, at + 1, move);
      System.arraycopy(head, at, head, at + 1, move);
      System.arraycopy(tail, at, tail, at + 1, move);
      System.arraycopy(volume, at, volume, at + 1, move);
      System.arraycopy(count, at, count, at + 1, move);
    }
    keys[at] = key;
    head[at] = -1;
    tail[at] = -1;
    volume[at] = 0;
    count[at] = 0;
    n++;
    return at;
  }

  void removeLevel(int at) {
    int move = n - at - 1;
    if (move > 0) {
      System.arraycopy(keys, at + 1, keys, at, move);
      System.arraycopy(head, at + 1, head, at, move);
      System.arraycopy(tail, at + 1, tail, at, move);
      System.arraycopy(volume, at + 1, volume, at, move);
      System.arraycopy(count, at + 1, count, at, move);
    }
    n--;
  }
}
