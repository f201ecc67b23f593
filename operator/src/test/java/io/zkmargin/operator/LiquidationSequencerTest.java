package io.zkmargin.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.commit.msg.LiquidationMessage;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.ledger.Rule;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's side of a keeper's request, without a chain: the genesis of {@link
 * SequencerRefusalTest} (account 1 long 6 ETH-PERP lots with 100 USDC, account 2 short 6), then the
 * oracles' new root with the mark at 17 USDC (account 1: E = 22 USDC under MM = 27 USDC). The
 * sequencer follows the root and liquidates account 1 with its liquidator, account 2, exactly as
 * the worked example of the batch circuit (BatchProveTest#withdrawalAndLiquidation): 4 lots, the
 * full 1 % penalty (680,000 atoms), 10 % of it to the keeper as the batch's withdrawal.
 */
class LiquidationSequencerTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(1_767_225_600L), ZoneOffset.UTC);
  private static final BigInteger KEEPER =
      new BigInteger("c0ffee0000000000000000000000000000000001", 16);

  @TempDir Path dir;

  /**
   * Fee account and insurance fund 0; account 1 (key 1) bought 6 ETH-PERP lots at 30 USDC with 100
   * USDC (-80 USDC and 6 lots); account 2 (key 2) sold them (280 USDC, -6 lots); funding settled at
   * the index 120,000 (the state of BatchProveTest's genesis).
   */
  static Ledger genesis() {
    Ledger l = new Ledger(Fixtures.CONFIG);
    io.zkmargin.commit.EdwardsKeyPair fee = Fixtures.key(1_000);
    l.registerGenesis(0, fee.publicKey().x(), fee.publicKey().y(), BigInteger.ZERO, 0);
    long[] cash = {-80 * Fixtures.USDC, 280 * Fixtures.USDC};
    long[] lots = {6, -6};
    for (int i = 1; i <= 2; i++) {
      io.zkmargin.commit.EdwardsKeyPair k = Fixtures.key(i);
      l.registerGenesis(
          i,
          new io.zkmargin.commit.AccountLeaf(
              k.publicKey().x(),
              k.publicKey().y(),
              0,
              0,
              new long[] {cash[i - 1], 0},
              new long[] {1, 0},
              new long[] {lots[i - 1], 0},
              new long[] {120_000L, 0}));
    }
    return l;
  }

  static RiskCommitment atMark(long mark) {
    RiskCommitment r = Fixtures.risk();
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(r.entries());
    InstrumentRiskEntry e = m.get(1L);
    m.put(
        1L,
        new InstrumentRiskEntry(
            mark, e.fundingIndex(), e.floorMm(), e.floorIm(), e.rmm(), e.rim()));
    return new RiskCommitment(r.sizes(), m, r.globals());
  }

  @Test
  void aRequestIsLiquidatedAtTheNewRootWithTheCloseFactorsTakes() throws Exception {
    try (Sequencer s =
        new Sequencer(
            genesis(),
            Fixtures.risk(),
            new FileTransitionLog(dir.resolve("transitions.log")),
            null,
            null,
            null,
            new Sequencer.Config(2, 4, Duration.ofHours(1), Duration.ofHours(1)),
            CLOCK)) {
      s.setLiquidator(2, Fixtures.key(2));
      Sequencer.LiquidationRequest req = new Sequencer.LiquidationRequest(1, KEEPER, 5_000);
      assertTrue(s.requestLiquidation(req));
      s.cutNow(); // at mark 30 account 1 is healthy: refused (NOT_LIQUIDATABLE), still pending
      assertEquals(0, s.openTransitions());
      assertEquals(1, s.pendingLiquidations().size());

      RiskCommitment dropped = atMark(17_000_000L);
      s.useRisk(dropped); // the open batch is empty: it begins at the new root at once
      assertEquals(dropped.riskRoot(), s.riskRoot());
      s.cutNow();
      Sequencer.BatchView b = s.batch(1);
      assertEquals(Sequencer.State.SEQUENCED, b.state());
      assertEquals(1, b.transitions().size());
      assertTrue(
          b.transitions().get(0).startsWith("liquidation account 1 by 2"), b.transitions().get(0));
      assertEquals(4L - 6L, (long) s.withLedger(l -> l.quantity(2, 0)), "account 2 took 4 lots");
      assertEquals(2L, (long) s.withLedger(l -> l.quantity(1, 0)));
      assertEquals(dropped.riskRoot(), b.publicInputs().get(2), "the batch's risk root");
      assertTrue(s.pendingLiquidations().isEmpty());
      assertFalse(s.requestLiquidation(req), "a request is liquidated once");
    }
    // a restart replays batch 1 at the root it followed (the log names it, the history gives it)
    try (Sequencer s = open(root -> Optional.of(atMark(17_000_000L)))) {
      assertEquals(2, s.openBatch());
      assertEquals(2L, (long) s.withLedger(l -> l.quantity(1, 0)));
      assertEquals(atMark(17_000_000L).riskRoot(), s.riskRoot());
    }
    // without the history the replay stops, naming the root
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> open(root -> Optional.empty()));
    assertTrue(e.getMessage().contains("begins at risk root"), e.getMessage());
  }

  /**
   * The operator's liquidators in order of preference: the liquidated account itself is skipped and
   * a liquidator without the margin for the take (account 3, an empty account: {@code
   * LIQUIDATOR_IM_BROKEN}) passes the take to the next one (account 2), so the request is answered
   * in the first batch at the new root instead of waiting for its deadline.
   */
  @Test
  void aTakeGoesToTheFirstLiquidatorTheLedgerAccepts() throws Exception {
    Ledger g = genesis();
    io.zkmargin.commit.EdwardsKeyPair poor = Fixtures.key(3);
    g.registerGenesis(3, poor.publicKey().x(), poor.publicKey().y(), BigInteger.ZERO, 0);
    try (Sequencer s =
        new Sequencer(
            g,
            atMark(17_000_000L),
            new FileTransitionLog(dir.resolve("transitions.log")),
            null,
            null,
            null,
            new Sequencer.Config(2, 4, Duration.ofHours(1), Duration.ofHours(1)),
            CLOCK)) {
      Map<Long, io.zkmargin.commit.EdwardsKeyPair> pool = new java.util.LinkedHashMap<>();
      pool.put(1L, Fixtures.key(1)); // the liquidated account: skipped
      pool.put(3L, poor); // cannot meet IM after any take
      pool.put(2L, Fixtures.key(2));
      s.setLiquidators(pool);
      assertTrue(s.requestLiquidation(new Sequencer.LiquidationRequest(1, KEEPER, 5_000)));
      s.cutNow();
      Sequencer.BatchView b = s.batch(1);
      assertEquals(1, b.transitions().size());
      assertTrue(
          b.transitions().get(0).startsWith("liquidation account 1 by 2"), b.transitions().get(0));
      assertEquals(0L, (long) s.withLedger(l -> l.quantity(3, 0)), "account 3 took nothing");
      assertTrue(s.pendingLiquidations().isEmpty());
      // with only the liquidators that cannot take it, the request waits (refused, still pending)
      s.setLiquidators(Map.of(3L, poor));
      assertTrue(s.requestLiquidation(new Sequencer.LiquidationRequest(1, KEEPER, 6_000)));
      s.cutNow();
      assertEquals(1, s.pendingLiquidations().size());
    }
  }

  private Sequencer open(java.util.function.Function<BigInteger, Optional<RiskCommitment>> history)
      throws Exception {
    return new Sequencer(
        genesis(),
        Fixtures.risk(),
        new FileTransitionLog(dir.resolve("transitions.log")),
        null,
        null,
        null,
        new Sequencer.Config(2, 4, Duration.ofHours(1), Duration.ofHours(1))
            .withRiskHistory(history),
        CLOCK);
  }

  private Sequencer sequencer(Ledger genesis, RiskCommitment... history) throws Exception {
    return sequencer(2, genesis, history);
  }

  /** A sequencer of N = {@code n} (Q = 2 from N = 16) without a chain, over the given roots. */
  private Sequencer sequencer(int n, Ledger genesis, RiskCommitment... history) throws Exception {
    return new Sequencer(
        genesis,
        Fixtures.risk(),
        new FileTransitionLog(dir.resolve("transitions.log")),
        null,
        null,
        null,
        new Sequencer.Config(n, 4, Duration.ofHours(1), Duration.ofHours(1))
            .withRiskHistory(
                root ->
                    java.util.Arrays.stream(history)
                        .filter(c -> c.riskRoot().equals(root))
                        .findFirst()),
        CLOCK);
  }

  /**
   * No keeper asks: with its own liquidations on, the sequencer scans every account at the root it
   * follows and liquidates account 1 with keeper 0 (the close factor's 4 lots, the full penalty, no
   * keeper share, so no withdrawal); the scan after that batch finds nothing more.
   */
  @Test
  void theOperatorLiquidatesAnAccountNobodyRequested() throws Exception {
    RiskCommitment dropped = atMark(17_000_000L);
    try (Sequencer s = sequencer(genesis(), dropped)) {
      s.setLiquidator(2, Fixtures.key(2));
      s.setOwnLiquidations(true);
      assertEquals(List.of(), s.ownLiquidationCandidates(), "healthy at mark 30");
      s.useRisk(dropped); // the open batch is empty: it begins at the new root, which is scanned
      assertEquals(List.of(1L), s.ownLiquidationCandidates());
      s.cutNow();
      Sequencer.BatchView b = s.batch(1);
      assertEquals(1, b.transitions().size(), b.transitions().toString());
      assertTrue(
          b.transitions().get(0).startsWith("liquidation account 1 by 2 keeper 0x0 takes [4, 0]"),
          b.transitions().get(0));
      assertEquals(
          0, (int) s.withLedger(l -> l.liquidatableAccounts(1).length), "it meets the target now");
      assertEquals(2L, (long) s.withLedger(l -> l.quantity(1, 0)));
      s.cutNow(); // the candidate left by the full slots is planned again: NOT_LIQUIDATABLE
      assertEquals(2, s.openBatch(), "nothing more to liquidate: no batch cut");
      assertEquals(List.of(), s.ownLiquidationCandidates());
    }
  }

  /**
   * A closed-out account in debt (account 3: no position, -19 USDC) at genesis, with accounts 1, 2
   * healthy at mark 30 and the fund (account 0) holding 100 USDC. It is liquidatable by the
   * inequality alone, but nothing can be taken: the keeper's scan leaves it out, the planner and
   * the ledger refuse it (NOTHING_TO_TAKE), and the operator's own scan hands it to the fund (kind
   * 7).
   */
  @Test
  void theOperatorsScanHandsAClosedOutAccountToTheFundNotToALiquidation() throws Exception {
    Ledger l = withClosedOut(twoPositions());
    l.beginBatch(Fixtures.risk(), CLOCK.instant().getEpochSecond());
    assertEquals(0, l.liquidatableAccounts(1).length, "accounts 1 and 2 healthy, 3 has nothing");
    assertArrayEquals(new long[] {3}, l.closedOutInDebtAccounts());
    assertEquals(Rule.NOTHING_TO_TAKE, LiquidationPlanner.plan(l, 3, 2, KEEPER).rule());
    try (Sequencer s = sequencer(withClosedOut(twoPositions()), Fixtures.risk())) {
      s.setLiquidator(2, Fixtures.key(2));
      s.setOwnLiquidations(true);
      assertEquals(List.of(3L), s.ownLiquidationCandidates());
      s.cutNow();
      assertEquals(
          List.of("absorb loss of account 3 by the insurance fund"), s.batch(1).transitions());
      assertEquals(0L, (long) s.withLedger(x -> x.balance(3, 0)));
      assertEquals(81 * Fixtures.USDC, (long) s.withLedger(x -> x.balance(0, 0)));
    }
  }

  /** {@code genesis} plus account 3 closed out at -19 USDC (no position, no other asset). */
  private static Ledger withClosedOut(Ledger genesis) {
    io.zkmargin.commit.EdwardsKeyPair k = Fixtures.key(3);
    genesis.registerGenesis(
        3,
        new io.zkmargin.commit.AccountLeaf(
            k.publicKey().x(),
            k.publicKey().y(),
            0,
            0,
            new long[] {-19 * Fixtures.USDC, 0},
            new long[2],
            new long[2],
            new long[2]));
    return genesis;
  }

  /**
   * Account 1 holds 6 ETH-PERP lots and 10 ETH calls on -80 USDC; the marks drop to 10 USDC and 0.1
   * USDC (E = -19 USDC: bankrupt). A keeper's request is liquidated first, with the keeper named:
   * account 2 takes the largest position (the 6 lots, penalty 0: nothing short of everything
   * restores the target); still liquidatable, the next batch takes the calls with keeper 0 (own
   * liquidations are off: this is the request's follow-through); closed out at -19 USDC, the third
   * batch has the insurance fund (account 0, 100 USDC) absorb the loss. A restart replays the log
   * into exactly the same three batches (all nine public inputs).
   */
  @Test
  void twoPositionsAreTwoLiquidationsThenTheFundAbsorbsTheLoss() throws Exception {
    RiskCommitment crash = atMarks(10 * Fixtures.USDC, 100_000L);
    List<List<java.math.BigInteger>> inputs = new java.util.ArrayList<>();
    try (Sequencer s = sequencer(twoPositions(), crash)) {
      s.setLiquidator(2, Fixtures.key(2));
      s.useRisk(crash);
      assertTrue(s.requestLiquidation(new Sequencer.LiquidationRequest(1, KEEPER, 5_000)));
      s.cutNow();
      s.cutNow();
      s.cutNow();
      s.cutNow(); // nothing left: no fourth batch
      assertEquals(4, s.openBatch());
      assertTrue(
          s.batch(1)
              .transitions()
              .get(0)
              .startsWith(
                  "liquidation account 1 by 2 keeper 0x"
                      + KEEPER.toString(16)
                      + " takes [6, 0] lots [0, 0] atoms penalty 0"),
          s.batch(1).transitions().toString());
      assertTrue(
          s.batch(2)
              .transitions()
              .get(0)
              .startsWith(
                  "liquidation account 1 by 2 keeper 0x0 takes"
                      + " [0, 10] lots [0, 0] atoms penalty 0"),
          s.batch(2).transitions().toString());
      assertEquals(
          List.of("absorb loss of account 1 by the insurance fund"), s.batch(3).transitions());
      assertEquals(0L, (long) s.withLedger(l -> l.balance(1, 0)));
      assertEquals(
          81 * Fixtures.USDC, (long) s.withLedger(l -> l.balance(0, 0)), "the fund paid 19");
      assertTrue(s.pendingLiquidations().isEmpty());
      for (long n = 1; n <= 3; n++) {
        inputs.add(s.batch(n).publicInputs());
      }
    }
    try (Sequencer s = sequencer(twoPositions(), crash)) {
      assertEquals(4, s.openBatch());
      for (long n = 1; n <= 3; n++) {
        assertEquals(inputs.get((int) n - 1), s.batch(n).publicInputs(), "batch " + n);
        assertEquals(Sequencer.State.SEQUENCED, s.batch(n).state());
      }
    }
  }

  /**
   * {@link #twoPositions()} with the insurance fund (account 0) empty and account 3 also short 4
   * ETH-PERP lots on 500 USDC: at the crash marks account 1 is bankrupt (E = -19 USDC) and the fund
   * cannot cover it, so the sequencer deleverages instead of taking over and calling the fund. With
   * two request slots a batch (N = 16, Q = 2): batch 1 answers the keeper's request with a takeover
   * of one lot at penalty 0 (kind 6, the keeper named: the only requestsHash entry) and deleverages
   * 4 of the 5 lots left against account 3, the most profitable short (E = 460 USDC against account
   * 2's 219), paying 14.901961 USDC of the deficit (kind 10); batch 2 deleverages the last lot and
   * the 10 calls against account 2, the only holder left (kinds 10, 10), which brings account 1 to
   * exactly 0. Both batches open the fund (a deleverage forces it); the log replays into the same
   * two batches.
   */
  @Test
  void theFundShortDeleveragesAgainstTheMostProfitableOpposite() throws Exception {
    RiskCommitment crash = atMarks(10 * Fixtures.USDC, 100_000L);
    List<List<BigInteger>> inputs = new java.util.ArrayList<>();
    try (Sequencer s = sequencer(16, fundShort(), crash)) {
      s.setLiquidator(2, Fixtures.key(2));
      s.useRisk(crash);
      assertEquals(3L, (long) s.withLedger(l -> l.mostProfitableOpposite(1, 1, 1)));
      assertTrue(s.requestLiquidation(new Sequencer.LiquidationRequest(1, KEEPER, 5_000)));
      s.cutNow();
      s.cutNow();
      s.cutNow(); // account 1 holds nothing and owes nothing: no third batch
      assertEquals(3, s.openBatch());
      assertEquals(
          List.of(
              "liquidation account 1 by 2 keeper 0x"
                  + KEEPER.toString(16)
                  + " takes [1, 0] lots [0, 0] atoms penalty 0",
              "deleverage account 1 instrument 1 lots 4 against account 3"),
          s.batch(1).transitions().stream().map(t -> t.replaceAll(" nonce .*", "")).toList());
      assertEquals(
          List.of(
              "deleverage account 1 instrument 1 lots 1 against account 2",
              "deleverage account 1 instrument 4 lots 10 against account 2"),
          s.batch(2).transitions());
      assertEquals(List.of(6, 10), requestKinds(s, 1));
      assertEquals(List.of(10, 10), requestKinds(s, 2));
      for (long n = 1; n <= 2; n++) {
        assertTrue(
            s.witness(n).toJson().contains("\n  \"fund\": {\"empty\": \"0\""),
            "batch " + n + " opens the fund");
      }
      assertEquals(
          io.zkmargin.ledger.RequestEntry.requestsHash(
              List.of(new io.zkmargin.ledger.RequestEntry(6, 1, KEEPER, 0))),
          s.batch(1).publicInputs().get(8),
          "the request is answered by the take; a deleverage adds no entry");
      assertTrue(s.pendingLiquidations().isEmpty());
      assertEquals(0L, (long) s.withLedger(l -> l.balance(1, 0)), "no debt left");
      assertEquals(0L, (long) s.withLedger(l -> l.quantity(1, 0) | l.quantity(1, 1)));
      assertEquals(0L, (long) s.withLedger(l -> l.quantity(3, 0)), "account 3 closed its 4");
      assertEquals(
          500 * Fixtures.USDC - 40 * Fixtures.USDC - 14_901_961L,
          (long) s.withLedger(l -> l.balance(3, 0)));
      assertEquals(-4L, (long) s.withLedger(l -> l.quantity(2, 0)), "6 short, 1 taken, 1 closed");
      assertEquals(0L, (long) s.withLedger(l -> l.quantity(2, 1)), "its calls closed");
      assertEquals(
          280 * Fixtures.USDC
              - 10 * Fixtures.USDC
              - 10 * Fixtures.USDC
              - 3_725_490L
              - Fixtures.USDC
              - 372_549L,
          (long) s.withLedger(l -> l.balance(2, 0)));
      assertEquals(0L, (long) s.withLedger(l -> l.balance(0, 0)), "the fund paid nothing");
      // a committee member replays both batches (Ledger.deleverage ranks every account: a
      // counterparty that is not the most profitable would be refused) and signs them
      Map<Long, io.zkmargin.commit.AccountLeaf> leaves = new TreeMap<>();
      Ledger g = fundShort();
      for (long id = 0; id <= 3; id++) {
        leaves.put(id, g.leaf(id));
      }
      io.zkmargin.dac.Genesis genesis = new io.zkmargin.dac.Genesis(Fixtures.CONFIG, leaves);
      io.zkmargin.dac.ReplayState member = new io.zkmargin.dac.ReplayState(genesis);
      for (long n = 1; n <= 2; n++) {
        member.apply(
            n,
            io.zkmargin.dac.WitnessDocument.parse(
                s.witness(n).toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            () -> {
              throw new AssertionError("refused");
            });
      }
      assertEquals(2, member.latestBatch());
      assertEquals(s.batch(2).newRoot(), member.root());
      for (long n = 1; n <= 2; n++) {
        inputs.add(s.batch(n).publicInputs());
      }
    }
    try (Sequencer s = sequencer(16, fundShort(), crash)) {
      assertEquals(3, s.openBatch());
      for (long n = 1; n <= 2; n++) {
        assertEquals(inputs.get((int) n - 1), s.batch(n).publicInputs(), "batch " + n);
      }
      assertEquals(0L, (long) s.withLedger(l -> l.balance(1, 0)));
    }
  }

  /**
   * The operator's own scan, no keeper, one request slot a batch (N = 2, Q = 1), the fund holding 5
   * USDC against account 1's deficit of 19: batch 1 deleverages 4 ETH-PERP lots against account 3
   * (12.459017 USDC of the deficit), batch 2 the other 2 against account 2 (6.229508 USDC); the
   * 0.311475 USDC left is within the fund's means, so batch 3 is today's path, a takeover of the
   * calls at penalty 0 with keeper 0, and batch 4 the fund's absorbLoss.
   */
  @Test
  void deleveragingStopsWhereTheFundCanCover() throws Exception {
    RiskCommitment crash = atMarks(10 * Fixtures.USDC, 100_000L);
    try (Sequencer s = sequencer(fundShort(5 * Fixtures.USDC), crash)) {
      s.setLiquidator(2, Fixtures.key(2));
      s.setOwnLiquidations(true);
      s.useRisk(crash);
      assertEquals(List.of(1L), s.ownLiquidationCandidates());
      for (int i = 0; i < 5; i++) {
        s.cutNow();
      }
      assertEquals(5, s.openBatch(), "four batches, then nothing left");
      assertEquals(
          List.of("deleverage account 1 instrument 1 lots 4 against account 3"),
          s.batch(1).transitions());
      assertEquals(
          List.of("deleverage account 1 instrument 1 lots 2 against account 2"),
          s.batch(2).transitions());
      assertTrue(
          s.batch(3)
              .transitions()
              .get(0)
              .startsWith("liquidation account 1 by 2 keeper 0x0 takes [0, 10] lots [0, 0] atoms"),
          s.batch(3).transitions().toString());
      assertEquals(
          List.of("absorb loss of account 1 by the insurance fund"), s.batch(4).transitions());
      assertEquals(List.of(10), requestKinds(s, 1));
      assertEquals(List.of(7), requestKinds(s, 4));
      assertEquals(
          500 * Fixtures.USDC - 40 * Fixtures.USDC - 12_459_017L,
          (long) s.withLedger(l -> l.balance(3, 0)));
      assertEquals(0L, (long) s.withLedger(l -> l.balance(1, 0)));
      assertEquals(
          5 * Fixtures.USDC - (19 * Fixtures.USDC - 12_459_017L - 6_229_508L),
          (long) s.withLedger(l -> l.balance(0, 0)),
          "the fund paid the rest");
    }
  }

  /** The kinds of a sealed batch's request slots, in slot order (0: padding left out). */
  private static List<Integer> requestKinds(Sequencer s, long batch) {
    BatchWitness w = s.witness(batch);
    BigInteger[] data = w.slotData();
    int q = w.liquidationSlots();
    int lq = BatchWitness.liquidationSlotDataLength(2, 2);
    List<Integer> kinds = new java.util.ArrayList<>();
    for (int i = 0; i < q; i++) {
      int k = data[data.length - (q - i) * lq].intValue();
      if (k != 0) {
        kinds.add(k);
      }
    }
    return kinds;
  }

  /** {@link #twoPositions()} with the fund empty and account 3 short 4 ETH-PERP on 500 USDC. */
  static Ledger fundShort() {
    return fundShort(0);
  }

  /**
   * {@link #twoPositions()} with the fund holding {@code fund} quote atoms and account 3 short 4
   * ETH-PERP on 500 USDC.
   */
  static Ledger fundShort(long fund) {
    Ledger l = new Ledger(Fixtures.CONFIG);
    Ledger two = twoPositions();
    io.zkmargin.commit.AccountLeaf f = two.leaf(0);
    l.registerGenesis(
        0,
        new io.zkmargin.commit.AccountLeaf(
            f.ownerPkX(),
            f.ownerPkY(),
            0,
            0,
            new long[] {fund, 0},
            new long[] {0, 0},
            new long[] {0, 0},
            new long[] {0, 0}));
    l.registerGenesis(1, two.leaf(1));
    l.registerGenesis(2, two.leaf(2));
    io.zkmargin.commit.EdwardsKeyPair k = Fixtures.key(3);
    l.registerGenesis(
        3,
        new io.zkmargin.commit.AccountLeaf(
            k.publicKey().x(),
            k.publicKey().y(),
            0,
            0,
            new long[] {500 * Fixtures.USDC, 0},
            new long[] {1, 0},
            new long[] {-4, 0},
            new long[] {120_000L, 0}));
    return l;
  }

  /**
   * The same account with two request slots a batch (N = 16, Q = 2): batch 1 holds the keeper's
   * take (the 6 lots) and, right after it, the keeper-0 take of the calls (the hatch clears the
   * request at the first entry, the second finds none); the fund's absorbLoss goes to batch 2.
   */
  @Test
  void theNextPositionTakesTheNextRequestSlotOfTheSameBatch() throws Exception {
    RiskCommitment crash = atMarks(10 * Fixtures.USDC, 100_000L);
    try (Sequencer s = sequencer(16, twoPositions(), crash)) {
      s.setLiquidator(2, Fixtures.key(2));
      s.useRisk(crash);
      assertTrue(s.requestLiquidation(new Sequencer.LiquidationRequest(1, KEEPER, 5_000)));
      s.cutNow();
      s.cutNow();
      assertEquals(3, s.openBatch());
      List<String> b1 = s.batch(1).transitions();
      assertEquals(2, b1.size(), b1.toString());
      assertTrue(
          b1.get(0).startsWith("liquidation account 1 by 2 keeper 0x" + KEEPER.toString(16)));
      assertTrue(b1.get(1).startsWith("liquidation account 1 by 2 keeper 0x0 takes [0, 10]"));
      assertEquals(
          io.zkmargin.ledger.RequestEntry.requestsHash(
              List.of(
                  new io.zkmargin.ledger.RequestEntry(6, 1, KEEPER, 0),
                  new io.zkmargin.ledger.RequestEntry(6, 1, BigInteger.ZERO, 0))),
          s.batch(1).publicInputs().get(8));
      assertEquals(
          List.of("absorb loss of account 1 by the insurance fund"), s.batch(2).transitions());
    }
  }

  /**
   * Forced withdrawals from the escape hatch, without a chain (Q = 1: one a batch, in deadline
   * order): account 1's L1 address asks for 10 USDC of its 100 (paid: the batch's withdrawal to
   * that address, a kind-8 entry in requestsHash); a stranger asks for account 2's (refused,
   * NOT_OWNER: included, nothing moves); account 1 asks for more than its effective IM allows
   * (refused, IM_BROKEN). A request already answered is ignored; the log replays into the same
   * batches.
   */
  @Test
  void forcedWithdrawalsArePaidOrRefusedAndAlwaysIncluded() throws Exception {
    BigInteger owner = new BigInteger("a11ce00000000000000000000000000000000001", 16);
    BigInteger stranger = new BigInteger("5700000000000000000000000000000000000002", 16);
    List<List<BigInteger>> inputs = new java.util.ArrayList<>();
    Sequencer.ForcedWithdrawalRequest paid =
        new Sequencer.ForcedWithdrawalRequest(1, owner, 10 * Fixtures.USDC, 4_000);
    try (Sequencer s = sequencer(withL1(genesis(), owner))) {
      assertTrue(s.requestForcedWithdrawal(paid));
      assertTrue(
          s.requestForcedWithdrawal(
              new Sequencer.ForcedWithdrawalRequest(2, stranger, Fixtures.USDC, 5_000)));
      s.cutNow();
      s.cutNow();
      assertFalse(s.requestForcedWithdrawal(paid), "answered once");
      assertTrue(
          s.requestForcedWithdrawal(
              new Sequencer.ForcedWithdrawalRequest(1, owner, 80 * Fixtures.USDC, 6_000)));
      s.cutNow();
      assertEquals(4, s.openBatch());
      assertEquals(
          List.of(
              "forced withdrawal account 1 amount 10000000 to 0x" + owner.toString(16) + " paid"),
          s.batch(1).transitions());
      assertEquals(
          List.of(
              "forced withdrawal account 2 amount 1000000 to 0x"
                  + stranger.toString(16)
                  + " refused"),
          s.batch(2).transitions());
      assertTrue(s.batch(3).transitions().get(0).endsWith(" refused"));
      assertEquals(
          io.zkmargin.ledger.RequestEntry.requestsHash(
              List.of(new io.zkmargin.ledger.RequestEntry(8, 1, owner, 10 * Fixtures.USDC))),
          s.batch(1).publicInputs().get(8));
      assertEquals(
          io.zkmargin.ledger.RequestEntry.requestsHash(
              List.of(new io.zkmargin.ledger.RequestEntry(9, 2, stranger, Fixtures.USDC))),
          s.batch(2).publicInputs().get(8));
      assertEquals(-90 * Fixtures.USDC, (long) s.withLedger(l -> l.balance(1, 0)));
      assertEquals(280 * Fixtures.USDC, (long) s.withLedger(l -> l.balance(2, 0)));
      assertTrue(s.pendingForcedWithdrawals().isEmpty());
      for (long n = 1; n <= 3; n++) {
        inputs.add(s.batch(n).publicInputs());
      }
    }
    try (Sequencer s = sequencer(withL1(genesis(), owner))) {
      for (long n = 1; n <= 3; n++) {
        assertEquals(inputs.get((int) n - 1), s.batch(n).publicInputs(), "batch " + n);
      }
      assertFalse(s.requestForcedWithdrawal(paid), "the replay knows it is answered");
    }
  }

  /** {@code g} with account 1's leaf bound to the L1 address {@code l1}. */
  static Ledger withL1(Ledger g, BigInteger l1) {
    Ledger l = new Ledger(Fixtures.CONFIG);
    for (long id = 0; id < g.accountLimit(); id++) {
      io.zkmargin.commit.AccountLeaf x = g.leaf(id);
      l.registerGenesis(
          id,
          id != 1
              ? x
              : new io.zkmargin.commit.AccountLeaf(
                  x.ownerPkX(), x.ownerPkY(), l1, x.ordersRoot(), x.nonce(), x.account()));
    }
    return l;
  }

  /**
   * {@link #genesis()} with a second position each: account 1 also holds 10 ETH calls (id 4),
   * account 2 is short them; the fund (account 0) holds 100 USDC.
   */
  static Ledger twoPositions() {
    Ledger l = new Ledger(Fixtures.CONFIG);
    io.zkmargin.commit.EdwardsKeyPair fee = Fixtures.key(1_000);
    l.registerGenesis(
        0,
        new io.zkmargin.commit.AccountLeaf(
            fee.publicKey().x(),
            fee.publicKey().y(),
            0,
            0,
            new long[] {100 * Fixtures.USDC, 0},
            new long[] {0, 0},
            new long[] {0, 0},
            new long[] {0, 0}));
    long[] cash = {-80 * Fixtures.USDC, 280 * Fixtures.USDC};
    for (int i = 1; i <= 2; i++) {
      io.zkmargin.commit.EdwardsKeyPair k = Fixtures.key(i);
      long side = i == 1 ? 1 : -1;
      l.registerGenesis(
          i,
          new io.zkmargin.commit.AccountLeaf(
              k.publicKey().x(),
              k.publicKey().y(),
              0,
              0,
              new long[] {cash[i - 1], 0},
              new long[] {1, 4},
              new long[] {6 * side, 10 * side},
              new long[] {120_000L, 0}));
    }
    return l;
  }

  /** Fixtures' risk with ETH-PERP's and the call's marks changed. */
  static RiskCommitment atMarks(long perp, long call) {
    RiskCommitment r = atMark(perp);
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(r.entries());
    InstrumentRiskEntry e = m.get(4L);
    m.put(
        4L,
        new InstrumentRiskEntry(
            call, e.fundingIndex(), e.floorMm(), e.floorIm(), e.rmm(), e.rim()));
    return new RiskCommitment(r.sizes(), m, r.globals());
  }

  @Test
  void thePlanIsTheWorkedExampleAndTheLargestAccepted() {
    Ledger l = genesis();
    l.beginBatch(atMark(17_000_000L), CLOCK.instant().getEpochSecond());
    LiquidationPlanner.Plan p = LiquidationPlanner.plan(l, 1, 2, KEEPER);
    assertEquals(Rule.OK, p.rule());
    LiquidationMessage m = p.message();
    assertEquals(4, m.takeLots(0));
    assertEquals(680_000, m.penalty());
    assertEquals(
        Rule.CLOSE_FACTOR,
        l.checkLiquidation(1, 2, KEEPER, new long[] {5, 0}, new long[] {0, 0}, 680_000));
    assertEquals(
        Rule.PENALTY_TOO_HIGH,
        l.checkLiquidation(1, 2, KEEPER, new long[] {4, 0}, new long[] {0, 0}, 680_001));
    assertEquals(Rule.OK, l.liquidate(m));
    assertEquals(68_000, l.withdrawals().get(0).amount(), "the keeper's 10 %");
    // healthy at mark 30: refused with its rule, nothing planned
    Ledger h = genesis();
    h.beginBatch(Fixtures.risk(), CLOCK.instant().getEpochSecond());
    assertEquals(Rule.NOT_LIQUIDATABLE, LiquidationPlanner.plan(h, 1, 2, KEEPER).rule());
  }

  @Test
  void theLogRecordRoundTrips() {
    LiquidationMessage m =
        new LiquidationMessage(
            BigInteger.TEN, KEEPER, 1, 2, 3, 680_000, new long[] {4, -1}, new long[] {0, 7});
    Transition t = new Transition.Liquidate(m, m.sign(Fixtures.key(2)));
    ByteBuffer b = ByteBuffer.allocate(512);
    t.encode(b);
    b.flip();
    Transition.Liquidate d = (Transition.Liquidate) Transition.decode(b);
    assertEquals(0, b.remaining());
    assertEquals(m.messageHash(), d.message().messageHash());
    assertEquals(t.describe(), d.describe());
    Transition al = new Transition.AbsorbLoss(7);
    ByteBuffer ab = ByteBuffer.allocate(64);
    al.encode(ab);
    ab.flip();
    assertEquals(al, Transition.decode(ab));
    assertEquals(0, ab.remaining());
    Transition dl = new Transition.Deleverage(1, 3, 4, -10);
    ByteBuffer db = ByteBuffer.allocate(64);
    dl.encode(db);
    db.flip();
    assertEquals(dl, Transition.decode(db));
    assertEquals(0, db.remaining());
    Transition r = new Transition.RiskRoot(BigInteger.valueOf(12345));
    ByteBuffer rb = ByteBuffer.allocate(64);
    r.encode(rb);
    rb.flip();
    assertEquals(r, Transition.decode(rb));
  }

  /**
   * A damaged record (every truncation, and random bytes after a kind-6 byte) is refused with an
   * IllegalArgumentException or a buffer exception, never decoded into something else or into an
   * oversized array (the counts are bounded to 64).
   */
  @Test
  void damagedRecordsAreRefused() {
    LiquidationMessage m =
        new LiquidationMessage(
            BigInteger.TEN, KEEPER, 1, 2, 3, 680_000, new long[] {4, 0}, new long[] {0, 0});
    ByteBuffer b = ByteBuffer.allocate(512);
    new Transition.Liquidate(m, m.sign(Fixtures.key(2))).encode(b);
    int n = b.position();
    for (int len = 0; len < n; len++) {
      ByteBuffer cut = ByteBuffer.wrap(b.array(), 0, len);
      assertThrows(RuntimeException.class, () -> Transition.decode(cut), "length " + len);
    }
    java.util.Random rnd = new java.util.Random(6);
    for (int i = 0; i < 2_000; i++) {
      byte[] junk = new byte[1 + rnd.nextInt(400)];
      rnd.nextBytes(junk);
      junk[0] = Transition.LIQUIDATION;
      try {
        Transition.decode(ByteBuffer.wrap(junk));
      } catch (IllegalArgumentException
          | java.nio.BufferUnderflowException
          | ArithmeticException e) {
        // refused
      }
    }
  }
}
