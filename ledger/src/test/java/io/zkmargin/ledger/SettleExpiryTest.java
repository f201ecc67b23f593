package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.ledger;
import static io.zkmargin.ledger.LedgerFixtures.order;
import static io.zkmargin.ledger.LedgerFixtures.riskWithCallSettled;
import static io.zkmargin.ledger.LedgerFixtures.state;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Settle-expiry (docs/BATCH.md section 2, kind 5): account 1 buys 5 ETH calls (instrument 4) from
 * account 2 at 1.2 USDC a lot and 1 ETH-PERP lot at 30 USDC; then the call settles at 2.5 USDC a
 * lot. Both holders are settled one by one with the invariants checked after each transition (the
 * sum of unsettled quantities stays 0, the quote sum is conserved); every refusal changes nothing.
 */
class SettleExpiryTest {
  private static final long USDC = 1_000_000L;
  private static final long VALUE = 2_500_000L;

  private static Ledger setup() {
    Ledger l = ledger(3, 1_000 * USDC);
    l.checkInvariantsAfterEachTransition(true);
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 1, 5, 1_300_000L, 0, 4, 1),
            order(2, 1, 5, -1_100_000L, 0, 4, -1),
            5,
            new long[] {1_200_000L, 0}));
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 2, 1, 31_000_000L, 0, 1, 1),
            order(2, 2, 1, -29_000_000L, 0, 1, -1),
            1,
            new long[] {30_000_000L, 0}));
    assertEquals(4, l.instrumentId(1, 0));
    assertEquals(1, l.instrumentId(1, 1));
    return l;
  }

  @Test
  void bothHoldersSettleAtTheSettlementValue() {
    Ledger l = setup();
    // before expiry nothing settles
    assertEquals(Rule.NOT_SETTLED, l.settleExpiry(1, 0));
    l.beginBatch(riskWithCallSettled(VALUE), T0 + 60);
    assertArrayEquals(new int[] {0}, l.settledPositions(1));
    long b1 = l.balance(1, 0);
    long b2 = l.balance(2, 0);
    assertEquals(Rule.OK, l.settleExpiry(1, 0));
    assertEquals(b1 + 5 * VALUE, l.balance(1, 0));
    assertEquals(0, l.quantity(1, 0));
    assertEquals(0, l.instrumentId(1, 0));
    assertEquals(0, l.fundingSnapshot(1, 0));
    assertEquals(1, l.quantity(1, 1), "the perp stays");
    // the short still holds its calls: the invariant counts only unsettled instruments
    assertEquals(Rule.OK, l.settleExpiry(2, 0));
    assertEquals(b2 - 5 * VALUE, l.balance(2, 0));
    assertEquals(0, l.settledPositions(2).length);
  }

  @Test
  void refusalsChangeNothing() {
    Ledger l = setup();
    l.beginBatch(riskWithCallSettled(VALUE), T0 + 60);
    String before = state(l);
    assertEquals(Rule.NOT_SETTLED, l.settleExpiry(1, 1)); // the perp has not settled
    assertEquals(Rule.BAD_SLOT, l.settleExpiry(3, 0)); // account 3 holds nothing
    assertEquals(Rule.BAD_SLOT, l.settleExpiry(1, 2)); // P = 2
    assertEquals(Rule.BAD_SLOT, l.settleExpiry(1, -1));
    assertEquals(Rule.UNKNOWN_ACCOUNT, l.settleExpiry(9, 0));
    assertEquals(Rule.BAD_ACCOUNT_ID, l.settleExpiry(-1, 0));
    // a settled instrument cannot be traded, even to close
    assertEquals(
        Rule.SETTLED_INSTRUMENT,
        l.trade(
            order(1, 3, 1, -1_000_000L, 0, 4, -1),
            order(2, 3, 1, 3_000_000L, 0, 4, 1),
            1,
            new long[] {2_500_000L, 0}));
    assertEquals(before, state(l));
  }
}
