package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.RiskDimensions;

/**
 * The compile-time sizes of the health circuit (and of the account leaf and risk vector it commits
 * to).
 *
 * <p>Adds to the risk model's {@link RiskDimensions} the account tree depth and the circuit id. A
 * leaf or risk vector encoded for one size cannot be proven by a circuit of another size: the sizes
 * are part of the circuit id and hence of the verifying key.
 *
 * @param stateDepth depth D of the account tree (account ids are in {@code [0, 2^D)})
 * @param instrumentDepth depth DI of the instrument tree of the risk vector (ids in {@code [0,
 *     2^DI)})
 * @param positionSlots P, position slots per account
 * @param collateralAssets A, collateral assets (asset 0 is the quote asset)
 * @param scenarios S, scenarios per risk array
 * @param tiers T, risk tiers
 */
public record CircuitSizes(
    int stateDepth,
    int instrumentDepth,
    int positionSlots,
    int collateralAssets,
    int scenarios,
    int tiers)
    implements RiskDimensions {

  /** The production size: D=32, DI=12, P=8, A=4, S=16, T=4. */
  public static final CircuitSizes PRODUCTION = new CircuitSizes(32, 12, 8, 4, 16, 4);

  /** The small size that tests and CI use: D=6, DI=3, P=2, A=2, S=4, T=2. */
  public static final CircuitSizes TEST = new CircuitSizes(6, 3, 2, 2, 4, 2);

  public CircuitSizes {
    check(stateDepth, 1, 32, "stateDepth");
    check(instrumentDepth, 1, 20, "instrumentDepth");
    check(positionSlots, 1, 64, "positionSlots");
    check(collateralAssets, 1, 32, "collateralAssets");
    check(scenarios, 1, 64, "scenarios");
    check(tiers, 1, 16, "tiers");
  }

  private static void check(int value, int min, int max, String name) {
    ArgChecker.inRange(value, min, max, name);
  }

  /** The health circuit id for these sizes, e.g. {@code health-D32-I12-P8-A4-S16-T4}. */
  public String healthCircuitId() {
    return "health-D"
        + stateDepth
        + "-I"
        + instrumentDepth
        + "-P"
        + positionSlots
        + "-A"
        + collateralAssets
        + "-S"
        + scenarios
        + "-T"
        + tiers;
  }

  /** Parses a circuit id of the form {@code health-D..-I..-P..-A..-S..-T..}. */
  public static CircuitSizes fromHealthCircuitId(String circuitId) {
    String[] parts = circuitId.split("-");
    if (parts.length != 7 || !parts[0].equals("health")) {
      throw new IllegalArgumentException("not a health circuit id: " + circuitId);
    }
    String prefixes = "DIPAST";
    int[] v = new int[6];
    for (int i = 0; i < 6; i++) {
      String p = parts[i + 1];
      if (p.isEmpty() || p.charAt(0) != prefixes.charAt(i)) {
        throw new IllegalArgumentException("not a health circuit id: " + circuitId);
      }
      try {
        v[i] = Integer.parseInt(p.substring(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a health circuit id: " + circuitId, e);
      }
    }
    return new CircuitSizes(v[0], v[1], v[2], v[3], v[4], v[5]);
  }

  /** Number of words in an account leaf: nonce, tier, A balances, 3 per position slot. */
  public int leafWordCount() {
    return 2 + collateralAssets + 3 * positionSlots;
  }

  /**
   * Number of words in an instrument risk entry: mark, fundingIndex, floorMm, floorIm, settled,
   * settlementValue, Rmm[S], Rim[S] ({@code 6 + 2S}).
   */
  public int instrumentEntryWordCount() {
    return RiskEncoding.ENTRY_RMM + 2 * scenarios;
  }

  /**
   * Number of words in the risk globals: T tier factors, the five liquidation words, then per asset
   * a price, a debt price and S scenario values ({@code T + 5 + A(2 + S)}).
   */
  public int globalsWordCount() {
    return tiers + RiskEncoding.LIQUIDATION_WORDS + collateralAssets * (2 + scenarios);
  }
}
