package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.key;
import static io.zkmargin.ledger.LedgerFixtures.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.risk.vector.LiquidationParams;
import java.math.BigInteger;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The keeper's share, the liquidator's signed message and nonce, and the fund's share of a
 * liquidation (docs/LIQUIDATION.md section 2, /work LIQSLOT rules 6 and 7), on the market of {@link
 * LiquidationTest}: account 1 one atom under its boundary, account 4 liquidates, account 5 is the
 * insurance fund; 1 % penalty, 50 % to the fund, 10 % to the keeper. Invariants (the keeper share
 * counting as a withdrawal) are checked after every applied transition.
 */
class LiquidationKeeperTest {
  private static final long USDC = 1_000_000L;
  private static final long MARK = 24_500_001L;
  private static final LiquidationParams PARAMS =
      new LiquidationParams(10_000, 500_000, 100_000, 1_000_000, 5);
  private static final BigInteger KEEPER =
      new BigInteger("00c0ffee00000000000000000000000000000001", 16);
  private static final long[] THREE = {3, 0};
  private static final long[] NO_ATOMS = {0, 0};
  private static final long PENALTY = 735_001; // ceil(1 % of 3 lots at the mark)

  private static Ledger setup(long liquidatorDeposit) {
    Ledger l = LiquidationTest.setup(60 * USDC - 1, liquidatorDeposit, 100 * USDC, MARK);
    l.beginBatch(LiquidationTest.riskAt(MARK, 120_000L, PARAMS), T0 + 60);
    return l;
  }

  private static void refused(Ledger l, Rule rule, Supplier<Rule> transition) {
    String before = state(l);
    List<Withdrawal> ws = l.withdrawals();
    List<Liquidation> ls = l.liquidations();
    assertEquals(rule, transition.get());
    assertEquals(before, state(l), "a refused transition changed the ledger");
    assertEquals(ws, l.withdrawals(), "a refused transition changed the withdrawal list");
    assertEquals(ls, l.liquidations(), "a refused transition changed the liquidation list");
  }

  @Test
  void keeperShareIsAWithdrawalAfterTheGenericOnesAndLeavesTheLedger() {
    Ledger l = setup(1_000 * USDC);
    long victim = l.balance(1, 0);
    long liquidator = l.balance(4, 0);
    long fund = l.balance(5, 0);
    long flow = l.netFlow(0);
    long nonce = l.nonce(4);
    assertEquals(
        Rule.OK, l.liquidate(1, 4, KEEPER, nonce, THREE, NO_ATOMS, PENALTY)); // invariants hold
    long toFund = PENALTY * 500_000 / 1_000_000; // 367,500
    long toKeeper = PENALTY * 100_000 / 1_000_000; // floor: 73,500
    assertEquals(73_500, toKeeper);
    assertEquals(victim + 3 * MARK - PENALTY, l.balance(1, 0));
    assertEquals(fund + toFund, l.balance(5, 0));
    assertEquals(liquidator - 3 * MARK + PENALTY - toFund - toKeeper, l.balance(4, 0));
    assertEquals(flow - toKeeper, l.netFlow(0), "the keeper's share leaves the venue");
    assertEquals(nonce + 1, l.nonce(4), "the liquidator's nonce");
    assertEquals(List.of(new Liquidation(1, 4, KEEPER, toKeeper)), l.liquidations());
    // a later withdrawal still comes first in the batch's list: the circuit's order
    assertEquals(Rule.OK, l.withdraw(2, l.nonce(2), 1_000, BigInteger.TEN));
    assertEquals(
        List.of(new Withdrawal(2, BigInteger.TEN, 1_000), new Withdrawal(1, KEEPER, toKeeper)),
        l.withdrawals());
    // the next batch starts with empty lists
    l.beginBatch(LiquidationTest.riskAt(MARK, 120_000L, PARAMS), T0 + 120);
    assertEquals(List.of(), l.withdrawals());
    assertEquals(List.of(), l.liquidations());
  }

  @Test
  void noKeeperNoShareNoWithdrawal_zeroShareWithAKeeperStillListed() {
    Ledger l = setup(1_000 * USDC);
    long liquidator = l.balance(4, 0);
    assertEquals(Rule.OK, l.liquidate(1, 4, BigInteger.ZERO, 0, THREE, NO_ATOMS, PENALTY));
    assertEquals(List.of(), l.withdrawals());
    assertEquals(List.of(new Liquidation(1, 4, BigInteger.ZERO, 0)), l.liquidations());
    assertEquals(liquidator - 3 * MARK + PENALTY - PENALTY / 2, l.balance(4, 0));
    // penalty 9: the keeper's 10 % floors to 0, the entry is listed anyway (LIQSLOT: keeper != 0)
    Ledger m = setup(1_000 * USDC);
    assertEquals(Rule.OK, m.liquidate(1, 4, KEEPER, 0, THREE, NO_ATOMS, 9));
    assertEquals(List.of(new Withdrawal(1, KEEPER, 0)), m.withdrawals());
  }

  @Test
  void liquidatorNonceMustBeItsLeafs() {
    Ledger l = setup(1_000 * USDC);
    refused(l, Rule.BAD_NONCE, () -> l.liquidate(1, 4, KEEPER, 1, THREE, NO_ATOMS, PENALTY));
    assertEquals(Rule.OK, l.liquidate(1, 4, KEEPER, 0, new long[] {1, 0}, NO_ATOMS, 0));
    assertEquals(1, l.nonce(4));
    // replaying the nonce-0 liquidation is refused
    refused(l, Rule.BAD_NONCE, () -> l.liquidate(1, 4, KEEPER, 0, new long[] {1, 0}, NO_ATOMS, 0));
  }

  @Test
  void signedMessage_riskRootAndSignatureOfTheLiquidator() {
    Ledger l = setup(1_000 * USDC);
    BigInteger root = l.riskCommitment().riskRoot();
    LiquidationMessage m = new LiquidationMessage(root, KEEPER, 1, 4, 0, PENALTY, THREE, NO_ATOMS);
    EdDSA.Signature sig = m.sign(key(4));
    assertEquals(Rule.OK, l.checkSignature(m, sig, SignatureVerifier.REFERENCE));
    assertEquals(
        Rule.BAD_SIGNATURE, l.checkSignature(m, m.sign(key(1)), SignatureVerifier.REFERENCE));
    LiquidationMessage other =
        new LiquidationMessage(root.add(BigInteger.ONE), KEEPER, 1, 4, 0, PENALTY, THREE, NO_ATOMS);
    refused(l, Rule.WRONG_RISK_ROOT, () -> l.liquidate(other));
    // the keeper is signed: another keeper is another message
    LiquidationMessage otherKeeper =
        new LiquidationMessage(root, BigInteger.TWO, 1, 4, 0, PENALTY, THREE, NO_ATOMS);
    assertTrue(!otherKeeper.messageHash().equals(m.messageHash()));
    assertEquals(
        Rule.BAD_SIGNATURE, l.checkSignature(otherKeeper, sig, SignatureVerifier.REFERENCE));
    assertEquals(Rule.OK, l.liquidate(m));
    assertEquals(List.of(new Liquidation(1, 4, KEEPER, 73_500)), l.liquidations());
    assertThrows(
        IllegalArgumentException.class,
        () -> l.liquidate(1, 4, BigInteger.ONE.shiftLeft(160), 1, THREE, NO_ATOMS, 0));
  }

  @Test
  void fundAsLiquidatorMeetsInitialMarginWithoutItsOwnShare() {
    // the fund (account 5) liquidates: its IM is checked on penalty - fundShare - keeperShare, and
    // its share arrives after (the circuit's batch-end credit); the final balance has everything
    Ledger l = setup(1_000 * USDC);
    long fund = l.balance(5, 0);
    assertEquals(Rule.OK, l.liquidate(1, 5, KEEPER, 0, THREE, NO_ATOMS, PENALTY));
    assertEquals(fund - 3 * MARK + PENALTY - 73_500, l.balance(5, 0));
  }
}
