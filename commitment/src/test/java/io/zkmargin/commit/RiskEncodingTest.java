package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskGlobals;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoders of packed risk words ({@link RiskEncoding#entry}, {@link RiskEncoding#globals})
 * invert the encoders: random entries and globals at both sizes round-trip through words and
 * packing to the same words and hash (settled entries and liquidation parameters included); wrong
 * lengths, a settled entry breaking the oracle rule and out-of-range liquidation words are refused.
 */
class RiskEncodingTest {
  @Test
  void entriesAndGlobalsRoundTripThroughPackedWords() {
    Random rnd = new Random(7);
    for (CircuitSizes s : new CircuitSizes[] {CircuitSizes.TEST, CircuitSizes.PRODUCTION}) {
      for (int i = 0; i < 50; i++) {
        long[] rmm = new long[s.scenarios()];
        long[] rim = new long[s.scenarios()];
        for (int k = 0; k < rmm.length; k++) {
          rmm[k] = rnd.nextLong();
          rim[k] = rnd.nextLong();
        }
        InstrumentRiskEntry e =
            i % 5 == 4
                ? InstrumentRiskEntry.settledAt(rnd.nextLong() >>> 1, rnd.nextLong(), s.scenarios())
                : new InstrumentRiskEntry(
                    rnd.nextLong() >>> 1,
                    rnd.nextLong(),
                    rnd.nextLong() >>> 1,
                    rnd.nextLong() >>> 1,
                    rmm,
                    rim);
        long[] w = RiskEncoding.words(e);
        long[] unpacked = WordPacking.unpack(WordPacking.pack(w), s.instrumentEntryWordCount());
        InstrumentRiskEntry back = RiskEncoding.entry(unpacked, s.scenarios());
        assertArrayEquals(w, RiskEncoding.words(back));
        assertEquals(e.settled(), back.settled());
        assertEquals(e.settled() ? 1 : 0, w[RiskEncoding.ENTRY_SETTLED]);
        assertEquals(e.settlementValue(), w[RiskEncoding.ENTRY_SETTLEMENT_VALUE]);
        assertEquals(RiskEncoding.hash(e), RiskEncoding.hash(back));

        long[] tiers = new long[s.tiers()];
        for (int t = 0; t < tiers.length; t++) {
          tiers[t] = rnd.nextInt(Integer.MAX_VALUE);
        }
        int a = s.collateralAssets();
        long[] price = new long[a];
        long[] debt = new long[a];
        long[][] scen = new long[a][s.scenarios()];
        for (int j = 0; j < a; j++) {
          price[j] = rnd.nextLong() >>> 2;
          debt[j] = price[j] + (rnd.nextLong() >>> 3);
          for (int k = 0; k < s.scenarios(); k++) {
            scen[j][k] = rnd.nextLong();
          }
        }
        long share = rnd.nextInt(1_000_001);
        LiquidationParams lp =
            new LiquidationParams(
                rnd.nextInt(1_000_001),
                share,
                rnd.nextInt((int) (1_000_001 - share)),
                1_000_000 + rnd.nextInt(9_000_001),
                rnd.nextLong() >>> 32);
        RiskGlobals g = new RiskGlobals(tiers, lp, price, debt, scen);
        long[] gw = RiskEncoding.words(g);
        RiskGlobals gBack =
            RiskEncoding.globals(WordPacking.unpack(WordPacking.pack(gw), s.globalsWordCount()), s);
        assertArrayEquals(gw, RiskEncoding.words(gBack));
        assertEquals(lp, gBack.liquidation());
        assertEquals(lp.keeperSharePpm(), gw[s.tiers() + 2]);
        assertEquals(RiskEncoding.hash(g), RiskEncoding.hash(gBack));
      }
    }
  }

  @Test
  void wrongLengthsAndValuesAreRefused() {
    CircuitSizes s = CircuitSizes.TEST;
    assertThrows(
        IllegalArgumentException.class,
        () -> RiskEncoding.entry(new long[s.instrumentEntryWordCount() + 1], s.scenarios()));
    long[] negativeMark = new long[s.instrumentEntryWordCount()];
    negativeMark[0] = -1;
    assertThrows(
        IllegalArgumentException.class, () -> RiskEncoding.entry(negativeMark, s.scenarios()));
    assertThrows(
        IllegalArgumentException.class,
        () -> RiskEncoding.globals(new long[s.globalsWordCount() - 1], s));
    // settled must be 0 or 1; a settled entry has mark == settlementValue, zero floors and arrays;
    // an unsettled one has settlement value 0
    long[] settled = RiskEncoding.words(InstrumentRiskEntry.settledAt(7, 0, s.scenarios()));
    assertEquals(7, RiskEncoding.entry(settled, s.scenarios()).settlementValue());
    for (int[] bad : new int[][] {{RiskEncoding.ENTRY_SETTLED, 2}, {0, 8}, {2, 1}, {3, 1}}) {
      long[] w = settled.clone();
      w[bad[0]] = bad[1];
      assertThrows(IllegalArgumentException.class, () -> RiskEncoding.entry(w, s.scenarios()));
    }
    long[] riskLeft = settled.clone();
    riskLeft[RiskEncoding.ENTRY_RMM + 1] = -1;
    assertThrows(IllegalArgumentException.class, () -> RiskEncoding.entry(riskLeft, s.scenarios()));
    long[] unsettledValue = new long[s.instrumentEntryWordCount()];
    unsettledValue[RiskEncoding.ENTRY_SETTLEMENT_VALUE] = 5;
    assertThrows(
        IllegalArgumentException.class, () -> RiskEncoding.entry(unsettledValue, s.scenarios()));
    // liquidation words: shares summing above 10^6, a close target below IM
    long[] g = RiskEncoding.words(CommitFixtures.globals());
    long[] shares = g.clone();
    shares[s.tiers() + 1] = 900_000;
    shares[s.tiers() + 2] = 100_001;
    assertThrows(IllegalArgumentException.class, () -> RiskEncoding.globals(shares, s));
    long[] target = g.clone();
    target[s.tiers() + 3] = 999_999;
    assertThrows(IllegalArgumentException.class, () -> RiskEncoding.globals(target, s));
    assertEquals(CommitFixtures.globals().liquidation(), RiskEncoding.globals(g, s).liquidation());
  }
}
