package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A sparse binary Merkle tree of Poseidon2 compressions (docs/ENCODING.md, "Field, hash, tree").
 *
 * <p>Depth {@code d} in {@code [1, 32]}, leaf indices in {@code [0, 2^d)}. At level k (k = 0 at the
 * leaves) bit k of the index says whether a node is a left (0) or right (1) child; {@code parent =
 * compress(left, right)}. An absent leaf is 0 and an empty subtree of height k hashes to {@code
 * z_k} ({@code z_0 = 0, z_{k+1} = compress(z_k, z_k)}). Only nodes that differ from the empty
 * subtree are stored. Updates are lazy, node by node: {@link #set} records the leaf and marks its
 * ancestors stale; {@link #root} and {@link #path} rehash only the stale nodes they read. A path
 * read between two updates (the batch witness opens the second account of a transfer against the
 * root after the first one's update) thus rehashes the first leaf's ancestors only up to where the
 * two paths meet, not up to the root, which the next read rehashes once for both.
 *
 * <p>Not thread-safe: callers that share a tree must synchronize.
 */
public final class SparseMerkleTree {
  /** Largest supported depth. */
  public static final int MAX_DEPTH = 32;

  private static final long[][] ZERO_MONT = new long[MAX_DEPTH + 1][];
  private static final BigInteger[] ZERO = new BigInteger[MAX_DEPTH + 1];

  static {
    ZERO_MONT[0] = new long[4];
    for (int k = 0; k < MAX_DEPTH; k++) {
      long[] z = new long[4];
      Poseidon2.compressMont(z, ZERO_MONT[k], ZERO_MONT[k]);
      ZERO_MONT[k + 1] = z;
    }
    for (int k = 0; k <= MAX_DEPTH; k++) {
      ZERO[k] = FrMont.fromMont(ZERO_MONT[k]);
    }
  }

  private final int depth;

  /** levels[k]: non-empty nodes at level k (0 = leaves), Montgomery form. */
  private final Map<Long, long[]>[] levels;

  /**
   * stale[k]: nodes at level k (k >= 1) whose stored value predates a leaf update below them.
   * Closed upwards: a stale node's ancestors are stale (a set marks the whole path; rehashing a
   * node rehashes its stale descendants first).
   */
  private final Set<Long>[] stale;

  /**
   * Creates an empty tree.
   *
   * @param depth number of levels below the root, in {@code [1, 32]}
   */
  @SuppressWarnings("unchecked")
  public SparseMerkleTree(int depth) {
    ArgChecker.inRange(depth, 1, MAX_DEPTH, "tree depth");
    this.depth = depth;
    this.levels = new Map[depth + 1];
    this.stale = new Set[depth + 1];
    for (int k = 0; k <= depth; k++) {
      levels[k] = new HashMap<>();
      stale[k] = new HashSet<>();
    }
  }

  /** The root of an empty subtree of height {@code k} ({@code z_k}), {@code 0 <= k <= 32}. */
  public static BigInteger emptyRoot(int k) {
    ArgChecker.inRange(k, 0, MAX_DEPTH, "height");
    return ZERO[k];
  }

  /** The depth d of this tree. */
  public int depth() {
    return depth;
  }

  /** Number of leaf slots, {@code 2^d}. */
  public long capacity() {
    return 1L << depth;
  }

  /** Number of non-zero leaves. */
  public int size() {
    return levels[0].size();
  }

  private void checkIndex(long index) {
    if (index < 0 || index >= capacity()) {
      throw new IllegalArgumentException(
          "leaf index " + index + " is outside [0, 2^" + depth + ") = [0, " + capacity() + ")");
    }
  }

  /**
   * Sets leaf {@code index} to {@code leafHash} (0 clears it).
   *
   * @param index leaf index in {@code [0, 2^d)}
   * @param leafHash field element in {@code [0, r)}
   */
  public void set(long index, BigInteger leafHash) {
    checkIndex(index);
    Fr.requireElement(leafHash, "leaf hash");
    setMont(index, FrMont.toMont(leafHash));
  }

  void setMont(long index, long[] leafMont) {
    if (FrMont.isZero(leafMont)) {
      levels[0].remove(index);
    } else {
      levels[0].put(index, leafMont.clone());
    }
    for (int k = 1; k <= depth; k++) {
      if (!stale[k].add(index >>> k)) {
        break; // already stale, and so are its ancestors
      }
    }
  }

  /** The leaf at {@code index} (0 if absent); index in {@code [0, 2^d)}. */
  public BigInteger get(long index) {
    checkIndex(index);
    long[] v = levels[0].get(index);
    return v == null ? BigInteger.ZERO : FrMont.fromMont(v);
  }

  /** The root of the tree, in {@code [0, r)}. */
  public BigInteger root() {
    return FrMont.fromMont(node(depth, 0));
  }

  /**
   * The authentication path of leaf {@code index}: d siblings, leaf level first.
   *
   * @param index leaf index in {@code [0, 2^d)} (an absent leaf has a path too: a non-membership
   *     proof)
   * @return a new array of d field elements
   */
  public BigInteger[] path(long index) {
    checkIndex(index);
    BigInteger[] out = new BigInteger[depth];
    long idx = index;
    for (int k = 0; k < depth; k++) {
      out[k] = FrMont.fromMont(node(k, idx ^ 1));
      idx >>>= 1;
    }
    return out;
  }

  /**
   * Recomputes a root from a leaf, its index and its path.
   *
   * @param leaf leaf value in {@code [0, r)}
   * @param index leaf index in {@code [0, 2^path.length)}
   * @param path siblings, leaf level first; length d in {@code [1, 32]}
   * @return the root implied by the path
   */
  public static BigInteger computeRoot(BigInteger leaf, long index, BigInteger[] path) {
    if (path == null || path.length < 1 || path.length > MAX_DEPTH) {
      throw new IllegalArgumentException("path length must be in [1, " + MAX_DEPTH + "]");
    }
    ArgChecker.isTrue(
        index >= 0 && index < (1L << path.length),
        "leaf index {} is outside [0, 2^{})",
        index,
        path.length);
    long[] h = FrMont.toMont(Fr.requireElement(leaf, "leaf"));
    long idx = index;
    for (int k = 0; k < path.length; k++) {
      long[] sib = FrMont.toMont(Fr.requireElement(path[k], "path[" + k + "]"));
      if ((idx & 1) == 0) {
        Poseidon2.compressMont(h, h, sib);
      } else {
        Poseidon2.compressMont(h, sib, h);
      }
      idx >>>= 1;
    }
    return FrMont.fromMont(h);
  }

  /** True iff {@link #computeRoot}(leaf, index, path) equals {@code root}; same argument checks. */
  public static boolean verify(BigInteger root, BigInteger leaf, long index, BigInteger[] path) {
    Fr.requireElement(root, "root");
    return computeRoot(leaf, index, path).equals(root);
  }

  /** The node (Montgomery form; not to be modified), rehashed first if stale. */
  private long[] node(int level, long idx) {
    if (level > 0 && stale[level].remove(idx)) {
      long[] h = new long[4];
      Poseidon2.compressMont(h, node(level - 1, 2 * idx), node(level - 1, 2 * idx + 1));
      if (Arrays.equals(h, ZERO_MONT[level])) {
        levels[level].remove(idx);
        return ZERO_MONT[level];
      }
      levels[level].put(idx, h);
      return h;
    }
    long[] v = levels[level].get(idx);
    return v != null ? v : ZERO_MONT[level];
  }
}
