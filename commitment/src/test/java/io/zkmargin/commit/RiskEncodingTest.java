package io.zkmargin.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoders of packed risk words ({@link RiskEncoding#entry}, {@link RiskEncoding#globals})
 * invert the encoders: random entries and globals at both sizes round-trip through words and
 * packing to the same words and hash; wrong lengths are refused.
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
            new InstrumentRiskEntry(
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
        RiskGlobals g = new RiskGlobals(tiers, price, debt, scen);
        long[] gw = RiskEncoding.words(g);
        RiskGlobals gBack =
            RiskEncoding.globals(WordPacking.unpack(WordPacking.pack(gw), s.globalsWordCount()), s);
        assertArrayEquals(gw, RiskEncoding.words(gBack));
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
  }
}
