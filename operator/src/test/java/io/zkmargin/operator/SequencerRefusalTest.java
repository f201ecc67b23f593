package io.zkmargin.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.zkmargin.api.v1.BatchInfo;
import io.zkmargin.api.v1.GetOperatorBatchRequest;
import io.zkmargin.api.v1.OperatorServiceGrpc;
import io.zkmargin.api.v1.SubmitTransitionRequest;
import io.zkmargin.api.v1.SubmitTransitionResponse;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.ledger.Ledger;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real gRPC service on a loopback port: an invalid transition is refused at once with
 * the rule it breaks (FAILED_PRECONDITION "RULE: ...") and leaves the ledger as it was (state root,
 * balances, nonces, open batch); valid ones are accepted into the open batch, a full batch is cut,
 * and the log replays to the same ledger after a restart. No chain, no prover.
 */
class SequencerRefusalTest {
  private static final BigInteger PAYEE = BigInteger.valueOf(0xbeef);
  private static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(1_767_225_600L), ZoneOffset.UTC);

  @TempDir Path dir;

  /**
   * Fee account 0; account 1 (key 1): 100 USDC and 6 ETH-PERP lots long; account 2 (key 2): 100
   * USDC and 6 lots short; account 3 (key 1, a sub-account of 1): empty.
   */
  static Ledger genesis() {
    Ledger l = new Ledger(Fixtures.CONFIG);
    EdwardsKeyPair fee = Fixtures.key(1_000);
    l.registerGenesis(0, fee.publicKey().x(), fee.publicKey().y(), BigInteger.ZERO, 0);
    long[][] pos = {{6, -6}};
    for (int i = 1; i <= 2; i++) {
      EdwardsKeyPair k = Fixtures.key(i);
      l.registerGenesis(
          i,
          new AccountLeaf(
              k.publicKey().x(),
              k.publicKey().y(),
              0,
              0,
              new long[] {100 * Fixtures.USDC, 0},
              new long[] {1, 0},
              new long[] {pos[0][i - 1], 0},
              new long[] {0, 0}));
    }
    EdwardsKeyPair k1 = Fixtures.key(1);
    l.registerGenesis(3, k1.publicKey().x(), k1.publicKey().y(), BigInteger.ZERO, 0);
    return l;
  }

  private Sequencer open() throws Exception {
    Sequencer s =
        new Sequencer(
            genesis(),
            Fixtures.risk(),
            new FileTransitionLog(dir.resolve("transitions.log")),
            null,
            null,
            null,
            new Sequencer.Config(2, 4, Duration.ofHours(1), Duration.ofSeconds(1)),
            CLOCK);
    s.start();
    return s;
  }

  @Test
  void invalidTransitionsAreRefusedWithTheirRuleAndChangeNothing() throws Exception {
    EdwardsKeyPair k1 = Fixtures.key(1);
    EdwardsKeyPair k2 = Fixtures.key(2);
    BigInteger root;
    try (Sequencer s = open()) {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(new OperatorServiceImpl(s, Fixtures.CONFIG.legs()))
              .build()
              .start();
      ManagedChannel ch =
          NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
      try {
        OperatorServiceGrpc.OperatorServiceBlockingStub stub =
            OperatorServiceGrpc.newBlockingStub(ch);
        BigInteger before = s.withLedger(l -> l.stateTree().root());
        refused(stub, "BAD_NONCE", Fixtures.withdrawal(k1, 1, 5, Fixtures.USDC, PAYEE));
        refused(stub, "BAD_SIGNATURE", Fixtures.withdrawal(k2, 1, 0, Fixtures.USDC, PAYEE));
        refused(stub, "IM_BROKEN", Fixtures.withdrawal(k1, 1, 0, 250 * Fixtures.USDC, PAYEE));
        refused(stub, "NOT_SAME_OWNER", Fixtures.transfer(k1, 1, 2, 0, Fixtures.USDC));
        refused(stub, "UNKNOWN_ACCOUNT", Fixtures.transfer(k1, 1, 9, 0, Fixtures.USDC));
        assertEquals(before, s.withLedger(l -> l.stateTree().root()), "nothing changed");
        assertEquals(0L, (long) s.withLedger(l -> l.nonce(1)));
        assertEquals(100 * Fixtures.USDC, (long) s.withLedger(l -> l.balance(1, 0)));
        assertEquals(0, s.openTransitions());
        StatusRuntimeException bad =
            assertThrows(
                StatusRuntimeException.class,
                () -> stub.submitTransition(SubmitTransitionRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());

        // E = 100 - 250 + 6 x 30 (mark) = 30 USDC against IM about 40.5 USDC: IM_BROKEN above
        // valid: a transfer to the sub-account and a withdrawal fill batch 1 (N = 2): it is cut
        SubmitTransitionResponse a =
            stub.submitTransition(Fixtures.transfer(k1, 1, 3, 0, 5 * Fixtures.USDC));
        assertEquals(1, a.getBatch());
        assertEquals(0, a.getSlot());
        SubmitTransitionResponse b =
            stub.submitTransition(Fixtures.withdrawal(k1, 1, 1, 20 * Fixtures.USDC, PAYEE));
        assertEquals(1, b.getBatch());
        assertEquals(1, b.getSlot());
        assertEquals(2, s.openBatch());
        BatchInfo info = stub.getBatch(GetOperatorBatchRequest.newBuilder().setBatch(1).build());
        assertEquals(2, info.getTransitionsCount());
        assertEquals(
            io.zkmargin.api.v1.BatchState.BATCH_STATE_SEQUENCED, info.getStatus().getState());
        assertEquals(before.toString(), info.getStatus().getOldRoot());
        // a replayed withdrawal (its nonce is used) is refused
        refused(stub, "BAD_NONCE", Fixtures.withdrawal(k1, 1, 1, 20 * Fixtures.USDC, PAYEE));
        stub.submitTransition(Fixtures.transfer(k1, 3, 1, 0, Fixtures.USDC));
        root = s.withLedger(l -> l.stateTree().root());
        assertEquals(
            new BigInteger(info.getStatus().getNewRoot()),
            s.batch(1).newRoot(),
            "the batch's new root is the ledger's at the cut");
      } finally {
        ch.shutdownNow();
        server.shutdownNow();
      }
    }
    assertTrue(Files.size(dir.resolve("transitions.log")) > 0);
    // a restart replays the log: the same ledger, batches and open batch
    try (Sequencer s = open()) {
      assertEquals(root, s.withLedger(l -> l.stateTree().root()));
      assertEquals(2, s.openBatch());
      assertEquals(1, s.openTransitions());
      assertEquals(76 * Fixtures.USDC, (long) s.withLedger(l -> l.balance(1, 0)));
      assertEquals(Sequencer.State.SEQUENCED, s.batch(1).state());
    }
  }

  /**
   * Trades (kind 3): refused at once with their rule (both signatures checked, each order's limits,
   * the fee account as a side refused as INVALID_ARGUMENT), accepted with fees credited to the fee
   * account 0; a withdrawal from the fee account while the batch's fees are pending goes into the
   * next batch (the open one is cut); the log replays.
   */
  @Test
  void tradesAreCheckedAcceptedAndTheFeeAccountWaitsForTheNextBatch() throws Exception {
    EdwardsKeyPair k1 = Fixtures.key(1);
    EdwardsKeyPair k2 = Fixtures.key(2);
    EdwardsKeyPair fee = Fixtures.key(1_000);
    long expiry = CLOCK.instant().getEpochSecond() + 3600;
    long perp = 1;
    // account 1 (long 6 ETH-PERP) buys 1 lot twice from its sub-account 3 (50 USDC moved in
    // first) at 30 USDC; fees 1000 + 2000 atoms per lot
    var buy = Fixtures.order(1, 5, expiry, 2, 31 * Fixtures.USDC, 1_000, perp, 1);
    var sell = Fixtures.order(3, 6, expiry, 2, -29 * Fixtures.USDC, 2_000, perp, -1);
    long price = 30 * Fixtures.USDC;
    long usdc = Fixtures.USDC;
    BigInteger root;
    try (Sequencer s = open()) {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(new OperatorServiceImpl(s, Fixtures.CONFIG.legs()))
              .build()
              .start();
      ManagedChannel ch =
          NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
      try {
        OperatorServiceGrpc.OperatorServiceBlockingStub stub =
            OperatorServiceGrpc.newBlockingStub(ch);
        assertEquals(0, stub.submitTransition(Fixtures.transfer(k1, 1, 3, 0, 50 * usdc)).getSlot());
        BigInteger before = s.withLedger(l -> l.stateTree().root());
        refused(stub, "BAD_SIGNATURE", Fixtures.trade(k2, buy, k1, sell, 1, price));
        refused(stub, "BAD_SIGNATURE", Fixtures.trade(k1, buy, k2, sell, 1, price));
        refused(stub, "OVERFILL", Fixtures.trade(k1, buy, k1, sell, 3, price));
        refused(stub, "PRICE_LIMIT", Fixtures.trade(k1, buy, k1, sell, 1, 32 * usdc));
        var old = Fixtures.order(3, 7, expiry - 7200, 2, -29 * usdc, 0, perp, -1);
        refused(stub, "EXPIRED", Fixtures.trade(k1, buy, k1, old, 1, price));
        var byFee = Fixtures.order(0, 8, expiry, 2, 31 * usdc, 0, perp, 1);
        StatusRuntimeException feeSide =
            assertThrows(
                StatusRuntimeException.class,
                () -> stub.submitTransition(Fixtures.trade(fee, byFee, k1, sell, 1, price)));
        assertEquals(Status.Code.INVALID_ARGUMENT, feeSide.getStatus().getCode());
        assertTrue(
            feeSide.getStatus().getDescription().contains("fee account 0 cannot be the maker"),
            feeSide.getStatus().getDescription());
        assertEquals(before, s.withLedger(l -> l.stateTree().root()), "nothing changed");
        assertEquals(1, s.openTransitions());

        SubmitTransitionResponse t =
            stub.submitTransition(Fixtures.trade(k1, buy, k1, sell, 1, price));
        assertEquals(1, t.getBatch());
        assertEquals(1, t.getSlot());
        assertEquals(2, s.openBatch(), "batch 1 (N = 2) is full: cut");
        assertEquals(7L, (long) s.withLedger(l -> l.quantity(1, 0)));
        assertEquals(-1L, (long) s.withLedger(l -> l.quantity(3, 0)));
        assertEquals(3_000L, (long) s.withLedger(l -> l.balance(0, 0)), "fees 1000 + 2000");
        // account 1 also settles the funding of its 6 lots (index 120000 atoms/lot, snapshot 0)
        assertEquals(20 * usdc - 1_000 - 6 * 120_000, (long) s.withLedger(l -> l.balance(1, 0)));
        assertEquals(80 * usdc - 2_000, (long) s.withLedger(l -> l.balance(3, 0)));
        assertEquals(
            2, stub.submitTransition(Fixtures.trade(k1, buy, k1, sell, 1, price)).getBatch());
        // the same orders again: both are filled
        refused(stub, "OVERFILL", Fixtures.trade(k1, buy, k1, sell, 1, price));
        // the fee account withdraws its fees: not in batch 2 (its fees are credited only after
        // the last slot), so batch 2 is cut and the withdrawal opens batch 3
        SubmitTransitionResponse w =
            stub.submitTransition(Fixtures.withdrawal(fee, 0, 0, 6_000, PAYEE));
        assertEquals(3, w.getBatch());
        assertEquals(0, w.getSlot());
        assertEquals(Sequencer.State.SEQUENCED, s.batch(2).state());
        assertEquals(1, s.batch(2).transitions().size());
        assertTrue(s.batch(2).transitions().get(0).startsWith("trade 1 units"));
        assertEquals(0L, (long) s.withLedger(l -> l.balance(0, 0)));
        root = s.withLedger(l -> l.stateTree().root());
      } finally {
        ch.shutdownNow();
        server.shutdownNow();
      }
    }
    Sequencer.FinalState at1;
    try (Sequencer s = open()) {
      assertEquals(root, s.withLedger(l -> l.stateTree().root()), "the log replays the trade");
      assertEquals(3, s.openBatch());
      assertEquals(8L, (long) s.withLedger(l -> l.quantity(1, 0)));
      at1 = s.sealedState(1);
    }
    // one state: the database holds batch 1's changed leaves over genesis (with the order-fill
    // slots of the trade); they give batch 1's root, and a sequencer resumed there replays only
    // the log's later batches to the same state
    assertEquals(Set.of(0L, 1L, 3L), at1.leaves().keySet(), "the fee account and both sides");
    assertEquals(Set.of(1L, 3L), at1.orderSlots().keySet());
    Ledger g = genesis();
    Ledger stored = new Ledger(Fixtures.CONFIG);
    for (long id = 0; id < g.accountLimit(); id++) {
      AccountLeaf leaf = at1.leaves().getOrDefault(id, g.leaf(id));
      long[][] slots = at1.orderSlots().get(id);
      if (slots == null) {
        stored.registerGenesis(id, leaf);
      } else {
        stored.registerGenesis(id, leaf, slots[0], slots[1]);
      }
    }
    assertEquals(at1.stateRoot(), stored.stateTree().root(), "batch 1's leaves give its root");
    try (Sequencer s =
        new Sequencer(
            stored,
            Fixtures.risk(),
            new FileTransitionLog(dir.resolve("transitions.log")),
            null,
            null,
            null,
            new Sequencer.Config(2, 4, Duration.ofHours(1), Duration.ofSeconds(1)),
            CLOCK,
            new Sequencer.Resume(1, at1.depositsTaken(), at1.depositHead()))) {
      assertEquals(root, s.withLedger(l -> l.stateTree().root()), "batches 2 and 3 replayed");
      assertEquals(3, s.openBatch());
      assertEquals(null, s.batch(1), "batch 1 is in the resumed state, not replayed");
    }
  }

  private static void refused(
      OperatorServiceGrpc.OperatorServiceBlockingStub stub,
      String rule,
      SubmitTransitionRequest req) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.submitTransition(req), rule);
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), rule);
    assertTrue(
        e.getStatus().getDescription().startsWith(rule + ": "), e.getStatus().getDescription());
  }
}
