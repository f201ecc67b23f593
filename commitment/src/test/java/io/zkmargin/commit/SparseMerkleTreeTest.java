package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseMerkleTreeTest {

  /** Dense reference: hash all 2^d leaves level by level. */
  private static BigInteger denseRoot(BigInteger[] leaves) {
    BigInteger[] level = leaves.clone();
    while (level.length > 1) {
      BigInteger[] up = new BigInteger[level.length / 2];
      for (int i = 0; i < up.length; i++) {
        up[i] = Poseidon2.compress(level[2 * i], level[2 * i + 1]);
      }
      level = up;
    }
    return level[0];
  }

  @Test
  void zeroHashes() {
    assertEquals(BigInteger.ZERO, SparseMerkleTree.emptyRoot(0));
    for (int k = 0; k < 32; k++) {
      BigInteger z = SparseMerkleTree.emptyRoot(k);
      assertEquals(Poseidon2.compress(z, z), SparseMerkleTree.emptyRoot(k + 1));
    }
    assertEquals(SparseMerkleTree.emptyRoot(32), new SparseMerkleTree(32).root());
    assertEquals(SparseMerkleTree.emptyRoot(5), new SparseMerkleTree(5).root());
  }

  @Test
  void matchesDenseTreeAndPathsVerify() {
    Random rnd = new Random(5);
    int d = 4;
    BigInteger[] leaves = new BigInteger[1 << d];
    java.util.Arrays.fill(leaves, BigInteger.ZERO);
    SparseMerkleTree t = new SparseMerkleTree(d);
    for (int step = 0; step < 12; step++) {
      int idx = rnd.nextInt(1 << d);
      BigInteger v = new BigInteger(253, rnd);
      leaves[idx] = v;
      t.set(idx, v);
      assertEquals(denseRoot(leaves), t.root());
    }
    BigInteger root = t.root();
    for (int i = 0; i < (1 << d); i++) {
      BigInteger[] path = t.path(i);
      assertEquals(d, path.length);
      assertEquals(leaves[i], t.get(i));
      assertTrue(SparseMerkleTree.verify(root, leaves[i], i, path));
      assertFalse(SparseMerkleTree.verify(root, leaves[i].add(BigInteger.ONE), i, path));
      assertFalse(
          SparseMerkleTree.verify(root, leaves[i], i ^ 1, path)
              && !leaves[i].equals(leaves[i ^ 1]));
    }
  }

  @Test
  void leftRightFollowsIndexBits() {
    SparseMerkleTree t = new SparseMerkleTree(2);
    BigInteger v = BigInteger.valueOf(77);
    t.set(2, v); // bits: level 0 -> left (0), level 1 -> right (1)
    BigInteger z0 = BigInteger.ZERO;
    BigInteger z1 = SparseMerkleTree.emptyRoot(1);
    BigInteger expected = Poseidon2.compress(z1, Poseidon2.compress(v, z0));
    assertEquals(expected, t.root());
    BigInteger[] path = t.path(2);
    assertEquals(z0, path[0]);
    assertEquals(z1, path[1]);
  }

  @Test
  void clearingLeavesRestoresEmptyRootAndStaysSparse() {
    SparseMerkleTree t = new SparseMerkleTree(32);
    t.set(0xFFFF_FFFFL, BigInteger.TEN);
    t.set(12345, BigInteger.TWO);
    assertEquals(2, t.size());
    t.set(0xFFFF_FFFFL, BigInteger.ZERO);
    t.set(12345, BigInteger.ZERO);
    assertEquals(0, t.size());
    assertEquals(SparseMerkleTree.emptyRoot(32), t.root());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> new SparseMerkleTree(0));
    assertThrows(IllegalArgumentException.class, () -> new SparseMerkleTree(33));
    SparseMerkleTree t = new SparseMerkleTree(6);
    assertThrows(IllegalArgumentException.class, () -> t.set(64, BigInteger.ONE));
    assertThrows(IllegalArgumentException.class, () -> t.set(-1, BigInteger.ONE));
    assertThrows(IllegalArgumentException.class, () -> t.set(1, Fr.MODULUS));
    assertThrows(IllegalArgumentException.class, () -> t.set(1, null));
    assertThrows(IllegalArgumentException.class, () -> t.path(64));
    assertThrows(IllegalArgumentException.class, () -> t.get(64));
    BigInteger[] path = t.path(3);
    assertThrows(
        IllegalArgumentException.class,
        () -> SparseMerkleTree.computeRoot(BigInteger.ONE, 64, path));
    assertThrows(
        IllegalArgumentException.class,
        () -> SparseMerkleTree.computeRoot(BigInteger.ONE, 0, new BigInteger[0]));
    assertThrows(IllegalArgumentException.class, () -> SparseMerkleTree.emptyRoot(33));
  }

  @Test
  void thousandAccountsAtDepth32() {
    Random rnd = new Random(9);
    long[] ids = new long[1000];
    BigInteger[] vals = new BigInteger[1000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rnd.nextLong() & 0xFFFF_FFFFL;
      vals[i] = new BigInteger(250, rnd);
    }
    // warm-up run
    SparseMerkleTree w = new SparseMerkleTree(32);
    for (int i = 0; i < ids.length; i++) {
      w.set(ids[i], vals[i]);
    }
    w.root();
    // a second tree, filled in reverse order, has the same root (speed is a benchmark's business,
    // not a test's)
    SparseMerkleTree t = new SparseMerkleTree(32);
    for (int i = ids.length - 1; i >= 0; i--) {
      t.set(ids[i], vals[i]);
    }
    BigInteger root = t.root();
    assertEquals(w.root(), root);
    assertTrue(SparseMerkleTree.verify(root, vals[500], ids[500], t.path(ids[500])));
  }

  @Test
  void thousandProductionLeavesHashedAndInserted() {
    CircuitSizes p = CircuitSizes.PRODUCTION;
    Random rnd = new Random(10);
    AccountLeaf[] leaves = new AccountLeaf[1000];
    long[] ids = new long[leaves.length];
    for (int i = 0; i < leaves.length; i++) {
      long[] bal = new long[p.collateralAssets()];
      long[] inst = new long[p.positionSlots()];
      long[] qty = new long[p.positionSlots()];
      long[] snap = new long[p.positionSlots()];
      for (int k = 0; k < bal.length; k++) {
        bal[k] = rnd.nextLong() >> 8;
      }
      for (int k = 0; k < qty.length; k++) {
        inst[k] = rnd.nextInt(1 << p.instrumentDepth());
        qty[k] = rnd.nextInt(2001) - 1000;
        snap[k] = rnd.nextInt();
      }
      leaves[i] =
          new AccountLeaf(
              new BigInteger(250, rnd),
              new BigInteger(250, rnd),
              i,
              i % p.tiers(),
              bal,
              inst,
              qty,
              snap);
      ids[i] = rnd.nextLong() & 0xFFFF_FFFFL;
    }
    BigInteger first = null;
    for (int rep = 0; rep < 2; rep++) {
      SparseMerkleTree t = new SparseMerkleTree(p.stateDepth());
      for (int i = 0; i < leaves.length; i++) {
        Commitments.putAccount(t, ids[i], leaves[i]);
      }
      BigInteger root = t.root();
      if (first == null) {
        first = root;
      } else {
        assertEquals(first, root);
      }
      assertTrue(SparseMerkleTree.verify(root, leaves[7].hash(), ids[7], t.path(ids[7])));
    }
  }
}
