package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;

/**
 * End to end: a real anvil node on a free loopback port, gnark's verifier exported from the
 * circuit's verifying key and the Settlement contract deployed, the state root settled by the
 * operator, the risk root posted with 2 of 3 oracle signatures, an account's health proved through
 * the native prover; the contract accepts the proof and rejects a tampered one, a changed public
 * input and a too-low threshold.
 */
class HealthProofOnChainTest {

  @Test
  void contractAcceptsRealProofAndRejectsTamperedOne() throws Exception {
    long t0 = System.nanoTime();
    try (KeyStore keys = KeyStore.openDefault()) {
      CommittedVenue venue = new CommittedVenue(TestVenues.small());
      String circuitId = venue.venue().sizes().healthCircuitId();
      ProofFile proof =
          new HealthProver(keys).prove(venue, TestVenues.HEALTHY_ACCOUNT, 20_000).proof();
      long tProved = System.nanoTime();

      ChainToolchain tc = ChainToolchain.locate().ensureInstalled();
      ChainContracts contracts =
          ChainContracts.compile(tc, circuitId, Gnark.exportSolidity(keys.verifyingKey(circuitId)));
      Path log = Files.createTempDirectory("zkm-e2e").resolve("anvil.log");
      try (AnvilNode node = AnvilNode.start(tc, log, false, Duration.ofSeconds(30))) {
        Web3j web3 = SettlementClient.connect(node.rpcUrl());
        try {
          SecureRandom rnd = SecureRandom.getInstance("SHA1PRNG");
          rnd.setSeed(7);
          List<ECKeyPair> oracles = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            oracles.add(Keys.createEcKeyPair(rnd));
          }
          Credentials admin = Credentials.create(AnvilNode.DEV_KEY_0);
          Credentials operatorKey = Credentials.create(AnvilNode.DEV_KEY_1);
          SettlementClient.Deployment d =
              SettlementClient.deploy(
                  web3,
                  admin,
                  AnvilNode.CHAIN_ID,
                  contracts.verifier(),
                  contracts.settlement(),
                  contracts.quoteToken(),
                  null,
                  null,
                  operatorKey.getAddress(),
                  oracles.stream().map(OracleSigner::address).toList(),
                  2,
                  4,
                  4,
                  3600,
                  SettlementClient.Genesis.ofTree(
                      venue.stateRoot(),
                      venue.venue().accounts().lastKey() + 1,
                      venue.venue().sizes().stateDepth()));
          SettlementClient operator =
              new SettlementClient(
                  web3,
                  operatorKey,
                  AnvilNode.CHAIN_ID,
                  d.settlement(),
                  contracts.settlement().abiJson());
          assertEquals(0, operator.stateRootBatch(venue.stateRoot()), "genesis root is batch 0");
          byte[] sigs =
              OracleSigner.signSorted(
                  oracles.subList(1, 3),
                  OracleSigner.riskRootDigest(
                      AnvilNode.CHAIN_ID, d.settlement(), TestVenues.EPOCH, venue.riskRoot()));
          SettlementClient.TxResult posted =
              operator.postRiskRoot(TestVenues.EPOCH, venue.riskRoot(), sigs);

          HealthClaim claim = HealthClaim.of(proof, 15_000);
          assertEquals(SettlementClient.HealthStatus.VALID, operator.healthStatus(claim));
          assertTrue(operator.verifyHealth(claim));
          long gas = operator.estimateVerifyHealthGas(claim);
          assertTrue(gas < 300_000, "verifyHealth gas " + gas);

          byte[] tampered = claim.solidityProof();
          tampered[100] ^= 0x01;
          HealthClaim bad =
              new HealthClaim(
                  tampered,
                  claim.stateRoot(),
                  claim.riskRoot(),
                  claim.accountId(),
                  claim.thresholdBps(),
                  claim.minThresholdBps());
          assertFalse(operator.verifyHealth(bad));
          assertEquals(SettlementClient.HealthStatus.PROOF_INVALID, operator.healthStatus(bad));

          HealthClaim otherThreshold =
              new HealthClaim(
                  claim.solidityProof(),
                  claim.stateRoot(),
                  claim.riskRoot(),
                  claim.accountId(),
                  claim.thresholdBps() + 1,
                  0);
          assertEquals(
              SettlementClient.HealthStatus.PROOF_INVALID, operator.healthStatus(otherThreshold));
          HealthClaim otherAccount =
              new HealthClaim(
                  claim.solidityProof(),
                  claim.stateRoot(),
                  claim.riskRoot(),
                  9,
                  claim.thresholdBps(),
                  0);
          assertFalse(operator.verifyHealth(otherAccount));
          assertEquals(
              SettlementClient.HealthStatus.THRESHOLD_BELOW_MINIMUM,
              operator.healthStatus(HealthClaim.of(proof, 20_001)));
          HealthClaim unsettled =
              new HealthClaim(
                  claim.solidityProof(),
                  claim.stateRoot().add(BigInteger.ONE),
                  claim.riskRoot(),
                  claim.accountId(),
                  claim.thresholdBps(),
                  0);
          assertEquals(
              SettlementClient.HealthStatus.STATE_ROOT_UNKNOWN, operator.healthStatus(unsettled));

          System.out.printf(
              "chain e2e: verifyHealth gas %d (estimateGas, incl. 21000 intrinsic), postRiskRoot 2-of-3 gas %d,"
                  + " verifier deploy gas %d, settlement deploy gas %d (genesis root in the constructor); prove %.2f s, total %.2f s%n",
              gas,
              posted.gasUsed(),
              d.verifierGas(),
              d.settlementGas(),
              (tProved - t0) / 1e9,
              (System.nanoTime() - t0) / 1e9);
        } finally {
          web3.shutdown();
        }
      }
    }
  }
}
