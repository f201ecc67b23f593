package io.zkmargin.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.zkmargin.api.v1.BatchState;
import io.zkmargin.api.v1.BatchStatus;
import io.zkmargin.api.v1.GetOperatorStatusRequest;
import io.zkmargin.api.v1.OperatorServiceGrpc;
import io.zkmargin.api.v1.OperatorStatus;
import io.zkmargin.api.v1.StreamBatchStatusRequest;
import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainContracts;
import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.chain.QuoteTokenClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.dac.Genesis;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.prover.BatchProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.risk.account.AccountState;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.protocol.Web3j;

/**
 * The whole path on a real anvil chain, at the test batch size (N = 2, R = 4), through the
 * OperatorService on a loopback port: a trader registers two accounts on chain (deposits into the
 * Settlement's queue) -> the sequencer takes them into batch 1 -> a transfer and a withdrawal
 * (batch 2), a trade with fees between the two accounts (batch 3, kind 3) -> each batch proven by
 * the real gnark batch circuit through JNI, signed by 2 of the 3 committee members (real {@code
 * DacServer}s in this process, each replaying the batch witness on its own ledger before it signs),
 * finalized by {@code finalizeBatch} -> the withdrawal is claimed on chain (the token balance
 * moves). Then three batches are refused by the contract and recovered: a tampered proof ({@code
 * BatchProofInvalid}: proven again), a missing committee quorum ({@code QuorumNotReached}:
 * signatures collected again), a stale old root ({@code StaleOldRoot}: the header sent again from
 * the witness); each refusal is the contract's revert decoded by {@code RevertDecoder}, streamed as
 * a FAILED status, and the batch then finalizes. The chain's root ends equal to the ledger's.
 */
class OperatorEndToEndTest {
  private static final int N = 2;
  private static final int R = 4;
  private static final long USDC = Fixtures.USDC;

  @TempDir Path dir;

  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeLater) {
      c.close();
    }
  }

  @Test
  void depositsTransfersWithdrawalsAreProvenFinalizedAndRefusalsRecovered() throws Exception {
    ChainToolchain tc = ChainToolchain.locate();
    String batchId = BatchWitness.circuitId(Fixtures.CONFIG, N, R);
    Credentials admin = Credentials.create(AnvilNode.DEV_KEY_0);
    Credentials operator = Credentials.create(AnvilNode.DEV_KEY_1);
    try (KeyStore keys = KeyStore.openDefault();
        AnvilNode node =
            AnvilNode.start(tc, dir.resolve("anvil.log"), false, Duration.ofSeconds(30))) {
      Web3j web3 = SettlementClient.connect(node.rpcUrl());
      // genesis: the fee account 0 only; the trader's accounts come from the deposit queue
      Ledger genesis = new Ledger(Fixtures.CONFIG);
      EdwardsKeyPair fee = Fixtures.key(1_000);
      genesis.registerGenesis(0, fee.publicKey().x(), fee.publicKey().y(), BigInteger.ZERO, 0);
      BigInteger genesisRoot = genesis.stateTree().root();
      RiskCommitment risk = Fixtures.risk();

      String health = Fixtures.CONFIG.sizes().healthCircuitId();
      ChainContracts c =
          ChainContracts.compile(tc, health, tc.source("src/verifiers/" + health + ".sol"));
      String batchVerifier = LocalChain.deployBatchVerifier(web3, admin, tc, keys, batchId);
      List<ECKeyPair> oracles = keys(3, 10);
      SettlementClient.Deployment d =
          SettlementClient.deploy(
              web3,
              admin,
              AnvilNode.CHAIN_ID,
              c.verifier(),
              c.settlement(),
              c.quoteToken(),
              null,
              batchVerifier,
              operator.getAddress(),
              oracles.stream().map(OracleSigner::address).toList(),
              2,
              16,
              4,
              86_400,
              SettlementClient.Genesis.ofTree(
                  genesisRoot, 1, Fixtures.CONFIG.sizes().stateDepth()));
      String abi = c.settlement().abiJson();
      SettlementClient asAdmin =
          new SettlementClient(web3, admin, AnvilNode.CHAIN_ID, d.settlement(), abi);
      asAdmin.postRiskRoot(
          1,
          risk.riskRoot(),
          OracleSigner.signSorted(
              oracles.subList(0, 2),
              OracleSigner.riskRootDigest(AnvilNode.CHAIN_ID, d.settlement(), 1, risk.riskRoot())));
      // the committee: 3 real members (replaying, storing, signing) in this process, quorum 2
      EdwardsKeyPair feeKey = Fixtures.key(1_000);
      Genesis g =
          new Genesis(
              Fixtures.CONFIG,
              Map.of(
                  0L,
                  new AccountLeaf(
                      feeKey.publicKey().x(),
                      feeKey.publicKey().y(),
                      0,
                      new AccountState(0, new long[2], new long[2], new long[2], new long[2]))));
      assertEquals(genesisRoot, g.root());
      LocalCommittee dac =
          LocalCommittee.start(
              dir.resolve("dac"), g, AnvilNode.CHAIN_ID, d.settlement(), 3, 2, System.out);
      closeLater.add(dac);
      asAdmin.setCommittee(dac.signers(), 2);
      BatchCommittee committee = dac.committee();

      // the trader: an L1 key with gas and 1000 USDC, an EdDSA key for the venue
      Credentials alice = Credentials.create(keys(1, 30).get(0));
      LocalChain.fundDevAccount(
          node.rpcUrl(),
          admin,
          d.quoteToken(),
          alice.getAddress(),
          BigInteger.valueOf(1000 * USDC));
      EdwardsKeyPair a = Fixtures.key(7);
      QuoteTokenClient aliceToken =
          new QuoteTokenClient(web3, alice, AnvilNode.CHAIN_ID, d.quoteToken(), "[]");
      SettlementClient aliceChain =
          new SettlementClient(web3, alice, AnvilNode.CHAIN_ID, d.settlement(), abi);
      aliceToken.approve(d.settlement(), BigInteger.valueOf(1000 * USDC));

      SettlementClient chain =
          new SettlementClient(web3, operator, AnvilNode.CHAIN_ID, d.settlement(), abi);
      Sequencer seq =
          new Sequencer(
              genesis,
              risk,
              new FileTransitionLog(dir.resolve("transitions.log")),
              new BatchProver(keys),
              committee,
              chain,
              new Sequencer.Config(N, R, Duration.ofSeconds(2), Duration.ofMillis(200)),
              Clock.systemUTC());
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(new OperatorServiceImpl(seq, Fixtures.CONFIG.legs()))
              .build()
              .start();
      ManagedChannel ch =
          NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
      List<BatchStatus> streamed = Collections.synchronizedList(new ArrayList<>());
      try {
        seq.start();
        OperatorServiceGrpc.OperatorServiceBlockingStub stub =
            OperatorServiceGrpc.newBlockingStub(ch);
        OperatorServiceGrpc.newStub(ch)
            .streamBatchStatus(StreamBatchStatusRequest.getDefaultInstance(), collect(streamed));

        // 1. on chain: account 1 with 100 USDC, account 2 (a sub-account, same key) with none
        assertEquals(1, chain.nextAccountId());
        aliceChain.registerAccount(a.publicKey().x(), a.publicKey().y(), 100 * USDC);
        aliceChain.registerAccount(a.publicKey().x(), a.publicKey().y(), 0);
        awaitFinalized(seq, 1); // two deposits fill batch 1's N = 2 slots
        assertEquals(100 * USDC, (long) seq.withLedger(l -> l.balance(1, 0)));

        // 2. a transfer to the sub-account and a withdrawal to alice's L1 address
        BigInteger to = new BigInteger(alice.getAddress().substring(2), 16);
        assertEquals(2, stub.submitTransition(Fixtures.transfer(a, 1, 2, 0, 50 * USDC)).getBatch());
        stub.submitTransition(Fixtures.withdrawal(a, 1, 1, 20 * USDC, to));
        awaitFinalized(seq, 2);
        assertEquals(BigInteger.valueOf(20 * USDC), chain.pendingWithdrawal(alice.getAddress()));
        aliceChain.claimWithdrawal();
        assertEquals(BigInteger.valueOf(920 * USDC), aliceToken.balanceOf(alice.getAddress()));
        assertEquals(BigInteger.ZERO, chain.pendingWithdrawal(alice.getAddress()));

        // 3. refusals: each batch (one transfer, cut by the 2 s interval) is refused once
        // batch 3 also holds a trade (kind 3): account 1 buys 1 lot of ETH-PERP from account 2 at
        // 30 USDC, fees 1000 + 2000 atoms to the fee account 0 at the end of the batch
        long expiry = java.time.Instant.now().getEpochSecond() + 3600;
        var buy = Fixtures.order(1, 1, expiry, 1, 31 * USDC, 1_000, 1, 1);
        var sell = Fixtures.order(2, 2, expiry, 1, -29 * USDC, 2_000, 1, -1);
        recovers(
            seq,
            stub,
            Sequencer.Fault.TAMPER_PROOF,
            3,
            Fixtures.transfer(a, 2, 1, 0, USDC),
            Fixtures.trade(a, buy, a, sell, 1, 30 * USDC));
        assertTrue(seq.batch(3).transitions().get(1).startsWith("trade 1 units"));
        assertEquals(3_000L, (long) seq.withLedger(l -> l.balance(0, 0)));
        assertEquals(1L, (long) seq.withLedger(l -> l.quantity(1, 0)));
        assertEquals(-1L, (long) seq.withLedger(l -> l.quantity(2, 0)));
        recovers(seq, stub, Sequencer.Fault.DROP_QUORUM, 4, Fixtures.transfer(a, 1, 2, 2, USDC));
        recovers(seq, stub, Sequencer.Fault.STALE_ROOT, 5, Fixtures.transfer(a, 2, 1, 1, USDC));
        assertRefused(streamed, 3, "BatchProofInvalid");
        assertRefused(streamed, 4, "QuorumNotReached");
        assertRefused(streamed, 5, "StaleOldRoot");

        assertEquals(5, chain.batchNumber());
        assertEquals(seq.withLedger(l -> l.stateTree().root()), chain.stateRoot());
        assertEquals(2, chain.depositsConsumed());
        OperatorStatus st = stub.getStatus(GetOperatorStatusRequest.getDefaultInstance());
        assertEquals(5, st.getFinalizedBatch());
        assertEquals(6, st.getOpenBatch());
        assertEquals(batchId, st.getCircuitId());
        for (long b = 1; b <= 5; b++) {
          System.out.printf(
              "zkm: batch %d finalized, gas %d, attempts %d%n",
              b, seq.batch(b).gasUsed(), seq.batch(b).attempts());
        }
      } finally {
        ch.shutdownNow();
        server.shutdownNow();
        seq.close();
        web3.shutdown();
      }
    }
  }

  private static void recovers(
      Sequencer seq,
      OperatorServiceGrpc.OperatorServiceBlockingStub stub,
      Sequencer.Fault fault,
      long batch,
      io.zkmargin.api.v1.SubmitTransitionRequest... reqs) {
    seq.injectFault(fault);
    for (io.zkmargin.api.v1.SubmitTransitionRequest req : reqs) {
      assertEquals(batch, stub.submitTransition(req).getBatch());
    }
    awaitFinalized(seq, batch);
    assertEquals(2, seq.batch(batch).attempts(), fault + ": one refusal, then finalized");
  }

  private static void assertRefused(List<BatchStatus> streamed, long batch, String error) {
    synchronized (streamed) {
      assertTrue(
          streamed.stream()
              .anyMatch(
                  s ->
                      s.getBatch() == batch
                          && s.getState() == BatchState.BATCH_STATE_FAILED
                          && s.getReason().contains(error)),
          "batch " + batch + " streamed a FAILED status naming " + error + ": " + streamed);
      assertTrue(
          streamed.stream()
              .anyMatch(
                  s -> s.getBatch() == batch && s.getState() == BatchState.BATCH_STATE_FINALIZED));
    }
  }

  private static void awaitFinalized(Sequencer seq, long batch) {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      Sequencer.BatchView v = seq.batch(batch);
      if (v != null && v.state() == Sequencer.State.FINALIZED) {
        return;
      }
      if (v != null && v.attempts() >= Sequencer.MAX_ATTEMPTS) {
        fail("batch " + batch + " failed: " + v.reason());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    fail("batch " + batch + " not finalized in time: " + seq.batch(batch));
  }

  private static StreamObserver<BatchStatus> collect(List<BatchStatus> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(BatchStatus s) {
        into.add(s);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  /** Deterministic secp256k1 keys (development only). */
  private static List<ECKeyPair> keys(int n, int seed) {
    List<ECKeyPair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(ECKeyPair.create(BigInteger.valueOf(1_000_003L * (seed + i) + 17)));
    }
    return out;
  }
}
