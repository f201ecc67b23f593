package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.DEPOSITOR;
import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.order;
import static io.zkmargin.ledger.LedgerFixtures.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random markets of six accounts trading ETH-PERP, then random marks (including crashes) and random
 * liquidation, insurance and deleveraging requests: every applied one keeps the ledger's invariants
 * (checked by the ledger after each) and leaves the liquidator at effective IM and the liquidated
 * account's positions no larger; every refused one changes nothing.
 */
class LiquidationPropertyTest {
  private static final long USDC = 1_000_000L;

  @Test
  void randomLiquidationsKeepTheInvariantsAndRefusalsChangeNothing() {
    Map<Rule, Integer> seen = new EnumMap<>(Rule.class);
    for (long seed = 1; seed <= 12; seed++) {
      run(new SplittableRandom(seed), seen);
    }
    assertTrue(seen.getOrDefault(Rule.OK, 0) > 20, "too few applied: " + seen);
    for (Rule r :
        new Rule[] {
          Rule.NOT_LIQUIDATABLE,
          Rule.PENALTY_TOO_HIGH,
          Rule.CLOSE_FACTOR,
          Rule.BAD_AMOUNT,
          Rule.NO_NEGATIVE_EQUITY
        }) {
      assertTrue(seen.containsKey(r), r + " never happened: " + seen);
    }
  }

  private static MarginResult margin(Ledger l, long id) {
    RiskCommitment rc = l.riskCommitment();
    Map<Integer, InstrumentRiskEntry> e = new TreeMap<>();
    rc.entries().forEach((k, v) -> e.put(k.intValue(), v));
    return MarginCalculator.DEFAULT.evaluate(
        new RiskVector(0, LedgerFixtures.SIZES, e, rc.globals()), l.accountState(id));
  }

  private static void run(SplittableRandom rnd, Map<Rule, Integer> seen) {
    Ledger l = LedgerFixtures.ledger(6, 0);
    for (long id = 1; id <= 6; id++) {
      long amount = (20 + rnd.nextInt(200)) * USDC;
      assertEquals(Rule.OK, l.deposit(id, amount, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    }
    // trades at 30 USDC between random pairs, as large as IM allows
    for (int k = 0; k < 20; k++) {
      long m = 1 + rnd.nextInt(6);
      long t = 1 + rnd.nextInt(6);
      long q = 1 + rnd.nextInt(8);
      int dir = rnd.nextBoolean() ? 1 : -1;
      l.trade(
          order(m, 100 + k, q, dir > 0 ? 31_000_000L : -29_000_000L, 0, 1, dir),
          order(t, 100 + k, q, dir > 0 ? -29_000_000L : 31_000_000L, 0, 1, -dir),
          q,
          new long[] {30_000_000L, 0});
    }
    long mark = 10_000_000L + rnd.nextInt(40_000_000);
    LiquidationParams params =
        new LiquidationParams(rnd.nextInt(50_000), rnd.nextInt(1_000_001), 0, 1_000_000, 0);
    l.beginBatch(LiquidationTest.riskAt(mark, 120_000L + rnd.nextInt(100_000), params), T0 + 60);
    assertEquals(Rule.OK, l.deposit(0, 60 * USDC, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    l.checkInvariantsAfterEachTransition(true);
    for (int step = 0; step < 60; step++) {
      long[] liquidatable = l.liquidatableAccounts(1);
      long a =
          liquidatable.length > 0 && rnd.nextInt(4) > 0
              ? liquidatable[rnd.nextInt(liquidatable.length)]
              : 1 + rnd.nextInt(6);
      long b = 1 + (a + rnd.nextInt(5)) % 6; // another of 1..6
      String before = state(l);
      long qBefore = l.quantity(a, 0);
      Rule r;
      switch (rnd.nextInt(4)) {
        case 0, 1 -> {
          long q = l.quantity(a, 0);
          long take =
              q == 0
                  ? rnd.nextInt(3) - 1
                  : Long.signum(q) * (1 + rnd.nextInt((int) Math.min(Math.abs(q) + 1, 20)));
          long penalty =
              rnd.nextInt(4) == 0 ? 0 : rnd.nextInt((int) (Math.abs(take) * mark / 50 + 2));
          r = l.liquidate(a, b, new long[] {take, 0}, new long[] {0, 0}, penalty);
          if (r.isOk()) {
            assertTrue(margin(l, b).meetsInitialMargin(), "liquidator under IM");
            assertTrue(Math.abs(l.quantity(a, 0)) < Math.abs(qBefore), "position not reduced");
          }
        }
        case 2 -> r = l.absorbLoss(a);
        default -> {
          long q = l.quantity(a, 0);
          long lots =
              q == 0 ? 1 : Long.signum(q) * (1 + rnd.nextInt((int) Math.min(Math.abs(q), 20)));
          r = l.deleverage(a, b, 1, lots);
          if (r.isOk()) {
            assertTrue(margin(l, b).equityNano().signum() >= 0, "counterparty bankrupt");
          }
        }
      }
      seen.merge(r, 1, Integer::sum);
      if (!r.isOk()) {
        assertEquals(before, state(l), r + " changed the ledger");
      }
    }
  }
}
