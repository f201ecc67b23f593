package io.zkmargin.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.LedgerConfig;
import io.zkmargin.ledger.Rule;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskGlobals;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A genesis of three accounts (fee account 0; accounts 1 and 2 with 100 USDC and opposite 6-lot
 * ETH-PERP positions) and two real ledger batches recorded by {@link BatchWitness} at the test size
 * (N = 2, R = 4), as prover's BatchProveTest builds them: batch 1 registers account 3 (a
 * sub-account of account 1's key) by a deposit and deposits into account 1; batch 2 withdraws 20
 * USDC from account 1 (opening the ETH-PERP risk row) and transfers 5 USDC from 1 to 3; batch 3
 * (recorded by {@link BatchWitness.Builder#trade}) fills 1 unit of account 1's buy order for 3
 * ETH-PERP (maker) against account 3's sell order for 1 (taker) at 30 USDC a lot, with 3,000 atoms
 * of fees to account 0 at the end of the batch; batch 4 (at a risk root where ETH-PERP's mark fell
 * to 15 USDC: account 2, short 6 lots with 100 USDC, has E = 10 USDC under MM = 27 USDC) liquidates
 * account 2's short lots to account 1 for {@link #KEEPER} in its liquidation slot, the fewest lots
 * that restore 1.25 x IM (the close factor), with the full 1 % penalty (the keeper's 10 % a
 * withdrawal, the fund account 0's 50 % after the last slot).
 */
final class DacFixtures {
  static final LedgerConfig CONFIG = LedgerConfig.TEST;
  static final int N = 2;
  static final int R = 4;
  static final long T0 = 1_767_225_600L;
  static final long USDC = 1_000_000L;
  static final long CHAIN_ID = 31337;
  static final String SETTLEMENT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  static final BigInteger DEPOSITOR =
      new BigInteger("a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", 16);
  static final BigInteger PAYEE = BigInteger.valueOf(0xbeef);
  static final BigInteger KEEPER = BigInteger.valueOf(0xcafe);
  private static final ObjectMapper JSON = new ObjectMapper();

  final Genesis genesis;
  final BatchWitness batch1;
  final BatchWitness batch2;
  final BatchWitness batch3;
  final BatchWitness batch4;
  final String json1;
  final String json2;
  final String json3;
  final String json4;

  /** Batch 4's forced withdrawal outcome (null when batch 4 is the liquidation). */
  Rule forcedOutcome;

  DacFixtures() {
    this(DEPOSITOR);
  }

  /** The batches with deposits queued by {@code depositor} (the queue entries name it). */
  DacFixtures(BigInteger depositor) {
    this(depositor, 0);
  }

  /**
   * With {@code forcedAmount > 0}, batch 4 is instead a forced withdrawal of {@code forcedAmount}
   * quote atoms from account 1 requested by its l1Address ({@link #DEPOSITOR}) at {@link #risk()}:
   * paid when account 1 meets effective IM after, else refused (its request slot, kind 8 or 9).
   */
  DacFixtures(BigInteger depositor, long forcedAmount) {
    genesis = genesis();
    Ledger l = genesis.ledger();
    l.beginBatch(risk(), T0);
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    EdwardsKeyPair k1 = key(1);
    assertEquals(
        Rule.OK, b.deposit(3, 5 * USDC, k1.publicKey().x(), k1.publicKey().y(), depositor));
    assertEquals(Rule.OK, b.deposit(1, 10 * USDC, BigInteger.ZERO, BigInteger.ZERO, depositor));
    batch1 = b.finish();
    l.beginBatch(risk(), T0 + 60);
    BatchWitness.Builder b2 = BatchWitness.builder(l, N, R, batch1.depositHeadAfter());
    WithdrawalMessage w = new WithdrawalMessage(1, 0, 20 * USDC, PAYEE);
    assertEquals(Rule.OK, b2.withdraw(w, EdDSA.sign(k1, w.messageHash())));
    TransferMessage t = new TransferMessage(1, 3, 1, 0, 5 * USDC);
    assertEquals(Rule.OK, b2.transfer(t, EdDSA.sign(k1, t.messageHash())));
    batch2 = b2.finish();
    assertEquals(l.stateTree().root(), batch2.newRoot());
    l.beginBatch(risk(), T0 + 120);
    BatchWitness.Builder b3 = BatchWitness.builder(l, N, R, batch2.depositHeadAfter());
    OrderMessage maker =
        OrderMessage.singleLeg(CONFIG.legs(), 1, 7, T0 + 3600, 3, 31 * USDC, 1_000, 1, 1);
    OrderMessage taker =
        OrderMessage.singleLeg(CONFIG.legs(), 3, 9, T0 + 3600, 1, -29 * USDC, 2_000, 1, -1);
    assertEquals(
        Rule.OK,
        b3.trade(
            maker,
            EdDSA.sign(k1, maker.messageHash()),
            taker,
            EdDSA.sign(k1, taker.messageHash()),
            1,
            new long[] {30 * USDC, 0}));
    batch3 = b3.finish();
    assertEquals(l.stateTree().root(), batch3.newRoot());
    l.beginBatch(forcedAmount > 0 ? risk() : riskAtMark(15 * USDC), T0 + 180);
    BatchWitness.Builder b4 = BatchWitness.builder(l, N, R, batch3.depositHeadAfter());
    Rule r4 = forcedAmount > 0 ? Rule.OK : Rule.CLOSE_FACTOR;
    if (forcedAmount > 0) {
      forcedOutcome = b4.forcedWithdrawal(1, DEPOSITOR, forcedAmount);
    }
    for (long lots = 1; lots <= 6 && r4 == Rule.CLOSE_FACTOR; lots++) {
      long penalty = (lots * 15 * USDC * 10_000 + 999_999) / 1_000_000;
      LiquidationMessage m =
          new LiquidationMessage(
              l.riskCommitment().riskRoot(),
              KEEPER,
              2,
              1,
              l.nonce(1),
              penalty,
              new long[] {-lots, 0},
              new long[] {0, 0});
      r4 = b4.liquidate(m, EdDSA.sign(k1, m.messageHash()));
    }
    assertEquals(Rule.OK, r4);
    batch4 = b4.finish();
    assertEquals(l.stateTree().root(), batch4.newRoot());
    json1 = batch1.toJson();
    json2 = batch2.toJson();
    json3 = batch3.toJson();
    json4 = batch4.toJson();
  }

  static Genesis genesis() {
    Map<Long, AccountLeaf> m = new TreeMap<>();
    EdwardsKeyPair fee = key(1_000);
    m.put(
        0L,
        new AccountLeaf(
            fee.publicKey().x(),
            fee.publicKey().y(),
            DEPOSITOR,
            BigInteger.ZERO,
            0,
            new AccountState(0, new long[2], new long[2], new long[2], new long[2])));
    for (int i = 1; i <= 2; i++) {
      EdwardsKeyPair k = key(i);
      m.put(
          (long) i,
          new AccountLeaf(
              k.publicKey().x(),
              k.publicKey().y(),
              DEPOSITOR,
              BigInteger.ZERO,
              0,
              new AccountState(
                  0,
                  new long[] {100 * USDC, 0},
                  new long[] {1, 0},
                  new long[] {i == 1 ? 6 : -6, 0},
                  new long[] {120_000L, 0})));
    }
    return new Genesis(CONFIG, m);
  }

  static EdwardsKeyPair key(long seed) {
    return new EdwardsKeyPair(
        BigInteger.valueOf(seed)
            .multiply(BigInteger.valueOf(1_000_000_007L))
            .add(BigInteger.valueOf(12345)));
  }

  /** USDC and ETH (10% haircut); ETH-PERP (id 1) and an ETH call (id 4); scenarios -15..+15%. */
  static RiskCommitment risk() {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>();
    m.put(
        1L,
        new InstrumentRiskEntry(
            30_000_000L,
            120_000L,
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

  /** {@link #risk()} with ETH-PERP's mark at {@code mark} quote atoms per lot. */
  static RiskCommitment riskAtMark(long mark) {
    RiskCommitment r = risk();
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(r.entries());
    InstrumentRiskEntry e = m.get(1L);
    m.put(
        1L,
        new InstrumentRiskEntry(
            mark, e.fundingIndex(), e.floorMm(), e.floorIm(), e.rmm(), e.rim()));
    return new RiskCommitment(CONFIG.sizes(), m, r.globals());
  }

  static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A copy of a witness document changed by {@code edit}; with {@code rehash} its dataHash is
   * recomputed from the (changed) slots, so that the change gets past the dataHash check.
   */
  static byte[] edit(String json, Consumer<ObjectNode> edit, boolean rehash) {
    try {
      ObjectNode o = (ObjectNode) JSON.readTree(json);
      edit.accept(o);
      if (rehash) {
        // the member's own computation (the builder's slot layout), when the edit still parses
        try {
          WitnessDocument d = WitnessDocument.parse(JSON.writeValueAsBytes(o));
          o.put("dataHash", d.computedDataHash().toString());
        } catch (BatchRefusedException | IllegalArgumentException e) {
          // left as it is: the edit is refused before the dataHash check anyway
        }
      }
      return JSON.writeValueAsBytes(o);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sets element {@code k} of a slot's array field (a trade's legs). */
  static Consumer<ObjectNode> slotArray(int slot, String name, int k, String value) {
    return o -> ((ArrayNode) o.get("slots").get(slot).get(name)).set(k, value);
  }

  /** Sets a field of a slot's order object ({@code maker} or {@code taker}). */
  static Consumer<ObjectNode> orderField(int slot, String order, String name, String value) {
    return o -> ((ObjectNode) o.get("slots").get(slot).get(order)).put(name, value);
  }

  /** Sets a field of liquidation slot {@code slot}. */
  static Consumer<ObjectNode> liqField(int slot, String name, String value) {
    return o -> ((ObjectNode) o.get("liquidations").get(slot)).put(name, value);
  }

  /** Sets element {@code k} of a liquidation slot's array field. */
  static Consumer<ObjectNode> liqArray(int slot, String name, int k, String value) {
    return o -> ((ArrayNode) o.get("liquidations").get(slot).get(name)).set(k, value);
  }

  /** Sets a slot's data field. */
  static Consumer<ObjectNode> slotField(int slot, String name, String value) {
    return o -> ((ObjectNode) o.get("slots").get(slot)).put(name, value);
  }
}
