package io.zkmargin.risk.margin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.demo.DemoVenue;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MarginCalculatorTest {
  static final BigInteger N = BigInteger.valueOf(1_000_000_000L);
  static final BigInteger PPM = BigInteger.valueOf(1_000_000L);

  /** The ENCODING.md formula, transcribed literally in BigInteger. */
  static BigInteger[] reference(RiskVector v, AccountLeaf leaf) {
    int sc = v.scenarios();
    RiskGlobals g = v.globals();
    BigInteger e = BigInteger.ZERO;
    for (int a = 0; a < leaf.balances().length; a++) {
      long b = leaf.balances()[a];
      long price = b < 0 ? g.debtPrice()[a] : g.collateralPrice()[a];
      e = e.add(BigInteger.valueOf(b).multiply(BigInteger.valueOf(price)));
    }
    BigInteger[] lmm = new BigInteger[sc];
    BigInteger[] lim = new BigInteger[sc];
    BigInteger fmm = BigInteger.ZERO;
    BigInteger fim = BigInteger.ZERO;
    for (int s = 0; s < sc; s++) {
      BigInteger c = BigInteger.ZERO;
      for (int a = 0; a < leaf.balances().length; a++) {
        c =
            c.add(
                BigInteger.valueOf(leaf.balances()[a])
                    .multiply(BigInteger.valueOf(g.collateralScenario()[a][s])));
      }
      lmm[s] = c;
      lim[s] = c;
    }
    for (int j = 0; j < leaf.quantities().length; j++) {
      long q = leaf.quantities()[j];
      if (q == 0) {
        continue;
      }
      InstrumentRiskEntry r = v.entries().get((int) leaf.instrumentIds()[j]);
      BigInteger bq = BigInteger.valueOf(q);
      e =
          e.add(
              N.multiply(bq)
                  .multiply(
                      BigInteger.valueOf(r.mark())
                          .subtract(
                              BigInteger.valueOf(r.fundingIndex())
                                  .subtract(BigInteger.valueOf(leaf.fundingSnapshots()[j])))));
      fmm = fmm.add(bq.abs().multiply(BigInteger.valueOf(r.floorMm())));
      fim = fim.add(bq.abs().multiply(BigInteger.valueOf(r.floorIm())));
      for (int s = 0; s < sc; s++) {
        lmm[s] = lmm[s].add(N.multiply(bq).multiply(BigInteger.valueOf(r.rmm()[s])));
        lim[s] = lim[s].add(N.multiply(bq).multiply(BigInteger.valueOf(r.rim()[s])));
      }
    }
    BigInteger mmCore = BigInteger.ZERO;
    BigInteger imCore = BigInteger.ZERO;
    for (int s = 0; s < sc; s++) {
      mmCore = mmCore.max(lmm[s].negate());
      imCore = imCore.max(lim[s].negate());
    }
    BigInteger tier = BigInteger.valueOf(g.tierFactorPpm()[(int) leaf.tier()]);
    BigInteger mm = mmCore.add(N.multiply(fmm)).multiply(tier);
    BigInteger im = imCore.add(N.multiply(fim)).multiply(tier);
    return new BigInteger[] {e, mmCore, mm, imCore, im};
  }

  static void assertMatches(RiskVector v, AccountLeaf leaf, MarginResult r) {
    BigInteger[] ref = reference(v, leaf);
    assertEquals(ref[0], r.equityNano(), "E of " + leaf);
    assertEquals(ref[1], r.maintenanceCore(), "MMcore of " + leaf);
    assertEquals(ref[2], r.maintenanceScaled(), "MM of " + leaf);
    assertEquals(ref[3], r.initialCore(), "IMcore of " + leaf);
    assertEquals(ref[4], r.initialScaled(), "IM of " + leaf);
    assertEquals(ref[0].multiply(PPM).compareTo(ref[2]) < 0, r.isLiquidatable());
    assertEquals(ref[0].multiply(PPM).compareTo(ref[4].max(ref[2])) >= 0, r.meetsInitialMargin());
    for (long thr : new long[] {0, 5_000, 10_000, 12_345, 20_000, 4_000_000_000L}) {
      assertEquals(
          ref[0]
                  .multiply(BigInteger.valueOf(10_000_000_000L))
                  .compareTo(ref[2].multiply(BigInteger.valueOf(thr)))
              >= 0,
          r.isHealthy(thr),
          "health at " + thr);
    }
  }

  @Test
  void demoVenuesMatchTheEncodingFormula() {
    for (CircuitSizes sizes : new CircuitSizes[] {CircuitSizes.TEST, CircuitSizes.PRODUCTION}) {
      DemoVenue venue = DemoVenue.generate(60, 11, sizes);
      MarginResult r = new MarginResult(sizes.scenarios());
      int liquidatable = 0;
      int healthy = 0;
      for (AccountLeaf leaf : venue.accounts()) {
        MarginCalculator.DEFAULT.evaluate(venue.riskVector(), leaf, r);
        assertMatches(venue.riskVector(), leaf, r);
        liquidatable += r.isLiquidatable() ? 1 : 0;
        healthy += r.meetsInitialMargin() ? 1 : 0;
      }
      assertTrue(liquidatable > 0, "demo venue has unhealthy accounts");
      assertTrue(healthy > 30, "most demo accounts meet IM");
    }
  }

  @Test
  void randomVectorsAndAccountsMatchIncludingLargeValues() {
    SplittableRandom rnd = new SplittableRandom(5);
    CircuitSizes sizes = CircuitSizes.PRODUCTION;
    int sc = sizes.scenarios();
    for (int round = 0; round < 20; round++) {
      Map<Integer, InstrumentRiskEntry> entries = new TreeMap<>();
      for (int id = 0; id < 20; id++) {
        long[] rmm = new long[sc];
        long[] rim = new long[sc];
        for (int s = 0; s < sc; s++) {
          rmm[s] = rnd.nextLong(-(1L << 40), 1L << 40);
          rim[s] = rmm[s] - rnd.nextLong(0, 1L << 30);
        }
        entries.put(
            id * 7,
            new InstrumentRiskEntry(
                rnd.nextLong(0, 1L << 40),
                rnd.nextLong(-(1L << 30), 1L << 30),
                rnd.nextLong(0, 1L << 20),
                rnd.nextLong(1L << 20, 1L << 21),
                rmm,
                rim));
      }
      long[] cp = new long[sizes.collateralAssets()];
      long[] dp = new long[cp.length];
      long[][] cs = new long[cp.length][sc];
      for (int a = 0; a < cp.length; a++) {
        cp[a] = rnd.nextLong(0, 1L << 45);
        dp[a] = cp[a] + rnd.nextLong(0, 1L << 40);
        for (int s = 0; s < sc; s++) {
          cs[a][s] = rnd.nextLong(-(1L << 44), 1L << 44);
        }
      }
      RiskVector v =
          new RiskVector(
              round,
              sizes,
              entries,
              new RiskGlobals(
                  new long[] {1_000_000, 1_500_000, 3_000_000_000L, 4_294_967_295L}, cp, dp, cs));
      MarginResult r = new MarginResult(sc);
      for (int k = 0; k < 200; k++) {
        long[] b = new long[cp.length];
        for (int a = 0; a < b.length; a++) {
          b[a] = rnd.nextLong() >> rnd.nextInt(16, 40); // up to 2^47 atoms
        }
        long[] ids = new long[8];
        long[] q = new long[8];
        long[] snap = new long[8];
        for (int j = 0; j < 8; j++) {
          if (rnd.nextInt(4) > 0) {
            ids[j] = 7L * rnd.nextInt(20);
            q[j] = rnd.nextLong(-(1L << 16), 1L << 16);
            snap[j] = rnd.nextLong(-(1L << 30), 1L << 30);
          }
        }
        AccountLeaf leaf =
            new AccountLeaf(BigInteger.ZERO, BigInteger.ONE, 0, rnd.nextInt(4), b, ids, q, snap);
        MarginCalculator.DEFAULT.evaluate(v, leaf, r);
        assertMatches(v, leaf, r);
      }
    }
  }

  /**
   * A negative balance of a non-quote asset (a debt) is valued at the debt price (no haircut): the
   * haircut must lower the value of a holding, never the size of a debt.
   */
  @Test
  void debtOfANonQuoteAssetIsValuedAtTheDebtPrice() {
    CircuitSizes sizes = CircuitSizes.TEST;
    int sc = sizes.scenarios();
    // asset 1: cp = 2.7e9, dp = 3.0e9 quote atoms per 10^9 atoms (10% haircut); scenario +15% =
    // +4.5e8
    RiskGlobals g =
        new RiskGlobals(
            new long[] {1_000_000, 1_250_000},
            new long[] {1_000_000_000L, 2_700_000_000L},
            new long[] {1_000_000_000L, 3_000_000_000L},
            new long[][] {
              new long[sc], {-450_000_000L, -150_000_000L, 150_000_000L, 450_000_000L}
            });
    RiskVector v = new RiskVector(1, sizes, new TreeMap<>(), g);
    long[] none = new long[sizes.positionSlots()];
    // 3,500 USDC and a debt of 1 ETH (10^9 atoms)
    AccountLeaf debt =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            1,
            new long[] {3_500_000_000L, -1_000_000_000L},
            none,
            none,
            none);
    MarginResult r = MarginCalculator.DEFAULT.evaluate(v, debt);
    // E = 3.5e9 * 1e9 - 1e9 * 3.0e9 = 5e17 nano quote atoms (at the haircut price it would be 8e17)
    assertEquals(BigInteger.valueOf(500_000_000_000_000_000L), r.equityNano());
    // the debt loses when the price rises: L[3] = 1e9 * 4.5e8; MM = 4.5e17 * 1.25e6
    assertEquals(BigInteger.valueOf(450_000_000_000_000_000L), r.maintenanceCore());
    assertEquals(
        BigInteger.valueOf(450_000_000_000_000_000L).multiply(BigInteger.valueOf(1_250_000)),
        r.maintenanceScaled());
    // healthy at 8,888 bps, not at 10,000 (at the haircut price it would be healthy up to 14,222)
    assertTrue(r.isHealthy(8_888));
    assertFalse(r.isHealthy(8_889));
    assertFalse(r.isHealthy(10_000));
    assertMatches(v, debt, r);
    // the same amount held is valued at the haircut price
    AccountLeaf held =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            1,
            new long[] {3_500_000_000L, 1_000_000_000L},
            none,
            none,
            none);
    MarginResult h = MarginCalculator.DEFAULT.evaluate(v, held);
    assertEquals(BigInteger.valueOf(6_200_000_000_000_000_000L), h.equityNano());
    assertMatches(v, held, h);
  }

  @Test
  void debtPriceBelowTheCollateralPriceIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new RiskGlobals(
                    new long[] {1}, new long[] {10}, new long[] {9}, new long[][] {{0}}));
    assertTrue(e.getMessage().contains("debt price"), e.getMessage());
  }

  @Test
  void rejectsBadInputAtTheDoor() {
    DemoVenue venue = DemoVenue.generate(4, 1, CircuitSizes.TEST);
    RiskVector v = venue.riskVector();
    MarginResult r = new MarginResult(4);
    AccountLeaf unknown =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            0,
            new long[] {1, 1},
            new long[] {7, 0},
            new long[] {1, 0},
            new long[2]);
    // id 7 exists in TEST (8 instruments); an id beyond the tree does not
    AccountLeaf outside =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            0,
            new long[] {1, 1},
            new long[] {9, 0},
            new long[] {1, 0},
            new long[2]);
    MarginCalculator.DEFAULT.evaluate(v, unknown, r);
    assertThrows(
        IllegalArgumentException.class, () -> MarginCalculator.DEFAULT.evaluate(v, outside, r));
    AccountLeaf badTier =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            5,
            new long[] {1, 1},
            new long[2],
            new long[2],
            new long[2]);
    assertThrows(
        IllegalArgumentException.class, () -> MarginCalculator.DEFAULT.evaluate(v, badTier, r));
    assertThrows(
        IllegalArgumentException.class,
        () -> MarginCalculator.DEFAULT.evaluate(v, venue.accounts().get(0), new MarginResult(16)));
    AccountLeaf huge =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            0,
            new long[] {1, 1},
            new long[] {0, 0},
            new long[] {Long.MAX_VALUE / 2, 0},
            new long[2]);
    assertThrows(ArithmeticException.class, () -> MarginCalculator.DEFAULT.evaluate(v, huge, r));
  }

  @Test
  void emptyAccountAndCollateralOnly() {
    DemoVenue venue = DemoVenue.generate(4, 1, CircuitSizes.TEST);
    MarginResult r = new MarginResult(4);
    AccountLeaf empty =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            0,
            new long[2],
            new long[2],
            new long[2],
            new long[2]);
    MarginCalculator.DEFAULT.evaluate(venue.riskVector(), empty, r);
    assertEquals(0, r.equityQuoteAtoms());
    assertEquals(0, r.maintenanceQuoteAtoms());
    assertFalse(r.isLiquidatable());
    assertTrue(r.isHealthy(10_000));
    assertEquals(Long.MAX_VALUE, r.healthRatioBps());
    AccountLeaf usdc =
        new AccountLeaf(
            BigInteger.ZERO,
            BigInteger.ONE,
            0,
            0,
            new long[] {5_000_000L, 0},
            new long[2],
            new long[2],
            new long[2]);
    MarginCalculator.DEFAULT.evaluate(venue.riskVector(), usdc, r);
    assertEquals(5_000_000L, r.equityQuoteAtoms());
    assertEquals(0, r.initialQuoteAtoms());
  }

  /**
   * Margin after trading dq lots of an instrument at its mark; null if the account has no slot for
   * it.
   */
  private static Boolean orderMeetsIm(RiskVector v, AccountLeaf leaf, long id, long dq) {
    long[] ids = leaf.instrumentIds().clone();
    long[] q = leaf.quantities().clone();
    long[] snaps = leaf.fundingSnapshots().clone();
    long[] b = leaf.balances().clone();
    int slot = -1;
    for (int j = 0; j < q.length && slot < 0; j++) {
      if (q[j] != 0 && ids[j] == id) {
        slot = j;
      }
    }
    for (int j = 0; j < q.length && slot < 0; j++) {
      if (q[j] == 0) {
        slot = j;
        ids[j] = id;
        snaps[j] = v.fundingArray()[(int) id];
      }
    }
    if (slot < 0) {
      return null;
    }
    q[slot] += dq;
    b[0] -= dq * v.markArray()[(int) id];
    MarginResult r = new MarginResult(v.scenarios());
    MarginCalculator.DEFAULT.evaluate(v, leaf.tier(), b, ids, q, snaps, r);
    return r.meetsInitialMargin();
  }

  @Test
  void preTradeCheckFindsTheExactBoundary() {
    DemoVenue venue = DemoVenue.generate(30, 3, CircuitSizes.PRODUCTION);
    RiskVector v = venue.riskVector();
    MarginResult r = new MarginResult(v.scenarios());
    int checked = 0;
    for (AccountLeaf leaf : venue.accounts()) {
      MarginCalculator.DEFAULT.evaluate(v, leaf, r);
      if (!r.meetsInitialMargin()) {
        assertEquals(0, PreTradeCheck.DEFAULT.largestWithdrawal(v, leaf, 0));
        continue;
      }
      long w = PreTradeCheck.DEFAULT.largestWithdrawal(v, leaf, 0);
      long[] b = leaf.balances().clone();
      b[0] -= w;
      MarginCalculator.DEFAULT.evaluate(
          v, leaf.tier(), b, leaf.instrumentIds(), leaf.quantities(), leaf.fundingSnapshots(), r);
      assertTrue(r.meetsInitialMargin());
      if (w < leaf.balances()[0]) {
        b[0] -= 1;
        MarginCalculator.DEFAULT.evaluate(
            v, leaf.tier(), b, leaf.instrumentIds(), leaf.quantities(), leaf.fundingSnapshots(), r);
        assertFalse(r.meetsInitialMargin(), "one more atom breaks IM");
      }
      for (long id : new long[] {0, 3}) {
        for (boolean buy : new boolean[] {true, false}) {
          long lots = PreTradeCheck.DEFAULT.largestOrder(v, leaf, id, buy, 1_000_000_000L);
          assertTrue(lots >= 0 && lots < 1_000_000_000L);
          Boolean ok = orderMeetsIm(v, leaf, id, buy ? lots : -lots);
          if (ok == null) {
            assertEquals(0, lots, "no free slot: no order");
            continue;
          }
          assertTrue(ok, "order of " + lots + " keeps IM");
          Boolean next = orderMeetsIm(v, leaf, id, buy ? lots + 1 : -lots - 1);
          assertTrue(next == null || !next, "one more lot breaks IM (or no slot)");
        }
      }
      checked++;
    }
    assertTrue(checked > 10);
  }
}
