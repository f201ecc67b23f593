package io.zkmargin.risk.vector;

import java.util.Arrays;

/**
 * The scenarios of a risk array: for each scenario s a price move of {@code range * num[s] /
 * den[s]} of the underlying's price range, a vol shock direction (+1 up, -1 down, 0 none), and
 * whether it is an extreme move whose value change is weighted by {@code cover * range / |move|}
 * (so that linear positions pay at most the core range and only convex positions pay extra).
 *
 * @param moveNumerator numerator of the move in units of the range, per scenario
 * @param moveDenominator denominator of the move, per scenario, {@code > 0}
 * @param volDirection vol shock direction per scenario, in {-1, 0, +1}
 * @param extreme extreme-move flag per scenario
 */
public record ScenarioGrid(
    long[] moveNumerator, long[] moveDenominator, int[] volDirection, boolean[] extreme) {

  /** Checks the components at the door; throws {@link IllegalArgumentException} with the reason. */
  public ScenarioGrid {
    int n = moveNumerator.length;
    if (n == 0 || moveDenominator.length != n || volDirection.length != n || extreme.length != n) {
      throw new IllegalArgumentException("scenario arrays must be non-empty and of equal length");
    }
    for (int s = 0; s < n; s++) {
      if (moveDenominator[s] <= 0 || Math.abs(moveNumerator[s]) > 1000 * moveDenominator[s]) {
        throw new IllegalArgumentException(
            "scenario " + s + ": move must be num/den with den > 0 and |move| <= 1000");
      }
      if (volDirection[s] < -1 || volDirection[s] > 1) {
        throw new IllegalArgumentException("scenario " + s + ": vol direction must be -1, 0 or +1");
      }
      if (extreme[s] && moveNumerator[s] == 0) {
        throw new IllegalArgumentException("scenario " + s + ": an extreme move must not be zero");
      }
    }
    moveNumerator = moveNumerator.clone();
    moveDenominator = moveDenominator.clone();
    volDirection = volDirection.clone();
    extreme = extreme.clone();
  }

  /**
   * The classic 16-scenario grid (production S = 16): moves 0, +1/3, -1/3, +2/3, -2/3, +3/3, -3/3
   * of the range, each with vol up then vol down (scenarios 0..13), then extreme moves of +3 and -3
   * ranges with vol up (14, 15), weighted.
   */
  public static ScenarioGrid standard16() {
    long[] num = new long[16];
    long[] den = new long[16];
    int[] vol = new int[16];
    boolean[] ext = new boolean[16];
    long[] moves = {0, 1, -1, 2, -2, 3, -3};
    for (int i = 0; i < 7; i++) {
      for (int v = 0; v < 2; v++) {
        int s = 2 * i + v;
        num[s] = moves[i];
        den[s] = 3;
        vol[s] = v == 0 ? 1 : -1;
      }
    }
    num[14] = 9;
    num[15] = -9;
    den[14] = den[15] = 3;
    vol[14] = vol[15] = 1;
    ext[14] = ext[15] = true;
    return new ScenarioGrid(num, den, vol, ext);
  }

  /**
   * A 4-scenario grid for the small test circuit (S = 4): +range and -range, each with vol up and
   * vol down.
   */
  public static ScenarioGrid compact4() {
    return new ScenarioGrid(
        new long[] {1, 1, -1, -1},
        new long[] {1, 1, 1, 1},
        new int[] {1, -1, 1, -1},
        new boolean[4]);
  }

  /**
   * The default grid for a circuit's scenario count: {@link #standard16()} for 16, {@link
   * #compact4()} for 4.
   *
   * @throws IllegalArgumentException for other counts (build a custom grid)
   */
  public static ScenarioGrid forSize(int scenarios) {
    if (scenarios == 16) {
      return standard16();
    }
    if (scenarios == 4) {
      return compact4();
    }
    throw new IllegalArgumentException(
        "no default scenario grid for S = " + scenarios + " (use 4 or 16, or a custom grid)");
  }

  /** Number of scenarios S. */
  public int size() {
    return moveNumerator.length;
  }

  /** Human-readable label of scenario s, e.g. {@code "-2/3 range, vol down"}. */
  public String label(int s) {
    String move =
        moveNumerator[s] == 0
            ? "spot unchanged"
            : (moveNumerator[s] > 0 ? "+" : "")
                + moveNumerator[s]
                + "/"
                + moveDenominator[s]
                + " range";
    String vol = volDirection[s] > 0 ? ", vol up" : volDirection[s] < 0 ? ", vol down" : "";
    return move + vol + (extreme[s] ? " (extreme, weighted)" : "");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScenarioGrid g
        && Arrays.equals(moveNumerator, g.moveNumerator)
        && Arrays.equals(moveDenominator, g.moveDenominator)
        && Arrays.equals(volDirection, g.volDirection)
        && Arrays.equals(extreme, g.extreme);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(moveNumerator) * 31 + Arrays.hashCode(volDirection);
  }
}
