package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.risk.vector.LiquidationParams;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The liquidation slot of the batch witness (docs/LIQUIDATION.md section 8): recorded after the
 * generic slots, the keeper's share after the generic withdrawals in withdrawalsHash, the list hash
 * requestsHash, the fund's share credited after the fee credit, and the builder's refusals. On the
 * market of {@link LiquidationTest} (account 1 one atom under its boundary, 4 liquidates, 5 is the
 * fund). The Go circuit solves such a witness: prover/.../BatchProveTest proves one.
 */
class BatchWitnessLiquidationTest {
  private static final long USDC = 1_000_000L;
  private static final long MARK = 24_500_001L;
  private static final LiquidationParams PARAMS =
      new LiquidationParams(10_000, 500_000, 100_000, 1_000_000, 5);
  private static final BigInteger KEEPER = BigInteger.valueOf(0xC0FFEE);
  private static final long[] NO_ATOMS = {0, 0};

  private static Ledger setup() {
    Ledger l = LiquidationTest.setup(60 * USDC - 1, 1_000 * USDC, 100 * USDC, MARK);
    l.beginBatch(LiquidationTest.riskAt(MARK, 120_000L, PARAMS), T0 + 60);
    return l;
  }

  private static LiquidationMessage msg(Ledger l, long liquidator, long lots, long penalty) {
    return new LiquidationMessage(
        l.riskCommitment().riskRoot(),
        KEEPER,
        1,
        liquidator,
        l.nonce(liquidator),
        penalty,
        new long[] {lots, 0},
        NO_ATOMS);
  }

  @Test
  void aLiquidationAfterAWithdrawal_hashesListsAndFundCredit() {
    Ledger l = setup();
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, BigInteger.ZERO);
    assertEquals("batch-D6-I3-P2-A2-S4-T2-K2-L2-N2-R4-Q1", b.circuitId());
    WithdrawalMessage w = new WithdrawalMessage(2, 0, USDC, BigInteger.TEN);
    assertEquals(Rule.OK, b.withdraw(w, EdDSA.sign(key(2), w.messageHash())));
    LiquidationMessage m = msg(l, 4, 3, 735_001);
    assertEquals(Rule.BAD_SIGNATURE, b.liquidate(m, m.sign(key(1))));
    assertEquals(0, b.liquidations());
    long fundBefore = l.balance(5, 0);
    assertEquals(Rule.OK, b.liquidate(m, m.sign(key(4))));
    assertTrue(b.isClosedToGeneric());
    WithdrawalMessage w2 = new WithdrawalMessage(2, 1, USDC, BigInteger.TEN);
    assertThrows(
        IllegalStateException.class,
        () -> b.withdraw(w2, EdDSA.sign(key(2), w2.messageHash())),
        "generic slots come before the liquidation slots");
    LiquidationMessage again = msg(l, 4, 1, 0);
    assertThrows(
        IllegalStateException.class,
        () -> b.liquidate(again, again.sign(key(4))),
        "Q = 1 liquidation slot");
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot(), "the fund's share arrives by the batch's end");
    long keeperShare = 73_500;
    BigInteger wHash =
        Poseidon2.compress(
            Poseidon2.compress(
                BigInteger.ZERO, Poseidon2.compress(BigInteger.TEN, BigInteger.valueOf(USDC))),
            Poseidon2.compress(KEEPER, BigInteger.valueOf(keeperShare)));
    assertEquals(wHash, bw.withdrawalsHash(), "generic withdrawals, then the keeper's share");
    assertEquals(
        Poseidon2.compress(BigInteger.ZERO, Poseidon2.compress(BigInteger.ONE, KEEPER)),
        bw.requestsHash());
    assertEquals(9, bw.publicInputs().length);
    assertEquals(Poseidon2.hashMD(bw.slotData()), bw.dataHash());

    String json = bw.toJson();
    assertTrue(json.contains("\"requestsHash\": \"" + bw.requestsHash() + "\""));
    String liq = json.substring(json.indexOf("\"liquidations\": ["), json.indexOf("\"fund\": {"));
    assertTrue(liq.contains("\"kind\": \"6\""), liq);
    assertTrue(liq.contains("\"accountId\": \"1\""), liq);
    assertTrue(liq.contains("\"liquidatorId\": \"4\""), liq);
    assertTrue(liq.contains("\"keeper\": \"" + KEEPER + "\""), liq);
    assertTrue(liq.contains("\"penalty\": \"735001\""), liq);
    assertTrue(liq.contains("\"takeLots\": [\"3\", \"0\"]"), liq);
    assertTrue(liq.contains("\"liqPos\": [\"0\", \"0\"]"), liq);
    // the fund: opened without the batch's share, credited after the fee credit
    long share = 735_001L * 500_000 / 1_000_000;
    long[] seen = l.words(5);
    seen[2] -= share;
    String fund = json.substring(json.indexOf("\"fund\": {"));
    assertTrue(fund.startsWith("\"fund\": {\"empty\": \"0\""), fund);
    String packed =
        String.join(
            "\", \"", Arrays.stream(WordPacking.pack(seen)).map(BigInteger::toString).toList());
    assertTrue(fund.contains("\"leaf\": [\"" + packed + "\"]"), fund);
    assertTrue(json.contains("\"fee\": {\"empty\": \"1\""), "no fee in this batch: fee not opened");
    assertEquals(fundBefore + share, l.balance(5, 0));
  }

  @Test
  void noLiquidation_aNoOpLiquidationSlotAndAnEmptyFund() {
    Ledger l = setup();
    BatchWitness bw = BatchWitness.builder(l, 2, 4, BigInteger.ZERO).finish();
    assertEquals(BigInteger.ZERO, bw.requestsHash());
    String json = bw.toJson();
    String liq = json.substring(json.indexOf("\"liquidations\": ["), json.indexOf("\"fund\": {"));
    assertTrue(liq.contains("\"kind\": \"0\""), liq);
    assertTrue(json.contains("\"fund\": {\"empty\": \"1\""));
    BatchWitness none = BatchWitness.builder(l, 2, 4, 0, BigInteger.ZERO).finish();
    assertTrue(none.circuitId().endsWith("-Q0"));
    assertTrue(none.toJson().contains("\"liquidations\": [\n  ],"));
  }

  @Test
  void theFundAsLiquidatorWithSharesPendingIsRefused() {
    Ledger l = LiquidationTest.setup(60 * USDC - 1, 1_000 * USDC, 1_000 * USDC, MARK);
    l.beginBatch(LiquidationTest.riskAt(MARK, 120_000L, PARAMS), T0 + 60);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, 2, BigInteger.ZERO);
    LiquidationMessage m = msg(l, 4, 1, 10_000);
    assertEquals(Rule.OK, b.liquidate(m, m.sign(key(4))));
    LiquidationMessage byFund = msg(l, 5, 1, 0);
    String before = LedgerFixtures.state(l);
    assertThrows(IllegalStateException.class, () -> b.liquidate(byFund, byFund.sign(key(5))));
    assertEquals(before, LedgerFixtures.state(l), "nothing applied");
    // a refused liquidation records nothing
    LiquidationMessage replay = msg(l, 4, 1, 0);
    LiquidationMessage stale =
        new LiquidationMessage(replay.riskRoot(), KEEPER, 1, 4, 0, 0, replay.takeLots(), NO_ATOMS);
    assertEquals(Rule.BAD_NONCE, b.liquidate(stale, stale.sign(key(4))));
    assertEquals(1, b.liquidations());
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    assertEquals(1, l.liquidations().size());
  }
}
