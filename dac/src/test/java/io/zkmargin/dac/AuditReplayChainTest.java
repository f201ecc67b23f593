package io.zkmargin.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.chain.AnvilNode;
import io.zkmargin.chain.ChainToolchain;
import io.zkmargin.chain.OracleSigner;
import io.zkmargin.chain.QuoteTokenClient;
import io.zkmargin.chain.SettlementClient;
import io.zkmargin.chain.SolidityCompiler;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.ledger.BatchWitness;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofEncoding;
import io.zkmargin.prover.BatchProver;
import io.zkmargin.prover.KeyStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;

/**
 * End to end on anvil: a Settlement with the REAL batch verifier exported from the test key store's
 * batch key, a 2-of-3 committee of real members, deposits queued on chain, two ledger batches
 * proven with gnark through JNI, signed by the committee (DacClient) and finalized through
 * SettlementClient; then the auditor reads the chain, fetches the data from a member and replays
 * it: every batch agrees (proofs checked by the chain's verifier and natively). Batch data that
 * does not match the chain is named at its batch and check.
 */
class AuditReplayChainTest {
  private static final Credentials ADMIN = Credentials.create(AnvilNode.DEV_KEY_0);
  private static final Credentials OPERATOR = Credentials.create(AnvilNode.DEV_KEY_1);
  private static final String HEALTH = "health-D6-I3-P2-A2-S4-T2";
  private static final String BATCH =
      BatchWitness.circuitId(DacFixtures.CONFIG, DacFixtures.N, DacFixtures.R);
  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  private static AnvilNode node;
  private static Web3j web3;
  private static KeyStore keys;
  private static final List<DacServer> members = new ArrayList<>();
  private static String settlement;
  private static DacFixtures fx;

  @BeforeAll
  static void finalizeTwoBatchesOnChain() throws Exception {
    keys = KeyStore.openDefault(true);
    keys.ensureKeys(BATCH);
    ChainToolchain tc = ChainToolchain.locate().ensureInstalled();
    Path tmp = Files.createTempDirectory("zkm-dac-audit");
    node = AnvilNode.start(tc, tmp.resolve("anvil.log"), false, Duration.ofSeconds(30));
    web3 = SettlementClient.connect(node.rpcUrl());
    String batchUnit = "src/verifiers/" + BATCH + ".sol";
    String healthUnit = "src/verifiers/" + HEALTH + ".sol";
    Map<String, SolidityCompiler.Contract> c =
        new SolidityCompiler(tc)
            .compile(
                Map.of(
                    "src/Settlement.sol",
                    tc.source("src/Settlement.sol"),
                    "src/IHealthVerifier.sol",
                    tc.source("src/IHealthVerifier.sol"),
                    "src/QuoteToken.sol",
                    tc.source("src/QuoteToken.sol"),
                    healthUnit,
                    tc.source(healthUnit),
                    batchUnit,
                    Gnark.exportSolidity(keys.verifyingKey(BATCH))));
    String batchVerifier = deployRaw(c.get(batchUnit + ":Verifier").bytecode());
    SecureRandom rnd = SecureRandom.getInstance("SHA1PRNG");
    rnd.setSeed(7);
    List<ECKeyPair> oracles = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      oracles.add(Keys.createEcKeyPair(rnd));
    }
    fx = new DacFixtures(Numeric.toBigInt(ADMIN.getAddress()));
    SolidityCompiler.Contract st = c.get("src/Settlement.sol:Settlement");
    SettlementClient.Deployment d =
        SettlementClient.deploy(
            web3,
            ADMIN,
            AnvilNode.CHAIN_ID,
            c.get(healthUnit + ":Verifier"),
            st,
            c.get("src/QuoteToken.sol:QuoteToken"),
            null,
            batchVerifier,
            OPERATOR.getAddress(),
            oracles.stream().map(OracleSigner::address).toList(),
            2,
            16,
            4,
            86_400,
            SettlementClient.Genesis.ofTree(fx.genesis.root(), fx.genesis.accountCount(), 6));
    settlement = d.settlement();
    SettlementClient admin =
        new SettlementClient(web3, ADMIN, AnvilNode.CHAIN_ID, settlement, st.abiJson());
    SettlementClient operator =
        new SettlementClient(web3, OPERATOR, AnvilNode.CHAIN_ID, settlement, st.abiJson());

    for (int i = 0; i < 3; i++) {
      members.add(
          DacServer.start(
              tmp.resolve("m" + i), fx.genesis, AnvilNode.CHAIN_ID, settlement, 0, QUIET));
    }
    admin.setCommittee(members.stream().map(m -> m.member().signer()).toList(), 2);
    BigInteger riskRoot = DacFixtures.risk().riskRoot();
    admin.postRiskRoot(
        1,
        riskRoot,
        OracleSigner.signSorted(
            oracles.subList(0, 2),
            OracleSigner.riskRootDigest(AnvilNode.CHAIN_ID, settlement, 1, riskRoot)));

    // the deposit queue batch 1 consumes: account 3 registered with account 1's key, 10 USDC to 1
    QuoteTokenClient token =
        new QuoteTokenClient(web3, ADMIN, AnvilNode.CHAIN_ID, d.quoteToken(), "[]");
    token.mint(ADMIN.getAddress(), BigInteger.valueOf(100 * DacFixtures.USDC));
    token.approve(settlement, BigInteger.valueOf(100 * DacFixtures.USDC));
    EdwardsKeyPair k1 = DacFixtures.key(1);
    admin.registerAccount(k1.publicKey().x(), k1.publicKey().y(), 5 * DacFixtures.USDC);
    admin.deposit(1, 10 * DacFixtures.USDC);

    List<String> eps = members.stream().map(DacServer::target).toList();
    finalize(operator, eps, 1, fx.batch1, fx.json1, 2, List.of());
    finalize(
        operator,
        eps,
        2,
        fx.batch2,
        fx.json2,
        0,
        List.of(
            new SettlementClient.Withdrawal(
                String.format(Locale.ROOT, "0x%040x", DacFixtures.PAYEE), 20 * DacFixtures.USDC)));
    assertEquals(2, admin.batchNumber());
    assertEquals(fx.batch2.newRoot(), admin.stateRoot());
  }

  private static void finalize(
      SettlementClient operator,
      List<String> eps,
      long n,
      BatchWitness w,
      String json,
      long deposits,
      List<SettlementClient.Withdrawal> withdrawals)
      throws Exception {
    BatchProver.Proved p =
        new BatchProver(keys)
            .prove(BATCH, json.getBytes(StandardCharsets.UTF_8), Arrays.asList(w.publicInputs()));
    DacClient.Collected sigs = DacClient.collect(eps, 2, n, json);
    BigInteger[] in = w.publicInputs();
    operator.finalizeBatch(
        new SettlementClient.BatchHeader(
            in[0], in[1], in[2], deposits, in[5], in[6], in[7].longValueExact()),
        withdrawals,
        sigs.signatures(),
        ProofEncoding.points(p.proof().proof()));
  }

  private static String deployRaw(byte[] bytecode) throws Exception {
    RawTransactionManager tm = new RawTransactionManager(web3, ADMIN, AnvilNode.CHAIN_ID);
    EthSendTransaction sent =
        tm.sendTransaction(
            web3.ethGasPrice().send().getGasPrice(),
            BigInteger.valueOf(10_000_000),
            null,
            Numeric.toHexString(bytecode),
            BigInteger.ZERO,
            true);
    TransactionReceipt r =
        new PollingTransactionReceiptProcessor(web3, 50, 2400)
            .waitForTransactionReceipt(sent.getTransactionHash());
    assertTrue(r.isStatusOK());
    return r.getContractAddress();
  }

  @AfterAll
  static void stop() {
    members.forEach(DacServer::close);
    if (web3 != null) {
      web3.shutdown();
    }
    if (node != null) {
      node.close();
    }
    if (keys != null) {
      keys.close();
    }
  }

  @Test
  void theAuditorReplaysTheChainFromADacMember() throws Exception {
    ChainBatches.View chain = ChainBatches.read(web3, settlement);
    assertEquals(fx.genesis.root(), chain.genesisRoot());
    assertEquals(2, chain.batches().size());
    assertEquals(2, chain.batches().get(0).deposits());
    assertEquals(1, chain.batches().get(1).withdrawals().size());
    try (DacClient c = DacClient.connect(members.get(1).endpoint())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AuditReplay.Verdict v =
          AuditReplay.run(
              c.genesis(),
              chain,
              c::batch,
              (proof, inputs, id) ->
                  ChainBatches.verifyOnChain(web3, chain.batchVerifier(), proof, inputs),
              new PrintStream(out, true, StandardCharsets.UTF_8));
      String text = out.toString(StandardCharsets.UTF_8);
      System.out.print(text);
      assertTrue(v.ok(), text);
      assertEquals(2, v.batches());
      assertTrue(text.contains("batch 1: OK") && text.contains("batch 2: OK"), text);
      assertTrue(text.contains("AUDIT OK"), text);

      // natively, with the key store's verifying key
      AuditReplay.Verdict nat =
          AuditReplay.run(
              c.genesis(),
              chain,
              c::batch,
              (proof, inputs, id) ->
                  Gnark.verify(
                      keys.verifyingKey(id),
                      Arrays.copyOf(proof, ProofEncoding.PROOF_BYTES),
                      Arrays.stream(inputs).map(BigInteger::toString).toList()),
              QUIET);
      assertTrue(nat.ok());

      // a proof that does not verify against the chain's inputs is named
      AuditReplay.Verdict badProof =
          AuditReplay.run(c.genesis(), chain, c::batch, (proof, inputs, id) -> false, QUIET);
      assertFalse(badProof.ok());
      assertEquals(1, badProof.failedBatch());
      assertEquals("PROOF", badProof.check());

      // batch data the chain did not finalize (a slot changed, its dataHash recomputed)
      byte[] forged =
          DacFixtures.edit(fx.json2, DacFixtures.slotField(1, "amount", "4000000"), true);
      AuditReplay.Verdict v2 =
          AuditReplay.run(
              c.genesis(),
              chain,
              n -> n == 2 ? forged : c.batch(n),
              (proof, inputs, id) -> true,
              QUIET);
      assertFalse(v2.ok());
      assertEquals(2, v2.failedBatch());
      assertEquals("dataHash", v2.check());
    }
  }
}
