package io.zkmargin.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainContracts;
import io.zkmargin.chain.ChainException;
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
import io.zkmargin.operator.escape.AccountExit;
import io.zkmargin.operator.keeper.Keeper;
import io.zkmargin.prover.BatchProver;
import io.zkmargin.prover.ExitProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.LiquidationProver;
import io.zkmargin.risk.account.AccountState;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.vector.InstrumentRiskEntry;
import io.zkmargin.risk.vector.RiskVector;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The second end-to-end run of issue 10 on a real anvil chain at the test sizes (batch N = 2, R =
 * 4), with real proofs throughout: three traders register (batch 1, 2) and two of them trade (batch
 * 2), each batch proven, signed by 2 of 3 real committee members and finalized; the operator then
 * stops. The oracles post a volatile epoch 2: the {@link Keeper} rebuilds the accounts from the
 * committee's data, finds account 1 liquidatable, proves it and posts {@code requestLiquidation}
 * (the contract shows it pending; a second round skips it). The oracles post the calm vector again
 * (epoch 3). Account 3 requests a forced withdrawal nobody honours; the grace period passes ({@code
 * evm_increaseTime}); anyone freezes. The three accounts exit through {@link AccountExit} (the code
 * path of {@code ./zkm exit --dac}): leaf and path from a committee member, risk entries from the
 * committee's batch rows at the exit risk root, exit proof through JNI; each receives exactly its
 * equity (token balances), the contract's balance covers all of them, and a second exit is refused.
 */
class EscapeEndToEndTest {
  private static final int N = 2;
  private static final int R = 4;
  private static final long USDC = Fixtures.USDC;
  private static final long GRACE = 3600;

  @TempDir Path dir;

  @Test
  void operatorStopsKeeperRequestsForcedWithdrawalFreezeThreeAccountsExit() throws Exception {
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
      BigInteger genesisRoot = genesis.stateTree().root();
      RiskCommitment calm = Fixtures.risk();
      RiskCommitment volatile_ = volatileRisk(calm);

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
      post(asAdmin, oracles, d.settlement(), 1, calm);
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

      // three traders, each an L1 key with gas and tokens and a venue key
      List<Credentials> l1 = new ArrayList<>();
      List<EdwardsKeyPair> venueKeys = new ArrayList<>();
      long[] deposit = {35 * USDC, 100 * USDC, 50 * USDC};
      QuoteTokenClient token =
          new QuoteTokenClient(web3, admin, AnvilNode.CHAIN_ID, d.quoteToken(), "[]");
      for (int k = 0; k < 3; k++) {
        Credentials who = Credentials.create(keys(1, 30 + k).get(0));
        LocalChain.fundDevAccount(
            node.rpcUrl(), admin, d.quoteToken(), who.getAddress(), BigInteger.valueOf(deposit[k]));
        new QuoteTokenClient(web3, who, AnvilNode.CHAIN_ID, d.quoteToken(), "[]")
            .approve(d.settlement(), BigInteger.valueOf(deposit[k]));
        l1.add(who);
        venueKeys.add(Fixtures.key(7 + k));
      }
      SettlementClient chain =
          new SettlementClient(web3, operator, AnvilNode.CHAIN_ID, d.settlement(), abi);
      Sequencer seq =
          new Sequencer(
              genesis,
              calm,
              new FileTransitionLog(dir.resolve("transitions.log")),
              new BatchProver(keys),
              dac.committee(),
              chain,
              new Sequencer.Config(N, R, Duration.ofSeconds(2), Duration.ofMillis(200)),
              Clock.systemUTC());
      Map<Long, AccountLeaf> atStop = new TreeMap<>();
      try {
        seq.start();
        // batch 1: accounts 1 and 2 register with deposits
        for (int k = 0; k < 2; k++) {
          register(web3, l1.get(k), d.settlement(), abi, venueKeys.get(k), deposit[k]);
        }
        awaitFinalized(seq, 1);
        // batch 2: account 3 registers; account 1 buys 1 lot of instrument 1 from account 2 at 30
        register(web3, l1.get(2), d.settlement(), abi, venueKeys.get(2), deposit[2]);
        long expiry = java.time.Instant.now().getEpochSecond() + 3600;
        var buy = Fixtures.order(1, 1, expiry, 1, 31 * USDC, 0, 1, 1);
        var sell = Fixtures.order(2, 1, expiry, 1, -29 * USDC, 0, 1, -1);
        assertEquals(
            2,
            submit(
                    new OperatorServiceImpl(seq, Fixtures.CONFIG.legs()),
                    Fixtures.trade(venueKeys.get(0), buy, venueKeys.get(1), sell, 1, 30 * USDC))
                .getBatch());
        awaitFinalized(seq, 2);
        for (long k = 1; k <= 3; k++) {
          long id = k;
          atStop.put(id, seq.withLedger(l -> l.leaf(id)));
        }
        assertEquals(1L, atStop.get(1L).quantities()[0]);
      } finally {
        seq.close(); // the operator stops: nothing more is proven or finalized
      }
      assertEquals(2, chain.batchNumber());
      BigInteger held = token.balanceOf(d.settlement());
      assertEquals(BigInteger.valueOf(185 * USDC), held);

      String[] abis = {EscapeHatchClient.ESCAPE_HATCH_ERRORS, abi};
      EscapeHatchClient anyone =
          new EscapeHatchClient(web3, admin, AnvilNode.CHAIN_ID, hatchAddr, abis);
      DacClient member = DacClient.connect(dac.endpoints().get(0));
      closeLater.add(member);

      // the keeper: a volatile epoch 2 makes account 1 (long 1 lot, 35 USDC) liquidatable
      post(asAdmin, oracles, d.settlement(), 2, volatile_);
      Credentials keeperKey = Credentials.create(keys(1, 50).get(0));
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
              (epoch, root) -> epoch == 2 ? Optional.of(volatile_) : Optional.empty(),
              System.out);
      Keeper.Round first = keeper.runOnce();
      assertEquals(2, first.epoch());
      assertEquals(2, first.batch());
      assertEquals(List.of(1L), first.posted().stream().map(Keeper.Posted::accountId).toList());
      assertTrue(anyone.liquidationDeadline(1) > 0, "the request is pending on chain");
      assertEquals(0, anyone.liquidationDeadline(2));
      Keeper.Round second = keeper.runOnce();
      assertTrue(second.posted().isEmpty());
      assertEquals(1, second.skipped().size());
      assertTrue(second.skipped().get(0).reason().contains("pending"), second.toString());

      // the oracles post the calm vector again: the exits are proven at the batches' risk root
      post(asAdmin, oracles, d.settlement(), 3, calm);

      // escape hatch: account 3 asks for a forced withdrawal the stopped operator never honours
      EscapeHatchClient asCarol =
          new EscapeHatchClient(web3, l1.get(2), AnvilNode.CHAIN_ID, hatchAddr, abis);
      asCarol.requestForcedWithdrawal(3, 10 * USDC);
      AccountExit exits = new AccountExit(web3, admin, AnvilNode.CHAIN_ID, d.settlement(), keys);
      AccountExit.ExitRefusedException notYet =
          assertThrows(
              AccountExit.ExitRefusedException.class, () -> exits.prepare(member, 3, null));
      assertEquals(AccountExit.Reason.NOT_FROZEN, notYet.reason());
      ChainException early = assertThrows(ChainException.class, () -> anyone.freeze(3));
      assertEquals("NothingOverdue", early.errorName(), early.getMessage());
      rpc(node, "evm_increaseTime", List.of(GRACE + 1));
      rpc(node, "evm_mine", List.of());
      anyone.freeze(3);
      assertTrue(anyone.isFrozen());
      assertEquals(chain.stateRoot(), anyone.exitStateRoot());
      assertEquals(calm.riskRoot(), anyone.exitRiskRoot());
      assertEquals(
          ExitProver.exitRoots(chain.stateRoot(), calm.riskRoot()),
          anyone.exitRoots(),
          "exitRoots");

      // three exits from the committee's data; each receives exactly its equity
      RiskVector calmVector = vector(calm);
      BigInteger total = BigInteger.ZERO;
      List<AccountExit.Prepared> done = new ArrayList<>();
      for (long k = 1; k <= 3; k++) {
        AccountExit.Prepared p = exits.prepare(member, k, null);
        assertEquals("the committee's batch data", p.riskSource());
        BigInteger expected =
            ExitProver.payout(MarginCalculator.DEFAULT.evaluate(calmVector, atStop.get(k)));
        assertEquals(expected, p.payout(), "account " + k + ": the operator's ledger's equity");
        String to = l1.get((int) k - 1).getAddress();
        BigInteger before = token.balanceOf(to);
        EscapeHatchClient.ExitResult res = exits.submit(p);
        assertEquals(expected, res.exits().get(0).paid());
        assertEquals(expected, token.balanceOf(to).subtract(before), "received exactly its equity");
        total = total.add(expected);
        done.add(p);
        System.out.printf(
            "zkm: account %d exited with %s quote atoms, exit gas %d%n",
            k, expected, res.tx().gasUsed());
      }
      // account 3 never traded: its equity is its deposit; 1 and 2 moved 30 USDC of value
      assertEquals(BigInteger.valueOf(50 * USDC), done.get(2).payout());
      assertEquals(BigInteger.valueOf(135 * USDC), done.get(0).payout().add(done.get(1).payout()));
      assertTrue(held.compareTo(total) >= 0, "the contract held enough for every exit");
      // what is left: the exit pool (moved into the hatch at the freeze) and any unclaimed
      // withdrawal
      assertEquals(held.subtract(total), token.balanceOf(d.settlement()).add(anyone.exitPool()));

      // a second exit is refused: by the builder, and by the contract
      AccountExit.ExitRefusedException again =
          assertThrows(
              AccountExit.ExitRefusedException.class, () -> exits.prepare(member, 1, null));
      assertEquals(AccountExit.Reason.ALREADY_EXITED, again.reason());
      ChainException twice = assertThrows(ChainException.class, () -> exits.submit(done.get(0)));
      assertEquals("AlreadyExited", twice.errorName(), twice.getMessage());
      assertFalse(anyone.exited(0));
      web3.shutdown();
    } finally {
      for (AutoCloseable a : closeLater) {
        a.close();
      }
    }
  }

  /**
   * The calm commitment with four times the scenario moves of instrument 1 (a volatility spike).
   */
  private static RiskCommitment volatileRisk(RiskCommitment calm) {
    Map<Long, InstrumentRiskEntry> m = new TreeMap<>(calm.entries());
    InstrumentRiskEntry e = m.get(1L);
    m.put(
        1L,
        new InstrumentRiskEntry(
            e.mark(),
            e.fundingIndex(),
            e.floorMm(),
            e.floorIm(),
            new long[] {-40 * USDC, -20 * USDC, 20 * USDC, 40 * USDC},
            new long[] {-50 * USDC, -25 * USDC, 25 * USDC, 50 * USDC}));
    return new RiskCommitment(calm.sizes(), m, calm.globals());
  }

  private static RiskVector vector(RiskCommitment c) {
    Map<Integer, InstrumentRiskEntry> m = new TreeMap<>();
    c.entries().forEach((id, e) -> m.put(id.intValue(), e));
    return new RiskVector(0, c.sizes(), m, c.globals());
  }

  static void post(
      SettlementClient s,
      List<ECKeyPair> oracles,
      String settlement,
      long epoch,
      RiskCommitment r) {
    s.postRiskRoot(
        epoch,
        r.riskRoot(),
        OracleSigner.signSorted(
            oracles.subList(0, 2),
            OracleSigner.riskRootDigest(AnvilNode.CHAIN_ID, settlement, epoch, r.riskRoot())));
  }

  /** Submits through the service's handler (the same code path as over gRPC). */
  static io.zkmargin.api.v1.SubmitTransitionResponse submit(
      OperatorServiceImpl service, io.zkmargin.api.v1.SubmitTransitionRequest req) {
    List<io.zkmargin.api.v1.SubmitTransitionResponse> got = new ArrayList<>();
    List<Throwable> err = new ArrayList<>();
    service.submitTransition(
        req,
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(io.zkmargin.api.v1.SubmitTransitionResponse v) {
            got.add(v);
          }

          @Override
          public void onError(Throwable t) {
            err.add(t);
          }

          @Override
          public void onCompleted() {}
        });
    assertTrue(err.isEmpty(), () -> "refused: " + err);
    return got.get(0);
  }

  static void register(
      Web3j web3, Credentials who, String settlement, String abi, EdwardsKeyPair k, long amount) {
    new SettlementClient(web3, who, AnvilNode.CHAIN_ID, settlement, abi)
        .registerAccount(k.publicKey().x(), k.publicKey().y(), amount);
  }

  static void awaitFinalized(Sequencer seq, long batch) {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
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

  private static void rpc(AnvilNode node, String method, List<?> params) {
    try {
      Response<?> r =
          new Request<>(method, params, new HttpService(node.rpcUrl()), VoidResponse.class).send();
      assertFalse(r.hasError(), () -> method + ": " + r.getError().getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deterministic secp256k1 keys (development only). */
  static List<ECKeyPair> keys(int n, int seed) {
    List<ECKeyPair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(ECKeyPair.create(BigInteger.valueOf(1_000_003L * (seed + i) + 17)));
    }
    return out;
  }
}
