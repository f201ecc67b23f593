package io.zkmargin.commit;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH benchmarks of the hashing under the batch witness: one Poseidon2 compression (the plain
 * BigInteger reference, the limb code before the fast-path change, the limb code now) and depth-32
 * account-tree updates (old tree and hash vs new), run by {@link RunPoseidon2Benchmarks} (never by
 * surefire).
 */
public class Poseidon2Benchmarks {
  /** Depth of the production account tree. */
  static final int DEPTH = 32;

  /** Accounts already in the tree. */
  static final int ACCOUNTS = 1_000;

  /** Two chained field elements, Montgomery and BigInteger. */
  @State(Scope.Thread)
  public static class Pair {
    long[] l;
    long[] r;
    BigInteger lb;
    BigInteger rb;

    @Setup(Level.Trial)
    public void setUp() {
      lb = new BigInteger("123456789012345678901234567890");
      rb = Fr.MODULUS.subtract(BigInteger.valueOf(987_654_321L));
      l = FrMont.toMont(lb);
      r = FrMont.toMont(rb);
    }
  }

  /** A depth-32 tree of 1,000 accounts, old and new, and random new leaf values. */
  @State(Scope.Thread)
  public static class Trees {
    SparseMerkleTree tree;
    LegacyFastPath.Tree legacy;
    long[][] values;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      tree = new SparseMerkleTree(DEPTH);
      legacy = new LegacyFastPath.Tree(DEPTH);
      SplittableRandom rnd = new SplittableRandom(1);
      values = new long[4096][];
      for (int i = 0; i < values.length; i++) {
        values[i] = FrMont.toMont(new BigInteger(252, new java.util.Random(rnd.nextLong())));
      }
      for (int i = 0; i < ACCOUNTS; i++) {
        tree.setMont(i, values[i]);
        legacy.setMont(i, values[i]);
      }
      tree.root();
      legacy.rootMont();
    }

    long account() {
      next++;
      return (next * 7919L) % ACCOUNTS;
    }

    long[] value() {
      return values[next & (values.length - 1)];
    }
  }

  @Benchmark
  public BigInteger compressReference(Pair p) {
    p.lb = Poseidon2Reference.compress(p.lb, p.rb);
    return p.lb;
  }

  @Benchmark
  public long[] compressOld(Pair p) {
    LegacyFastPath.compressMont(p.l, p.l, p.r);
    return p.l;
  }

  @Benchmark
  public long[] compressNew(Pair p) {
    Poseidon2.compressMont(p.l, p.l, p.r);
    return p.l;
  }

  /** One leaf update of the depth-32 tree and its new root (32 compressions). */
  @Benchmark
  public long[] leafUpdateOld(Trees t) {
    t.legacy.setMont(t.account(), t.value());
    return t.legacy.rootMont();
  }

  @Benchmark
  public BigInteger leafUpdateNew(Trees t) {
    t.tree.setMont(t.account(), t.value());
    return t.tree.root();
  }

  /**
   * The batch witness's pattern for a transfer from a to b: set a's leaf, read b's path against
   * that root, set b's leaf, then the next read (here the root).
   */
  @Benchmark
  public long[] transferOld(Trees t) {
    long a = t.account();
    long b = (a + 1) % ACCOUNTS;
    t.legacy.setMont(a, t.value());
    long[][] path = t.legacy.pathMont(b);
    t.legacy.setMont(b, path[0]);
    return t.legacy.rootMont();
  }

  @Benchmark
  public BigInteger transferNew(Trees t) {
    long a = t.account();
    long b = (a + 1) % ACCOUNTS;
    t.tree.setMont(a, t.value());
    BigInteger[] path = t.tree.path(b);
    t.tree.setMont(b, FrMont.toMont(path[0]));
    return t.tree.root();
  }
}
