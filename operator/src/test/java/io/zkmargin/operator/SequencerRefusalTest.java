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
