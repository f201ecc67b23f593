package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.DEPOSITOR;
import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.key;
import static io.zkmargin.ledger.LedgerFixtures.order;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.risk.vector.LiquidationParams;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The request slots of adl (docs/LIQUIDATION.md sections 3, 4 and 9): absorbLoss (kind 7) and
 * deleverage (kind 10) recorded by {@link BatchWitness.Builder}, on the market of {@link
 * LiquidationTest} (account 1 long 6 ETH-PERP lots bought at 30 USDC from account 2; the mark
 * crashes to 10 USDC). Writes the vectors {@code test-vectors/batch/ledger-batch-absorb-2.json} and
 * {@code ledger-batch-deleverage-2.json} that {@code go test ./circuits/batch -run
 * TestJavaLedgerVectors} solves (rewrite with {@code -Dzkm.updateVectors=true}).
 */
class BatchWitnessAdlTest {
  private static final long USDC = 1_000_000L;
  private static final long[] NO_ATOMS = {0, 0};

  /**
   * The crash (E = 60 - 180 + 60 = -60 USDC for account 1), account 1 taken over by account 4 at
   * the mark with penalty 0 outside the recorded batch: account 1 is closed out at -60 USDC; the
   * fund (account 5) holds {@code fund}.
   */
  private static Ledger closedOut(long fund) {
    Ledger l = LiquidationTest.setup(60 * USDC, 1_000 * USDC, fund, 10 * USDC);
    assertEquals(Rule.OK, l.liquidate(1, 4, new long[] {6, 0}, NO_ATOMS, 0));
    assertEquals(-60 * USDC, l.balance(1, 0));
    return l;
  }

  /** The batch whose one request slot is the fund covering account 1 (kind 7). */
  static BatchWitness absorbBatch() {
    Ledger l = closedOut(100 * USDC);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, BigInteger.ZERO);
    String before = LedgerFixtures.state(l);
    assertEquals(Rule.NOT_CLOSED_OUT, b.absorbLoss(2), "account 2 holds a position");
    assertEquals(Rule.SAME_ACCOUNT, b.absorbLoss(5), "the fund does not cover itself");
    assertEquals(Rule.NO_NEGATIVE_EQUITY, b.absorbLoss(3));
    assertEquals(before, LedgerFixtures.state(l), "a refusal applies nothing");
    assertEquals(0, b.liquidations(), "and records nothing");
    assertEquals(Rule.OK, b.absorbLoss(1));
    assertEquals(0, l.balance(1, 0));
    assertEquals(40 * USDC, l.balance(5, 0));
    assertThrows(IllegalStateException.class, () -> b.absorbLoss(1), "Q = 1 request slot");
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    return bw;
  }

  @Test
  void absorbLoss_recordsAKind7SlotThatAddsNoRequestNorWithdrawal() throws Exception {
    BatchWitness bw = absorbBatch();
    assertEquals(BigInteger.ZERO, bw.requestsHash(), "kind 7 adds nothing to requestsHash");
    assertEquals(BigInteger.ZERO, bw.withdrawalsHash(), "nor to the withdrawal list");
    String json = bw.toJson();
    String liq = json.substring(json.indexOf("\"liquidations\": ["), json.indexOf("\"fund\": {"));
    assertTrue(liq.contains("\"kind\": \"7\""), liq);
    assertTrue(liq.contains("\"accountId\": \"1\""), liq);
    assertTrue(liq.contains("\"liquidatorId\": \"5\""), liq);
    assertTrue(liq.contains("\"penalty\": \"0\""), liq);
    assertTrue(json.contains("\"fund\": {\"empty\": \"1\""), "no fund shares: not opened");
    vector("ledger-batch-absorb-2.json", json);
  }

  /**
   * The fund is the fee account 0 and holds 59.995 USDC; a trade in the same batch pays it 0.01
   * USDC of fees, which the circuit credits only at the batch's end: the ledger's fund could cover
   * the 60 USDC, the circuit's cannot, so the builder refuses with INSURANCE_INSUFFICIENT and
   * applies nothing; the next batch covers it.
   */
  @Test
  void absorbLoss_seesTheFundWithoutTheBatchsPendingCredits() {
    LiquidationParams feeFund = new LiquidationParams(10_000, 500_000, 0, 1_000_000, 0);
    Ledger l = LedgerFixtures.ledger(5, 0);
    for (long[] c : new long[][] {{0, 59_995_000L}, {1, 60 * USDC}, {2, 100 * USDC}}) {
      assertEquals(Rule.OK, l.deposit(c[0], c[1], BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    }
    assertEquals(Rule.OK, l.deposit(4, 1_000 * USDC, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    long[] p30 = {30_000_000L, 0};
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 1, 6, 31_000_000L, 0, 1, 1), order(2, 1, 6, -29_000_000L, 0, 1, -1), 6, p30));
    l.beginBatch(LiquidationTest.riskAt(10 * USDC, 120_000L, feeFund), T0 + 60);
    assertEquals(Rule.OK, l.liquidate(1, 4, new long[] {6, 0}, NO_ATOMS, 0));
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, 2, BigInteger.ZERO);
    OrderMessage sell = order(4, 7, 1, -9_000_000L, 5_000, 1, -1);
    OrderMessage buy = order(2, 7, 1, 11_000_000L, 5_000, 1, 1);
    assertEquals(
        Rule.OK,
        b.trade(
            sell,
            EdDSA.sign(key(4), sell.messageHash()),
            buy,
            EdDSA.sign(key(2), buy.messageHash()),
            1,
            new long[] {10_000_000L, 0}));
    assertEquals(60_005_000L, l.balance(0, 0), "the ledger credits the fees at once");
    String before = LedgerFixtures.state(l);
    assertEquals(Rule.INSURANCE_INSUFFICIENT, b.absorbLoss(1));
    assertEquals(before, LedgerFixtures.state(l));
    BatchWitness first = b.finish();
    assertEquals(l.stateTree().root(), first.newRoot());
    l.beginBatch(LiquidationTest.riskAt(10 * USDC, 120_000L, feeFund), T0 + 120);
    BatchWitness.Builder next = BatchWitness.builder(l, 2, 4, 2, BigInteger.ZERO);
    assertEquals(Rule.OK, next.absorbLoss(1));
    assertEquals(5_000L, l.balance(0, 0));
    assertEquals(l.stateTree().root(), next.finish().newRoot());
  }

  /**
   * Writes (with {@code -Dzkm.updateVectors=true}) or compares a checked-in vector of
   * test-vectors/batch/.
   */
  static void vector(String name, String json) throws Exception {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("docs").resolve("ENCODING.md"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("repository root not found");
    }
    Path f = p.resolve("test-vectors").resolve("batch").resolve(name);
    if (Boolean.getBoolean("zkm.updateVectors")) {
      Files.writeString(f, json);
    }
    assertEquals(
        Files.readString(f),
        json,
        f + " differs from what the Java ledger writes (rewrite with -Dzkm.updateVectors=true)");
  }
}
