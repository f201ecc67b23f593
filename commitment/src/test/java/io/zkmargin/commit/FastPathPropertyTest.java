package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Montgomery-limb path (FrMont's unrolled product, the allocation-free Poseidon2, the lazily
 * rehashed SparseMerkleTree) against the plain BigInteger reference ({@link Poseidon2Reference}) on
 * random and edge inputs; the reference itself against the checked-in vectors.
 */
class FastPathPropertyTest {
  private static final BigInteger R = Fr.MODULUS;
  private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

  /** Random field elements, a quarter of them with limbs of all zeros or all ones (carry edges). */
  private static BigInteger element(SplittableRandom rnd) {
    int kind = rnd.nextInt(8);
    if (kind == 0) {
      BigInteger[] edges = {
        BigInteger.ZERO,
        BigInteger.ONE,
        R.subtract(BigInteger.ONE),
        R.subtract(BigInteger.TWO),
        TWO64.subtract(BigInteger.ONE),
        TWO64,
        BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE),
        BigInteger.ONE.shiftLeft(192).subtract(BigInteger.ONE),
        BigInteger.ONE.shiftLeft(253),
        R.shiftRight(1)
      };
      return edges[rnd.nextInt(edges.length)];
    }
    if (kind == 1) {
      BigInteger x = BigInteger.ZERO;
      for (int i = 0; i < 4; i++) {
        long limb = rnd.nextBoolean() ? -1L : rnd.nextBoolean() ? 0L : rnd.nextLong();
        x = x.shiftLeft(64).add(new BigInteger(Long.toUnsignedString(limb)));
      }
      return x.mod(R);
    }
    byte[] b = new byte[32];
    rnd.nextBytes(b);
    return new BigInteger(1, b).mod(R);
  }

  @Test
  void montgomeryProductMatchesBigIntegerOnEdgeLimbs() {
    SplittableRandom rnd = new SplittableRandom(91);
    long[] z = new long[4];
    for (int i = 0; i < 10_000; i++) {
      BigInteger x = element(rnd);
      BigInteger y = element(rnd);
      long[] xm = FrMont.toMont(x);
      long[] ym = FrMont.toMont(y);
      FrMont.mul(z, xm, ym);
      assertEquals(x.multiply(y).mod(R), FrMont.fromMont(z), x + " * " + y);
      FrMont.mul(xm, xm, xm); // aliasing
      assertEquals(x.multiply(x).mod(R), FrMont.fromMont(xm), x + "^2");
      FrMont.sub(z, ym, FrMont.toMont(x));
      assertEquals(y.subtract(x).mod(R), FrMont.fromMont(z));
    }
  }

  @Test
  void poseidon2MatchesTheBigIntegerReference() {
    SplittableRandom rnd = new SplittableRandom(92);
    for (int i = 0; i < 300; i++) {
      BigInteger l = element(rnd);
      BigInteger r = element(rnd);
      assertEquals(Poseidon2Reference.compress(l, r), Poseidon2.compress(l, r), l + ", " + r);
      if (i % 10 == 0) {
        assertArrayEquals(
            Poseidon2Reference.permute(l, r), Poseidon2.permute(new BigInteger[] {l, r}));
      }
    }
  }

  /** The reference is itself right: it reproduces the checked-in gnark vectors. */
  @Test
  void referenceReproducesTheVectors() throws IOException {
    JsonNode p2 =
        new ObjectMapper()
            .readTree(Files.readString(RepoRoot.find().resolve("test-vectors/poseidon2.json")));
    for (JsonNode c : p2.get("permute")) {
      BigInteger[] out =
          Poseidon2Reference.permute(
              new BigInteger(c.get("in").get(0).asText()),
              new BigInteger(c.get("in").get(1).asText()));
      assertEquals(c.get("out").get(0).asText(), out[0].toString());
      assertEquals(c.get("out").get(1).asText(), out[1].toString());
    }
    for (JsonNode c : p2.get("compress")) {
      assertEquals(
          c.get("out").asText(),
          Poseidon2Reference.compress(
                  new BigInteger(c.get("left").asText()), new BigInteger(c.get("right").asText()))
              .toString());
    }
  }

  /** Root of the reference tree over the given leaves (index -> value), recursively. */
  private static BigInteger referenceRoot(
      TreeMap<Long, BigInteger> leaves, int level, long idx, BigInteger[] zero) {
    long lo = idx << level;
    long hi = lo + (1L << level);
    if (leaves.subMap(lo, hi).isEmpty()) {
      return zero[level];
    }
    if (level == 0) {
      return leaves.get(idx);
    }
    return Poseidon2Reference.compress(
        referenceRoot(leaves, level - 1, 2 * idx, zero),
        referenceRoot(leaves, level - 1, 2 * idx + 1, zero));
  }

  /**
   * Depth 32, random sets and clears of leaves in a dense cluster, at both ends of the index range
   * and anywhere, interleaved with path, root and leaf reads in random order: the lazily rehashed
   * tree always agrees with a tree built afresh from the same leaves, and at checkpoints with the
   * BigInteger reference (root, and every path read recomputes the reference root).
   */
  @Test
  void lazyTreeAgreesWithFreshTreeAndReference() {
    SplittableRandom rnd = new SplittableRandom(93);
    int d = 32;
    BigInteger[] zero = new BigInteger[d + 1];
    zero[0] = BigInteger.ZERO;
    for (int k = 0; k < d; k++) {
      zero[k + 1] = Poseidon2Reference.compress(zero[k], zero[k]);
      assertEquals(zero[k + 1], SparseMerkleTree.emptyRoot(k + 1));
    }
    SparseMerkleTree tree = new SparseMerkleTree(d);
    TreeMap<Long, BigInteger> leaves = new TreeMap<>();
    List<long[]> pathsToCheck = new ArrayList<>();
    for (int step = 0; step < 120; step++) {
      long idx =
          switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextLong(16); // siblings and cousins
            case 1 -> (1L << d) - 1 - rnd.nextLong(4);
            case 2 -> rnd.nextLong(1L << d);
            default -> leaves.isEmpty() ? 5 : leaves.firstKey(); // overwrite or clear
          };
      BigInteger v = rnd.nextInt(5) == 0 ? BigInteger.ZERO : element(rnd);
      tree.set(idx, v);
      if (v.signum() == 0) {
        leaves.remove(idx);
      } else {
        leaves.put(idx, v);
      }
      if (rnd.nextBoolean()) {
        long at = rnd.nextBoolean() ? idx ^ 1 : rnd.nextLong(1L << d);
        BigInteger[] path = tree.path(at); // a read between updates: a partial rehash
        BigInteger leaf = leaves.getOrDefault(at, BigInteger.ZERO);
        assertTrue(SparseMerkleTree.verify(tree.root(), leaf, at, path), "path, step " + step);
        if (step % 20 == 0) {
          pathsToCheck.add(new long[] {at});
        }
      }
      if (step % 8 == 0) {
        assertEquals(fresh(leaves, d).root(), tree.root(), "step " + step);
      }
      if (step % 60 == 59) {
        BigInteger ref = referenceRoot(leaves, d, 0, zero);
        assertEquals(ref, tree.root(), "reference, step " + step);
        for (long[] at : pathsToCheck) {
          BigInteger leaf = leaves.getOrDefault(at[0], BigInteger.ZERO);
          assertEquals(ref, Poseidon2Reference.root(leaf, at[0], tree.path(at[0])));
        }
        pathsToCheck.clear();
      }
      assertEquals(leaves.size(), tree.size());
    }
  }

  private static SparseMerkleTree fresh(TreeMap<Long, BigInteger> leaves, int d) {
    SparseMerkleTree t = new SparseMerkleTree(d);
    leaves.forEach(t::set);
    return t;
  }
}
