package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CommitmentsTest {

  @Test
  void leafHashIsHashMDOfKeyAddressOrdersRootAndPackedWords() {
    AccountLeaf leaf = CommitFixtures.accounts().get(5L);
    List<BigInteger> in =
        new ArrayList<>(
            List.of(leaf.ownerPkX(), leaf.ownerPkY(), leaf.l1Address(), leaf.ordersRoot()));
    in.addAll(List.of(WordPacking.pack(leaf.words())));
    assertEquals(CircuitSizes.TEST.leafWordCount(), leaf.words().length);
    assertEquals(4 + 4, in.size()); // 10 words -> 4 elements
    assertEquals(Poseidon2.hashMD(in.toArray(new BigInteger[0])), leaf.hash());
    assertEquals(leaf.hash(), Commitments.leafHash(leaf));
    // any field change changes the hash
    AccountLeaf moved =
        new AccountLeaf(
            leaf.ownerPkX(),
            leaf.ownerPkY(),
            leaf.nonce() + 1,
            leaf.tier(),
            leaf.balances(),
            leaf.instrumentIds(),
            leaf.quantities(),
            leaf.fundingSnapshots());
    assertNotEquals(leaf.hash(), moved.hash());
    // so do the leaf v2 fields
    assertNotEquals(
        leaf.hash(),
        leaf.withL1AddressAndOrdersRoot(leaf.l1Address().add(BigInteger.ONE), leaf.ordersRoot())
            .hash());
    assertNotEquals(
        leaf.hash(),
        leaf.withL1AddressAndOrdersRoot(leaf.l1Address(), leaf.ordersRoot().add(BigInteger.ONE))
            .hash());
  }

  @Test
  void leafV2FieldsAreRangeChecked() {
    AccountLeaf leaf = CommitFixtures.accounts().get(5L);
    BigInteger twoTo160 = BigInteger.ONE.shiftLeft(160);
    assertEquals(
        twoTo160.subtract(BigInteger.ONE),
        leaf.withL1AddressAndOrdersRoot(twoTo160.subtract(BigInteger.ONE), BigInteger.ZERO)
            .l1Address());
    assertThrows(
        IllegalArgumentException.class,
        () -> leaf.withL1AddressAndOrdersRoot(twoTo160, BigInteger.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> leaf.withL1AddressAndOrdersRoot(BigInteger.ONE.negate(), BigInteger.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> leaf.withL1AddressAndOrdersRoot(BigInteger.ZERO, Fr.MODULUS));
    // the old constructors keep the defaults 0
    AccountLeaf v1 = new AccountLeaf(leaf.ownerPkX(), leaf.ownerPkY(), 3, leaf.account());
    assertEquals(BigInteger.ZERO, v1.l1Address());
    assertEquals(BigInteger.ZERO, v1.ordersRoot());
  }

  @Test
  void emptySlotIdIsIgnored() {
    AccountLeaf a =
        new AccountLeaf(
            BigInteger.ONE,
            BigInteger.TWO,
            0,
            0,
            new long[] {1, 2},
            new long[] {3, 0},
            new long[] {0, 0},
            new long[] {0, 0});
    AccountLeaf b =
        new AccountLeaf(
            BigInteger.ONE,
            BigInteger.TWO,
            0,
            0,
            new long[] {1, 2},
            new long[] {7, 0},
            new long[] {0, 0},
            new long[] {0, 0});
    assertEquals(a.hash(), b.hash());
  }

  @Test
  void entryAndGlobalsHashes() {
    InstrumentRiskEntry e = CommitFixtures.entries().get(1L);
    assertEquals(Poseidon2.hashMD(WordPacking.pack(RiskEncoding.words(e))), RiskEncoding.hash(e));
    RiskGlobals g = CommitFixtures.globals();
    assertEquals(CircuitSizes.TEST.globalsWordCount(), RiskEncoding.words(g).length);
    assertEquals(Poseidon2.hashMD(WordPacking.pack(RiskEncoding.words(g))), RiskEncoding.hash(g));
  }

  @Test
  void riskCommitment() {
    RiskCommitment risk = CommitFixtures.risk();
    SparseMerkleTree t = new SparseMerkleTree(3);
    for (Map.Entry<Long, InstrumentRiskEntry> e : CommitFixtures.entries().entrySet()) {
      t.set(e.getKey(), RiskEncoding.hash(e.getValue()));
    }
    assertEquals(t.root(), risk.instrumentsRoot());
    assertEquals(RiskEncoding.hash(CommitFixtures.globals()), risk.globalsHash());
    assertEquals(Poseidon2.compress(risk.instrumentsRoot(), risk.globalsHash()), risk.riskRoot());
    for (long id : risk.entries().keySet()) {
      assertTrue(
          SparseMerkleTree.verify(
              risk.instrumentsRoot(), RiskEncoding.hash(risk.entry(id)), id, risk.path(id)));
    }
    assertNull(risk.entry(2));
    assertTrue(SparseMerkleTree.verify(risk.instrumentsRoot(), BigInteger.ZERO, 2, risk.path(2)));
    assertThrows(UnsupportedOperationException.class, () -> risk.entries().put(3L, risk.entry(1)));
  }

  @Test
  void riskCommitmentRejectsBadInput() {
    CircuitSizes s = CircuitSizes.TEST;
    RiskGlobals g = CommitFixtures.globals();
    Map<Long, InstrumentRiskEntry> tooFar = new TreeMap<>(CommitFixtures.entries());
    tooFar.put(8L, tooFar.get(1L)); // DI = 3: ids in [0, 8)
    assertThrows(IllegalArgumentException.class, () -> new RiskCommitment(s, tooFar, g));
    Map<Long, InstrumentRiskEntry> negative = new TreeMap<>();
    negative.put(-1L, CommitFixtures.entries().get(1L));
    assertThrows(IllegalArgumentException.class, () -> new RiskCommitment(s, negative, g));
    Map<Long, InstrumentRiskEntry> wrongS = new TreeMap<>();
    wrongS.put(1L, new InstrumentRiskEntry(1, 0, 0, 0, new long[3], new long[3]));
    assertThrows(IllegalArgumentException.class, () -> new RiskCommitment(s, wrongS, g));
    RiskGlobals threeTiers =
        new RiskGlobals(
            new long[] {1, 2, 3}, g.collateralPrice(), g.debtPrice(), g.collateralScenario());
    assertThrows(
        IllegalArgumentException.class,
        () -> new RiskCommitment(s, CommitFixtures.entries(), threeTiers));
    RiskGlobals oneAsset =
        new RiskGlobals(
            g.tierFactorPpm(), new long[] {1}, new long[] {1}, new long[][] {{0, 0, 0, 0}});
    assertThrows(
        IllegalArgumentException.class,
        () -> new RiskCommitment(s, CommitFixtures.entries(), oneAsset));
    RiskGlobals fiveScen =
        new RiskGlobals(
            g.tierFactorPpm(),
            g.collateralPrice(),
            g.debtPrice(),
            new long[][] {new long[5], new long[5]});
    assertThrows(
        IllegalArgumentException.class,
        () -> new RiskCommitment(s, CommitFixtures.entries(), fiveScen));
    assertThrows(IllegalArgumentException.class, () -> new RiskCommitment(s, null, g));
  }

  @Test
  void putAccount() {
    SparseMerkleTree t = new SparseMerkleTree(6);
    AccountLeaf leaf = CommitFixtures.accounts().get(9L);
    Commitments.putAccount(t, 9, leaf);
    assertEquals(leaf.hash(), t.get(9));
    assertThrows(IllegalArgumentException.class, () -> Commitments.putAccount(t, 64, leaf));
    assertThrows(IllegalArgumentException.class, () -> Commitments.putAccount(t, -1, leaf));
    assertThrows(IllegalArgumentException.class, () -> Commitments.putAccount(null, 1, leaf));
    assertThrows(IllegalArgumentException.class, () -> Commitments.leafHash(null));
  }

  @Test
  void leafChecks() {
    AccountLeaf leaf = CommitFixtures.accounts().get(5L);
    leaf.checkFits(CircuitSizes.TEST);
    assertThrows(IllegalArgumentException.class, () -> leaf.checkFits(CircuitSizes.PRODUCTION));
    AccountLeaf badTier =
        new AccountLeaf(
            leaf.ownerPkX(),
            leaf.ownerPkY(),
            0,
            2,
            leaf.balances(),
            leaf.instrumentIds(),
            leaf.quantities(),
            leaf.fundingSnapshots());
    assertThrows(IllegalArgumentException.class, () -> badTier.checkFits(CircuitSizes.TEST));
    AccountLeaf badId =
        new AccountLeaf(
            leaf.ownerPkX(),
            leaf.ownerPkY(),
            0,
            0,
            leaf.balances(),
            new long[] {8, 4},
            leaf.quantities(),
            leaf.fundingSnapshots());
    assertThrows(IllegalArgumentException.class, () -> badId.checkFits(CircuitSizes.TEST));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new AccountLeaf(
                Fr.MODULUS,
                BigInteger.ONE,
                0,
                0,
                new long[2],
                new long[2],
                new long[2],
                new long[2]));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new AccountLeaf(
                BigInteger.ONE,
                BigInteger.ONE,
                -1,
                0,
                new long[2],
                new long[2],
                new long[2],
                new long[2]));
    assertArrayEquals(
        new long[] {3, 0, 10_000_000_000L, 2_000_000_000L, 1, 50, 100_000, 4, -20, 0},
        leaf.words());
  }
}
