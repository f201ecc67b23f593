package io.zkmargin.ledger;

import static io.zkmargin.ledger.LedgerFixtures.DEPOSITOR;
import static io.zkmargin.ledger.LedgerFixtures.SIZES;
import static io.zkmargin.ledger.LedgerFixtures.T0;
import static io.zkmargin.ledger.LedgerFixtures.key;
import static io.zkmargin.ledger.LedgerFixtures.state;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.LiquidationParams;
import io.zkmargin.risk.vector.RiskVector;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Forced withdrawals (docs/LIQUIDATION.md section 12): {@link Ledger#forcedWithdrawal} paid or
 * refused with its reason, the request list and the withdrawal list in request-slot order, and the
 * request slot {@link BatchWitness.Builder#forcedWithdrawal} records. On the market of {@link
 * LiquidationTest} (every account's l1Address is {@link LedgerFixtures#DEPOSITOR}, the address that
 * registered it): account 1 long 6 ETH-PERP lots, account 2 short 6, 4 a liquidator, 5 the
 * insurance fund; invariants checked after every applied transition. Writes {@code
 * test-vectors/batch/ledger-batch-forced-2.json} and {@code ledger-batch-forced-refused-2.json}
 * (with {@code -Dzkm.updateVectors=true}), which {@code go test ./circuits/batch -run
 * TestJavaLedgerVectors} solves.
 */
class ForcedWithdrawalTest {
  private static final long USDC = 1_000_000L;
  private static final long MARK = 30_000_000L;
  private static final BigInteger STRANGER = BigInteger.valueOf(0xdead);
  private static final LiquidationParams PARAMS =
      new LiquidationParams(10_000, 500_000, 100_000, 1_000_000, 5);

  /** Account 1 deposited {@code victimDeposit}, in a batch at {@link #MARK}. */
  private static Ledger setup(long victimDeposit) {
    return LiquidationTest.setup(victimDeposit, 1_000 * USDC, 100 * USDC, MARK);
  }

  private static boolean meetsIm(Ledger l, long id, long withdrawn) {
    RiskCommitment rc = l.riskCommitment();
    Map<Integer, InstrumentRiskEntry> e = new TreeMap<>();
    rc.entries().forEach((k, v) -> e.put(k.intValue(), v));
    var st = l.accountState(id);
    long[] bal = st.balances().clone();
    bal[0] -= withdrawn;
    MarginResult m = new MarginResult(SIZES.scenarios());
    MarginCalculator.DEFAULT.evaluate(
        new RiskVector(0, SIZES, e, rc.globals()),
        st.tier(),
        bal,
        st.instrumentIds(),
        st.quantities(),
        st.fundingSnapshots(),
        m);
    return m.meetsInitialMargin();
  }

  /** The largest amount account {@code id} can withdraw and meet effective IM (binary search). */
  private static long maxPaid(Ledger l, long id) {
    long lo = 0;
    long hi = 1L << 50;
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (meetsIm(l, id, mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Test
  void paidByTheLeafsAddress_movesTheBalanceNotTheNonce() {
    Ledger l = setup(1_000 * USDC);
    long bal = l.balance(1, 0);
    long nonce = l.nonce(1);
    long flow = l.netFlow(0);
    assertEquals(Rule.OK, l.forcedWithdrawal(1, DEPOSITOR, 5 * USDC));
    assertEquals(bal - 5 * USDC, l.balance(1, 0));
    assertEquals(nonce, l.nonce(1), "no signature, no nonce");
    assertEquals(flow - 5 * USDC, l.netFlow(0), "a net outflow");
    assertEquals(List.of(new Withdrawal(1, DEPOSITOR, 5 * USDC)), l.withdrawals());
    assertEquals(
        List.of(new RequestEntry(RequestEntry.FORCED_PAID, 1, DEPOSITOR, 5 * USDC)), l.requests());
  }

  @Test
  void paidExactlyToEffectiveIm_refusedOneAtomBeyond() {
    Ledger l = setup(1_000 * USDC);
    long max = maxPaid(l, 1);
    assertTrue(max > l.balance(1, 0), "the fixture withdraws into a quote debt: " + max);
    assertEquals(Rule.IM_BROKEN, l.checkForcedWithdrawal(1, DEPOSITOR, max + 1));
    String before = state(l);
    assertEquals(Rule.IM_BROKEN, l.forcedWithdrawal(1, DEPOSITOR, max + 1));
    assertEquals(before, state(l), "a refusal changes no state");
    assertEquals(Rule.OK, l.forcedWithdrawal(1, DEPOSITOR, max));
    assertEquals(
        List.of(
            new RequestEntry(RequestEntry.FORCED_REFUSED, 1, DEPOSITOR, max + 1),
            new RequestEntry(RequestEntry.FORCED_PAID, 1, DEPOSITOR, max)),
        l.requests());
    assertEquals(List.of(new Withdrawal(1, DEPOSITOR, max)), l.withdrawals());
  }

  @Test
  void refusals_changeNothingButTheRequestList() {
    Ledger l = setup(1_000 * USDC);
    String before = state(l);
    assertEquals(Rule.NOT_OWNER, l.forcedWithdrawal(1, STRANGER, USDC));
    assertEquals(Rule.NOT_OWNER, l.forcedWithdrawal(1, BigInteger.ZERO, USDC), "address 0");
    assertEquals(Rule.UNKNOWN_ACCOUNT, l.forcedWithdrawal(9, DEPOSITOR, USDC));
    assertEquals(before, state(l));
    assertTrue(l.withdrawals().isEmpty());
    assertEquals(
        List.of(
            new RequestEntry(RequestEntry.FORCED_REFUSED, 1, STRANGER, USDC),
            new RequestEntry(RequestEntry.FORCED_REFUSED, 1, BigInteger.ZERO, USDC),
            new RequestEntry(RequestEntry.FORCED_REFUSED, 9, DEPOSITOR, USDC)),
        l.requests());
  }

  @Test
  void aBalanceBeyondTheWordRange_isAnImRefusal() {
    Ledger l = setup(60 * USDC - 1); // account 1 owes quote after buying 180 USDC of perps
    assertTrue(l.balance(1, 0) < 0);
    assertEquals(Rule.IM_BROKEN, l.forcedWithdrawal(1, DEPOSITOR, Long.MAX_VALUE));
  }

  @Test
  void argumentsOutOfRange_areRejected() {
    Ledger l = setup(1_000 * USDC);
    assertThrows(IllegalArgumentException.class, () -> l.forcedWithdrawal(1, DEPOSITOR, 0));
    assertThrows(IllegalArgumentException.class, () -> l.forcedWithdrawal(1, DEPOSITOR, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> l.forcedWithdrawal(1, BigInteger.ONE.shiftLeft(160), 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> l.forcedWithdrawal(1L << SIZES.stateDepth(), DEPOSITOR, 1));
    assertThrows(IllegalArgumentException.class, () -> l.forcedWithdrawal(-1, DEPOSITOR, 1));
    assertTrue(l.requests().isEmpty());
  }

  @Test
  void requestEntry_hashesAndRanges() {
    RequestEntry liq = new RequestEntry(RequestEntry.LIQUIDATION, 3, STRANGER, 0);
    assertEquals(Poseidon2.compress(BigInteger.valueOf(3), STRANGER), liq.hash());
    RequestEntry paid = new RequestEntry(RequestEntry.FORCED_PAID, 3, STRANGER, 7);
    RequestEntry refused = new RequestEntry(RequestEntry.FORCED_REFUSED, 3, STRANGER, 7);
    BigInteger inner = Poseidon2.compress(STRANGER, BigInteger.valueOf(7));
    assertEquals(
        Poseidon2.compress(BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(3)), inner),
        paid.hash());
    assertEquals(
        Poseidon2.compress(BigInteger.ONE.shiftLeft(65).add(BigInteger.valueOf(3)), inner),
        refused.hash());
    assertNotEquals(paid.hash(), refused.hash());
    assertEquals(
        Poseidon2.compress(Poseidon2.compress(BigInteger.ZERO, liq.hash()), paid.hash()),
        RequestEntry.requestsHash(List.of(liq, paid)));
    assertThrows(IllegalArgumentException.class, () -> new RequestEntry(7, 3, STRANGER, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RequestEntry(RequestEntry.LIQUIDATION, 3, STRANGER, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RequestEntry(RequestEntry.FORCED_PAID, 3, STRANGER, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RequestEntry(RequestEntry.FORCED_PAID, 1L << 32, STRANGER, 1));
  }

  /**
   * A liquidation with a keeper and a paid forced withdrawal in one batch (Q = 2): the request list
   * and the withdrawal list interleave in request-slot order, and the witness's hashes are the
   * lists' (what finalizeBatch is given).
   */
  @Test
  void liquidationThenForced_listsInSlotOrder() {
    Ledger l = LiquidationTest.setup(60 * USDC - 1, 1_000 * USDC, 100 * USDC, 24_500_001L);
    l.beginBatch(LiquidationTest.riskAt(24_500_001L, 120_000L, PARAMS), T0 + 60);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, 2, BigInteger.ZERO);
    WithdrawalMessage w = new WithdrawalMessage(2, 0, USDC, BigInteger.TEN);
    assertEquals(Rule.OK, b.withdraw(w, EdDSA.sign(key(2), w.messageHash())));
    BigInteger keeper = BigInteger.valueOf(0xC0FFEE);
    LiquidationMessage m =
        new LiquidationMessage(
            l.riskCommitment().riskRoot(),
            keeper,
            1,
            4,
            l.nonce(4),
            735_001,
            new long[] {3, 0},
            new long[] {0, 0});
    assertEquals(Rule.OK, b.liquidate(m, m.sign(key(4))));
    assertEquals(Rule.OK, b.forcedWithdrawal(2, DEPOSITOR, 2 * USDC));
    assertThrows(
        IllegalStateException.class,
        () -> b.forcedWithdrawal(4, DEPOSITOR, USDC),
        "Q = 2 request slots");
    BatchWitness bw = b.finish();
    assertEquals(
        List.of(
            new RequestEntry(RequestEntry.LIQUIDATION, 1, keeper, 0),
            new RequestEntry(RequestEntry.FORCED_PAID, 2, DEPOSITOR, 2 * USDC)),
        l.requests());
    assertEquals(
        List.of(
            new Withdrawal(2, BigInteger.TEN, USDC),
            new Withdrawal(1, keeper, 73_500),
            new Withdrawal(2, DEPOSITOR, 2 * USDC)),
        l.withdrawals());
    BigInteger wHash = BigInteger.ZERO;
    for (Withdrawal x : l.withdrawals()) {
      wHash =
          Poseidon2.compress(
              wHash, Poseidon2.compress(x.l1Address(), BigInteger.valueOf(x.amount())));
    }
    assertEquals(wHash, bw.withdrawalsHash());
    assertEquals(RequestEntry.requestsHash(l.requests()), bw.requestsHash());
    assertEquals(l.stateTree().root(), bw.newRoot());
    String json = bw.toJson();
    String slots = json.substring(json.indexOf("\"liquidations\": ["), json.indexOf("\"fund\": {"));
    assertTrue(slots.contains("\"kind\": \"8\""), slots);
    assertTrue(slots.contains("\"keeper\": \"" + DEPOSITOR + "\""), slots);
    assertTrue(slots.contains("\"penalty\": \"" + 2 * USDC + "\""), slots);
  }

  @Test
  void builder_feeAccountWithFeesPending_waitsForTheNextBatch() {
    Ledger l = setup(1_000 * USDC);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, 1, BigInteger.ZERO);
    var maker = LedgerFixtures.order(1, 2, 1, 31_000_000L, 1_000, 1, 1);
    var taker = LedgerFixtures.order(2, 2, 1, -29_000_000L, 1_000, 1, -1);
    Rule r =
        b.trade(
            maker,
            EdDSA.sign(key(1), maker.messageHash()),
            taker,
            EdDSA.sign(key(2), taker.messageHash()),
            1,
            new long[] {30_000_000L, 0});
    assertEquals(Rule.OK, r);
    String before = state(l);
    assertThrows(IllegalStateException.class, () -> b.forcedWithdrawal(0, DEPOSITOR, 1));
    assertEquals(before, state(l));
    assertTrue(l.requests().isEmpty());
    // a refused forced withdrawal is recorded too (kind 9, the account unchanged)
    assertEquals(Rule.NOT_OWNER, b.forcedWithdrawal(1, STRANGER, USDC));
    assertEquals(1, b.liquidations());
    assertTrue(b.isClosedToGeneric());
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    assertEquals(RequestEntry.requestsHash(l.requests()), bw.requestsHash());
    assertFalse(bw.toJson().contains("\"kind\": \"8\""));
  }

  /**
   * The Java vectors the Go circuit solves: N = 2, Q = 1, a signed withdrawal then a forced
   * withdrawal paid (account 1 into a quote debt, exactly to effective IM) and, second, refused by
   * the IM check (one atom more).
   */
  @Test
  void vectors_ledgerBatchForced() throws IOException {
    Path dir = repoRoot().resolve("test-vectors").resolve("batch");
    String[] names = {"ledger-batch-forced-2.json", "ledger-batch-forced-refused-2.json"};
    for (int i = 0; i < 2; i++) {
      Ledger l = setup(1_000 * USDC);
      BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, 1, BigInteger.ZERO);
      WithdrawalMessage w = new WithdrawalMessage(2, 0, USDC, BigInteger.TEN);
      assertEquals(Rule.OK, b.withdraw(w, EdDSA.sign(key(2), w.messageHash())));
      long max = maxPaid(l, 1);
      Rule want = i == 0 ? Rule.OK : Rule.IM_BROKEN;
      assertEquals(want, b.forcedWithdrawal(1, DEPOSITOR, i == 0 ? max : max + 1));
      BatchWitness bw = b.finish();
      assertEquals(l.stateTree().root(), bw.newRoot());
      Path f = dir.resolve(names[i]);
      if (Boolean.getBoolean("zkm.updateVectors")) {
        Files.writeString(f, bw.toJson());
      }
      assertEquals(
          Files.readString(f),
          bw.toJson(),
          f + " differs from what the Java ledger writes (rewrite with -Dzkm.updateVectors=true)");
    }
  }

  private static Path repoRoot() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("docs").resolve("ENCODING.md"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("repository root not found");
    }
    return p;
  }
}
