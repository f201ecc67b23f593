package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthWitnessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CircuitSizes S = CircuitSizes.TEST;

  private static BigInteger[] bigs(JsonNode arr) {
    BigInteger[] out = new BigInteger[arr.size()];
    for (int i = 0; i < out.length; i++) {
      assertTrue(arr.get(i).isTextual(), "numbers must be JSON strings");
      out[i] = new BigInteger(arr.get(i).asText());
    }
    return out;
  }

  private static long[] longs(JsonNode arr) {
    long[] out = new long[arr.size()];
    for (int i = 0; i < out.length; i++) {
      assertTrue(arr.get(i).isTextual(), "numbers must be JSON strings");
      out[i] = Long.parseLong(arr.get(i).asText());
    }
    return out;
  }

  /** Re-derives every commitment from the JSON alone, as the Go circuit will. */
  @Test
  void jsonReproducesTheRoots() throws Exception {
    Map<Long, AccountLeaf> accounts = CommitFixtures.accounts();
    SparseMerkleTree state = CommitFixtures.stateTree(accounts);
    RiskCommitment risk = CommitFixtures.risk();
    AccountLeaf leaf = accounts.get(40L);
    MarginReference.Margin mg = MarginReference.compute(leaf, risk);
    HealthWitness w = HealthWitness.build(S, state, leaf, 40, risk, 11_000, mg.mmCore());
    JsonNode j = JSON.readTree(w.toJson());

    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = j.fieldNames(); it.hasNext(); ) {
      keys.add(it.next());
    }
    assertEquals(
        List.of(
            "circuitId",
            "accountId",
            "thresholdBps",
            "stateRoot",
            "riskRoot",
            "ownerPkX",
            "ownerPkY",
            "l1Address",
            "ordersRoot",
            "leafWords",
            "statePath",
            "instrumentsRoot",
            "slots",
            "globalsWords",
            "mmBound"),
        keys);
    assertEquals("health-D6-I3-P2-A2-S4-T2", j.get("circuitId").asText());
    assertEquals("40", j.get("accountId").asText());
    assertEquals("11000", j.get("thresholdBps").asText());

    long[] words = longs(j.get("leafWords"));
    assertEquals(S.leafWordCount(), words.length);
    List<BigInteger> leafIn = new ArrayList<>();
    leafIn.add(new BigInteger(j.get("ownerPkX").asText()));
    leafIn.add(new BigInteger(j.get("ownerPkY").asText()));
    leafIn.add(new BigInteger(j.get("l1Address").asText()));
    leafIn.add(new BigInteger(j.get("ordersRoot").asText()));
    leafIn.addAll(List.of(WordPacking.pack(words)));
    BigInteger leafHash = Poseidon2.hashMD(leafIn.toArray(new BigInteger[0]));
    BigInteger[] statePath = bigs(j.get("statePath"));
    assertEquals(S.stateDepth(), statePath.length);
    BigInteger stateRoot = new BigInteger(j.get("stateRoot").asText());
    assertTrue(SparseMerkleTree.verify(stateRoot, leafHash, 40, statePath));
    assertEquals(state.root(), stateRoot);

    BigInteger instrumentsRoot = new BigInteger(j.get("instrumentsRoot").asText());
    assertEquals(S.positionSlots(), j.get("slots").size());
    for (int slot = 0; slot < S.positionSlots(); slot++) {
      JsonNode sj = j.get("slots").get(slot);
      long[] ew = longs(sj.get("entryWords"));
      assertEquals(S.instrumentEntryWordCount(), ew.length);
      BigInteger[] path = bigs(sj.get("path"));
      assertEquals(S.instrumentDepth(), path.length);
      long id = words[2 + S.collateralAssets() + 3 * slot];
      assertTrue(SparseMerkleTree.verify(instrumentsRoot, Commitments.wordsHash(ew), id, path));
    }
    long[] gw = longs(j.get("globalsWords"));
    assertEquals(S.globalsWordCount(), gw.length);
    assertEquals(
        new BigInteger(j.get("riskRoot").asText()),
        Poseidon2.compress(instrumentsRoot, Commitments.wordsHash(gw)));
    assertEquals(mg.mmCore(), new BigInteger(j.get("mmBound").asText()));
    assertEquals(BigInteger.valueOf(40L * (1L << 32) + 11_000), w.accountAndThreshold());
    assertArrayEquals(
        new BigInteger[] {stateRoot, risk.riskRoot(), w.accountAndThreshold()}, w.publicInputs());
  }

  @Test
  void emptySlotsAreAllZeros() throws Exception {
    Map<Long, AccountLeaf> accounts = CommitFixtures.accounts();
    HealthWitness w =
        HealthWitness.build(
            S,
            CommitFixtures.stateTree(accounts),
            accounts.get(63L),
            63,
            CommitFixtures.risk(),
            10_000,
            BigInteger.ZERO);
    JsonNode j = JSON.readTree(w.toJson());
    for (JsonNode sj : j.get("slots")) {
      for (JsonNode v : sj.get("entryWords")) {
        assertEquals("0", v.asText());
      }
      for (JsonNode v : sj.get("path")) {
        assertEquals("0", v.asText());
      }
    }
  }

  /**
   * The witness from an opening alone (a committee member's leaf and path, risk rows) is the
   * tree-built one; every part that does not open against the roots is refused.
   */
  @Test
  void fromOpeningEqualsBuildAndRefusesWhatDoesNotOpen() {
    Map<Long, AccountLeaf> accounts = CommitFixtures.accounts();
    SparseMerkleTree state = CommitFixtures.stateTree(accounts);
    RiskCommitment risk = CommitFixtures.risk();
    long id = 40;
    AccountLeaf leaf = accounts.get(id);
    BigInteger m = BigInteger.TEN;
    Map<Long, HealthWitness.InstrumentOpening> open = new java.util.TreeMap<>();
    for (int j = 0; j < leaf.quantities().length; j++) {
      long inst = leaf.instrumentIds()[j];
      if (leaf.quantities()[j] != 0) {
        open.put(inst, new HealthWitness.InstrumentOpening(risk.entry(inst), risk.path(inst)));
      }
    }
    assertTrue(!open.isEmpty(), "the fixture account holds positions");
    BigInteger[] path = state.path(id);
    HealthWitness built = HealthWitness.build(S, state, leaf, id, risk, 0, m);
    HealthWitness opened =
        HealthWitness.fromOpening(
            S, id, leaf, path, state.root(), risk.instrumentsRoot(), risk.globals(), open, 0, m);
    assertEquals(built.toJson(), opened.toJson());
    assertEquals(risk.riskRoot(), opened.riskRoot());

    BigInteger[] badPath = path.clone();
    badPath[0] = badPath[0].add(BigInteger.ONE);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HealthWitness.fromOpening(
                S,
                id,
                leaf,
                badPath,
                state.root(),
                risk.instrumentsRoot(),
                risk.globals(),
                open,
                0,
                m));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HealthWitness.fromOpening(
                S,
                id + 1,
                leaf,
                path,
                state.root(),
                risk.instrumentsRoot(),
                risk.globals(),
                open,
                0,
                m));
    long inst = open.keySet().iterator().next();
    Map<Long, HealthWitness.InstrumentOpening> wrongEntry = new java.util.TreeMap<>(open);
    var e = risk.entry(inst);
    wrongEntry.put(
        inst,
        new HealthWitness.InstrumentOpening(
            new io.zkmargin.risk.vector.InstrumentRiskEntry(
                e.mark() + 1, e.fundingIndex(), e.floorMm(), e.floorIm(), e.rmm(), e.rim()),
            risk.path(inst)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HealthWitness.fromOpening(
                S,
                id,
                leaf,
                path,
                state.root(),
                risk.instrumentsRoot(),
                risk.globals(),
                wrongEntry,
                0,
                m));
    Map<Long, HealthWitness.InstrumentOpening> missing = new java.util.TreeMap<>(open);
    missing.remove(inst);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HealthWitness.fromOpening(
                S,
                id,
                leaf,
                path,
                state.root(),
                risk.instrumentsRoot(),
                risk.globals(),
                missing,
                0,
                m));
  }

  @Test
  void rejectsInconsistentInput() {
    Map<Long, AccountLeaf> accounts = CommitFixtures.accounts();
    SparseMerkleTree state = CommitFixtures.stateTree(accounts);
    RiskCommitment risk = CommitFixtures.risk();
    AccountLeaf leaf = accounts.get(5L);
    BigInteger m = BigInteger.TEN;
    // leaf not at that index
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, state, leaf, 9, risk, 10_000, m));
    // account id out of range, threshold out of range, bad bound
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, state, leaf, 64, risk, 10_000, m));
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, state, leaf, 5, risk, 1L << 32, m));
    assertThrows(
        IllegalArgumentException.class, () -> HealthWitness.build(S, state, leaf, 5, risk, -1, m));
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, state, leaf, 5, risk, 10_000, BigInteger.valueOf(-1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, state, leaf, 5, risk, 10_000, Fr.MODULUS));
    // wrong tree depth, wrong sizes for the risk commitment
    SparseMerkleTree deep = new SparseMerkleTree(7);
    Commitments.putAccount(deep, 5, leaf);
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, deep, leaf, 5, risk, 10_000, m));
    CircuitSizes other = new CircuitSizes(6, 4, 2, 2, 4, 2);
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(other, state, leaf, 5, risk, 10_000, m));
    // a position in an instrument the risk vector does not contain
    AccountLeaf unknown =
        new AccountLeaf(
            leaf.ownerPkX(),
            leaf.ownerPkY(),
            0,
            0,
            leaf.balances(),
            new long[] {2, 4},
            leaf.quantities(),
            leaf.fundingSnapshots());
    SparseMerkleTree t2 = CommitFixtures.stateTree(accounts);
    Commitments.putAccount(t2, 5, unknown);
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, t2, unknown, 5, risk, 10_000, m));
    assertThrows(
        IllegalArgumentException.class,
        () -> HealthWitness.build(S, state, null, 5, risk, 10_000, m));
  }
}
