package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.DEPOSITOR;
import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.key;
import static io.zkmargin.ledger.LedgerFixtures.ledger;
import static io.zkmargin.ledger.LedgerFixtures.order;
import static io.zkmargin.ledger.LedgerFixtures.state;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.SparseMerkleTree;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LedgerTest {
  private static final long USDC = 1_000_000L;
  private static final long[] P30 = {30_000_000L, 0};

  /** Asserts the transition is refused with {@code rule} and changes nothing. */
  private static void refused(Ledger l, Rule rule, Supplier<Rule> transition) {
    String before = state(l);
    assertEquals(rule, transition.get());
    assertEquals(before, state(l), "a refused transition changed the ledger");
  }

  @Test
  void depositRegistersThenCredits() {
    Ledger l = ledger(0, 0);
    BigInteger x = key(7).publicKey().x();
    BigInteger y = key(7).publicKey().y();
    assertEquals(Rule.OK, l.deposit(5, 10 * USDC, x, y, DEPOSITOR));
    assertEquals(x, l.ownerPkX(5));
    assertEquals(DEPOSITOR, l.l1Address(5));
    assertEquals(0, l.tier(5));
    // a plain deposit (pk 0) into a registered account keeps its key
    assertEquals(Rule.OK, l.deposit(5, 5 * USDC, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ONE));
    assertEquals(15 * USDC, l.balance(5, 0));
    assertEquals(y, l.ownerPkY(5));
    assertEquals(DEPOSITOR, l.l1Address(5));
    assertEquals(15 * USDC, l.netFlow(0));
    refused(l, Rule.REGISTRATION_OF_EXISTING, () -> l.deposit(5, 1, x, y, DEPOSITOR));
    refused(
        l,
        Rule.OVERFLOW,
        () -> l.deposit(5, Long.MAX_VALUE, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    refused(l, Rule.BAD_ACCOUNT_ID, () -> l.deposit(64, 1, x, y, DEPOSITOR));
    refused(l, Rule.BAD_AMOUNT, () -> l.deposit(5, -1, x, y, DEPOSITOR));
  }

  @Test
  void withdrawalChecksNonceAndMarginAndListsThePayment() {
    Ledger l = ledger(2, 100 * USDC);
    BigInteger to = BigInteger.valueOf(0xbeef);
    assertEquals(Rule.OK, l.withdraw(new WithdrawalMessage(1, 0, 40 * USDC, to)));
    assertEquals(60 * USDC, l.balance(1, 0));
    assertEquals(1, l.nonce(1));
    assertEquals(List.of(new Withdrawal(1, to, 40 * USDC)), l.withdrawals());
    refused(l, Rule.BAD_NONCE, () -> l.withdraw(1, 0, USDC, to)); // replay
    refused(l, Rule.BAD_NONCE, () -> l.withdraw(1, 2, USDC, to));
    refused(l, Rule.BAD_AMOUNT, () -> l.withdraw(1, 1, 0, to));
    refused(l, Rule.UNKNOWN_ACCOUNT, () -> l.withdraw(9, 0, 1, to));
    // with 6 ETH-PERP lots open, IM is 6 x 6.75 USDC + floors: 60 USDC cannot all leave
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 1, 6, 31_000_000L, 0, 1, 1), order(2, 1, 6, -29_000_000L, 0, 1, -1), 6, P30));
    assertEquals(-120 * USDC, l.balance(1, 0)); // 60 - 6 x 30
    // E = -120 + 6 x 30 (mark) = 60 USDC against IM 6 x 6.75 USDC (+ floors)
    refused(l, Rule.IM_BROKEN, () -> l.withdraw(1, 1, 20 * USDC, to));
    assertEquals(Rule.OK, l.withdraw(1, 1, 19 * USDC, to));
    // account 2 received 180 and is short 6 lots: E = 280 - 180 = 100 USDC, IM about 40.5 USDC
    assertEquals(Rule.OK, l.withdraw(2, 0, 50 * USDC, to));
    refused(l, Rule.IM_BROKEN, () -> l.withdraw(2, 1, 10 * USDC, to));
  }

  @Test
  void transferNeedsTheSameOwnerAndKeepsMargin() {
    Ledger l = ledger(3, 100 * USDC); // account 3 is a sub-account of account 1
    refused(l, Rule.NOT_SAME_OWNER, () -> l.transfer(1, 2, 0, 0, USDC));
    assertEquals(Rule.OK, l.transfer(new TransferMessage(1, 3, 0, 0, 30 * USDC)));
    assertEquals(70 * USDC, l.balance(1, 0));
    assertEquals(130 * USDC, l.balance(3, 0));
    assertEquals(1, l.nonce(1));
    assertEquals(0, l.nonce(3));
    refused(l, Rule.BAD_NONCE, () -> l.transfer(1, 3, 0, 0, USDC));
    refused(l, Rule.BAD_ASSET, () -> l.transfer(1, 3, 1, 2, USDC));
    refused(l, Rule.SAME_ACCOUNT, () -> l.transfer(1, 1, 1, 0, USDC));
    refused(l, Rule.IM_BROKEN, () -> l.transfer(1, 3, 1, 0, 71 * USDC)); // a debt of 1 USDC
  }

  @Test
  void singleLegTradeMovesPositionsCashAndFees() {
    Ledger l = ledger(2, 100 * USDC);
    OrderMessage maker = order(1, 5, 4, 31_000_000L, 10, 1, 1); // buys up to 4 ETH-PERP lots
    OrderMessage taker = order(2, 9, 4, -29_000_000L, 20, 1, -1);
    assertEquals(Rule.OK, l.trade(maker, taker, 2, P30));
    assertEquals(100 * USDC - 60 * USDC - 20, l.balance(1, 0));
    assertEquals(100 * USDC + 60 * USDC - 40, l.balance(2, 0));
    assertEquals(60, l.balance(0, 0));
    assertEquals(1, l.instrumentId(1, 0));
    assertEquals(2, l.quantity(1, 0));
    assertEquals(120_000L, l.fundingSnapshot(1, 0));
    assertEquals(-2, l.quantity(2, 0));
    assertEquals(2, l.filled(1, 5));
    assertEquals(BigInteger.valueOf(5).shiftLeft(64).add(BigInteger.TWO), l.orderSlotValue(1, 1));
    // partial fills up to the order's quantity, then OVERFILL
    assertEquals(Rule.OK, l.trade(maker, taker, 2, P30));
    assertEquals(4, l.quantity(1, 0));
    refused(l, Rule.OVERFILL, () -> l.trade(maker, taker, 1, P30));
    // the order-fill subtree root is the sparse tree of the slot values
    SparseMerkleTree t = new SparseMerkleTree(2);
    t.set(1, BigInteger.valueOf(5).shiftLeft(64).add(BigInteger.valueOf(4)));
    assertEquals(t.root(), l.ordersRoot(1));
  }

  @Test
  void orderSlotsKeepTheNewestOrder() {
    Ledger l = ledger(2, 1_000 * USDC);
    OrderMessage taker = order(2, 100, 1_000, -1, 0, 1, -1);
    // orders 5 and 9 share slot 1 (K = 2)
    assertEquals(Rule.OK, l.trade(order(1, 5, 3, 31_000_000L, 0, 1, 1), taker, 1, P30));
    assertEquals(Rule.OK, l.trade(order(1, 9, 3, 31_000_000L, 0, 1, 1), taker, 1, P30));
    assertEquals(1, l.filled(1, 9));
    assertEquals(0, l.filled(1, 5));
    // order 5 is older than the slot's order 9: it can never fill again
    refused(
        l,
        Rule.ORDER_SLOT_TAKEN,
        () -> l.trade(order(1, 5, 3, 31_000_000L, 0, 1, 1), taker, 1, P30));
    assertEquals(BigInteger.valueOf(100).shiftLeft(64).add(BigInteger.TWO), l.orderSlotValue(2, 0));
  }

  @Test
  void pricesLegsExpiryAndAccountsAreChecked() {
    Ledger l = ledger(2, 100 * USDC);
    OrderMessage maker = order(1, 5, 4, 30_000_000L, 0, 1, 1);
    OrderMessage taker = order(2, 9, 4, -30_000_000L, 0, 1, -1);
    refused(l, Rule.PRICE_LIMIT, () -> l.trade(maker, taker, 1, new long[] {30_000_001L, 0}));
    refused(l, Rule.PRICE_LIMIT, () -> l.trade(maker, taker, 1, new long[] {29_999_999L, 0}));
    refused(l, Rule.LEGS_MISMATCH, () -> l.trade(maker, order(2, 9, 4, 0, 0, 6, -1), 1, P30));
    refused(l, Rule.LEGS_MISMATCH, () -> l.trade(maker, order(2, 9, 4, 0, 0, 1, -2), 1, P30));
    OrderMessage late = OrderMessage.singleLeg(2, 2, 9, T0 - 1, 4, -30_000_000L, 0, 1, -1);
    refused(l, Rule.EXPIRED, () -> l.trade(maker, late, 1, P30));
    OrderMessage now = OrderMessage.singleLeg(2, 2, 9, T0, 4, -30_000_000L, 0, 1, -1);
    refused(l, Rule.BAD_AMOUNT, () -> l.trade(maker, now, 0, P30));
    refused(
        l, Rule.SAME_ACCOUNT, () -> l.trade(maker, order(1, 9, 4, -30_000_000L, 0, 1, -1), 1, P30));
    refused(
        l,
        Rule.UNKNOWN_ACCOUNT,
        () -> l.trade(maker, order(7, 9, 4, -30_000_000L, 0, 1, -1), 1, P30));
    refused(
        l,
        Rule.UNKNOWN_INSTRUMENT,
        () ->
            l.trade(order(1, 5, 4, 1, 0, 2, 1), order(2, 9, 4, 0, 0, 2, -1), 1, new long[] {1, 0}));
    // an order of another leg count
    OrderMessage threeLegs =
        new OrderMessage(1, 5, T0, 4, 30_000_000L, 0, new long[] {1, 0, 0}, new long[] {1, 0, 0});
    refused(l, Rule.LEGS_MISMATCH, () -> l.trade(threeLegs, now, 1, P30));
    assertEquals(Rule.OK, l.trade(maker, now, 1, P30)); // expiry == batch time is still valid
  }

  @Test
  void marginAndSlotsLimitTrades() {
    Ledger l = ledger(2, 100 * USDC);
    // 100 USDC carries about 14 lots of IM (6.75 USDC each)
    refused(
        l,
        Rule.IM_BROKEN,
        () ->
            l.trade(
                order(1, 5, 20, 31_000_000L, 0, 1, 1),
                order(2, 9, 20, -29_000_000L, 0, 1, -1),
                20,
                P30));
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 5, 1, 31_000_000L, 0, 1, 1), order(2, 9, 1, -29_000_000L, 0, 1, -1), 1, P30));
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 6, 1, 61_000_000L, 0, 6, 1),
            order(2, 10, 1, -59_000_000L, 0, 6, -1),
            1,
            new long[] {60_000_000L, 0}));
    // P = 2 slots taken: a third instrument has no free slot
    assertEquals(1, l.positionSlot(1, 6));
    assertEquals(-1, l.positionSlot(1, 4));
    refused(
        l,
        Rule.NO_FREE_SLOT,
        () ->
            l.trade(
                order(1, 7, 1, 2_000_000L, 0, 4, 1),
                order(2, 11, 1, -1, 0, 4, -1),
                1,
                new long[] {1_200_000L, 0}));
    // closing a position empties its slot, which then opens the third instrument
    assertEquals(
        Rule.OK,
        l.trade(
            order(2, 12, 1, 31_000_000L, 0, 1, 1),
            order(1, 13, 1, -29_000_000L, 0, 1, -1),
            1,
            P30));
    assertEquals(0, l.quantity(1, 0));
    assertEquals(0, l.instrumentId(1, 0));
    assertEquals(0, l.fundingSnapshot(1, 0));
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 7, 1, 2_000_000L, 0, 4, 1),
            order(2, 11, 1, -1, 0, 4, -1),
            1,
            new long[] {1_200_000L, 0}));
    assertEquals(4, l.instrumentId(1, 0));
  }

  @Test
  void positionChangesSettleFundingFirst() {
    Ledger l = ledger(2, 100 * USDC);
    l.checkInvariantsAfterEachTransition(true);
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 5, 9, 31_000_000L, 0, 1, 1), order(2, 9, 9, -29_000_000L, 0, 1, -1), 2, P30));
    long b1 = l.balance(1, 0);
    long b2 = l.balance(2, 0);
    // next batch: the funding index rose by 30,000 atoms per lot: longs pay
    l.beginBatch(LedgerFixtures.risk(150_000L), T0 + 60);
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 5, 9, 31_000_000L, 0, 1, 1), order(2, 9, 9, -29_000_000L, 0, 1, -1), 1, P30));
    assertEquals(b1 - 2 * 30_000L - 30_000_000L, l.balance(1, 0));
    assertEquals(b2 + 2 * 30_000L + 30_000_000L, l.balance(2, 0));
    assertEquals(150_000L, l.fundingSnapshot(1, 0));
    assertEquals(3, l.quantity(1, 0));
  }

  @Test
  void twoLegComboMovesEveryLeg() {
    Ledger l = ledger(2, 1_000 * USDC);
    // per unit: buy 2 ETH-PERP lots, sell 1 ETH call; pays at most 58.9 USDC net per unit
    OrderMessage maker =
        new OrderMessage(1, 5, T0, 10, 58_900_000L, 0, new long[] {1, 4}, new long[] {2, -1});
    OrderMessage taker =
        new OrderMessage(2, 6, T0, 10, -58_700_000L, 0, new long[] {1, 4}, new long[] {-2, 1});
    long[] prices = {30_000_000L, 1_200_000L}; // net 60 - 1.2 = 58.8 USDC per unit
    assertEquals(Rule.OK, l.trade(maker, taker, 3, prices));
    assertEquals(6, l.quantity(1, 0));
    assertEquals(-3, l.quantity(1, 1));
    assertEquals(4, l.instrumentId(1, 1));
    assertEquals(-6, l.quantity(2, 0));
    assertEquals(3, l.quantity(2, 1));
    assertEquals(1_000 * USDC - 3 * 58_800_000L, l.balance(1, 0));
    assertEquals(1_000 * USDC + 3 * 58_800_000L, l.balance(2, 0));
  }

  @Test
  void signaturesAreCheckedAgainstTheOwnerKey() {
    Ledger l = ledger(3, 100 * USDC);
    OrderMessage o = order(1, 5, 4, 1, 0, 1, 1);
    EdDSA.Signature good = o.sign(key(1));
    assertEquals(Rule.OK, l.checkSignature(o, good, SignatureVerifier.REFERENCE));
    assertEquals(
        Rule.BAD_SIGNATURE, l.checkSignature(o, o.sign(key(2)), SignatureVerifier.REFERENCE));
    assertEquals(Rule.OK, l.checkSignature(o, good, SignatureVerifier.FAST));
    assertEquals(Rule.BAD_SIGNATURE, l.checkSignature(o, o.sign(key(2)), SignatureVerifier.FAST));
    // account 3 is owned by key(1): its transfer is signed by that key
    TransferMessage t = new TransferMessage(3, 1, 0, 0, 1);
    assertEquals(Rule.OK, l.checkSignature(t, t.sign(key(1)), SignatureVerifier.REFERENCE));
    WithdrawalMessage w = new WithdrawalMessage(9, 0, 1, BigInteger.ONE);
    assertEquals(
        Rule.UNKNOWN_ACCOUNT, l.checkSignature(w, w.sign(key(9)), SignatureVerifier.REFERENCE));
  }

  @Test
  void leafWordsAreTheCommitmentsWords() {
    Ledger l = ledger(2, 100 * USDC);
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 5, 4, 31_000_000L, 0, 1, 1), order(2, 9, 4, -29_000_000L, 0, 1, -1), 2, P30));
    for (long id = 0; id <= 2; id++) {
      AccountLeaf leaf = l.leaf(id);
      assertArrayEquals(leaf.words(), l.words(id));
      assertEquals(l.l1Address(id), leaf.l1Address());
      assertEquals(l.ordersRoot(id), leaf.ordersRoot());
    }
    // an account that never filled an order keeps the registered leaf's ordersRoot 0
    assertEquals(BigInteger.ZERO, l.ordersRoot(0));
    assertEquals(l.ordersTree(1).root(), l.ordersRoot(1));
    SparseMerkleTree state = l.stateTree();
    assertEquals(l.leaf(2).hash(), state.get(2));
  }

  @Test
  void transitionsNeedABatch() {
    Ledger l = new Ledger(LedgerConfig.TEST);
    assertThrows(IllegalStateException.class, () -> l.withdraw(1, 0, 1, BigInteger.ONE));
  }
}
