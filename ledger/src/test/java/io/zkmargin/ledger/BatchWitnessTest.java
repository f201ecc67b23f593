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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.EdDSA;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.Poseidon2;
import io.zkmargin.commit.WordPacking;
import io.zkmargin.commit.msg.OrderMessage;
import io.zkmargin.commit.msg.TransferMessage;
import io.zkmargin.commit.msg.WithdrawalMessage;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The batch witness builder without the prover (proving is BatchProveTest in the prover module):
 * public inputs as docs/BATCH.md sections 3 and 4 define them, no-op padding, and the refusals.
 */
class BatchWitnessTest {
  private static final long USDC = 1_000_000L;
  private static final BigInteger TO = BigInteger.valueOf(0xbeef);

  private static WithdrawalMessage withdrawal(long account, long nonce, long amount) {
    return new WithdrawalMessage(account, nonce, amount, TO);
  }

  private static EdDSA.Signature sign(long seed, WithdrawalMessage m) {
    return EdDSA.sign(key(seed), m.messageHash());
  }

  @Test
  void publicInputsAreThoseOfTheBatchDocument() {
    Ledger l = ledger(2, 100 * USDC);
    BigInteger oldRoot = l.stateTree().root();
    BigInteger head0 = BigInteger.valueOf(777);
    BatchWitness.Builder b = BatchWitness.builder(l, 4, 4, head0);
    assertEquals("batch-D6-I3-P2-A2-S4-T2-K2-L2-N4-R4-Q1", b.circuitId());
    EdwardsKeyPair k1 = key(1);
    BigInteger x = k1.publicKey().x();
    BigInteger y = k1.publicKey().y();
    assertEquals(Rule.OK, b.deposit(3, 5 * USDC, x, y, DEPOSITOR));
    WithdrawalMessage w = withdrawal(1, 0, 40 * USDC);
    assertEquals(Rule.OK, b.withdraw(w, sign(1, w)));
    TransferMessage t = new TransferMessage(1, 3, 1, 0, 7 * USDC);
    assertEquals(Rule.OK, b.transfer(t, EdDSA.sign(k1, t.messageHash())));
    BatchWitness bw = b.finish();

    BigInteger entry =
        Poseidon2.hashMD(BigInteger.valueOf(3), BigInteger.valueOf(5 * USDC), x, y, DEPOSITOR);
    BigInteger wHash =
        Poseidon2.compress(BigInteger.ZERO, Poseidon2.compress(TO, BigInteger.valueOf(40 * USDC)));
    BigInteger[] data = bw.slotData();
    int len = BatchWitness.slotDataLength(LedgerFixtures.CONFIG.legs());
    assertEquals(22, len); // 12 + pack(10 + 5 * 2 words) + 3
    // then Q = 1 no-op liquidation slot: ten 0 elements and the packing of 2P + A = 6 zero words
    assertEquals(12, BatchWitness.liquidationSlotDataLength(2, 2));
    assertEquals(4 * len + 12, data.length);
    assertArrayEquals(
        WordPacking.pack(new long[6]), Arrays.copyOfRange(data, 4 * len + 10, 4 * len + 12));
    BigInteger[] noop = Arrays.copyOfRange(data, 3 * len, 3 * len + 12);
    assertTrue(Arrays.stream(noop).allMatch(v -> v.signum() == 0), "slot 4 is a no-op");
    assertEquals(BigInteger.valueOf(BatchWitness.KIND_TRANSFER), data[2 * len]);
    assertArrayEquals(
        new BigInteger[] {
          oldRoot,
          l.stateTree().root(),
          l.riskCommitment().riskRoot(),
          head0,
          Poseidon2.compress(head0, entry),
          wHash,
          Poseidon2.hashMD(data),
          BigInteger.valueOf(T0),
          BigInteger.ZERO // no liquidation: requestsHash 0
        },
        bw.publicInputs());
    assertTrue(bw.toJson().startsWith("{\n  \"circuitId\": \"" + b.circuitId() + "\",\n"));
    assertThrows(IllegalStateException.class, b::finish, "finished once");
  }

  @Test
  void aRefusedTransitionRecordsNothing() {
    Ledger l = ledger(2, 100 * USDC);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, BigInteger.ZERO);
    WithdrawalMessage replay = withdrawal(1, 1, USDC);
    assertEquals(Rule.BAD_NONCE, b.withdraw(replay, sign(1, replay)));
    WithdrawalMessage w = withdrawal(1, 0, USDC);
    assertEquals(Rule.BAD_SIGNATURE, b.withdraw(w, sign(2, w)));
    assertEquals(Rule.UNKNOWN_ACCOUNT, b.withdraw(withdrawal(9, 0, 1), sign(1, w)));
    assertEquals(0, b.size());
    BatchWitness empty = b.finish();
    assertEquals(empty.oldRoot(), empty.newRoot());
  }

  @Test
  void aFullBatchOrRiskTableThrowsAndLeavesTheLedgerAsItWas() {
    Ledger l = ledger(3, 100 * USDC);
    // account 2 short ETH-PERP (id 1) against 1, then long the ETH call (id 4) against 3
    long[] perp = {30_000_000L, 0};
    long[] call = {1_200_000L, 0};
    assertEquals(
        Rule.OK,
        l.trade(
            order(1, 1, 2, 31_000_000L, 0, 1, 1), order(2, 1, 2, -29_000_000L, 0, 1, -1), 2, perp));
    assertEquals(
        Rule.OK,
        l.trade(
            order(2, 2, 2, 1_300_000L, 0, 4, 1), order(3, 1, 2, -1_100_000L, 0, 4, -1), 2, call));
    BatchWitness.Builder b = BatchWitness.builder(l, 1, 1, BigInteger.ZERO);
    String before = state(l);
    WithdrawalMessage w = withdrawal(2, 0, USDC);
    assertThrows(IllegalStateException.class, () -> b.withdraw(w, sign(2, w)), "2 rows > R = 1");
    assertEquals(before, state(l));
    WithdrawalMessage w1 = withdrawal(1, 0, USDC);
    assertEquals(Rule.OK, b.withdraw(w1, sign(1, w1)));
    String full = state(l);
    assertThrows(
        IllegalStateException.class,
        () -> b.deposit(1, 1, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR),
        "N = 1 slot used");
    assertEquals(full, state(l));
  }

  @Test
  void aTransitionOutsideTheBuilderIsDetected() {
    Ledger l = ledger(2, 100 * USDC);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, BigInteger.ZERO);
    assertEquals(Rule.OK, l.deposit(1, 1, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    WithdrawalMessage w = withdrawal(1, 0, USDC);
    assertThrows(IllegalStateException.class, () -> b.withdraw(w, sign(1, w)));
  }

  /** Also when the builder continues a previous one and knows the account's leaf hash. */
  @Test
  void aTransitionOutsideAChainedBuilderIsDetected() {
    Ledger l = ledger(2, 100 * USDC);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, BigInteger.ZERO);
    WithdrawalMessage w0 = withdrawal(1, 0, USDC);
    assertEquals(Rule.OK, b.withdraw(w0, sign(1, w0))); // hashes account 1's leaf
    BatchWitness first = b.finish();
    l.beginBatch(LedgerFixtures.risk(), T0 + 1);
    BatchWitness.Builder b2 =
        BatchWitness.builder(l, 2, 4, first.depositHeadAfter(), b); // knows that hash
    assertEquals(Rule.OK, l.deposit(1, 1, BigInteger.ZERO, BigInteger.ZERO, DEPOSITOR));
    WithdrawalMessage w1 = withdrawal(1, 1, USDC);
    assertThrows(IllegalStateException.class, () -> b2.withdraw(w1, sign(1, w1)));
  }

  @Test
  void aTradeWithoutSignaturesIsNotRecordable() {
    Ledger l = ledger(2, 100 * USDC);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, BigInteger.ZERO);
    String before = state(l);
    assertThrows(
        UnsupportedOperationException.class,
        () -> b.trade(order(1, 1, 1, 0, 0, 1, 1), order(2, 1, 1, 0, 0, 1, -1), 1, new long[2]));
    assertEquals(before, state(l));
  }

  /** A limit around ETH-PERP's 30 USDC a lot: pay at most 30.5 (buy) or receive at least 29.5. */
  private static long limit(long side) {
    return side > 0 ? 30_500_000L : -29_500_000L;
  }

  private static EdDSA.Signature sign(long seed, OrderMessage o) {
    return EdDSA.sign(key(seed), o.messageHash());
  }

  @Test
  void aTradeIsRecordedAndItsFeesReachTheFeeAccountAtTheEnd() {
    Ledger l = ledger(2, 100 * USDC);
    BatchWitness.Builder b = BatchWitness.builder(l, 2, 4, BigInteger.ZERO);
    long[] perp = {30_000_000L, 0};
    OrderMessage m = order(1, 1, 2, 31_000_000L, 1_000, 1, 1);
    OrderMessage t = order(2, 1, 2, -29_000_000L, 2_000, 1, -1);
    assertEquals(Rule.BAD_SIGNATURE, b.trade(m, sign(2, m), t, sign(2, t), 2, perp));
    assertEquals(Rule.BAD_SIGNATURE, b.trade(m, sign(1, m), t, sign(1, t), 2, perp));
    assertEquals(Rule.OVERFILL, b.trade(m, sign(1, m), t, sign(2, t), 3, perp));
    assertEquals(0, b.size());
    assertEquals(Rule.OK, b.trade(m, sign(1, m), t, sign(2, t), 2, perp));
    assertEquals(1, b.size());
    assertEquals(6_000, l.balance(0, 0), "the ledger credits the fees at once");
    // the fee account neither trades nor withdraws in a batch with fees pending
    OrderMessage f = order(0, 1, 1, 31_000_000L, 0, 1, 1);
    assertThrows(
        IllegalArgumentException.class, () -> b.trade(f, sign(1_000, f), t, sign(2, t), 1, perp));
    WithdrawalMessage w0 = withdrawal(0, 0, 1);
    assertThrows(
        IllegalStateException.class,
        () -> b.withdraw(w0, EdDSA.sign(key(1_000), w0.messageHash())));
    BatchWitness bw = b.finish();
    assertEquals(l.stateTree().root(), bw.newRoot());
    String json = bw.toJson();
    assertTrue(json.contains("\"kind\": \"3\""));
    assertTrue(json.contains("\"fee\": {\"empty\": \"0\""));
  }

  /**
   * Random batches of deposits (some registering), withdrawals, transfers and trades (single-leg
   * ETH-PERP fills, fees to account 0 at the end of each batch), valid and not: every batch's old
   * root is the previous batch's new root, its new root the ledger's state root, and its deposit
   * head the previous one's.
   */
  @Test
  void randomBatchesChainRootsAndHeads() {
    List<String> fresh = randomBatches(false);
    // a builder continuing the previous one (its tree and leaf hashes, as the sequencer does)
    // records exactly the same witnesses
    assertEquals(fresh, randomBatches(true));
  }

  private static List<String> randomBatches(boolean chained) {
    List<String> witnesses = new ArrayList<>();
    BatchWitness.Builder previous = null;
    SplittableRandom rnd = new SplittableRandom(7);
    Ledger l = ledger(3, 50 * USDC);
    BigInteger root = l.stateTree().root();
    BigInteger head = BigInteger.ZERO;
    int[] applied = new int[4];
    for (int batch = 0; batch < 12; batch++) {
      l.beginBatch(LedgerFixtures.risk(), T0 + batch);
      BatchWitness.Builder b =
          chained && previous != null
              ? BatchWitness.builder(l, 3, 4, head, previous)
              : BatchWitness.builder(l, 3, 4, head);
      for (int tries = 0; tries < 6 && !b.isFull(); tries++) {
        long a = rnd.nextLong(1, 7);
        long to = a == 1 || a == 3 ? 4 - a : a % 6 + 1; // != a; 1 and 3 share an owner
        long amount = rnd.nextLong(1, 30 * USDC);
        Rule r;
        int kind = rnd.nextInt(4);
        switch (kind) {
          case 0 -> {
            EdwardsKeyPair k = key(a == 3 ? 1 : a);
            boolean fresh = !l.isRegistered(a);
            r =
                b.deposit(
                    a,
                    amount,
                    fresh ? k.publicKey().x() : BigInteger.ZERO,
                    fresh ? k.publicKey().y() : BigInteger.ZERO,
                    DEPOSITOR);
          }
          case 1 -> {
            long nonce = l.isRegistered(a) ? l.nonce(a) : 0;
            WithdrawalMessage w = withdrawal(a, nonce, amount);
            r = b.withdraw(w, sign(a == 3 ? 1 : a, w));
          }
          case 2 -> {
            long nonce = l.isRegistered(a) ? l.nonce(a) : 0;
            TransferMessage t = new TransferMessage(a, to, nonce, rnd.nextInt(2), amount);
            r = b.transfer(t, EdDSA.sign(key(a == 3 ? 1 : a), t.messageHash()));
          }
          default -> {
            long side = rnd.nextBoolean() ? 1 : -1; // the maker buys (1) or sells (-1) ETH-PERP
            long fill = rnd.nextLong(1, 4);
            OrderMessage m =
                order(a, rnd.nextLong(1, 9), fill + rnd.nextLong(0, 3), limit(side), 100, 1, side);
            OrderMessage t = order(to, rnd.nextLong(1, 9), fill + 2, limit(-side), 200, 1, -side);
            r =
                b.trade(
                    m,
                    sign(a == 3 ? 1 : a, m),
                    t,
                    sign(to == 3 ? 1 : to, t),
                    fill,
                    new long[] {30_000_000L, 0});
          }
        }
        applied[kind] += r.isOk() ? 1 : 0;
      }
      BatchWitness w = b.finish();
      assertEquals(root, w.oldRoot());
      assertEquals(l.stateTree().root(), w.newRoot());
      assertEquals(head, w.publicInputs()[3]);
      root = w.newRoot();
      head = w.depositHeadAfter();
      witnesses.add(w.toJson());
      previous = b;
    }
    assertTrue(
        Arrays.stream(applied).allMatch(n -> n > 2),
        "each kind is applied, not only refused: " + Arrays.toString(applied));
    return witnesses;
  }
}
