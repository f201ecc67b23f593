package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;

/**
 * The field-element encoding of the risk model's vector data (docs/ENCODING.md, "Risk vector
 * commitment"): the word sequences of an instrument entry and of the globals, in commitment order,
 * and their hashes {@code hashMD(pack(words)...)}. The risk model keeps the numbers; this class
 * fixes how they are committed.
 */
public final class RiskEncoding {
  private RiskEncoding() {}

  /**
   * Words of an instrument entry in commitment order: mark, fundingIndex, floorMm, floorIm,
   * rmm[0..S-1], rim[0..S-1] (quote atoms per lot).
   */
  public static long[] words(InstrumentRiskEntry entry) {
    ArgChecker.notNull(entry, "entry");
    long[] rmm = entry.rmm();
    long[] rim = entry.rim();
    int s = rmm.length;
    long[] w = new long[4 + 2 * s];
    w[0] = entry.mark();
    w[1] = entry.fundingIndex();
    w[2] = entry.floorMm();
    w[3] = entry.floorIm();
    System.arraycopy(rmm, 0, w, 4, s);
    System.arraycopy(rim, 0, w, 4 + s, s);
    return w;
  }

  /**
   * Words of the globals in commitment order: tier factors (ppm), then per asset its price, its
   * debt price and its S scenario values.
   *
   * @throws IllegalArgumentException if the collateral scenario arrays differ in length
   */
  public static long[] words(RiskGlobals globals) {
    ArgChecker.notNull(globals, "globals");
    long[] tierFactorPpm = globals.tierFactorPpm();
    long[] collateralPrice = globals.collateralPrice();
    long[] debtPrice = globals.debtPrice();
    long[][] collateralScenario = globals.collateralScenario();
    int a = collateralPrice.length;
    int s = a == 0 ? 0 : collateralScenario[0].length;
    long[] w = new long[tierFactorPpm.length + a * (2 + s)];
    System.arraycopy(tierFactorPpm, 0, w, 0, tierFactorPpm.length);
    int k = tierFactorPpm.length;
    for (int i = 0; i < a; i++) {
      if (collateralScenario[i].length != s) {
        throw new IllegalArgumentException("collateral scenario arrays differ in length");
      }
      w[k++] = collateralPrice[i];
      w[k++] = debtPrice[i];
      System.arraycopy(collateralScenario[i], 0, w, k, s);
      k += s;
    }
    return w;
  }

  /**
   * The entry whose {@link #words(InstrumentRiskEntry)} are {@code words}: the inverse of the
   * encoder, for data opened against a risk root (e.g. a batch's risk table rows).
   *
   * @param words mark, fundingIndex, floorMm, floorIm, rmm[S], rim[S]: exactly {@code 4 + 2S}
   * @param scenarios S, {@code >= 0}
   * @throws IllegalArgumentException on a wrong length or values the entry refuses (negative mark
   *     or floor)
   */
  public static InstrumentRiskEntry entry(long[] words, int scenarios) {
    ArgChecker.notNull(words, "words");
    ArgChecker.notNegative(scenarios, "scenarios");
    ArgChecker.isTrue(
        words.length == 4 + 2 * scenarios,
        "an entry of {} scenarios has {} words, got {}",
        scenarios,
        4 + 2 * scenarios,
        words.length);
    return new InstrumentRiskEntry(
        words[0],
        words[1],
        words[2],
        words[3],
        java.util.Arrays.copyOfRange(words, 4, 4 + scenarios),
        java.util.Arrays.copyOfRange(words, 4 + scenarios, 4 + 2 * scenarios));
  }

  /**
   * The globals whose {@link #words(RiskGlobals)} are {@code words}: the inverse of the encoder.
   *
   * @param words T tier factors, then per asset its price, debt price and S scenario values:
   *     exactly {@code T + A * (2 + S)}
   * @param sizes T, A and S
   * @throws IllegalArgumentException on a wrong length or values the globals refuse
   */
  public static RiskGlobals globals(long[] words, CircuitSizes sizes) {
    ArgChecker.notNull(words, "words");
    ArgChecker.notNull(sizes, "sizes");
    int t = sizes.tiers();
    int a = sizes.collateralAssets();
    int s = sizes.scenarios();
    ArgChecker.isTrue(
        words.length == t + a * (2 + s),
        "globals of sizes {} have {} words, got {}",
        sizes,
        t + a * (2 + s),
        words.length);
    long[] tiers = java.util.Arrays.copyOfRange(words, 0, t);
    long[] price = new long[a];
    long[] debt = new long[a];
    long[][] scen = new long[a][];
    int k = t;
    for (int i = 0; i < a; i++) {
      price[i] = words[k++];
      debt[i] = words[k++];
      scen[i] = java.util.Arrays.copyOfRange(words, k, k + s);
      k += s;
    }
    return new RiskGlobals(tiers, price, debt, scen);
  }

  /**
   * The entry hash {@code hashMD(pack(words(entry))...)} in {@code [0, r)}, the instrument tree
   * leaf.
   */
  public static BigInteger hash(InstrumentRiskEntry entry) {
    return Commitments.entryHash(entry);
  }

  /** The globals hash {@code hashMD(pack(words(globals))...)} in {@code [0, r)}. */
  public static BigInteger hash(RiskGlobals globals) {
    return Commitments.globalsHash(globals);
  }
}
