package io.zkmargin.commit;

import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deterministic generator of {@code test-vectors/poseidon2.json} and {@code
 * test-vectors/commit/*.json} (docs/ENCODING.md). Go and Solidity replay these files; {@link
 * CommitVectorsTest} checks that the checked-in copies equal a fresh generation byte for byte.
 *
 * <p>Regenerate after an intended change: {@code mvn -B -q -pl commitment test
 * -Dtest=CommitVectorsTest -Dzkm.writeVectors=true} (or run {@link #main} with the repo root).
 */
public final class CommitVectors {
  private CommitVectors() {}

  /** Writes all vector files under {@code args[0]} (default: the repository root). */
  public static void main(String[] args) throws IOException {
    Path root = args.length > 0 ? Path.of(args[0]) : repoRoot();
    for (Map.Entry<String, String> e : generate().entrySet()) {
      write(root, e.getKey(), e.getValue());
    }
  }

  static void write(Path root, String relative, String content) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  /** The repository root (see {@link RepoRoot}). */
  static Path repoRoot() {
    return RepoRoot.find();
  }

  /** All vector files: repo-relative path to content. */
  static Map<String, String> generate() {
    Map<String, String> out = new TreeMap<>();
    out.put("test-vectors/poseidon2.json", JsonOut.write(poseidon2()));
    out.put("test-vectors/commit/packing.json", JsonOut.write(packing()));
    out.put("test-vectors/commit/leaf.json", JsonOut.write(leaf()));
    out.put("test-vectors/commit/tree.json", JsonOut.write(tree()));
    out.put("test-vectors/commit/risk.json", JsonOut.write(risk()));
    out.put("test-vectors/commit/eddsa.json", JsonOut.write(eddsa()));
    health(out);
    return out;
  }

  /** A deterministic pseudo-random field element: SHA-256("zkmargin-vector/" + label) mod r. */
  static BigInteger element(String label) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return new BigInteger(
              1, sha.digest(("zkmargin-vector/" + label).getBytes(StandardCharsets.US_ASCII)))
          .mod(Fr.MODULUS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> poseidon2() {
    BigInteger rm1 = Fr.MODULUS.subtract(BigInteger.ONE);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "description",
        "Poseidon2 BN254 t=2 rF=6 rP=50 d=5 as gnark-crypto v0.21.0 ecc/bn254/fr/poseidon2;"
            + " compress(l, r) = perm(l, r)[1] + r; hashMD = Merkle-Damgard with IV 0. All values decimal.");
    m.put("modulus", Fr.MODULUS);
    m.put("seed", Poseidon2.SEED);
    List<Object> rks = new ArrayList<>();
    for (int i = 0; i < Poseidon2.FULL_ROUNDS + Poseidon2.PARTIAL_ROUNDS; i++) {
      boolean full = i < 3 || i >= 3 + Poseidon2.PARTIAL_ROUNDS;
      rks.add(
          full
              ? List.of(Poseidon2.roundKey(i, 0), Poseidon2.roundKey(i, 1))
              : List.of(Poseidon2.roundKey(i, 0)));
    }
    m.put("roundKeys", rks);
    BigInteger[][] pairs = {
      {BigInteger.ZERO, BigInteger.ZERO},
      {BigInteger.ONE, BigInteger.TWO},
      {BigInteger.ZERO, BigInteger.ONE},
      {rm1, rm1},
      {rm1, BigInteger.ZERO},
      {element("a0"), element("b0")},
      {element("a1"), element("b1")},
      {element("a2"), element("b2")}
    };
    List<Object> perm = new ArrayList<>();
    List<Object> comp = new ArrayList<>();
    for (BigInteger[] p : pairs) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("in", List.of(p[0], p[1]));
      c.put("out", List.of(Poseidon2.permute(p)));
      perm.add(c);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("left", p[0]);
      d.put("right", p[1]);
      d.put("out", Poseidon2.compress(p[0], p[1]));
      comp.add(d);
    }
    m.put("permute", perm);
    m.put("compress", comp);
    List<BigInteger[]> inputs =
        List.of(
            new BigInteger[] {},
            new BigInteger[] {BigInteger.ZERO},
            new BigInteger[] {BigInteger.ONE},
            new BigInteger[] {BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(3)},
            new BigInteger[] {rm1, BigInteger.ZERO, rm1},
            new BigInteger[] {
              element("h0"),
              element("h1"),
              element("h2"),
              element("h3"),
              element("h4"),
              element("h5"),
              element("h6")
            });
    List<Object> md = new ArrayList<>();
    for (BigInteger[] in : inputs) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("in", List.of(in));
      c.put("out", Poseidon2.hashMD(in));
      md.add(c);
    }
    m.put("hashMD", md);
    return m;
  }

  private static Map<String, Object> packing() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "description",
        "words (signed 64-bit, decimal) -> field elements: u = v + 2^63, e = u0 + u1 2^64 + u2 2^128,"
            + " last element padded with words of value 0");
    List<Object> cases = new ArrayList<>();
    long[][] ws = {
      {},
      {0},
      {-1, 1},
      {Long.MIN_VALUE, Long.MAX_VALUE, 0},
      {1, 2, 3, 4},
      {-9_223_372_036_854_775_807L, 42, -42, 1_000_000_000_000L, -7, 123_456_789_012L, 5}
    };
    for (long[] w : ws) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("words", w);
      c.put("elements", List.of(WordPacking.pack(w)));
      c.put("hash", Commitments.wordsHash(w));
      cases.add(c);
    }
    m.put("cases", cases);
    return m;
  }

  private static Map<String, Object> leafJson(AccountLeaf leaf) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ownerPkX", leaf.ownerPkX());
    m.put("ownerPkY", leaf.ownerPkY());
    m.put("l1Address", leaf.l1Address());
    m.put("ordersRoot", leaf.ordersRoot());
    m.put("words", leaf.words());
    m.put("packed", List.of(WordPacking.pack(leaf.words())));
    m.put("hash", leaf.hash());
    return m;
  }

  private static Map<String, Object> leaf() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "description",
        "account leaves at "
            + CommitFixtures.SIZES.healthCircuitId()
            + ": words = nonce, tier, balance[A], (instrumentId, quantity, fundingSnapshot)[P];"
            + " hash = hashMD(ownerPkX, ownerPkY, l1Address, ordersRoot, packed...)");
    m.put("circuitId", CommitFixtures.SIZES.healthCircuitId());
    List<Object> leaves = new ArrayList<>();
    for (Map.Entry<Long, AccountLeaf> e : CommitFixtures.accounts().entrySet()) {
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("accountId", e.getKey());
      l.putAll(leafJson(e.getValue()));
      leaves.add(l);
    }
    m.put("leaves", leaves);
    return m;
  }

  private static Map<String, Object> tree() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "description",
        "sparse Merkle trees: index bits little-endian, parent = compress(left, right),"
            + " absent leaf 0; emptyRoots[k] = root of an empty subtree of height k; paths leaf level first");
    List<Object> zs = new ArrayList<>();
    for (int k = 0; k <= SparseMerkleTree.MAX_DEPTH; k++) {
      zs.add(SparseMerkleTree.emptyRoot(k));
    }
    m.put("emptyRoots", zs);
    List<Object> trees = new ArrayList<>();
    int[] depths = {3, 6, 32};
    long[][] indices = {
      {0, 5, 7}, {1, 2, 33, 63}, {0, 1, 4_294_967_295L, 2_147_483_648L, 123_456_789L}
    };
    for (int t = 0; t < depths.length; t++) {
      SparseMerkleTree tree = new SparseMerkleTree(depths[t]);
      List<Object> leaves = new ArrayList<>();
      for (long idx : indices[t]) {
        BigInteger v = element("tree" + depths[t] + "/" + idx);
        tree.set(idx, v);
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("index", idx);
        l.put("value", v);
        leaves.add(l);
      }
      Map<String, Object> tj = new LinkedHashMap<>();
      tj.put("depth", depths[t]);
      tj.put("leaves", leaves);
      tj.put("root", tree.root());
      List<Object> paths = new ArrayList<>();
      long absent = indices[t][0] + 3;
      for (long idx : new long[] {indices[t][1], absent}) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("index", idx);
        p.put("leaf", tree.get(idx));
        p.put("path", List.of(tree.path(idx)));
        paths.add(p);
      }
      tj.put("paths", paths);
      trees.add(tj);
    }
    m.put("trees", trees);
    return m;
  }

  private static Map<String, Object> risk() {
    RiskCommitment risk = CommitFixtures.risk();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "description",
        "risk vector commitment at "
            + CommitFixtures.SIZES.healthCircuitId()
            + ": entry words = mark, fundingIndex, floorMm, floorIm, Rmm[S], Rim[S]; globals words ="
            + " tierFactorPpm[T], (cp, C[S]) per asset; riskRoot = compress(instrumentsRoot, globalsHash)");
    m.put("circuitId", CommitFixtures.SIZES.healthCircuitId());
    List<Object> entries = new ArrayList<>();
    for (Map.Entry<Long, InstrumentRiskEntry> e : risk.entries().entrySet()) {
      Map<String, Object> en = new LinkedHashMap<>();
      en.put("instrumentId", e.getKey());
      en.put("words", RiskEncoding.words(e.getValue()));
      en.put("hash", RiskEncoding.hash(e.getValue()));
      en.put("path", List.of(risk.path(e.getKey())));
      entries.add(en);
    }
    m.put("entries", entries);
    m.put("globalsWords", RiskEncoding.words(risk.globals()));
    m.put("globalsHash", risk.globalsHash());
    m.put("instrumentsRoot", risk.instrumentsRoot());
    m.put("riskRoot", risk.riskRoot());
    return m;
  }

  private static Map<String, Object> eddsa() {
    HexFormat hex = HexFormat.of();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "description",
        "EdDSA on gnark-crypto's BN254 twisted Edwards curve; challenge h = hashMD(R.x, R.y, A.x,"
            + " A.y, m); S = k + h*sk mod l; check 8*S*B == 8*(R + h*A). Bytes: gnark-crypto encodings"
            + " (compressed point, then S big-endian); gnark's eddsa.Verify with poseidon2.NewMerkleDamgardHasher"
            + " accepts them with the message as 32-byte big-endian.");
    List<Object> cases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EdwardsKeyPair key = CommitFixtures.key(100 + i);
      BigInteger msg = element("eddsa/" + i);
      EdDSA.Signature sig = key.sign(msg);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("privateScalar", key.privateScalar());
      c.put("publicKeyX", key.publicKey().x());
      c.put("publicKeyY", key.publicKey().y());
      c.put("publicKeyBytes", hex.formatHex(key.publicKey().toCompressedBytes()));
      c.put("message", msg);
      c.put("challenge", EdDSA.challenge(sig.r(), key.publicKey(), msg));
      c.put("rX", sig.r().x());
      c.put("rY", sig.r().y());
      c.put("s", sig.s());
      c.put("signatureBytes", hex.formatHex(sig.toBytes()));
      c.put("valid", true);
      cases.add(c);
      // the same signature over another message must not verify
      Map<String, Object> bad = new LinkedHashMap<>(c);
      bad.put("message", msg.add(BigInteger.ONE).mod(Fr.MODULUS));
      bad.remove("challenge");
      bad.put("valid", false);
      cases.add(bad);
    }
    m.put("cases", cases);
    return m;
  }

  /** Health witnesses: (file stem, account id, threshold in bps). */
  static final Object[][] HEALTH_CASES = {
    {"health-healthy", 5L, 10_000L},
    {"health-unhealthy", 9L, 10_000L},
    {"health-short-funding", 40L, 11_000L},
    {"health-debt-unhealthy", 20L, 10_000L},
  };

  private static void health(Map<String, String> out) {
    Map<Long, AccountLeaf> accounts = CommitFixtures.accounts();
    SparseMerkleTree state = CommitFixtures.stateTree(accounts);
    RiskCommitment risk = CommitFixtures.risk();
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put(
        "description",
        "margins of the health witnesses (docs/ENCODING.md Margin): E, L, MMcore in nano quote"
            + " atoms, MM and IM in nano quote atoms x ppm; healthy = E*10^10 >= MM*thresholdBps (the witness proves"
            + " iff healthy); liquidatable = E*10^6 < MM; *QuoteAtoms as reported to users");
    List<Object> cases = new ArrayList<>();
    for (Object[] hc : HEALTH_CASES) {
      String stem = (String) hc[0];
      long id = (Long) hc[1];
      long threshold = (Long) hc[2];
      AccountLeaf leaf = accounts.get(id);
      MarginReference.Margin mg = MarginReference.compute(leaf, risk);
      HealthWitness w =
          HealthWitness.build(CommitFixtures.SIZES, state, leaf, id, risk, threshold, mg.mmCore());
      out.put("test-vectors/commit/" + stem + ".json", w.toJson());
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("file", stem + ".json");
      c.put("accountId", id);
      c.put("thresholdBps", threshold);
      c.put("publicInputs", List.of(w.publicInputs()));
      c.put("equity", mg.equity());
      c.put("lossMm", List.of(mg.lossMm()));
      c.put("mmCore", mg.mmCore());
      c.put("mm", mg.mm());
      c.put("lossIm", List.of(mg.lossIm()));
      c.put("imCore", mg.imCore());
      c.put("im", mg.im());
      c.put("equityQuoteAtoms", mg.equityQuoteAtoms());
      c.put("mmQuoteAtoms", MarginReference.Margin.ceilQuote(mg.mm()));
      c.put("imQuoteAtoms", MarginReference.Margin.ceilQuote(mg.im()));
      c.put("healthy", mg.healthy(threshold));
      c.put("liquidatable", mg.liquidatable());
      cases.add(c);
    }
    expected.put("cases", cases);
    out.put("test-vectors/commit/health-expected.json", JsonOut.write(expected));
  }
}
