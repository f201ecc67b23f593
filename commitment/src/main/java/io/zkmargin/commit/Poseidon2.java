package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * Poseidon2 over the BN254 scalar field, bit-identical to gnark-crypto v0.21.0 {@code
 * ecc/bn254/fr/poseidon2} with its default parameters: width t = 2, 6 full rounds, 50 partial
 * rounds, S-box x^5 (see docs/ENCODING.md, "Field, hash, tree").
 *
 * <p>Round keys: {@code rnd = keccak256(seed)} with the seed {@value #SEED}; then, for every round
 * key in order (3 full rounds x 2 keys, 50 partial rounds x 1 key, 3 full rounds x 2 keys), {@code
 * rnd = keccak256(rnd)} and the key is {@code rnd} read big-endian, reduced mod r.
 *
 * <p>Permutation: external matrix {@code circ(2,1)} first; each full round adds the round keys,
 * applies x^5 to both cells and multiplies by {@code circ(2,1)}; each partial round adds its key to
 * cell 0, applies x^5 to cell 0 and multiplies by the internal matrix {@code [[2,1],[1,3]]}.
 *
 * <p>All methods are static, thread-safe and allocate only small temporaries. Field elements must
 * be canonical ({@code [0, r)}); anything else is rejected with {@link IllegalArgumentException}.
 */
public final class Poseidon2 {
  /** The seed string gnark-crypto derives the default round keys from. */
  public static final String SEED = "Poseidon2-BN254[t=2,rF=6,rP=50,d=5]";

  /** Width of the permutation. */
  public static final int WIDTH = 2;

  /** Number of full rounds (half before, half after the partial rounds). */
  public static final int FULL_ROUNDS = 6;

  /** Number of partial rounds. */
  public static final int PARTIAL_ROUNDS = 50;

  /** Round keys in Montgomery form: full rounds have 2 keys, partial rounds 1. */
  private static final long[][][] RK_MONT;

  /** Round keys as integers, for inspection and tests. */
  private static final BigInteger[][] RK;

  static {
    int rounds = FULL_ROUNDS + PARTIAL_ROUNDS;
    RK = new BigInteger[rounds][];
    RK_MONT = new long[rounds][][];
    byte[] rnd = keccak256(SEED.getBytes(StandardCharsets.US_ASCII));
    int half = FULL_ROUNDS / 2;
    for (int i = 0; i < rounds; i++) {
      int width = (i < half || i >= half + PARTIAL_ROUNDS) ? WIDTH : 1;
      RK[i] = new BigInteger[width];
      RK_MONT[i] = new long[width][];
      for (int j = 0; j < width; j++) {
        rnd = keccak256(rnd);
        RK[i][j] = new BigInteger(1, rnd).mod(Fr.MODULUS);
        RK_MONT[i][j] = FrMont.toMont(RK[i][j]);
      }
    }
  }

  private Poseidon2() {}

  /**
   * Legacy Keccak-256 (the pre-FIPS-202 padding {@code 0x01 .. 0x80}, as Ethereum and Go's {@code
   * sha3.NewLegacyKeccak256} use it; not SHA3-256), by Bouncy Castle's {@link KeccakDigest}.
   *
   * @param input the message bytes, not null (may be empty)
   * @return the 32-byte digest
   * @throws IllegalArgumentException if {@code input} is null
   */
  static byte[] keccak256(byte[] input) {
    ArgChecker.notNull(input, "input");
    KeccakDigest d = new KeccakDigest(256);
    d.update(input, 0, input.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /**
   * The round key {@code j} of round {@code round} (rounds 0..2 full, 3..52 partial with only
   * {@code j = 0}, 53..55 full), as an integer in {@code [0, r)}.
   */
  public static BigInteger roundKey(int round, int j) {
    if (round < 0 || round >= RK.length || j < 0 || j >= RK[round].length) {
      throw new IllegalArgumentException("no round key (" + round + ", " + j + ")");
    }
    return RK[round][j];
  }

  /**
   * Applies the permutation to a state of two field elements.
   *
   * @param state two field elements in {@code [0, r)}; not modified
   * @return the permuted state, a new array of two field elements
   */
  public static BigInteger[] permute(BigInteger[] state) {
    if (state == null || state.length != WIDTH) {
      throw new IllegalArgumentException("Poseidon2 state must have exactly 2 elements");
    }
    long[] s0 = FrMont.toMont(Fr.requireElement(state[0], "state[0]"));
    long[] s1 = FrMont.toMont(Fr.requireElement(state[1], "state[1]"));
    permuteMont(s0, s1, new long[4]);
    return new BigInteger[] {FrMont.fromMont(s0), FrMont.fromMont(s1)};
  }

  /**
   * gnark's 2-to-1 compression {@code permute(left, right)[1] + right}.
   *
   * @param left field element in {@code [0, r)}
   * @param right field element in {@code [0, r)}
   * @return the compression, in {@code [0, r)}
   */
  public static BigInteger compress(BigInteger left, BigInteger right) {
    long[] out = new long[4];
    compressMont(
        out,
        FrMont.toMont(Fr.requireElement(left, "left")),
        FrMont.toMont(Fr.requireElement(right, "right")));
    return FrMont.fromMont(out);
  }

  /**
   * Merkle-Damgard hash with IV 0 (gnark's {@code NewMerkleDamgardHasher}): {@code s = 0; for x: s
   * = compress(s, x)}. No length padding: the empty input hashes to 0.
   *
   * @param xs field elements in {@code [0, r)}
   * @return the digest, in {@code [0, r)}
   */
  public static BigInteger hashMD(BigInteger... xs) {
    ArgChecker.notNull(xs, "inputs");
    long[][] m = new long[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      m[i] = FrMont.toMont(Fr.requireElement(xs[i], "input " + i));
    }
    return FrMont.fromMont(hashMDMont(m));
  }

  /**
   * {@link #hashMD} continued from a chaining value: {@code hashMDFrom(hashMD(a...), b...) ==
   * hashMD(a..., b...)}. Lets a caller that hashes many inputs with a common prefix (an account
   * leaf whose keys did not change) hash the prefix once.
   *
   * @param state the chaining value after the prefix, in {@code [0, r)}
   * @param xs the remaining field elements, in {@code [0, r)}
   * @return the digest, in {@code [0, r)}
   */
  public static BigInteger hashMDFrom(BigInteger state, BigInteger... xs) {
    ArgChecker.notNull(xs, "inputs");
    long[] s = FrMont.toMont(Fr.requireElement(state, "state"));
    for (int i = 0; i < xs.length; i++) {
      compressMont(s, s, FrMont.toMont(Fr.requireElement(xs[i], "input " + i)));
    }
    return FrMont.fromMont(s);
  }

  /** Merkle-Damgard over Montgomery elements; returns a new Montgomery element. */
  static long[] hashMDMont(long[]... xs) {
    long[] s = new long[4];
    for (long[] x : xs) {
      compressMont(s, s, x);
    }
    return s;
  }

  /**
   * Per-thread state of a permutation (s0, s1, tmp): the trees call {@link #compressMont} tens of
   * times per leaf update, so it allocates nothing.
   */
  private static final ThreadLocal<long[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new long[3][4]);

  /** out = compress(l, r) on Montgomery elements; out may alias l or r. Allocation free. */
  static void compressMont(long[] out, long[] l, long[] r) {
    long[][] w = SCRATCH.get();
    long[] s0 = w[0];
    long[] s1 = w[1];
    System.arraycopy(l, 0, s0, 0, 4);
    System.arraycopy(r, 0, s1, 0, 4);
    permuteMont(s0, s1, w[2]);
    FrMont.add(out, s1, r);
  }

  /** In-place permutation of the Montgomery state (s0, s1). */
  static void permuteMont(long[] s0, long[] s1, long[] tmp) {
    external(s0, s1, tmp);
    int half = FULL_ROUNDS / 2;
    for (int i = 0; i < half; i++) {
      fullRound(i, s0, s1, tmp);
    }
    for (int i = half; i < half + PARTIAL_ROUNDS; i++) {
      FrMont.add(s0, s0, RK_MONT[i][0]);
      FrMont.pow5(s0, s0, tmp);
      // internal [[2,1],[1,3]]: sum = s0 + s1; s0 += sum; s1 = 2 s1 + sum
      FrMont.add(tmp, s0, s1);
      FrMont.add(s0, s0, tmp);
      FrMont.dbl(s1, s1);
      FrMont.add(s1, s1, tmp);
    }
    for (int i = half + PARTIAL_ROUNDS; i < FULL_ROUNDS + PARTIAL_ROUNDS; i++) {
      fullRound(i, s0, s1, tmp);
    }
  }

  private static void fullRound(int i, long[] s0, long[] s1, long[] tmp) {
    FrMont.add(s0, s0, RK_MONT[i][0]);
    FrMont.add(s1, s1, RK_MONT[i][1]);
    FrMont.pow5(s0, s0, tmp);
    FrMont.pow5(s1, s1, tmp);
    external(s0, s1, tmp);
  }

  /** circ(2,1): tmp = s0 + s1; s0 += tmp; s1 += tmp. */
  private static void external(long[] s0, long[] s1, long[] tmp) {
    FrMont.add(tmp, s0, s1);
    FrMont.add(s0, s0, tmp);
    FrMont.add(s1, s1, tmp);
  }
}
