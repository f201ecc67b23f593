package io.zkmargin.commit;

/**
 * One instrument's entry in the risk vector of an oracle epoch (see docs/ENCODING.md).
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
public record InstrumentRiskEntry(long mark, long fundingIndex, long floorMm, long floorIm, long[] rmm, long[] rim) {

  public InstrumentRiskEntry {
    if (mark < 0 || floorMm < 0 || floorIm < 0) {
      throw new IllegalArgumentException("mark and floors must be >= 0");
    }
    if (rmm.length != rim.length) {
      throw new IllegalArgumentException("maintenance and initial scenario arrays differ in length");
    }
  }

  /** Words in commitment order: mark, fundingIndex, floorMm, floorIm, rmm[0..S-1], rim[0..S-1]. */
  public long[] words() {
    int s = rmm.length;
    long[] w = new long[4 + 2 * s];
    w[0] = mark;
    w[1] = fundingIndex;
    w[2] = floorMm;
    w[3] = floorIm;
    System.arraycopy(rmm, 0, w, 4, s);
    System.arraycopy(rim, 0, w, 4 + s, s);
    return w;
  }

  /** The entry hash {@code hashMD(pack(words())...)} in {@code [0, r)}, the instrument tree leaf. */
  public java.math.BigInteger hash() {
    return Commitments.entryHash(this);
  }
}
