package io.zkmargin.risk.vector;

import io.zkmargin.risk.util.ArgChecker;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The risk vector of one oracle epoch: the instrument entries and the globals exactly as committed
 * (docs/ENCODING.md), plus the same numbers laid out in flat primitive arrays for the margin hot
 * path. Immutable; the flat arrays are package-private views for {@link
 * io.zkmargin.risk.margin.MarginCalculator} through the accessors, which callers must not mutate.
 */
public final class RiskVector {
  private final long epoch;
  private final RiskDimensions sizes;
  private final SortedMap<Integer, InstrumentRiskEntry> entries;
  private final RiskGlobals globals;
  private final int scenarios;
  private final boolean[] present;
  private final long[] mark;
  private final long[] funding;
  private final long[] floorMm;
  private final long[] floorIm;
  private final long[] rmm;
  private final long[] rim;
  private final long[] maxAbsR;
  private final long[] collateralPrice;
  private final long[] debtPrice;
  private final long[] collateralScenario;
  private final long[] maxAbsC;
  private final long[] tierFactorPpm;

  /**
   * Builds the vector from committed entries and globals, validating them against the dimensions.
   *
   * @param epoch oracle epoch number, {@code >= 0}
   * @param sizes dimensions (DI bounds the ids, S the arrays, A and T the globals)
   * @param entries instrument entries by id, ids in {@code [0, 2^DI)}
   * @param globals tier factors and collateral prices and scenarios
   * @throws IllegalArgumentException if any size or range does not match
   */
  public RiskVector(
      long epoch,
      RiskDimensions sizes,
      Map<Integer, InstrumentRiskEntry> entries,
      RiskGlobals globals) {
    ArgChecker.notNegative(epoch, "epoch");
    this.epoch = epoch;
    this.sizes = sizes;
    this.scenarios = sizes.scenarios();
    int s = scenarios;
    int maxIds = 1 << sizes.instrumentDepth();
    this.entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    if (!this.entries.isEmpty()
        && (this.entries.firstKey() < 0 || this.entries.lastKey() >= maxIds)) {
      throw new IllegalArgumentException(
          "instrument ids must be in [0, 2^" + sizes.instrumentDepth() + ")");
    }
    int n =
        this.entries.isEmpty()
            ? 0
            : this.entries.lastKey() + 1; // flat arrays sized by the largest id
    this.globals = globals;
    present = new boolean[n];
    mark = new long[n];
    funding = new long[n];
    floorMm = new long[n];
    floorIm = new long[n];
    rmm = new long[n * s];
    rim = new long[n * s];
    maxAbsR = new long[n];
    for (Map.Entry<Integer, InstrumentRiskEntry> e : this.entries.entrySet()) {
      int id = e.getKey();
      InstrumentRiskEntry r = e.getValue();
      if (r.rmm().length != s) {
        throw new IllegalArgumentException(
            "instrument " + id + " has " + r.rmm().length + " scenarios, expected " + s);
      }
      present[id] = true;
      mark[id] = r.mark();
      funding[id] = r.fundingIndex();
      floorMm[id] = r.floorMm();
      floorIm[id] = r.floorIm();
      long m = 0;
      for (int k = 0; k < s; k++) {
        rmm[id * s + k] = r.rmm()[k];
        rim[id * s + k] = r.rim()[k];
        m = Math.max(m, Math.max(abs(r.rmm()[k]), abs(r.rim()[k])));
      }
      maxAbsR[id] = m;
    }
    int a = sizes.collateralAssets();
    if (globals.collateralPrice().length != a) {
      throw new IllegalArgumentException(
          "globals have " + globals.collateralPrice().length + " assets, expected " + a);
    }
    if (globals.tierFactorPpm().length != sizes.tiers()) {
      throw new IllegalArgumentException(
          "globals have " + globals.tierFactorPpm().length + " tiers, expected " + sizes.tiers());
    }
    collateralPrice = globals.collateralPrice().clone();
    debtPrice = globals.debtPrice().clone();
    collateralScenario = new long[a * s];
    maxAbsC = new long[a];
    for (int i = 0; i < a; i++) {
      for (long c : globals.collateralScenario()[i]) {
        maxAbsC[i] = Math.max(maxAbsC[i], abs(c));
      }
      if (globals.collateralScenario()[i].length != s) {
        throw new IllegalArgumentException(
            "collateral " + i + " has a scenario array of the wrong length");
      }
      System.arraycopy(globals.collateralScenario()[i], 0, collateralScenario, i * s, s);
    }
    tierFactorPpm = globals.tierFactorPpm().clone();
  }

  private static long abs(long v) {
    return v == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(v);
  }

  /** Oracle epoch number. */
  public long epoch() {
    return epoch;
  }

  /** Dimensions this vector is laid out for (the circuit sizes when built for a circuit). */
  public RiskDimensions sizes() {
    return sizes;
  }

  /** Committed instrument entries by id (unmodifiable, sorted). */
  public SortedMap<Integer, InstrumentRiskEntry> entries() {
    return entries;
  }

  /** Committed globals. */
  public RiskGlobals globals() {
    return globals;
  }

  /** Number of scenarios S. */
  public int scenarios() {
    return scenarios;
  }

  /** True if the instrument id has an entry. */
  public boolean has(long id) {
    return id >= 0 && id < present.length && present[(int) id];
  }

  // Flat views for the margin hot path (do not mutate).

  /** Mark per lot by id, quote atoms. */
  public long[] markArray() {
    return mark;
  }

  /** Funding index by id, quote atoms per lot. */
  public long[] fundingArray() {
    return funding;
  }

  /** Maintenance floor per lot by id, quote atoms. */
  public long[] floorMmArray() {
    return floorMm;
  }

  /** Initial floor per lot by id, quote atoms. */
  public long[] floorImArray() {
    return floorIm;
  }

  /** Maintenance scenario values, index {@code id * S + s}, quote atoms per lot. */
  public long[] rmmArray() {
    return rmm;
  }

  /** Initial scenario values, index {@code id * S + s}, quote atoms per lot. */
  public long[] rimArray() {
    return rim;
  }

  /** Largest |R| (MM or IM) per id, quote atoms per lot (a bound for fast-path checks). */
  public long[] maxAbsRArray() {
    return maxAbsR;
  }

  /** Haircut-adjusted collateral price per asset, quote atoms per 10^9 atoms. */
  public long[] collateralPriceArray() {
    return collateralPrice;
  }

  /**
   * Debt price per asset (the price of a negative balance, no haircut), quote atoms per 10^9 atoms.
   */
  public long[] debtPriceArray() {
    return debtPrice;
  }

  /** Collateral scenario values, index {@code a * S + s}, quote atoms per 10^9 atoms. */
  public long[] collateralScenarioArray() {
    return collateralScenario;
  }

  /** Largest |C[a][s]| per asset, quote atoms per 10^9 atoms (a bound for fast-path checks). */
  public long[] maxAbsCollateralScenarioArray() {
    return maxAbsC;
  }

  /** Tier factors, ppm. */
  public long[] tierFactorArray() {
    return tierFactorPpm;
  }
}
