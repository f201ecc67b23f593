package io.zkmargin.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainContracts;
import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.EscapeHatchClient;
import io.zkmargin.chain.LocalChain;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.chain.QuoteTokenClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.commit.AccountLeaf;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.commit.RiskCommitment;
import io.zkmargin.dac.DacClient;
import io.zkmargin.dac.Genesis;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.ledger.Ledger;
import io.zkmargin.operator.keeper.Keeper;
import io.zkmargin.prover.BatchProver;
import io.zkmargin.prover.ExitProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.LiquidationProver;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.protocol.Web3j;

/**
 * The first end-to-end run of issue 10 on a real anvil chain at the test sizes (batch N = 2, R =
 * 4), real proofs throughout, the operator running: accounts 1 and 2 register (batch 1); account 1
 * buys 1 ETH-PERP lot from account 2 at 30 USDC (batch 2). Prices drop: the oracle quorum posts
 * epoch 2 with the mark at 25 USDC and the volatile scenario moves of {@link EscapeEndToEndTest}
 * (account 1: E = 30 USDC under MM = 40 USDC). The operator's {@link ChainFollower} takes the new
 * root from the oracle's vector; the {@link Keeper} proves account 1's eligibility from the
 * committee's data and posts {@code requestLiquidation}; the follower sees the request and the
 * sequencer liquidates account 1 in its next batch (batch 3) with the operator's liquidator,
 * account 2 (it takes the whole lot back: the close factor allows everything since nothing less
 * restores the target), the full 1 % penalty (250,000 atoms), the keeper named. Batch 3 is proven,
 * signed, finalized: the request is no longer pending and the keeper claims its 10 % (25,000 atoms
 * of the quote token, its token balance checked).
 */
class LiquidationEndToEndTest {
  private static final int N = 2;
  private static final int R = 4;
  private static final long USDC = Fixtures.USDC;
  private static final long GRACE = 3600;

  @TempDir Path dir;

  /** Fixtures' risk with ETH-PERP's mark at 25 USDC and four times its scenario moves. */
  static RiskCommitment dropped(RiskCommitment calm) {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(calm.entries());
    InstrumentRiskEntry e = m.get(1L);
    m.put(
        1L,
        new InstrumentRiskEntry(
            25 * USDC,
            e.fundingIndex(),
            e.floorMm(),
            e.floorIm(),
            new long[] {-40 * USDC, -20 * USDC, 20 * USDC, 40 * USDC},
            new long[] {-50 * USDC, -25 * USDC, 25 * USDC, 50 * USDC}));
    return new RiskCommitment(calm.sizes(), m, calm.globals());
  }

  @Test
  void pricesDropKeeperRequestsOperatorLiquidatesKeeperClaimsItsShare() throws Exception {
    ChainToolchain tc = ChainToolchain.locate();
    String batchId = BatchWitness.circuitId(Fixtures.CONFIG, N, R);
    Credentials admin = Credentials.create(AnvilNode.DEV_KEY_0);
    Credentials operator = Credentials.create(AnvilNode.DEV_KEY_1);
    List<AutoCloseable> closeLater = new ArrayList<>();
    try (KeyStore keys = KeyStore.openDefault();
        AnvilNode node =
            AnvilNode.start(tc, dir.resolve("anvil.log"), false, Duration.ofSeconds(30))) {
      Web3j web3 = SettlementClient.connect(node.rpcUrl());
      Ledger genesis = new Ledger(Fixtures.CONFIG);
      EdwardsKeyPair fee = Fixtures.key(1_000);
      genesis.registerGenesis(0, fee.publicKey().x(), fee.publicKey().y(), BigInteger.ZERO, 0);
      RiskCommitment calm = Fixtures.risk();
      RiskCommitment dropped = dropped(calm);

      String health = Fixtures.CONFIG.sizes().healthCircuitId();
      ChainContracts c =
          ChainContracts.compile(tc, health, tc.source("src/verifiers/" + health + ".sol"));
      String batchVerifier = LocalChain.deployBatchVerifier(web3, admin, tc, keys, batchId);
      List<ECKeyPair> oracles = EscapeEndToEndTest.keys(3, 10);
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
                  genesis.stateTree().root(), 1, Fixtures.CONFIG.sizes().stateDepth()));
      String abi = c.settlement().abiJson();
      String hatchAddr =
          LocalChain.deployEscapeHatch(
              web3,
              admin,
              tc,
              keys,
              d.settlement(),
              abi,
              ExitProver.circuitId(Fixtures.CONFIG.sizes()),
              LiquidationProver.circuitId(Fixtures.CONFIG.sizes()),
              GRACE);
      SettlementClient asAdmin =
          new SettlementClient(web3, admin, AnvilNode.CHAIN_ID, d.settlement(), abi);
      EscapeEndToEndTest.post(asAdmin, oracles, d.settlement(), 1, calm);
      Genesis g =
          new Genesis(
              Fixtures.CONFIG,
              Map.of(
                  0L,
                  new AccountLeaf(
                      fee.publicKey().x(),
                      fee.publicKey().y(),
                      0,
                      new AccountState(0, new long[2], new long[2], new long[2], new long[2]))));
      LocalCommittee dac =
          LocalCommittee.start(
              dir.resolve("dac"), g, AnvilNode.CHAIN_ID, d.settlement(), 3, 2, System.out);
      closeLater.add(dac);
      asAdmin.setCommittee(dac.signers(), 2);

      long[] deposit = {35 * USDC, 100 * USDC};
      List<Credentials> l1 = new ArrayList<>();
      List<EdwardsKeyPair> venueKeys = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        Credentials who = Credentials.create(EscapeEndToEndTest.keys(1, 30 + k).get(0));
        LocalChain.fundDevAccount(
            node.rpcUrl(), admin, d.quoteToken(), who.getAddress(), BigInteger.valueOf(deposit[k]));
        new QuoteTokenClient(web3, who, AnvilNode.CHAIN_ID, d.quoteToken(), "[]")
            .approve(d.settlement(), BigInteger.valueOf(deposit[k]));
        l1.add(who);
        venueKeys.add(Fixtures.key(7 + k));
      }
      SettlementClient chain =
          new SettlementClient(web3, operator, AnvilNode.CHAIN_ID, d.settlement(), abi);
      String[] abis = {EscapeHatchClient.ESCAPE_HATCH_ERRORS, abi};
      EscapeHatchClient hatch =
          new EscapeHatchClient(web3, operator, AnvilNode.CHAIN_ID, hatchAddr, abis);
      try (Sequencer seq =
              new Sequencer(
                  genesis,
                  calm,
                  new FileTransitionLog(dir.resolve("transitions.log")),
                  new BatchProver(keys),
                  dac.committee(),
                  chain,
                  new Sequencer.Config(N, R, Duration.ofSeconds(2), Duration.ofMillis(200)),
                  Clock.systemUTC());
          ChainFollower follower =
              new ChainFollower(
                  seq,
                  chain,
                  hatch,
                  (epoch, root) ->
                      root.equals(dropped.riskRoot()) ? Optional.of(dropped) : Optional.empty())) {
        seq.setLiquidator(2, venueKeys.get(1)); // the operator's liquidator: account 2
        seq.start();
        follower.start(Duration.ofMillis(300));
        // batch 1: accounts 1 and 2 register; batch 2: account 1 buys 1 lot from 2 at 30 USDC
        for (int k = 0; k < 2; k++) {
          EscapeEndToEndTest.register(
              web3, l1.get(k), d.settlement(), abi, venueKeys.get(k), deposit[k]);
        }
        EscapeEndToEndTest.awaitFinalized(seq, 1);
        long expiry = java.time.Instant.now().getEpochSecond() + 3600;
        var buy = Fixtures.order(1, 1, expiry, 1, 31 * USDC, 0, 1, 1);
        var sell = Fixtures.order(2, 1, expiry, 1, -29 * USDC, 0, 1, -1);
        assertEquals(
            2,
            EscapeEndToEndTest.submit(
                    new OperatorServiceImpl(seq, Fixtures.CONFIG.legs()),
                    Fixtures.trade(venueKeys.get(0), buy, venueKeys.get(1), sell, 1, 30 * USDC))
                .getBatch());
        EscapeEndToEndTest.awaitFinalized(seq, 2);

        // prices drop: the oracle quorum posts epoch 2; the operator follows the new root
        EscapeEndToEndTest.post(asAdmin, oracles, d.settlement(), 2, dropped);
        await(() -> seq.riskRoot().equals(dropped.riskRoot()), "the sequencer follows epoch 2");

        // the keeper requests account 1's liquidation from the committee's data
        DacClient member = DacClient.connect(dac.endpoints().get(0));
        closeLater.add(member);
        Credentials keeperKey = Credentials.create(EscapeEndToEndTest.keys(1, 50).get(0));
        LocalChain.fundDevAccount(
            node.rpcUrl(), admin, d.quoteToken(), keeperKey.getAddress(), BigInteger.ZERO);
        Keeper keeper =
            new Keeper(
                web3,
                keeperKey,
                AnvilNode.CHAIN_ID,
                d.settlement(),
                member,
                keys,
                (epoch, root) -> epoch == 2 ? Optional.of(dropped) : Optional.empty(),
                System.out);
        Keeper.Round round = keeper.runOnce();
        assertEquals(List.of(1L), round.posted().stream().map(Keeper.Posted::accountId).toList());
        assertTrue(hatch.liquidationDeadline(1) > 0, "the request is pending on chain");

        // the operator's next batch liquidates account 1 and is finalized
        EscapeEndToEndTest.awaitFinalized(seq, 3);
        Sequencer.BatchView b3 = seq.batch(3);
        assertEquals(1, b3.transitions().size(), b3.transitions().toString());
        assertTrue(
            b3.transitions().get(0).startsWith("liquidation account 1 by 2"),
            b3.transitions().get(0));
        assertEquals(dropped.riskRoot(), b3.publicInputs().get(2));
        assertEquals(0, hatch.liquidationDeadline(1), "the batch cleared the request");
        assertEquals(0L, (long) seq.withLedger(l -> l.quantity(1, 0)));
        assertEquals(0L, (long) seq.withLedger(l -> l.quantity(2, 0)));
        // 5 USDC + 1 lot at 25 USDC, less the 1 % penalty
        assertEquals(30 * USDC - 250_000, (long) seq.withLedger(l -> l.balance(1, 0)));

        // the keeper's share (10 % of the penalty) is claimable by the keeper's address
        BigInteger share = BigInteger.valueOf(25_000);
        assertEquals(share, chain.pendingWithdrawal(keeperKey.getAddress()));
        QuoteTokenClient token =
            new QuoteTokenClient(web3, admin, AnvilNode.CHAIN_ID, d.quoteToken(), "[]");
        BigInteger before = token.balanceOf(keeperKey.getAddress());
        new SettlementClient(web3, keeperKey, AnvilNode.CHAIN_ID, d.settlement(), abi)
            .claimWithdrawal();
        assertEquals(before.add(share), token.balanceOf(keeperKey.getAddress()));
        assertEquals(BigInteger.ZERO, chain.pendingWithdrawal(keeperKey.getAddress()));
        System.out.printf(
            "zkm: liquidation batch 3 finalized, gas %d; keeper share %s claimed%n",
            b3.gasUsed(), share);

        // the follower's cursor: each event read once over all its polls; a restarted follower
        // reads from the deployment block (0 here) and finds the request made before it
        assertEquals(1, follower.eventsRead(), "one LiquidationRequested, read once");
        assertTrue(follower.cursor() > 0);
        ChainFollower restarted =
            new ChainFollower(seq, chain, hatch, (epoch, root) -> Optional.empty(), 0);
        restarted.poll();
        assertEquals(1, restarted.eventsRead());
        restarted.poll();
        assertEquals(1, restarted.eventsRead(), "the second poll reads only the new blocks");
        restarted.close();

        // forced withdrawals through the escape hatch, answered by the operator's next batches:
        // trader 2's L1 address asks for 1 USDC of account 2 (paid, then claimed); a stranger (the
        // keeper's address) asks for 1 USDC of account 1 (refused: not its L1 address, nothing
        // paid)
        long amount = USDC;
        long account1Before = seq.withLedger(l -> l.balance(1, 0));
        long account2Before = seq.withLedger(l -> l.balance(2, 0));
        new EscapeHatchClient(web3, l1.get(1), AnvilNode.CHAIN_ID, hatchAddr, abis)
            .requestForcedWithdrawal(2, amount);
        new EscapeHatchClient(web3, keeperKey, AnvilNode.CHAIN_ID, hatchAddr, abis)
            .requestForcedWithdrawal(1, amount);
        EscapeEndToEndTest.awaitFinalized(seq, 5); // Q = 1: one request slot a batch
        List<String> answered = new ArrayList<>();
        for (long n = 4; n <= 5; n++) {
          answered.addAll(seq.batch(n).transitions());
        }
        assertTrue(
            answered.contains(
                "forced withdrawal account 2 amount 1000000 to "
                    + l1.get(1).getAddress()
                    + " paid"),
            answered.toString());
        assertTrue(
            answered.contains(
                "forced withdrawal account 1 amount 1000000 to "
                    + keeperKey.getAddress()
                    + " refused"),
            answered.toString());
        assertEquals(0, hatch.forcedWithdrawalDeadline(2), "the paid request is cleared");
        assertEquals(0, hatch.forcedWithdrawalDeadline(1), "the refused request is cleared");
        assertEquals(account2Before - amount, (long) seq.withLedger(l -> l.balance(2, 0)));
        assertEquals(account1Before, (long) seq.withLedger(l -> l.balance(1, 0)));
        assertEquals(BigInteger.ZERO, chain.pendingWithdrawal(keeperKey.getAddress()));
        String trader2 = l1.get(1).getAddress();
        assertEquals(BigInteger.valueOf(amount), chain.pendingWithdrawal(trader2));
        BigInteger t2 = token.balanceOf(trader2);
        new SettlementClient(web3, l1.get(1), AnvilNode.CHAIN_ID, d.settlement(), abi)
            .claimWithdrawal();
        assertEquals(t2.add(BigInteger.valueOf(amount)), token.balanceOf(trader2));
        assertEquals(3, follower.eventsRead(), "one liquidation and two forced withdrawals, once");
        System.out.printf(
            "zkm: forced withdrawals answered in batches 4 and 5 (gas %d, %d): 1 USDC paid and"
                + " claimed, a stranger's request refused%n",
            seq.batch(4).gasUsed(), seq.batch(5).gasUsed());
      }
      web3.shutdown();
    } finally {
      for (AutoCloseable a : closeLater) {
        a.close();
      }
    }
  }

  private static void await(java.util.function.BooleanSupplier ok, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (ok.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    fail(what + ": not in time");
  }
}
