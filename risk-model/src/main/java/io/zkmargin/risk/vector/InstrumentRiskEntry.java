package io.zkmargin.risk.vector;

/**
 * One instrument's entry in the risk vector of an oracle epoch (see docs/ENCODING.md).
 *
 * <p>Its field-element encoding (words, packing, hash) is the commitment's ({@code
 * io.zkmargin.commit.RiskEncoding}); the components are in commitment order.
 *
 * <p>All values are in quote atoms per lot. Scenario values are value changes (positive = the
 * position of one long lot gains); losses are rounded up (more negative) by the risk model.
 *
 * <p>A <b>settled</b> instrument (expired, with a settlement value) carries the oracle rule that
 * keeps every margin circuit correct without reading the two settlement words: {@code mark ==
 * settlementValue}, both floors 0 and both scenario arrays all 0 (a settled position is worth its
 * payoff and has no risk left). An unsettled instrument has {@code settlementValue == 0}. The
 * constructor refuses anything else.
 *
 * @param mark mark value per lot, {@code >= 0}
 * @param fundingIndex cumulative funding index, quote atoms per lot (0 for options)
 * @param floorMm per-lot maintenance charge on {@code |quantity|}, {@code >= 0}
 * @param floorIm per-lot initial charge on {@code |quantity|}, {@code >= 0}
 * @param settled whether the instrument has expired and settled (its positions are closed at {@code
 *     settlementValue} by a settle-expiry transition and it can no longer be traded)
 * @param settlementValue the payoff of one long lot at expiry, quote atoms per lot (signed in the
 *     encoding; equal to {@code mark}, hence {@code >= 0}, when settled; 0 when not settled)
 * @param rmm maintenance scenario array, length S
 * @param rim initial scenario array, length S
 */
public record InstrumentRiskEntry(
    long mark,
    long fundingIndex,
    long floorMm,
    long floorIm,
    boolean settled,
    long settlementValue,
    long[] rmm,
    long[] rim) {

  /** Checks the ranges and the settled-instrument rule at the door. */
  public InstrumentRiskEntry {
    if (mark < 0 || floorMm < 0 || floorIm < 0) {
      throw new IllegalArgumentException("mark and floors must be >= 0");
    }
    if (rmm.length != rim.length) {
      throw new IllegalArgumentException(
          "maintenance and initial scenario arrays differ in length");
    }
    if (!settled && settlementValue != 0) {
      throw new IllegalArgumentException(
          "an unsettled instrument has settlement value 0, was " + settlementValue);
    }
    if (settled) {
      if (mark != settlementValue || floorMm != 0 || floorIm != 0) {
        throw new IllegalArgumentException(
            "a settled instrument has mark == settlementValue and zero floors, was mark "
                + mark
                + ", settlementValue "
                + settlementValue
                + ", floors "
                + floorMm
                + "/"
                + floorIm);
      }
      for (int s = 0; s < rmm.length; s++) {
        if (rmm[s] != 0 || rim[s] != 0) {
          throw new IllegalArgumentException(
              "a settled instrument has zero scenario arrays, scenario " + s + " is not");
        }
      }
    }
  }

  /**
   * An unsettled entry (settled = false, settlementValue = 0): the usual one.
   *
   * @param mark mark value per lot, {@code >= 0}
   * @param fundingIndex cumulative funding index, quote atoms per lot
   * @param floorMm per-lot maintenance charge, {@code >= 0}
   * @param floorIm per-lot initial charge, {@code >= 0}
   * @param rmm maintenance scenario array, length S
   * @param rim initial scenario array, length S
   */
  public InstrumentRiskEntry(
      long mark, long fundingIndex, long floorMm, long floorIm, long[] rmm, long[] rim) {
    this(mark, fundingIndex, floorMm, floorIm, false, 0, rmm, rim);
  }

  /**
   * The entry of an instrument settled at expiry: mark = settlementValue, zero floors and zero
   * scenario arrays.
   *
   * @param settlementValue payoff of one long lot at expiry, quote atoms per lot, {@code >= 0}
   * @param fundingIndex the instrument's final funding index (0 for options)
   * @param scenarios S, {@code >= 0}
   * @return the settled entry
   */
  public static InstrumentRiskEntry settledAt(
      long settlementValue, long fundingIndex, int scenarios) {
    if (scenarios < 0) {
      throw new IllegalArgumentException("scenarios must be >= 0, was " + scenarios);
    }
    return new InstrumentRiskEntry(
        settlementValue,
        fundingIndex,
        0,
        0,
        true,
        settlementValue,
        new long[scenarios],
        new long[scenarios]);
  }
}
