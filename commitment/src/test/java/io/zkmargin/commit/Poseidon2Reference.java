package io.zkmargin.commit;

import java.math.BigInteger;

/**
 * Poseidon2 and the sparse Merkle tree written the plain way, on {@link BigInteger} with a {@code
 * mod r} after every operation, straight from the description in {@link Poseidon2} and
 * docs/ENCODING.md: the reference the Montgomery-limb code ({@link FrMont}, {@link Poseidon2},
 * {@link SparseMerkleTree}) is checked against by {@code FastPathPropertyTest}, and the
 * "BigInteger" row of {@code Poseidon2Benchmarks}. Shares nothing with the fast path but the round
 * keys (themselves checked against gnark by {@code Poseidon2Test}).
 */
final class Poseidon2Reference {
  private static final BigInteger R = Fr.MODULUS;
  private static final BigInteger FIVE = BigInteger.valueOf(5);

  private Poseidon2Reference() {}

  /** The permutation of (s0, s1). */
  static BigInteger[] permute(BigInteger s0, BigInteger s1) {
    BigInteger[] s = {s0, s1};
    external(s);
    int half = Poseidon2.FULL_ROUNDS / 2;
    int rounds = Poseidon2.FULL_ROUNDS + Poseidon2.PARTIAL_ROUNDS;
    for (int i = 0; i < rounds; i++) {
      if (i < half || i >= half + Poseidon2.PARTIAL_ROUNDS) {
        s[0] = s[0].add(Poseidon2.roundKey(i, 0)).mod(R).modPow(FIVE, R);
        s[1] = s[1].add(Poseidon2.roundKey(i, 1)).mod(R).modPow(FIVE, R);
        external(s);
      } else {
        s[0] = s[0].add(Poseidon2.roundKey(i, 0)).mod(R).modPow(FIVE, R);
        // internal matrix [[2, 1], [1, 3]]
        BigInteger a = s[0].shiftLeft(1).add(s[1]).mod(R);
        BigInteger b = s[0].add(s[1].multiply(BigInteger.valueOf(3))).mod(R);
        s[0] = a;
        s[1] = b;
      }
    }
    return s;
  }

  /** External matrix circ(2, 1) = [[2, 1], [1, 2]]. */
  private static void external(BigInteger[] s) {
    BigInteger a = s[0].shiftLeft(1).add(s[1]).mod(R);
    BigInteger b = s[0].add(s[1].shiftLeft(1)).mod(R);
    s[0] = a;
    s[1] = b;
  }

  /** compress(l, r) = permute(l, r)[1] + r. */
  static BigInteger compress(BigInteger l, BigInteger r) {
    return permute(l, r)[1].add(r).mod(R);
  }

  /** Root of a depth-d tree from a leaf, its index and its path (leaf level first). */
  static BigInteger root(BigInteger leaf, long index, BigInteger[] path) {
    BigInteger h = leaf;
    for (int k = 0; k < path.length; k++) {
      h = ((index >>> k) & 1) == 0 ? compress(h, path[k]) : compress(path[k], h);
    }
    return h;
  }
}
