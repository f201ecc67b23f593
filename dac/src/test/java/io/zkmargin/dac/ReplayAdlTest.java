package io.zkmargin.dac;

import static io.zkmargin.dac.DacFixtures.CONFIG;
import static io.zkmargin.dac.DacFixtures.DEPOSITOR;
import static io.zkmargin.dac.DacFixtures.N;
import static io.zkmargin.dac.DacFixtures.R;
import static io.zkmargin.dac.DacFixtures.T0;
import static io.zkmargin.dac.DacFixtures.USDC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.Rule;
import io.zkmargin.risk.account.AccountState;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A committee member replays the request slots of adl (docs/LIQUIDATION.md sections 3, 4 and 9) at
 * the test size (N = 2, Q = 1; the insurance fund is account 0, the default): at genesis the fund
 * holds 10 USDC, account 3 is closed out at -5 USDC, account 1 is long 6 ETH-PERP lots against -200
 * USDC (E = -20 USDC at the 30 USDC mark: the fund cannot cover it after paying account 3), account
 * 2 is short 5 lots with 300 USDC and account 4 short 1 lot with 1,000 USDC (the most profitable).
 * Batch 1 is the fund's absorbLoss of account 3 (kind 7), batch 2 the deleverage of one lot of
 * account 1 against account 4 (kind 10). The same batch 2 naming account 2 as counterparty (with a
 * consistent dataHash) is refused by the replay: NOT_MOST_PROFITABLE, the rule the circuit cannot
 * prove, so the member does not sign it and finalizeBatch gets no quorum.
 */
class ReplayAdlTest {
  static Genesis genesis() {
    Map<Long, AccountLeaf> m = new TreeMap<>();
    long[][] accounts = { // id, quote balance, ETH-PERP lots
      {0, 10 * USDC, 0},
      {1, -200 * USDC, 6},
      {2, 300 * USDC, -5},
      {3, -5 * USDC, 0},
      {4, 1_000 * USDC, -1}
    };
    for (long[] a : accounts) {
      EdwardsKeyPair k = DacFixtures.key(a[0] == 0 ? 1_000 : a[0]);
      m.put(
          a[0],
          new AccountLeaf(
              k.publicKey().x(),
              k.publicKey().y(),
              DEPOSITOR,
              BigInteger.ZERO,
              0,
              new AccountState(
                  0,
                  new long[] {a[1], 0},
                  new long[] {a[2] == 0 ? 0 : 1, 0},
                  new long[] {a[2], 0},
                  new long[] {a[2] == 0 ? 0 : 120_000L, 0})));
    }
    return new Genesis(CONFIG, m);
  }

  /** Batch 1 (absorbLoss) and batch 2 (deleverage), as the witness builder writes them. */
  static String[] batches() {
    Ledger l = genesis().ledger();
    l.beginBatch(DacFixtures.risk(), T0);
    BatchWitness.Builder b = BatchWitness.builder(l, N, R, BigInteger.ZERO);
    assertEquals(Rule.OK, b.absorbLoss(3));
    BatchWitness one = b.finish();
    l.beginBatch(DacFixtures.risk(), T0 + 60);
    BatchWitness.Builder b2 = BatchWitness.builder(l, N, R, one.depositHeadAfter());
    assertEquals(Rule.NOT_MOST_PROFITABLE, b2.deleverage(1, 2, 1, 1));
    assertEquals(Rule.OK, b2.deleverage(1, 4, 1, 1));
    BatchWitness two = b2.finish();
    assertEquals(l.stateTree().root(), two.newRoot());
    return new String[] {one.toJson(), two.toJson()};
  }

  private static WitnessDocument doc(String json) throws BatchRefusedException {
    return WitnessDocument.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static ReplayState atBatch1(String[] docs) throws BatchRefusedException {
    ReplayState s = new ReplayState(genesis());
    s.apply(1, doc(docs[0]), () -> new ReplayState(genesis()));
    return s;
  }

  @Test
  void aMemberReplaysAbsorbLossAndDeleverage() throws Exception {
    String[] docs = batches();
    ReplayState s = atBatch1(docs);
    assertEquals(0, s.ledger().balance(3, 0));
    assertEquals(5 * USDC, s.ledger().balance(0, 0), "the fund paid account 3's 5 USDC");
    s.apply(2, doc(docs[1]), () -> atBatch1(docs));
    assertEquals(doc(docs[1]).newRoot(), s.root());
    assertEquals(5, s.ledger().quantity(1, 0));
    assertEquals(0, s.ledger().quantity(4, 0));
  }

  @Test
  void aCounterpartyThatIsNotTheMostProfitableIsRefused() throws Exception {
    String[] docs = batches();
    // account 2 also holds the opposite position in slot 0 (liqPos stays 0): only the ranking
    // differs
    byte[] forged = DacFixtures.edit(docs[1], DacFixtures.liqField(0, "liquidatorId", "2"), true);
    ReplayState s = atBatch1(docs);
    BatchRefusedException e =
        assertThrows(
            BatchRefusedException.class,
            () -> s.apply(2, WitnessDocument.parse(forged), () -> atBatch1(docs)));
    assertEquals(BatchRefusedException.Check.LIQUIDATION, e.check());
    assertTrue(e.getMessage().contains("NOT_MOST_PROFITABLE"), e.getMessage());
    assertEquals(1, s.latestBatch(), "the member stays at batch 1");
    assertEquals(doc(docs[0]).newRoot(), s.root());
  }

  @Test
  void anAbsorbLossPaidByAnotherAccountOrCarryingATakeIsRefused() throws Exception {
    String[] docs = batches();
    for (Consumer<ObjectNode> edit :
        java.util.List.of(
            DacFixtures.liqField(0, "liquidatorId", "4"),
            DacFixtures.liqField(0, "penalty", "1"),
            DacFixtures.liqArray(0, "takeLots", 0, "1"))) {
      byte[] forged = DacFixtures.edit(docs[0], edit, true);
      ReplayState s = new ReplayState(genesis());
      BatchRefusedException e =
          assertThrows(
              BatchRefusedException.class,
              () -> s.apply(1, WitnessDocument.parse(forged), () -> new ReplayState(genesis())));
      assertEquals(BatchRefusedException.Check.LIQUIDATION, e.check(), e.getMessage());
      assertEquals(0, s.latestBatch());
    }
  }

  /** The request-slot fields a mutation may change (arrays: one element). */
  private static final String[] FIELDS = {
    "kind",
    "accountId",
    "liquidatorId",
    "keeper",
    "nonce",
    "penalty",
    "scenario",
    "sigS",
    "takeLots",
    "takeAtoms",
    "liqPos"
  };

  private static final String[] VALUES = {
    "0", "1", "2", "3", "4", "6", "7", "10", "-1", "999999999999", "18446744073709551616"
  };

  /**
   * Seeded mutations of both request-slot batches (one or two fields of the slot changed, the
   * dataHash recomputed half of the time): each is accepted only as the original (same root), else
   * refused naming a check, never a crash, and a refusal leaves the member where it was.
   */
  @Test
  void mutatedRequestSlotsAreAcceptedOrRefusedNeverCrash() throws Exception {
    String[] docs = batches();
    Random rnd = new Random(20261201L);
    int refused = 0;
    for (int i = 0; i < 60; i++) {
      int batch = i % 2;
      Consumer<ObjectNode> e1 = edit(rnd);
      Consumer<ObjectNode> e2 = rnd.nextBoolean() ? edit(rnd) : o -> {};
      byte[] forged = DacFixtures.edit(docs[batch], e1.andThen(e2), rnd.nextBoolean());
      ReplayState s = batch == 0 ? new ReplayState(genesis()) : atBatch1(docs);
      BigInteger before = s.root();
      try {
        s.apply(
            batch + 1,
            WitnessDocument.parse(forged),
            () -> batch == 0 ? new ReplayState(genesis()) : atBatch1(docs));
        assertEquals(doc(docs[batch]).newRoot(), s.root(), "mutation " + i);
      } catch (BatchRefusedException e) {
        refused++;
        assertNotNull(e.check());
        assertEquals(before, s.root(), "mutation " + i);
      } catch (RuntimeException e) {
        fail("request-slot mutation " + i + " crashed the member: " + e, e);
      }
    }
    assertTrue(refused > 40, "most mutations are refused: " + refused);
  }

  private static Consumer<ObjectNode> edit(Random rnd) {
    String f = FIELDS[rnd.nextInt(FIELDS.length)];
    String v = VALUES[rnd.nextInt(VALUES.length)];
    if (java.util.List.of(WitnessDocument.LIQ_ARRAYS).contains(f)) {
      return DacFixtures.liqArray(0, f, rnd.nextInt(2), v);
    }
    return DacFixtures.liqField(0, f, v);
  }
}
