package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.DEPOSITOR;
import static io.zkmargin.ledger.LedgerFixtures.SIZES;
import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.globals;
import static io.zkmargin.ledger.LedgerFixtures.ledger;
import static io.zkmargin.ledger.LedgerFixtures.order;
import static io.zkmargin.ledger.LedgerFixtures.risk;
import static io.zkmargin.ledger.LedgerFixtures.state;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskGlobals;
import io.zkmargin.risk.vector.RiskVector;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The liquidation rules of docs/LIQUIDATION.md on the test market of {@link LedgerFixtures}:
 * account 1 (the victim) buys 6 ETH-PERP lots at 30 USDC from account 2; then the mark drops. Its
 * maintenance margin is 6 x 4.5 USDC (the -15% scenario) + 6 atoms of floor, tier factor 1.0, so at
 * a mark of 24.500001 USDC a victim that deposited 60 USDC has E = MM exactly. Account 4
 * liquidates, account 5 is the insurance fund; invariants are checked after every applied
 * transition.
 */
class LiquidationTest {
  private static final long USDC = 1_000_000L;
  private static final long[] P30 = {30_000_000L, 0};
  private static final long BOUNDARY_MARK = 24_500_001L;
  private static final LiquidationParams PARAMS =
      new LiquidationParams(10_000, 500_000, 0, 1_000_000, 5); // 1% penalty, half to the fund

  /**
   * The fixture's risk commitment with ETH-PERP at {@code mark} quote atoms per lot and {@link
   * #PARAMS}.
   */
  static RiskCommitment riskAt(long mark, long funding) {
    return riskAt(mark, funding, PARAMS);
  }

  /** The same with the given liquidation parameters in the globals. */
  static RiskCommitment riskAt(long mark, long funding, LiquidationParams params) {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(risk(funding).entries());
    InstrumentRiskEntry e = m.get(1L);
    m.put(1L, new InstrumentRiskEntry(mark, funding, e.floorMm(), e.floorIm(), e.rmm(), e.rim()));
    RiskGlobals g = globals();
    return new RiskCommitment(
        SIZES,
        m,
        new RiskGlobals(
            g.tierFactorPpm(), params, g.collateralPrice(), g.debtPrice(), g.collateralScenario()));
  }

  /**
   * Accounts 1..5 (1 deposits {@code victimDeposit}, 2 and 5 100 USDC, 4 {@code
   * liquidatorDeposit}); 1 long 6 ETH-PERP lots from 2 at 30 USDC; then a batch at {@code mark}.
   */
  static Ledger setup(long victimDeposit, long liquidatorDeposit, long fundDeposit, long mark) {
    Ledger l = ledger(5, 0);
    credit(l, 1, victimDeposit);
    credit(l, 2, 100 * USDC);
    credit(l, 4, liquidatorDeposit);
    credit(l, 5, fundDeposit);
    Rule r =
        l.trade(
            order(1, 1, 6, 31_000_000L, 0, 1, 1), order(2, 1, 6, -29_000_000L, 0, 1, -1), 6, P30);
    assertEquals(Rule.OK, r);
    l.beginBatch(riskAt(mark, 120_000L), T0 + 60);
    l.checkInvariantsAfterEachTransition(true);
    return l;
  }

  private static void credit(Ledger l, long id, long amount) {
    if (amount > 0) {
      assertEquals(Rule.OK, l.deposit(id, amount, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    }
  }

  private static void refused(Ledger l, Rule rule, Supplier<Rule> transition) {
    String before = state(l);
    assertEquals(rule, transition.get());
    assertEquals(before, state(l), "a refused transition changed the ledger");
  }

  private static MarginResult margin(Ledger l, long id) {
    RiskCommitment rc = l.riskCommitment();
    Map<Integer, InstrumentRiskEntry> e = new TreeMap<>();
    rc.entries().forEach((k, v) -> e.put(k.intValue(), v));
    return MarginCalculator.DEFAULT.evaluate(
        new RiskVector(0, SIZES, e, rc.globals()), l.accountState(id));
  }

  private static long[] lots(long first) {
    return new long[] {first, 0};
  }

  private static final long[] NO_ATOMS = {0, 0};

  @Test
  void exactBoundaryIsRefusedAndOneAtomBelowIsLiquidated() {
    // E * 10^6 == MM: not liquidatable
    Ledger atBoundary = setup(60 * USDC, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK);
    MarginResult m = margin(atBoundary, 1);
    assertEquals(
        m.equityNano().multiply(BigInteger.valueOf(1_000_000)), m.maintenanceScaled(), "boundary");
    refused(
        atBoundary, Rule.NOT_LIQUIDATABLE, () -> atBoundary.liquidate(1, 4, lots(1), NO_ATOMS, 0));
    // one atom of equity above: not liquidatable either
    Ledger above = setup(60 * USDC, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK + 1);
    refused(above, Rule.NOT_LIQUIDATABLE, () -> above.liquidate(1, 4, lots(1), NO_ATOMS, 0));
    // one atom below: liquidated, 3 lots with the full committed penalty
    Ledger l = setup(60 * USDC - 1, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK);
    assertTrue(margin(l, 1).isLiquidatable());
    long notional = 3 * BOUNDARY_MARK; // 73,500,003 quote atoms
    long penalty = (notional * 10_000 + 999_999) / 1_000_000; // ceil(1%) = 735,001
    assertEquals(735_001, penalty);
    long victim = l.balance(1, 0);
    long liquidator = l.balance(4, 0);
    long fund = l.balance(5, 0);
    assertEquals(Rule.OK, l.liquidate(1, 4, lots(3), NO_ATOMS, penalty));
    assertEquals(3, l.quantity(1, 0));
    assertEquals(3, l.quantity(4, 0));
    assertEquals(victim + notional - penalty, l.balance(1, 0));
    assertEquals(penalty / 2, l.balance(5, 0) - fund); // floor(50%)
    assertEquals(liquidator - notional + penalty - penalty / 2, l.balance(4, 0));
    assertTrue(margin(l, 1).meetsInitialMargin(), "restored to IM");
    assertTrue(margin(l, 4).meetsInitialMargin());
  }

  @Test
  void keeperScanListsExactlyTheLiquidatableAccounts() {
    Ledger atBoundary = setup(60 * USDC, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK);
    assertArrayEquals(new long[0], atBoundary.liquidatableAccounts(1));
    Ledger below = setup(60 * USDC - 1, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK);
    assertArrayEquals(new long[] {1}, below.liquidatableAccounts(1));
    assertArrayEquals(new long[] {1}, below.liquidatableAccounts(2));
    // the crash: the victim only (its counterparty gains)
    Ledger crash = setup(60 * USDC, 1_000 * USDC, 100 * USDC, 10 * USDC);
    assertArrayEquals(new long[] {1}, crash.liquidatableAccounts(2));
  }

  @Test
  void penaltyAboveTheCommittedOneIsRefused() {
    Ledger l = setup(60 * USDC - 1, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK);
    refused(l, Rule.PENALTY_TOO_HIGH, () -> l.liquidate(1, 4, lots(3), NO_ATOMS, 735_002));
    refused(l, Rule.BAD_AMOUNT, () -> l.liquidate(1, 4, lots(3), NO_ATOMS, -1));
    assertEquals(Rule.OK, l.liquidate(1, 4, lots(3), NO_ATOMS, 700_000)); // less is allowed
  }

  @Test
  void moreThanTheCloseFactorIsRefused() {
    Ledger l = setup(60 * USDC - 1, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK);
    // 4 lots: the victim meets IM after, and would with 3 lots (same penalty) too
    refused(l, Rule.CLOSE_FACTOR, () -> l.liquidate(1, 4, lots(4), NO_ATOMS, 980_001));
    refused(l, Rule.CLOSE_FACTOR, () -> l.liquidate(1, 4, lots(6), NO_ATOMS, 0));
    // 2 lots without penalty restore IM and 1 lot would not: allowed
    assertEquals(Rule.OK, l.liquidate(1, 4, lots(2), NO_ATOMS, 0));
    // the account is no longer liquidatable
    refused(l, Rule.NOT_LIQUIDATABLE, () -> l.liquidate(1, 4, lots(1), NO_ATOMS, 0));
  }

  @Test
  void liquidatorLeftUnderInitialMarginIsRefused() {
    Ledger l = setup(60 * USDC - 1, 10 * USDC, 100 * USDC, BOUNDARY_MARK);
    // 3 lots need 3 x 6.75 USDC of IM; the liquidator has 10 USDC + its penalty share
    refused(l, Rule.LIQUIDATOR_IM_BROKEN, () -> l.liquidate(1, 4, lots(3), NO_ATOMS, 735_001));
    assertEquals(Rule.OK, l.liquidate(1, 4, lots(1), NO_ATOMS, 0));
  }

  @Test
  void takesMustReduceHeldPositions() {
    Ledger l = setup(60 * USDC - 1, 1_000 * USDC, 100 * USDC, BOUNDARY_MARK);
    refused(l, Rule.BAD_AMOUNT, () -> l.liquidate(1, 4, lots(-1), NO_ATOMS, 0));
    refused(l, Rule.BAD_AMOUNT, () -> l.liquidate(1, 4, lots(7), NO_ATOMS, 0));
    refused(l, Rule.BAD_AMOUNT, () -> l.liquidate(1, 4, new long[] {0, 1}, NO_ATOMS, 0));
    refused(l, Rule.BAD_AMOUNT, () -> l.liquidate(1, 4, lots(0), NO_ATOMS, 0));
    refused(l, Rule.BAD_AMOUNT, () -> l.liquidate(1, 4, lots(0), new long[] {0, 1}, 0));
    refused(l, Rule.BAD_ASSET, () -> l.liquidate(1, 4, lots(1), new long[] {1, 0}, 0));
    refused(l, Rule.SAME_ACCOUNT, () -> l.liquidate(1, 1, lots(1), NO_ATOMS, 0));
    refused(l, Rule.SAME_ACCOUNT, () -> l.liquidate(5, 4, lots(1), NO_ATOMS, 0));
    refused(l, Rule.UNKNOWN_ACCOUNT, () -> l.liquidate(1, 9, lots(1), NO_ATOMS, 0));
  }

  @Test
  void insuranceFundAbsorbsNegativeEquityOnly() {
    // a crash to 10 USDC: E = 60 - 180 + 60 = -60 USDC
    Ledger l = setup(60 * USDC, 1_000 * USDC, 100 * USDC, 10 * USDC);
    assertTrue(margin(l, 1).equityNano().signum() < 0);
    refused(l, Rule.NOT_CLOSED_OUT, () -> l.absorbLoss(1));
    // no penalty can be charged to an account under water; the liquidator takes all at the mark
    refused(l, Rule.PENALTY_TOO_HIGH, () -> l.liquidate(1, 4, lots(6), NO_ATOMS, 1));
    assertEquals(Rule.OK, l.liquidate(1, 4, lots(6), NO_ATOMS, 0));
    assertEquals(-60 * USDC, l.balance(1, 0));
    // the fund is debited only for negative equity
    refused(l, Rule.NO_NEGATIVE_EQUITY, () -> l.absorbLoss(3)); // closed out, balance 0
    refused(l, Rule.NOT_CLOSED_OUT, () -> l.absorbLoss(2)); // holds a position
    refused(l, Rule.SAME_ACCOUNT, () -> l.absorbLoss(5));
    assertEquals(Rule.OK, l.absorbLoss(1));
    assertEquals(0, l.balance(1, 0));
    assertEquals(40 * USDC, l.balance(5, 0));
    refused(l, Rule.NO_NEGATIVE_EQUITY, () -> l.absorbLoss(1));
  }

  @Test
  void closedOutAccountInDebtHasNothingToTake() {
    // the crash, a penalty-0 takeover of all 6 lots: account 1 closed out at -60 USDC, the fund's
    Ledger l = setup(60 * USDC, 1_000 * USDC, 59 * USDC, 10 * USDC);
    assertArrayEquals(new long[] {1}, l.liquidatableAccounts(1));
    assertArrayEquals(new long[0], l.closedOutInDebtAccounts());
    assertEquals(Rule.OK, l.liquidate(1, 4, lots(6), NO_ATOMS, 0));
    assertTrue(margin(l, 1).isLiquidatable(), "E < 0 <= MM: liquidatable by the inequality alone");
    // but no take is possible: neither the scan, nor the ledger, nor the eligibility circuit
    assertArrayEquals(new long[0], l.liquidatableAccounts(1));
    assertArrayEquals(new long[0], l.liquidatableAccounts(2));
    assertArrayEquals(new long[] {1}, l.closedOutInDebtAccounts());
    refused(l, Rule.NOTHING_TO_TAKE, () -> l.liquidate(1, 4, lots(0), NO_ATOMS, 0));
    refused(l, Rule.NOTHING_TO_TAKE, () -> l.liquidate(1, 4, lots(1), NO_ATOMS, 0));
    assertEquals(
        Rule.NOTHING_TO_TAKE,
        l.checkLiquidation(1, 4, BigInteger.ZERO, lots(0), new long[] {0, 1}, 0));
    // the fund cannot cover 60 USDC with 59: the account stays in debt, out of every keeper's scan
    refused(l, Rule.INSURANCE_INSUFFICIENT, () -> l.absorbLoss(1));
    assertArrayEquals(new long[0], l.liquidatableAccounts(1));
  }

  @Test
  void hasTakeIsANonZeroPositionOrAPositiveNonQuoteBalance() {
    long[] none = {-5, 0, 0};
    assertFalse(LiquidationScan.hasTake(none, 0, 3, new long[] {0, 0}, 0, 2));
    assertFalse(LiquidationScan.hasTake(new long[] {0, -1, 0}, 0, 3, new long[] {0, 0}, 0, 2));
    assertTrue(LiquidationScan.hasTake(new long[] {-5, 0, 1}, 0, 3, new long[] {0, 0}, 0, 2));
    assertTrue(LiquidationScan.hasTake(none, 0, 3, new long[] {0, -1}, 0, 2));
    // the account's own entries only (account 1 of a flat layout)
    long[] bal = {9, 9, 9, -5, 0, 0};
    assertFalse(LiquidationScan.hasTake(bal, 3, 3, new long[] {7, 7, 0, 0}, 2, 2));
  }

  @Test
  void insuranceFundThatCannotCoverRefuses() {
    Ledger l = setup(60 * USDC, 1_000 * USDC, 59 * USDC, 10 * USDC);
    assertEquals(Rule.OK, l.liquidate(1, 4, lots(6), NO_ATOMS, 0));
    refused(l, Rule.INSURANCE_INSUFFICIENT, () -> l.absorbLoss(1));
  }

  @Test
  void autoDeleveragingClosesTheMostProfitableOppositePositionAtTheBankruptcyPrice() {
    // account 2 is short 5 lots, account 4 (the largest equity) short 1; the fund holds 10 USDC
    Ledger l = ledger(5, 0);
    credit(l, 1, 60 * USDC);
    credit(l, 2, 100 * USDC);
    credit(l, 4, 1_000 * USDC);
    credit(l, 5, 10 * USDC);
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 1, 6, 31_000_000L, 0, 1, 1), order(2, 1, 5, -29_000_000L, 0, 1, -1), 5, P30));
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 1, 6, 31_000_000L, 0, 1, 1), order(4, 1, 1, -29_000_000L, 0, 1, -1), 1, P30));
    // the crash, with the funding index moved too (settled on both sides of every close)
    l.beginBatch(riskAt(10 * USDC, 130_000L), T0 + 60);
    l.checkInvariantsAfterEachTransition(true);
    // E = 60 - 180 + 6 x (10 - 0.01) = -60.06 USDC; the fund (10 USDC) cannot cover it
    BigInteger deficitNano = margin(l, 1).equityNano().negate();
    assertEquals(
        BigInteger.valueOf(60_060_000L).multiply(BigInteger.valueOf(1_000_000_000L)), deficitNano);
    assertEquals(4, l.mostProfitableOpposite(1, 1, 1));
    refused(l, Rule.NOT_MOST_PROFITABLE, () -> l.deleverage(1, 2, 1, 1));
    refused(l, Rule.NOT_OPPOSITE, () -> l.deleverage(1, 4, 1, 2)); // 4 holds only 1 lot
    refused(l, Rule.NO_NEGATIVE_EQUITY, () -> l.deleverage(2, 1, 1, -1));
    refused(l, Rule.BAD_AMOUNT, () -> l.deleverage(1, 4, 1, -1));
    refused(l, Rule.BAD_AMOUNT, () -> l.deleverage(1, 4, 6, 1));
    long b1 = l.balance(1, 0);
    long b4 = l.balance(4, 0);
    assertEquals(Rule.OK, l.deleverage(1, 4, 1, 1));
    // 1 of 6 equal lots: loss = ceil(60.06 USDC / 6) = 10.01 USDC; funding settles on the whole
    // position first: -6 x 0.01 USDC for the long, +0.01 USDC for the one-lot short
    long loss = 10_010_000L;
    assertEquals(b1 + 10 * USDC + loss - 60_000, l.balance(1, 0));
    assertEquals(b4 - 10 * USDC - loss + 10_000, l.balance(4, 0));
    assertEquals(5, l.quantity(1, 0));
    assertEquals(0, l.quantity(4, 0));
    // the next most profitable is account 2; the deficit per lot is unchanged
    assertEquals(2, l.mostProfitableOpposite(1, 1, 1));
    assertEquals(Rule.OK, l.deleverage(1, 2, 1, 5));
    assertEquals(0, l.quantity(1, 0));
    MarginResult after = margin(l, 1);
    assertFalse(after.equityNano().signum() < 0, "the bankrupt account ends at zero equity");
    assertTrue(after.equityNano().compareTo(BigInteger.valueOf(1_000_000_000L)) < 0);
  }

  @Test
  void deleveragingWhileTheFundCanCoverIsRefused() {
    Ledger l = setup(60 * USDC, 1_000 * USDC, 100 * USDC, 10 * USDC);
    refused(l, Rule.INSURANCE_AVAILABLE, () -> l.deleverage(1, 2, 1, 1));
  }
}
