package io.zkmargin.commit;

import io.zkmargin.risk.util.ArgChecker;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The field-element encoding of the risk model's vector data (docs/ENCODING.md, "Risk vector
 * commitment"): the word sequences of an instrument entry and of the globals, in commitment order,
 * and their hashes {@code hashMD(pack(words)...)}. The risk model keeps the numbers; this class
 * fixes how they are committed.
 */
public final class RiskEncoding {
  private RiskEncoding() {}

  /** Word index of {@code settled} (0 or 1) in an instrument entry. */
  public static final int ENTRY_SETTLED = 4;

  /** Word index of {@code settlementValue} in an instrument entry. */
  public static final int ENTRY_SETTLEMENT_VALUE = 5;

  /** Word index of {@code Rmm[0]} in an instrument entry ({@code Rim[0]} is at {@code 6 + S}). */
  public static final int ENTRY_RMM = 6;

  /**
   * Number of liquidation words after the tier factors in the globals: penaltyPpm,
   * insuranceSharePpm, keeperSharePpm, closeTargetPpm, insuranceFundId.
   */
  public static final int LIQUIDATION_WORDS = 5;

  /**
   * Words of an instrument entry in commitment order: mark, fundingIndex, floorMm, floorIm, settled
   * (0/1), settlementValue, rmm[0..S-1], rim[0..S-1] (quote atoms per lot).
   */
  public static long[] words(InstrumentRiskEntry entry) {
    ArgChecker.notNull(entry, "entry");
    long[] rmm = entry.rmm();
    long[] rim = entry.rim();
    int s = rmm.length;
    long[] w = new long[ENTRY_RMM + 2 * s];
    w[0] = entry.mark();
    w[1] = entry.fundingIndex();
    w[2] = entry.floorMm();
    w[3] = entry.floorIm();
    w[ENTRY_SETTLED] = entry.settled() ? 1 : 0;
    w[ENTRY_SETTLEMENT_VALUE] = entry.settlementValue();
    System.arraycopy(rmm, 0, w, ENTRY_RMM, s);
    System.arraycopy(rim, 0, w, ENTRY_RMM + s, s);
    return w;
  }

  /**
   * Words of the globals in commitment order: tier factors (ppm), the liquidation parameters
   * (penaltyPpm, insuranceSharePpm, keeperSharePpm, closeTargetPpm, insuranceFundId), then per
   * asset its price, its debt price and its S scenario values.
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
    long[] w = new long[tierFactorPpm.length + LIQUIDATION_WORDS + a * (2 + s)];
    System.arraycopy(tierFactorPpm, 0, w, 0, tierFactorPpm.length);
    int k = tierFactorPpm.length;
    LiquidationParams p = globals.liquidation();
    w[k++] = p.penaltyPpm();
    w[k++] = p.insuranceSharePpm();
    w[k++] = p.keeperSharePpm();
    w[k++] = p.closeTargetPpm();
    w[k++] = p.insuranceFundId();
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
   * @param words mark, fundingIndex, floorMm, floorIm, settled, settlementValue, rmm[S], rim[S]:
   *     exactly {@code 6 + 2S}
   * @param scenarios S, {@code >= 0}
   * @throws IllegalArgumentException on a wrong length or values the entry refuses (negative mark
   *     or floor, settled not 0/1, a settled entry breaking the oracle rule)
   */
  public static InstrumentRiskEntry entry(long[] words, int scenarios) {
    ArgChecker.notNull(words, "words");
    ArgChecker.notNegative(scenarios, "scenarios");
    int n = ENTRY_RMM + 2 * scenarios;
    ArgChecker.isTrue(
        words.length == n,
        "an entry of {} scenarios has {} words, got {}",
        scenarios,
        n,
        words.length);
    long settled = words[ENTRY_SETTLED];
    ArgChecker.isTrue(settled == 0 || settled == 1, "settled must be 0 or 1, was {}", settled);
    return new InstrumentRiskEntry(
        words[0],
        words[1],
        words[2],
        words[3],
        settled == 1,
        words[ENTRY_SETTLEMENT_VALUE],
        Arrays.copyOfRange(words, ENTRY_RMM, ENTRY_RMM + scenarios),
        Arrays.copyOfRange(words, ENTRY_RMM + scenarios, n));
  }

  /**
   * The globals whose {@link #words(RiskGlobals)} are {@code words}: the inverse of the encoder.
   *
   * @param words T tier factors, the five liquidation words, then per asset its price, debt price
   *     and S scenario values: exactly {@code T + 5 + A * (2 + S)}
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
        words.length == sizes.globalsWordCount(),
        "globals of sizes {} have {} words, got {}",
        sizes,
        sizes.globalsWordCount(),
        words.length);
    long[] tiers = Arrays.copyOfRange(words, 0, t);
    LiquidationParams liquidation =
        new LiquidationParams(words[t], words[t + 1], words[t + 2], words[t + 3], words[t + 4]);
    long[] price = new long[a];
    long[] debt = new long[a];
    long[][] scen = new long[a][];
    int k = t + LIQUIDATION_WORDS;
    for (int i = 0; i < a; i++) {
      price[i] = words[k++];
      debt[i] = words[k++];
      scen[i] = Arrays.copyOfRange(words, k, k + s);
      k += s;
    }
    return new RiskGlobals(tiers, liquidation, price, debt, scen);
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
