package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RepoRoot;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.LedgerConfig;
import io.zkmargin.ledger.Rule;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.NativeException;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batches applied by the Java ledger, recorded by {@link BatchWitness} and proven with the real
 * gnark batch circuit through JNI at the test size (N = 2, R = 4): batch 1 a registration deposit
 * and a plain deposit, batch 2 a withdrawal and a transfer to a sub-account, and a batch of a trade
 * and a withdrawal (ledger-batch-trade-2.json); the N = 8 batch with trades of every shape
 * (ledger-batch-trade-8.json) is solved by the Go test only (one proof of a trade is enough). Each
 * proof verifies and its public inputs are Java's; a changed dataHash and a forged signature fail
 * to prove. The two witnesses are the checked-in vectors test-vectors/batch/ledger-batch-{1,2}.json
 * that {@code go test ./circuits/batch -run TestJavaLedgerVectors} replays (rewrite them with
 * {@code -Dzkm.updateVectors=true}).
 */
class BatchProveTest {
  private static final LedgerConfig CONFIG = LedgerConfig.TEST;
  private static final int N = 2;
  private static final int R = 4;
  private static final String ID = BatchWitness.circuitId(CONFIG, N, R);
  private static final long T0 = 1_767_225_600L;
  private static final long USDC = 1_000_000L;
  private static final BigInteger DEPOSITOR =
      new BigInteger("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 16);
  private static final BigInteger PAYEE = BigInteger.valueOf(0xbeef);

  private static KeyStore keys;
  private static BatchWitness batch1;
  private static BatchWitness batch2;
  private static BatchWitness padded;
  private static BatchWitness tradeBig;
  private static BatchWitness tradeSmall;
  private static BatchWitness settle;
  private static BatchWitness liquidation;
  private static final BigInteger KEEPER = BigInteger.valueOf(0xCAFE);

  @BeforeAll
  static void build() {
    keys = KeyStore.openDefault();
    Ledger l = genesis();
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    EdwardsKeyPair k1 = key(1);
    // account 3 registered by a deposit with account 1's key: a sub-account of account 1
    assertEquals(
        Rule.OK, b.deposit(3, 5 * USDC, k1.publicKey().x(), k1.publicKey().y(), DEPOSITOR));
    assertEquals(Rule.OK, b.deposit(1, 10 * USDC, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    assertThrows(
        IllegalStateException.class,
        () -> b.deposit(1, 1, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR),
        "N slots used: the batch is full");
    batch1 = b.finish();

    l.beginBatch(risk(), T0 + 60);
    BatchWitness.Builder b2 = BatchWitness.builder(l, N, R, batch1.depositHeadAfter());
    // account 1 holds 6 ETH-PERP lots: its withdrawal opens that instrument's row
    WithdrawalMessage w = new WithdrawalMessage(1, 0, 20 * USDC, PAYEE);
    assertEquals(Rule.OK, b2.withdraw(w, EdDSA.sign(k1, w.messageHash())));
    TransferMessage t = new TransferMessage(1, 3, 1, 0, 5 * USDC);
    assertEquals(Rule.OK, b2.transfer(t, EdDSA.sign(k1, t.messageHash())));
    batch2 = b2.finish();
    assertEquals(batch1.newRoot(), batch2.oldRoot());
    assertEquals(l.stateTree().root(), batch2.newRoot());
    padded = singleWithdrawal(key(1), true);
    tradeBig = tradeBatch();
    tradeSmall = tradeAndWithdrawal();
    settle = settleBatch();
    liquidation = withdrawalAndLiquidation();
  }

  /**
   * From genesis, ETH-PERP's mark drops from 30 to 17 USDC: account 1 (long 6 lots, 100 USDC) has E
   * = 22 USDC under MM = 27 USDC. N = 2: account 2 withdraws 5 USDC, then (a liquidation slot)
   * account 2 takes 4 of account 1's lots at the mark for a keeper, with the full 1 % penalty of
   * the default parameters (10 % of it to the keeper as the batch's second withdrawal, 50 % to the
   * insurance fund, account 0, after the last slot); 3 lots would not restore 1.25 x IM (close
   * factor).
   */
  private static BatchWitness withdrawalAndLiquidation() {
    Ledger l = genesis();
    l.beginBatch(riskAtMark(17_000_000L), T0 + 60);
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    WithdrawalMessage w = new WithdrawalMessage(2, 0, 5 * USDC, PAYEE);
    assertEquals(Rule.OK, b.withdraw(w, EdDSA.sign(key(2), w.messageHash())));
    long penalty = 680_000; // ceil(1 % of 4 lots x 17 USDC)
    LiquidationMessage m =
        new LiquidationMessage(
            l.riskCommitment().riskRoot(),
            KEEPER,
            1,
            2,
            l.nonce(2),
            penalty,
            new long[] {4, 0},
            new long[] {0, 0});
    LiquidationMessage tooMuch =
        new LiquidationMessage(
            m.riskRoot(), KEEPER, 1, 2, m.nonce(), penalty, new long[] {5, 0}, new long[] {0, 0});
    assertEquals(Rule.CLOSE_FACTOR, b.liquidate(tooMuch, tooMuch.sign(key(2))));
    assertEquals(Rule.OK, b.liquidate(m, m.sign(key(2))));
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    assertEquals(2, l.withdrawals().size(), "the withdrawal, then the keeper's share");
    assertEquals(68_000, l.withdrawals().get(1).amount());
    return bw;
  }

  /** {@link #risk()} with ETH-PERP's mark at {@code mark} quote atoms per lot. */
  private static RiskCommitment riskAtMark(long mark) {
    RiskCommitment r = risk();
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(r.entries());
    InstrumentRiskEntry e = m.get(1L);
    m.put(
        1L,
        new InstrumentRiskEntry(
            mark, e.fundingIndex(), e.floorMm(), e.floorIm(), e.rmm(), e.rim()));
    return new RiskCommitment(CONFIG.sizes(), m, r.globals());
  }

  private static EdDSA.Signature sign(long seed, OrderMessage o) {
    return EdDSA.sign(key(seed), o.messageHash());
  }

  /**
   * From genesis, at a risk root where ETH-PERP's funding index moved from 120,000 to 150,000
   * (every position change settles funding), a batch of N = 8 slots: a registration deposit
   * (account 3, a sub-account of account 1), a plain deposit, a partial fill of account 1's sell
   * order against account 2, its second fill (both perp positions close to empty), a two-leg fill
   * (account 2 buys 1 ETH-PERP and sells 2 ETH calls per unit against account 1, both opening the
   * call in a free slot), a withdrawal, a transfer to the sub-account, a no-op.
   */
  private static BatchWitness tradeBatch() {
    Ledger l = genesis();
    l.beginBatch(risk(150_000L), T0 + 60);
    BatchWitness.Builder b = BatchWitness.builder(l, 8, R, BigInteger.ZERO);
    EdwardsKeyPair k1 = key(1);
    assertEquals(
        Rule.OK, b.deposit(3, 5 * USDC, k1.publicKey().x(), k1.publicKey().y(), DEPOSITOR));
    assertEquals(Rule.OK, b.deposit(1, 50 * USDC, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    long exp = T0 + 86_400;
    long[] perp = {30_000_000L, 0};
    OrderMessage sell =
        OrderMessage.singleLeg(CONFIG.legs(), 1, 2, exp, 10, -29_500_000L, 1_000, 1, -1);
    OrderMessage buy3 =
        OrderMessage.singleLeg(CONFIG.legs(), 2, 2, exp, 3, 30_500_000L, 2_000, 1, 1);
    OrderMessage buy5 =
        OrderMessage.singleLeg(CONFIG.legs(), 2, 3, exp, 5, 30_500_000L, 2_000, 1, 1);
    assertEquals(Rule.OK, b.trade(sell, sign(1, sell), buy3, sign(2, buy3), 3, perp));
    assertEquals(Rule.OK, b.trade(sell, sign(1, sell), buy5, sign(2, buy5), 3, perp));
    assertEquals(6, l.filled(1, 2), "the sell order filled 3 + 3 of 10");
    assertEquals(0, l.quantity(1, 0), "account 1's perp position closed to empty");
    assertEquals(0, l.instrumentId(1, 0));
    // combo: +1 ETH-PERP, -2 ETH calls (id 4) per unit; net 30 - 2 * 1.2 = 27.6 USDC a unit
    OrderMessage comboBuy =
        new OrderMessage(2, 4, exp, 1, 28_000_000L, 500, new long[] {1, 4}, new long[] {1, -2});
    OrderMessage comboSell =
        new OrderMessage(1, 3, exp, 1, -27_000_000L, 500, new long[] {1, 4}, new long[] {-1, 2});
    assertEquals(
        Rule.OK,
        b.trade(
            comboBuy,
            sign(2, comboBuy),
            comboSell,
            sign(1, comboSell),
            1,
            new long[] {30_000_000L, 1_200_000L}));
    WithdrawalMessage w = new WithdrawalMessage(1, 0, 10 * USDC, PAYEE);
    assertEquals(Rule.OK, b.withdraw(w, EdDSA.sign(k1, w.messageHash())));
    TransferMessage t = new TransferMessage(1, 3, 1, 0, 5 * USDC);
    assertEquals(Rule.OK, b.transfer(t, EdDSA.sign(k1, t.messageHash())));
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    return bw;
  }

  /** From genesis, N = 2: account 1 sells 2 ETH-PERP lots to account 2, then withdraws. */
  private static BatchWitness tradeAndWithdrawal() {
    Ledger l = genesis();
    l.beginBatch(risk(150_000L), T0 + 60);
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    long exp = T0 + 86_400;
    OrderMessage sell =
        OrderMessage.singleLeg(CONFIG.legs(), 1, 2, exp, 2, -29_500_000L, 1_000, 1, -1);
    OrderMessage buy =
        OrderMessage.singleLeg(CONFIG.legs(), 2, 2, exp, 2, 30_500_000L, 2_000, 1, 1);
    assertEquals(
        Rule.OK, b.trade(sell, sign(1, sell), buy, sign(2, buy), 2, new long[] {30_000_000L, 0}));
    WithdrawalMessage w = new WithdrawalMessage(1, 0, 10 * USDC, PAYEE);
    assertEquals(Rule.OK, b.withdraw(w, EdDSA.sign(key(1), w.messageHash())));
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    return bw;
  }

  /**
   * From genesis, account 1 buys 2 ETH calls (id 4) from account 2 at 1.2 USDC a lot; then the call
   * expires and settles at 2.5 USDC a lot, and a batch of N = 2 settle-expiry slots closes both
   * positions (kind 5: account 1 receives 5 USDC, account 2 pays them).
   */
  private static BatchWitness settleBatch() {
    Ledger l = genesis();
    long exp = T0 + 86_400;
    OrderMessage buy = OrderMessage.singleLeg(CONFIG.legs(), 1, 5, exp, 2, 1_300_000L, 0, 4, 1);
    OrderMessage sell = OrderMessage.singleLeg(CONFIG.legs(), 2, 5, exp, 2, -1_100_000L, 0, 4, -1);
    assertEquals(Rule.OK, l.trade(buy, sell, 2, new long[] {1_200_000L, 0}));
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(risk().entries());
    m.put(4L, InstrumentRiskEntry.settledAt(2_500_000L, 0, CONFIG.sizes().scenarios()));
    l.beginBatch(new RiskCommitment(CONFIG.sizes(), m, risk().globals()), T0 + 60);
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    long before = l.balance(1, 0);
    assertEquals(Rule.OK, b.settleExpiry(1, 1));
    assertEquals(Rule.OK, b.settleExpiry(2, 1));
    assertEquals(before + 5 * USDC, l.balance(1, 0));
    assertEquals(0, l.quantity(2, 1));
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    return bw;
  }

  /**
   * From genesis, a batch of one withdrawal of 20 USDC from account 1 signed by {@code signer},
   * padded with a no-op; {@code checkSignatures} false plugs in a verifier that accepts anything.
   */
  private static BatchWitness singleWithdrawal(EdwardsKeyPair signer, boolean checkSignatures) {
    Ledger l = genesis();
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    if (!checkSignatures) {
      b.verifier((pk, msg, sig) -> true);
    }
    WithdrawalMessage w = new WithdrawalMessage(1, 0, 20 * USDC, PAYEE);
    assertEquals(Rule.OK, b.withdraw(w, EdDSA.sign(signer, w.messageHash())));
    return b.finish();
  }

  @AfterAll
  static void close() {
    keys.close();
  }

  /**
   * Fee account 0, accounts 1 and 2 (keys 1 and 2) with 100 USDC each and opposite 6-lot ETH-PERP
   * positions: the state the recorded batches start from.
   */
  private static Ledger genesis() {
    Ledger l = new Ledger(CONFIG);
    EdwardsKeyPair fee = key(1_000);
    l.registerGenesis(0, fee.publicKey().x(), fee.publicKey().y(), DEPOSITOR, 0);
    for (int i = 1; i <= 2; i++) {
      EdwardsKeyPair k = key(i);
      assertEquals(
          Rule.OK, l.deposit(i, 100 * USDC, k.publicKey().x(), k.publicKey().y(), DEPOSITOR));
    }
    l.beginBatch(risk(), T0);
    long[] prices = {30_000_000L, 0};
    OrderMessage maker =
        OrderMessage.singleLeg(CONFIG.legs(), 1, 1, T0 + 86_400, 6, 31_000_000L, 0, 1, 1);
    OrderMessage taker =
        OrderMessage.singleLeg(CONFIG.legs(), 2, 1, T0 + 86_400, 6, -29_000_000L, 0, 1, -1);
    assertEquals(Rule.OK, l.trade(maker, taker, 6, prices));
    return l;
  }

  private static EdwardsKeyPair key(long seed) {
    return new EdwardsKeyPair(
        BigInteger.valueOf(seed)
            .multiply(BigInteger.valueOf(1_000_000_007L))
            .add(BigInteger.valueOf(12345)));
  }

  /** USDC and ETH (10% haircut); ETH-PERP (id 1) and an ETH call (id 4); scenarios -15..+15%. */
  private static RiskCommitment risk() {
    return risk(120_000L);
  }

  /** {@link #risk()} with ETH-PERP's funding index {@code perpFunding} (quote atoms per lot). */
  private static RiskCommitment risk(long perpFunding) {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>();
    m.put(
        1L,
        new InstrumentRiskEntry(
            30_000_000L,
            perpFunding,
            1,
            1,
            new long[] {-4_500_000L, -1_500_000L, 1_500_000L, 4_500_000L},
            new long[] {-6_750_000L, -2_250_000L, 2_250_000L, 6_750_000L}));
    m.put(
        4L,
        new InstrumentRiskEntry(
            1_200_000L,
            0L,
            150_000L,
            200_000L,
            new long[] {-1_000_000L, -600_000L, 900_000L, 3_100_000L},
            new long[] {-1_200_000L, -700_000L, 1_100_000L, 3_600_000L}));
    RiskGlobals g =
        new RiskGlobals(
            new long[] {1_000_000, 1_250_000},
            new long[] {1_000_000_000L, 2_700_000_000L},
            new long[] {1_000_000_000L, 3_000_000_000L},
            new long[][] {
              {0, 0, 0, 0},
              {-450_000_000L, -150_000_000L, 150_000_000L, 450_000_000L}
            });
    return new RiskCommitment(CONFIG.sizes(), m, g);
  }

  private static ProofFile prove(BatchWitness w, String json) {
    BatchProver.Proved p =
        new BatchProver(keys)
            .prove(ID, json.getBytes(StandardCharsets.UTF_8), Arrays.asList(w.publicInputs()));
    System.out.printf("zkm: batch proof %s in %.2f s%n", ID, p.proveNanos() / 1e9);
    return p.proof();
  }

  private static List<String> strings(BigInteger[] xs) {
    return Arrays.stream(xs).map(BigInteger::toString).toList();
  }

  @Test
  void bothBatchesProveAndVerifyWithJavasPublicInputs() throws Exception {
    keys.ensureKeys(ID);
    for (BatchWitness w : List.of(batch1, batch2)) {
      ProofFile p = prove(w, w.toJson());
      assertEquals(Arrays.asList(w.publicInputs()), p.publicInputs());
      assertTrue(new BatchProver(keys).verify(p));
      assertTrue(new BatchProver(keys).verify(ProofFile.parse(p.toJson())));
      // the same proof against another batch's inputs does not verify
      BigInteger[] other = w.publicInputs();
      other[6] = other[6].add(BigInteger.ONE);
      assertFalse(Gnark.verify(keys.verifyingKey(ID), p.proof(), strings(other)));
    }
    // batch 2 pays one withdrawal, batch 1 none
    assertEquals(BigInteger.ZERO, batch1.withdrawalsHash());
    assertFalse(batch2.withdrawalsHash().signum() == 0);
  }

  @Test
  void aBatchWithATradeProvesAndVerifies() {
    keys.ensureKeys(ID);
    ProofFile p = prove(tradeSmall, tradeSmall.toJson());
    assertEquals(Arrays.asList(tradeSmall.publicInputs()), p.publicInputs());
    assertTrue(new BatchProver(keys).verify(p));
  }

  @Test
  void aBatchWithALiquidationProvesAndVerifies() {
    keys.ensureKeys(ID);
    ProofFile p = prove(liquidation, liquidation.toJson());
    assertEquals(Arrays.asList(liquidation.publicInputs()), p.publicInputs());
    assertEquals(9, p.publicInputs().size());
    assertFalse(liquidation.requestsHash().signum() == 0, "requestsHash names the liquidation");
    assertTrue(new BatchProver(keys).verify(p));
  }

  /**
   * A deleverage (kind 10) proves through JNI: the vector the ledger's BatchWitnessAdlTest writes
   * (test-vectors/batch/ledger-batch-deleverage-2.json), with its own public inputs; the loss comes
   * from the circuit's hint in the native library (the absorbLoss vectors are solved by Go only).
   */
  @Test
  void requestSlotVectorsProveAndVerify() throws Exception {
    keys.ensureKeys(ID);
    Path dir = RepoRoot.find().resolve("test-vectors").resolve("batch");
    String[] names = {
      "oldRoot",
      "newRoot",
      "riskRoot",
      "depositHeadBefore",
      "depositHeadAfter",
      "withdrawalsHash",
      "dataHash",
      "batchTime",
      "requestsHash"
    };
    for (String f : List.of("ledger-batch-deleverage-2.json")) {
      com.fasterxml.jackson.databind.JsonNode doc =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(f).toFile());
      List<BigInteger> in =
          Arrays.stream(names).map(n -> new BigInteger(doc.get(n).asText())).toList();
      BatchProver.Proved p =
          new BatchProver(keys).prove(ID, Files.readAllBytes(dir.resolve(f)), in);
      System.out.printf("zkm: %s proven in %.2f s%n", f, p.proveNanos() / 1e9);
      assertEquals(in, p.proof().publicInputs());
      assertTrue(new BatchProver(keys).verify(p.proof()));
    }
  }

  @Test
  void theBatchProverTakesBatchCircuitsOnly() {
    BatchProver p = new BatchProver(keys);
    byte[] json = batch1.toJson().getBytes(StandardCharsets.UTF_8);
    List<BigInteger> in = Arrays.asList(batch1.publicInputs());
    assertThrows(
        IllegalArgumentException.class, () -> p.prove("health-D6-I3-P2-A2-S4-T2", json, in));
  }

  @Test
  void aChangedDataHashFailsToProve() {
    String json = batch2.toJson();
    String field = "\"dataHash\": \"" + batch2.dataHash() + "\"";
    assertTrue(json.contains(field));
    String bad =
        json.replace(field, "\"dataHash\": \"" + batch2.dataHash().add(BigInteger.ONE) + "\"");
    NativeException e = assertThrows(NativeException.class, () -> prove(batch2, bad));
    assertEquals(NativeException.UNSATISFIED, e.code());
  }

  @Test
  void aForgedSignatureFailsToProve() {
    // the ledger's signature check switched off (a verifier that accepts anything): a withdrawal
    // from account 1 signed by key 2 gets into a witness whose every other part is consistent
    // (the same batch signed by key 1 is the vector ledger-batch-3-padded.json, which the Go test
    // solves)
    BatchWitness forged = singleWithdrawal(key(2), false);
    assertEquals(padded.newRoot(), forged.newRoot());
    NativeException e = assertThrows(NativeException.class, () -> prove(forged, forged.toJson()));
    assertEquals(NativeException.UNSATISFIED, e.code());
  }

  @Test
  void witnessesAreTheCheckedInVectors() throws Exception {
    Path dir = RepoRoot.find().resolve("test-vectors").resolve("batch");
    String[] names = {
      "ledger-batch-1.json",
      "ledger-batch-2.json",
      "ledger-batch-3-padded.json",
      "ledger-batch-trade-8.json",
      "ledger-batch-trade-2.json",
      "ledger-batch-settle-2.json",
      "ledger-batch-liquidation-2.json"
    };
    BatchWitness[] ws = {batch1, batch2, padded, tradeBig, tradeSmall, settle, liquidation};
    for (int i = 0; i < ws.length; i++) {
      Path f = dir.resolve(names[i]);
      if (Boolean.getBoolean("zkm.updateVectors")) {
        Files.writeString(f, ws[i].toJson());
      }
      assertEquals(
          Files.readString(f),
          ws[i].toJson(),
          f + " differs from what the Java ledger writes (rewrite with -Dzkm.updateVectors=true)");
    }
  }
}
