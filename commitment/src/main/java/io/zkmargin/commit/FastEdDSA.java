package io.zkmargin.commit;

import java.math.BigInteger;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fast verifier of {@link EdDSA} signatures: the same checks and exactly the same verdict as
 * {@link EdDSA#verify} (A on the curve, not the identity, in the prime subgroup; R on the curve;
 * {@code 0 <= S < l}; {@code 8*S*B == 8*(R + h*A)} with {@code h = hashMD(R.x, R.y, A.x, A.y, m)}),
 * computed on Montgomery limbs ({@link FrMont}) instead of {@link BigInteger}:
 *
 * <ul>
 *   <li>points in extended twisted Edwards coordinates with the complete a = -1 formulas
 *       (add-2008-hwcd-3, dbl-2008-hwcd): no inversion until the final identity test, which needs
 *       none ({@code X == 0, Y == Z});
 *   <li>{@code S*B} from a fixed-base table of {@code j * 16^i * B} (64 x 15 affine points, built
 *       once): 63 mixed additions, no doubling;
 *   <li>{@code h*A} by 4-bit windows (252 doublings, 64 additions);
 *   <li>the subgroup check {@code l*A == O} of a public key is cached (a bounded set of keys found
 *       in the subgroup: the verdict is a pure function of the key, so a cache cannot change it).
 * </ul>
 *
 * Thread-safe (scratch is per call). Not constant time: verification handles public data only.
 */
public final class FastEdDSA {
  private static final long[] ONE = FrMont.toMont(BigInteger.ONE);
  private static final long[] D = FrMont.toMont(EdwardsPoint.D);
  private static final long[] D2 = FrMont.toMont(EdwardsPoint.D.shiftLeft(1).mod(Fr.MODULUS));
  private static final long[] ORDER_LIMBS = FrMont.bigToLimbs(EdwardsPoint.ORDER);

  /** BASE_TABLE[i][j] = j * 16^i * B as affine precomputed points (j = 1..15; j = 0 unused). */
  private static final Cached[][] BASE_TABLE = baseTable();

  private static final int SUBGROUP_CACHE_LIMIT = 1 << 16;
  private static final ConcurrentHashMap<EdwardsPoint, Boolean> SUBGROUP =
      new ConcurrentHashMap<>();

  private FastEdDSA() {}

  /**
   * Verifies a signature; the verdict of {@link EdDSA#verify} for every input.
   *
   * @param publicKey the signer's public key, not null
   * @param message the message, a field element in {@code [0, r)}
   * @param signature the signature, not null
   * @return true iff the signature is valid (false, never an exception, for a malformed key or
   *     signature)
   * @throws IllegalArgumentException if an argument is null or the message is not a field element
   */
  public static boolean verify(
      EdwardsPoint publicKey, BigInteger message, EdDSA.Signature signature) {
    if (publicKey == null || signature == null) {
      throw new IllegalArgumentException("public key and signature must not be null");
    }
    Fr.requireElement(message, "message");
    BigInteger s = signature.s();
    if (s.signum() < 0 || s.compareTo(EdwardsPoint.ORDER) >= 0) {
      return false;
    }
    Scratch w = new Scratch();
    long[] ax = FrMont.toMont(publicKey.x());
    long[] ay = FrMont.toMont(publicKey.y());
    if (!onCurve(ax, ay, w)
        || (publicKey.x().signum() == 0 && publicKey.y().equals(BigInteger.ONE))) {
      return false;
    }
    EdwardsPoint r = signature.r();
    long[] rx = FrMont.toMont(r.x());
    long[] ry = FrMont.toMont(r.y());
    if (!onCurve(rx, ry, w)) {
      return false;
    }
    Ext a = Ext.affine(ax, ay);
    if (!inSubgroup(publicKey, a, w)) {
      return false;
    }
    long[] hm = Poseidon2.hashMDMont(rx, ry, ax, ay, FrMont.toMont(message));
    long[] h = new long[4];
    FrMont.fromMontLimbs(h, hm);
    // q = h*A + R
    Ext q = multiply(a, h, w);
    add(q, q, Cached.of(Ext.affine(rx, ry), w), w);
    // p = S*B - q; valid iff 8*p is the identity
    Ext p = baseMultiply(FrMont.bigToLimbs(s), w);
    negate(q);
    add(p, p, Cached.of(q, w), w);
    dbl(p, p, w);
    dbl(p, p, w);
    dbl(p, p, w);
    return FrMont.isZero(p.x) && java.util.Arrays.equals(p.y, p.z);
  }

  /**
   * True iff the point is on the curve and {@code l * p} is the identity (the check {@link #verify}
   * caches per key), uncached: e.g. for registering a key once.
   *
   * @param p a point, not null
   */
  public static boolean inPrimeSubgroup(EdwardsPoint p) {
    if (p == null) {
      throw new IllegalArgumentException("point must not be null");
    }
    Scratch w = new Scratch();
    long[] x = FrMont.toMont(p.x());
    long[] y = FrMont.toMont(p.y());
    if (!onCurve(x, y, w)) {
      return false;
    }
    Ext la = multiply(Ext.affine(x, y), ORDER_LIMBS, w);
    return FrMont.isZero(la.x) && java.util.Arrays.equals(la.y, la.z);
  }

  private static boolean inSubgroup(EdwardsPoint key, Ext a, Scratch w) {
    Boolean known = SUBGROUP.get(key);
    if (known != null) {
      return known;
    }
    Ext la = multiply(a, ORDER_LIMBS, w);
    boolean in = FrMont.isZero(la.x) && java.util.Arrays.equals(la.y, la.z);
    if (SUBGROUP.size() >= SUBGROUP_CACHE_LIMIT) {
      SUBGROUP.clear();
    }
    SUBGROUP.put(key, in);
    return in;
  }

  /** a x^2 + y^2 == 1 + d x^2 y^2 with a = -1. */
  private static boolean onCurve(long[] x, long[] y, Scratch w) {
    long[] x2 = w.t0;
    long[] y2 = w.t1;
    long[] lhs = w.t2;
    long[] rhs = w.t3;
    FrMont.mul(x2, x, x);
    FrMont.mul(y2, y, y);
    FrMont.sub(lhs, y2, x2);
    FrMont.mul(rhs, x2, y2);
    FrMont.mul(rhs, rhs, D);
    FrMont.add(rhs, rhs, ONE);
    return java.util.Arrays.equals(lhs, rhs);
  }

  /** k * p by 4-bit windows, k as canonical little-endian limbs. */
  private static Ext multiply(Ext p, long[] k, Scratch w) {
    Cached[] table = new Cached[16];
    Ext m = p.copy();
    table[1] = Cached.of(m, w);
    for (int j = 2; j < 16; j++) {
      add(m, m, table[1], w);
      table[j] = Cached.of(m, w);
    }
    Ext acc = Ext.identity();
    boolean started = false;
    for (int i = 63; i >= 0; i--) {
      if (started) {
        dbl(acc, acc, w);
        dbl(acc, acc, w);
        dbl(acc, acc, w);
        dbl(acc, acc, w);
      }
      int n = nibble(k, i);
      if (n != 0) {
        add(acc, acc, table[n], w);
        started = true;
      }
    }
    return acc;
  }

  /** k * B from the fixed-base table, k < 2^256. */
  private static Ext baseMultiply(long[] k, Scratch w) {
    Ext acc = Ext.identity();
    for (int i = 0; i < 64; i++) {
      int n = nibble(k, i);
      if (n != 0) {
        add(acc, acc, BASE_TABLE[i][n], w);
      }
    }
    return acc;
  }

  private static int nibble(long[] k, int i) {
    return (int) ((k[i >>> 4] >>> ((i & 15) << 2)) & 15);
  }

  private static Cached[][] baseTable() {
    Cached[][] t = new Cached[64][16];
    Scratch w = new Scratch();
    EdwardsPoint row = EdwardsPoint.BASE;
    for (int i = 0; i < 64; i++) {
      EdwardsPoint p = row;
      for (int j = 1; j < 16; j++) {
        t[i][j] = Cached.of(Ext.affine(FrMont.toMont(p.x()), FrMont.toMont(p.y())), w);
        p = p.add(row);
      }
      row = p; // 16 * row
    }
    return t;
  }

  /** r = p + q (add-2008-hwcd-3, a = -1, complete); r may alias p. */
  private static void add(Ext r, Ext p, Cached q, Scratch w) {
    long[] a = w.t0;
    long[] b = w.t1;
    long[] c = w.t2;
    long[] d = w.t3;
    long[] e = w.t4;
    FrMont.sub(a, p.y, p.x);
    FrMont.mul(a, a, q.ymx);
    FrMont.add(b, p.y, p.x);
    FrMont.mul(b, b, q.ypx);
    FrMont.mul(c, p.t, q.t2d);
    FrMont.mul(d, p.z, q.z2);
    FrMont.sub(e, b, a); // E
    FrMont.add(b, b, a); // H
    FrMont.sub(a, d, c); // F
    FrMont.add(d, d, c); // G
    FrMont.mul(r.x, e, a);
    FrMont.mul(r.y, d, b);
    FrMont.mul(r.t, e, b);
    FrMont.mul(r.z, a, d);
  }

  /** r = 2p (dbl-2008-hwcd, a = -1); r may alias p. */
  private static void dbl(Ext r, Ext p, Scratch w) {
    long[] a = w.t0;
    long[] b = w.t1;
    long[] c = w.t2;
    long[] e = w.t3;
    long[] g = w.t4;
    FrMont.mul(a, p.x, p.x);
    FrMont.mul(b, p.y, p.y);
    FrMont.mul(c, p.z, p.z);
    FrMont.dbl(c, c);
    FrMont.add(e, p.x, p.y);
    FrMont.mul(e, e, e);
    FrMont.sub(e, e, a);
    FrMont.sub(e, e, b); // E = (X+Y)^2 - A - B
    FrMont.sub(g, b, a); // G = B - A (D = -A)
    FrMont.add(b, a, b); // -H = A + B
    FrMont.sub(a, g, c); // F = G - C
    FrMont.mul(r.x, e, a); // X3 = E F
    FrMont.mul(r.z, a, g); // Z3 = F G
    FrMont.mul(r.t, e, b); // -T3
    FrMont.mul(r.y, g, b); // -Y3
    negateInPlace(r.t);
    negateInPlace(r.y);
  }

  private static final long[] ZERO = new long[4];

  private static void negateInPlace(long[] x) {
    FrMont.sub(x, ZERO, x);
  }

  private static void negate(Ext p) {
    negateInPlace(p.x);
    negateInPlace(p.t);
  }

  /** Per-call temporaries. */
  private static final class Scratch {
    final long[] t0 = new long[4];
    final long[] t1 = new long[4];
    final long[] t2 = new long[4];
    final long[] t3 = new long[4];
    final long[] t4 = new long[4];
  }

  /** Extended coordinates (X:Y:T:Z), x = X/Z, y = Y/Z, T = XY/Z, Montgomery limbs. */
  private static final class Ext {
    final long[] x = new long[4];
    final long[] y = new long[4];
    final long[] t = new long[4];
    final long[] z = new long[4];

    static Ext identity() {
      Ext e = new Ext();
      System.arraycopy(ONE, 0, e.y, 0, 4);
      System.arraycopy(ONE, 0, e.z, 0, 4);
      return e;
    }

    static Ext affine(long[] x, long[] y) {
      Ext e = new Ext();
      System.arraycopy(x, 0, e.x, 0, 4);
      System.arraycopy(y, 0, e.y, 0, 4);
      FrMont.mul(e.t, x, y);
      System.arraycopy(ONE, 0, e.z, 0, 4);
      return e;
    }

    Ext copy() {
      Ext e = new Ext();
      System.arraycopy(x, 0, e.x, 0, 4);
      System.arraycopy(y, 0, e.y, 0, 4);
      System.arraycopy(t, 0, e.t, 0, 4);
      System.arraycopy(z, 0, e.z, 0, 4);
      return e;
    }
  }

  /** A point prepared for addition: (Y - X, Y + X, 2d T, 2 Z). */
  private static final class Cached {
    final long[] ymx = new long[4];
    final long[] ypx = new long[4];
    final long[] t2d = new long[4];
    final long[] z2 = new long[4];

    static Cached of(Ext p, Scratch w) {
      Cached c = new Cached();
      FrMont.sub(c.ymx, p.y, p.x);
      FrMont.add(c.ypx, p.y, p.x);
      FrMont.mul(c.t2d, p.t, D2);
      FrMont.dbl(c.z2, p.z);
      return c;
    }
  }
}
