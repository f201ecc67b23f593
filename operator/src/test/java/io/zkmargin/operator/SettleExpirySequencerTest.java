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
import io.zkmargin.api.v1.OperatorServiceGrpc;
import io.zkmargin.api.v1.SettleExpiry;
import io.zkmargin.api.v1.SubmitTransitionRequest;
import io.zkmargin.api.v1.SubmitTransitionResponse;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settle-expiry (kind 5) through the real gRPC service on a loopback port: the genesis of {@link
 * SequencerRefusalTest} (account 1 long 6 lots of instrument 1, account 2 short 6) at a risk root
 * where instrument 1 (here a dated future) has settled at 31 USDC a lot. Refusals carry the rule
 * and change nothing; an accepted settlement is in the open batch and the log replays it.
 */
class SettleExpirySequencerTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.ofEpochSecond(1_767_225_600L), ZoneOffset.UTC);
  private static final long VALUE = 31 * Fixtures.USDC;

  @TempDir Path dir;

  private static RiskCommitment settled() {
    RiskCommitment r = Fixtures.risk();
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(r.entries());
    m.put(1L, InstrumentRiskEntry.settledAt(VALUE, 120_000L, r.sizes().scenarios()));
    return new RiskCommitment(r.sizes(), m, r.globals());
  }

  private Sequencer open() throws Exception {
    Sequencer s =
        new Sequencer(
            SequencerRefusalTest.genesis(),
            settled(),
            new FileTransitionLog(dir.resolve("transitions.log")),
            null,
            null,
            null,
            new Sequencer.Config(2, 4, Duration.ofHours(1), Duration.ofSeconds(1)),
            CLOCK);
    s.start();
    return s;
  }

  private static SubmitTransitionRequest settle(long account, int slot) {
    return SubmitTransitionRequest.newBuilder()
        .setSettleExpiry(SettleExpiry.newBuilder().setAccountId(account).setPositionSlot(slot))
        .build();
  }

  @Test
  void settleExpiryIsRefusedWithItsRuleOrSequencedAndReplayed() throws Exception {
    // funding 120,000 a lot since the snapshot 0, then the settlement value
    long credited = 6 * (VALUE - 120_000L);
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
        var before = s.withLedger(l -> l.stateTree().root());
        refused(stub, "BAD_SLOT", settle(1, 1)); // slot 1 is empty
        refused(stub, "BAD_SLOT", settle(1, 7));
        refused(stub, "UNKNOWN_ACCOUNT", settle(9, 0));
        assertEquals(before, s.withLedger(l -> l.stateTree().root()), "nothing changed");
        SubmitTransitionResponse r = stub.submitTransition(settle(1, 0));
        assertEquals(1, r.getBatch());
        assertEquals(0, r.getSlot());
        assertEquals(100 * Fixtures.USDC + credited, (long) s.withLedger(l -> l.balance(1, 0)));
        assertEquals(0L, (long) s.withLedger(l -> l.quantity(1, 0)));
      } finally {
        ch.shutdownNow();
        server.shutdownNow();
      }
    }
    try (Sequencer s = open()) {
      assertEquals(1, s.openTransitions());
      assertEquals(100 * Fixtures.USDC + credited, (long) s.withLedger(l -> l.balance(1, 0)));
    }
  }

  @Test
  void theLogRecordRoundTrips() {
    Transition t = new Transition.SettleExpiry(5, 1);
    ByteBuffer b = ByteBuffer.allocate(64);
    t.encode(b);
    b.flip();
    assertEquals(t, Transition.decode(b));
    assertEquals(0, b.remaining());
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
