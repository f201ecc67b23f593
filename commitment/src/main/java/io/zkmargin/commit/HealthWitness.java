package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;

/**
 * The witness of the health circuit for one account (docs/ENCODING.md, "Health witness JSON"),
 * built from the account tree, the account's leaf and the epoch's {@link RiskCommitment}.
 *
 * <p>The witness claims {@code E * 10^4 * 10^6 >= MM * thresholdBps} with {@code mmBound} as the
 * prover's upper bound {@code m} of {@code MMcore}; building it does not evaluate the margin (a
 * false claim builds fine and fails to prove). Immutable; arrays returned by accessors are copies.
 */
public final class HealthWitness {
  /**
   * The largest health threshold the circuit accepts, basis points of maintenance margin: the
   * circuit range-checks the threshold to 32 bits (it is packed as {@code accountId * 2^32 +
   * thresholdBps} into one public input), so thresholds are in {@code [0, 2^32 - 1]}. A service may
   * accept less: see its own policy limit (e.g. the gRPC service's {@code
   * POLICY_MAX_THRESHOLD_BPS}).
   */
  public static final long CIRCUIT_MAX_THRESHOLD_BPS = (1L << 32) - 1;

  private static final BigInteger TWO_32 = BigInteger.ONE.shiftLeft(32);

  private final CircuitSizes sizes;
  private final long accountId;
  private final long thresholdBps;
  private final BigInteger stateRoot;
  private final BigInteger riskRoot;
  private final AccountLeaf leaf;
  private final BigInteger[] statePath;
  private final BigInteger instrumentsRoot;
  private final long[][] slotEntryWords;
  private final BigInteger[][] slotPaths;
  private final long[] globalsWords;
  private final BigInteger mmBound;

  private HealthWitness(
      CircuitSizes sizes,
      long accountId,
      long thresholdBps,
      BigInteger stateRoot,
      BigInteger riskRoot,
      AccountLeaf leaf,
      BigInteger[] statePath,
      BigInteger instrumentsRoot,
      long[][] slotEntryWords,
      BigInteger[][] slotPaths,
      long[] globalsWords,
      BigInteger mmBound) {
    this.sizes = sizes;
    this.accountId = accountId;
    this.thresholdBps = thresholdBps;
    this.stateRoot = stateRoot;
    this.riskRoot = riskRoot;
    this.leaf = leaf;
    this.statePath = statePath;
    this.instrumentsRoot = instrumentsRoot;
    this.slotEntryWords = slotEntryWords;
    this.slotPaths = slotPaths;
    this.globalsWords = globalsWords;
    this.mmBound = mmBound;
  }

  /**
   * Builds the witness.
   *
   * @param sizes circuit sizes; must equal {@code risk.sizes()} and match the tree depth and the
   *     leaf
   * @param stateTree the account tree of depth D, containing {@code leaf} at {@code accountId}
   * @param leaf the account's leaf
   * @param accountId leaf index in {@code [0, 2^D)}
   * @param risk the epoch's risk commitment; every instrument of a non-empty slot must be present
   * @param thresholdBps health threshold in basis points of maintenance margin (10000 = 1x MM), in
   *     {@code [0, 2^32)}
   * @param mmBound the prover's {@code m >= MMcore} in nano quote atoms ({@code >= 0}, a field
   *     element)
   * @return the witness
   * @throws IllegalArgumentException if any argument is inconsistent, with the reason
   */
  public static HealthWitness build(
      CircuitSizes sizes,
      SparseMerkleTree stateTree,
      AccountLeaf leaf,
      long accountId,
      RiskCommitment risk,
      long thresholdBps,
      BigInteger mmBound) {
    if (sizes == null || stateTree == null || leaf == null || risk == null) {
      throw new IllegalArgumentException(
          "sizes, state tree, leaf and risk commitment must not be null");
    }
    if (!risk.sizes().equals(sizes)) {
      throw new IllegalArgumentException(
          "risk commitment is for "
              + risk.sizes().healthCircuitId()
              + ", not "
              + sizes.healthCircuitId());
    }
    if (stateTree.depth() != sizes.stateDepth()) {
      throw new IllegalArgumentException(
          "state tree depth "
              + stateTree.depth()
              + " != circuit state depth "
              + sizes.stateDepth());
    }
    ArgChecker.isTrue(
        accountId >= 0 && accountId < stateTree.capacity(),
        "account id {} is outside [0, 2^{})",
        accountId,
        sizes.stateDepth());
    ArgChecker.isTrue(
        thresholdBps >= 0 && thresholdBps <= CIRCUIT_MAX_THRESHOLD_BPS,
        "thresholdBps must be in [0, 2^32), was {}",
        thresholdBps);
    Fr.requireElement(mmBound, "mmBound");
    leaf.checkFits(sizes);
    if (!stateTree.get(accountId).equals(leaf.hash())) {
      throw new IllegalArgumentException(
          "state tree leaf " + accountId + " is not the hash of the given leaf");
    }
    int p = sizes.positionSlots();
    int entryLen = sizes.instrumentEntryWordCount();
    long[][] entryWords = new long[p][];
    BigInteger[][] paths = new BigInteger[p][];
    for (int j = 0; j < p; j++) {
      if (leaf.quantities()[j] == 0) {
        entryWords[j] = new long[entryLen];
        paths[j] = zeros(sizes.instrumentDepth());
      } else {
        long id = leaf.instrumentIds()[j];
        InstrumentRiskEntry e = risk.entry(id);
        if (e == null) {
          throw new IllegalArgumentException(
              "slot "
                  + j
                  + " holds instrument "
                  + id
                  + ", which the risk commitment does not contain");
        }
        entryWords[j] = RiskEncoding.words(e);
        paths[j] = risk.path(id);
      }
    }
    return new HealthWitness(
        sizes,
        accountId,
        thresholdBps,
        stateTree.root(),
        risk.riskRoot(),
        leaf,
        stateTree.path(accountId),
        risk.instrumentsRoot(),
        entryWords,
        paths,
        RiskEncoding.words(risk.globals()),
        mmBound);
  }

  /**
   * An instrument's entry and its path in an instrument tree (DI siblings, leaf level first), as a
   * committee member's batch data or an oracle's published vector opens it.
   */
  public record InstrumentOpening(InstrumentRiskEntry entry, BigInteger[] path) {
    public InstrumentOpening {
      ArgChecker.notNull(entry, "entry");
      ArgChecker.notNull(path, "path");
      path = path.clone();
    }

    @Override
    public BigInteger[] path() {
      return path.clone();
    }
  }

  /**
   * Builds the witness from an account's opening alone, without the whole account tree: the leaf
   * and its state path (e.g. a committee member's {@code GetAccount}), the instruments root, the
   * globals and the opening of each instrument the leaf holds (e.g. risk rows of the batch data).
   * Every part is checked against the roots here, so a witness built from untrusted data either
   * proves a statement about {@code stateRoot} and the returned risk root or is refused now.
   *
   * @param sizes circuit sizes the leaf and the globals must fit
   * @param accountId leaf index in {@code [0, 2^D)}
   * @param leaf the account's leaf
   * @param statePath D siblings, leaf level first
   * @param stateRoot the root the path must lead to
   * @param instrumentsRoot the root of the instrument tree
   * @param globals the risk globals ({@code riskRoot = compress(instrumentsRoot, hash(globals))})
   * @param instruments openings by instrument id; each instrument of a non-empty slot must be there
   * @param thresholdBps as {@link #build}
   * @param mmBound as {@link #build}
   * @throws IllegalArgumentException if a path does not open or a part is missing, with the reason
   */
  public static HealthWitness fromOpening(
      CircuitSizes sizes,
      long accountId,
      AccountLeaf leaf,
      BigInteger[] statePath,
      BigInteger stateRoot,
      BigInteger instrumentsRoot,
      RiskGlobals globals,
      java.util.Map<Long, InstrumentOpening> instruments,
      long thresholdBps,
      BigInteger mmBound) {
    ArgChecker.notNull(sizes, "sizes");
    ArgChecker.notNull(leaf, "leaf");
    ArgChecker.notNull(statePath, "statePath");
    ArgChecker.notNull(instruments, "instruments");
    Fr.requireElement(stateRoot, "stateRoot");
    Fr.requireElement(instrumentsRoot, "instrumentsRoot");
    Fr.requireElement(mmBound, "mmBound");
    ArgChecker.isTrue(
        accountId >= 0 && accountId < (1L << sizes.stateDepth()),
        "account id {} is outside [0, 2^{})",
        accountId,
        sizes.stateDepth());
    ArgChecker.isTrue(
        thresholdBps >= 0 && thresholdBps <= CIRCUIT_MAX_THRESHOLD_BPS,
        "thresholdBps must be in [0, 2^32), was {}",
        thresholdBps);
    ArgChecker.isTrue(
        statePath.length == sizes.stateDepth(),
        "the state path has {} siblings, the tree depth is {}",
        statePath.length,
        sizes.stateDepth());
    leaf.checkFits(sizes);
    if (!SparseMerkleTree.verify(stateRoot, leaf.hash(), accountId, statePath)) {
      throw new IllegalArgumentException(
          "the leaf of account " + accountId + " does not open against state root " + stateRoot);
    }
    long[] globalsWords = RiskEncoding.words(globals);
    ArgChecker.isTrue(
        globalsWords.length == sizes.globalsWordCount(),
        "the globals have {} words, the sizes {}",
        globalsWords.length,
        sizes.globalsWordCount());
    int p = sizes.positionSlots();
    int entryLen = sizes.instrumentEntryWordCount();
    long[][] entryWords = new long[p][];
    BigInteger[][] paths = new BigInteger[p][];
    for (int j = 0; j < p; j++) {
      if (leaf.quantities()[j] == 0) {
        entryWords[j] = new long[entryLen];
        paths[j] = zeros(sizes.instrumentDepth());
        continue;
      }
      long id = leaf.instrumentIds()[j];
      InstrumentOpening o = instruments.get(id);
      if (o == null) {
        throw new IllegalArgumentException(
            "slot " + j + " holds instrument " + id + ", whose risk entry is not at hand");
      }
      long[] words = RiskEncoding.words(o.entry());
      BigInteger[] path = o.path();
      ArgChecker.isTrue(
          words.length == entryLen && path.length == sizes.instrumentDepth(),
          "the opening of instrument {} does not fit the sizes",
          id);
      if (!SparseMerkleTree.verify(instrumentsRoot, Commitments.wordsHash(words), id, path)) {
        throw new IllegalArgumentException(
            "the entry of instrument " + id + " does not open against " + instrumentsRoot);
      }
      entryWords[j] = words;
      paths[j] = path;
    }
    BigInteger riskRoot = Poseidon2.compress(instrumentsRoot, Commitments.wordsHash(globalsWords));
    return new HealthWitness(
        sizes,
        accountId,
        thresholdBps,
        stateRoot,
        riskRoot,
        leaf,
        statePath.clone(),
        instrumentsRoot,
        entryWords,
        paths,
        globalsWords,
        mmBound);
  }

  private static BigInteger[] zeros(int n) {
    BigInteger[] z = new BigInteger[n];
    java.util.Arrays.fill(z, BigInteger.ZERO);
    return z;
  }

  /** The circuit sizes. */
  public CircuitSizes sizes() {
    return sizes;
  }

  /** The account's leaf (the values the circuit opens). */
  public AccountLeaf leaf() {
    return leaf;
  }

  /** The account id (leaf index). */
  public long accountId() {
    return accountId;
  }

  /** The threshold in basis points of MM. */
  public long thresholdBps() {
    return thresholdBps;
  }

  /** Public input 1: the state root. */
  public BigInteger stateRoot() {
    return stateRoot;
  }

  /** Public input 2: the risk root. */
  public BigInteger riskRoot() {
    return riskRoot;
  }

  /** Public input 3: {@code accountId * 2^32 + thresholdBps}. */
  public BigInteger accountAndThreshold() {
    return BigInteger.valueOf(accountId).multiply(TWO_32).add(BigInteger.valueOf(thresholdBps));
  }

  /** The three public inputs in circuit order: stateRoot, riskRoot, accountAndThreshold. */
  public BigInteger[] publicInputs() {
    return new BigInteger[] {stateRoot, riskRoot, accountAndThreshold()};
  }

  /** The prover's bound m on MMcore, nano quote atoms. */
  public BigInteger mmBound() {
    return mmBound;
  }

  /** The state path of the account, D siblings, leaf level first (a copy). */
  public BigInteger[] statePath() {
    return statePath.clone();
  }

  /**
   * The witness JSON document of docs/ENCODING.md: all numbers as decimal strings, keys in the
   * documented order, two-space indentation, '\n' line ends, a trailing newline.
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("{\n");
    field(sb, "circuitId", sizes.healthCircuitId());
    field(sb, "accountId", Long.toString(accountId));
    field(sb, "thresholdBps", Long.toString(thresholdBps));
    field(sb, "stateRoot", stateRoot.toString());
    field(sb, "riskRoot", riskRoot.toString());
    field(sb, "ownerPkX", leaf.ownerPkX().toString());
    field(sb, "ownerPkY", leaf.ownerPkY().toString());
    field(sb, "l1Address", leaf.l1Address().toString());
    field(sb, "ordersRoot", leaf.ordersRoot().toString());
    sb.append("  \"leafWords\": ");
    array(sb, leaf.words());
    sb.append(",\n  \"statePath\": ");
    array(sb, statePath);
    sb.append(",\n");
    field(sb, "instrumentsRoot", instrumentsRoot.toString());
    sb.append("  \"slots\": [\n");
    for (int j = 0; j < slotEntryWords.length; j++) {
      sb.append("    {\"entryWords\": ");
      array(sb, slotEntryWords[j]);
      sb.append(", \"path\": ");
      array(sb, slotPaths[j]);
      sb.append(j + 1 < slotEntryWords.length ? "},\n" : "}\n");
    }
    sb.append("  ],\n  \"globalsWords\": ");
    array(sb, globalsWords);
    sb.append(",\n  \"mmBound\": \"").append(mmBound).append("\"\n}\n");
    return sb.toString();
  }

  private static void field(StringBuilder sb, String key, String value) {
    sb.append("  \"").append(key).append("\": \"").append(value).append("\",\n");
  }

  static void array(StringBuilder sb, long[] values) {
    sb.append('[');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('"').append(values[i]).append('"');
    }
    sb.append(']');
  }

  static void array(StringBuilder sb, BigInteger[] values) {
    sb.append('[');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('"').append(values[i]).append('"');
    }
    sb.append(']');
  }
}
