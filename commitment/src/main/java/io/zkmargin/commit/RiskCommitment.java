package io.zkmargin.commit;

import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The commitment {@code riskRoot = compress(instrumentsRoot, globalsHash)} to one oracle epoch's
 * risk vector (docs/ENCODING.md, "Risk vector commitment").
 *
 * <p>The instrument tree has depth DI; leaf {@code id} is {@code RiskEncoding.hash(entry)} of
 * instrument {@code id}, absent instruments are 0. Immutable once built; the entry records are
 * shared, not copied.
 */
public final class RiskCommitment {
  private final CircuitSizes sizes;
  private final SortedMap<Long, InstrumentRiskEntry> entries;
  private final RiskGlobals globals;
  private final SparseMerkleTree instrumentTree;
  private final BigInteger instrumentsRoot;
  private final BigInteger globalsHash;
  private final BigInteger riskRoot;

  /**
   * Builds the commitment.
   *
   * @param sizes circuit sizes (DI, A, S, T are used)
   * @param entries instrument id (in {@code [0, 2^DI)}) to its entry, whose scenario arrays have
   *     length S
   * @param globals tier factors (length T) and collateral prices/scenarios (A assets, S scenarios
   *     each)
   * @throws IllegalArgumentException on an id out of range or a length that does not match the
   *     sizes
   */
  public RiskCommitment(
      CircuitSizes sizes, Map<Long, InstrumentRiskEntry> entries, RiskGlobals globals) {
    if (sizes == null || entries == null || globals == null) {
      throw new IllegalArgumentException("sizes, entries and globals must not be null");
    }
    checkGlobals(sizes, globals);
    this.sizes = sizes;
    this.globals = globals;
    this.instrumentTree = new SparseMerkleTree(sizes.instrumentDepth());
    TreeMap<Long, InstrumentRiskEntry> copy = new TreeMap<>();
    for (Map.Entry<Long, InstrumentRiskEntry> e : entries.entrySet()) {
      Long id = e.getKey();
      InstrumentRiskEntry entry = e.getValue();
      if (id == null || entry == null) {
        throw new IllegalArgumentException("instrument ids and entries must not be null");
      }
      if (id < 0 || id >= instrumentTree.capacity()) {
        throw new IllegalArgumentException(
            "instrument id " + id + " is outside [0, 2^" + sizes.instrumentDepth() + ")");
      }
      if (entry.rmm().length != sizes.scenarios()) {
        throw new IllegalArgumentException(
            "instrument "
                + id
                + " has "
                + entry.rmm().length
                + " scenarios, circuit expects "
                + sizes.scenarios());
      }
      copy.put(id, entry);
      instrumentTree.set(id, RiskEncoding.hash(entry));
    }
    this.entries = Collections.unmodifiableSortedMap(copy);
    this.instrumentsRoot = instrumentTree.root();
    this.globalsHash = RiskEncoding.hash(globals);
    this.riskRoot = Poseidon2.compress(instrumentsRoot, globalsHash);
  }

  private static void checkGlobals(CircuitSizes sizes, RiskGlobals g) {
    if (g.tierFactorPpm().length != sizes.tiers()) {
      throw new IllegalArgumentException(
          "globals have "
              + g.tierFactorPpm().length
              + " tier factors, circuit expects "
              + sizes.tiers());
    }
    if (g.collateralPrice().length != sizes.collateralAssets()) {
      throw new IllegalArgumentException(
          "globals have "
              + g.collateralPrice().length
              + " collateral assets, circuit expects "
              + sizes.collateralAssets());
    }
    for (int a = 0; a < g.collateralScenario().length; a++) {
      if (g.collateralScenario()[a].length != sizes.scenarios()) {
        throw new IllegalArgumentException(
            "collateral asset "
                + a
                + " has "
                + g.collateralScenario()[a].length
                + " scenarios, circuit expects "
                + sizes.scenarios());
      }
    }
  }

  /** The sizes this commitment was built for. */
  public CircuitSizes sizes() {
    return sizes;
  }

  /** All entries by instrument id, ascending (unmodifiable). */
  public SortedMap<Long, InstrumentRiskEntry> entries() {
    return entries;
  }

  /** The entry of instrument {@code id}, or null if the instrument is absent. */
  public InstrumentRiskEntry entry(long id) {
    return entries.get(id);
  }

  /** The epoch globals. */
  public RiskGlobals globals() {
    return globals;
  }

  /** Root of the instrument tree (depth DI). */
  public BigInteger instrumentsRoot() {
    return instrumentsRoot;
  }

  /** {@code RiskEncoding.hash(globals)}. */
  public BigInteger globalsHash() {
    return globalsHash;
  }

  /** {@code compress(instrumentsRoot, globalsHash)}, the public input of the health circuit. */
  public BigInteger riskRoot() {
    return riskRoot;
  }

  /**
   * The path of instrument {@code id} in the instrument tree: DI siblings, leaf level first.
   *
   * @param id instrument id in {@code [0, 2^DI)}
   */
  public BigInteger[] path(long id) {
    return instrumentTree.path(id);
  }
}
