package io.zkmargin.risk.vector;

/**
 * One instrument's entry in the risk vector of an oracle epoch (see docs/ENCODING.md).
 *
 * <p>Its field-element encoding (words, packing, hash) is the commitment's ({@code
 * io.zkmargin.commit.RiskEncoding}).
 *
 * <p>All values are in quote atoms per lot. Scenario values are value changes (positive = the
 * position of one long lot gains); losses are rounded up (more negative) by the risk model.
 *
 * @param mark mark value per lot, {@code >= 0}
 * @param fundingIndex cumulative funding index, quote atoms per lot (0 for options)
 * @param floorMm per-lot maintenance charge on {@code |quantity|}, {@code >= 0}
 * @param floorIm per-lot initial charge on {@code |quantity|}, {@code >= 0}
 * @param rmm maintenance scenario array, length S
 * @param rim initial scenario array, length S
 */
public record InstrumentRiskEntry(
    long mark, long fundingIndex, long floorMm, long floorIm, long[] rmm, long[] rim) {

  public InstrumentRiskEntry {
    if (mark < 0 || floorMm < 0 || floorIm < 0) {
      throw new IllegalArgumentException("mark and floors must be >= 0");
    }
    if (rmm.length != rim.length) {
      throw new IllegalArgumentException(
          "maintenance and initial scenario arrays differ in length");
    }
  }
}
