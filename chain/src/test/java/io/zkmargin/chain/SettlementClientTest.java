package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.utils.Numeric;

/**
 * The chain client against a real anvil node: deployment, EIP-712 risk-root signatures (Java digest
 * equals the contract's), the 2-of-3 quorum and its failure modes, operator-only settlement, and
 * named reverts. The verifier here is a contract that rejects every proof; real proofs are in
 * {@link HealthProofOnChainTest}.
 */
class SettlementClientTest {

  private static final String REJECT_ALL =
      """
      // SPDX-License-Identifier: MIT
      pragma solidity ^0.8.24;
      contract RejectAll {
          error ProofInvalid();
          function verifyProof(bytes calldata, uint256[3] calldata) external pure { revert ProofInvalid(); }
      }
      """;

  private static AnvilNode node;
  private static Web3j web3;
  private static Map<String, SolidityCompiler.Contract> compiled;
  private static final Credentials ADMIN = Credentials.create(AnvilNode.DEV_KEY_0);
  private static final Credentials OPERATOR = Credentials.create(AnvilNode.DEV_KEY_1);
  private static final List<ECKeyPair> ORACLES = new ArrayList<>();

  private static final long MAX_AGE = 600;

  private SettlementClient admin;
  private SettlementClient operator;

  @BeforeAll
  static void startNode() throws Exception {
    ChainToolchain tc = ChainToolchain.locate().ensureInstalled();
    Path log = Files.createTempDirectory("zkm-anvil").resolve("anvil.log");
    node = AnvilNode.start(tc, log, false, Duration.ofSeconds(30));
    web3 = SettlementClient.connect(node.rpcUrl());
    compiled =
        new SolidityCompiler(tc)
            .compile(
                Map.of(
                    "src/Settlement.sol", tc.source("src/Settlement.sol"),
                    "src/IHealthVerifier.sol", tc.source("src/IHealthVerifier.sol"),
                    "test/RejectAll.sol", REJECT_ALL));
    SecureRandom rnd = SecureRandom.getInstance("SHA1PRNG");
    rnd.setSeed(42);
    for (int i = 0; i < 3; i++) {
      ORACLES.add(Keys.createEcKeyPair(rnd));
    }
  }

  @AfterAll
  static void stopNode() {
    if (web3 != null) {
      web3.shutdown();
    }
    if (node != null) {
      node.close();
    }
  }

  @BeforeEach
  void deploy() {
    SolidityCompiler.Contract settlement = compiled.get("src/Settlement.sol:Settlement");
    SettlementClient.Deployment d =
        SettlementClient.deploy(
            web3,
            ADMIN,
            AnvilNode.CHAIN_ID,
            compiled.get("test/RejectAll.sol:RejectAll"),
            settlement,
            OPERATOR.getAddress(),
            ORACLES.stream().map(OracleSigner::address).toList(),
            2,
            2,
            2,
            MAX_AGE);
    admin =
        new SettlementClient(web3, ADMIN, AnvilNode.CHAIN_ID, d.settlement(), settlement.abiJson());
    operator =
        new SettlementClient(
            web3, OPERATOR, AnvilNode.CHAIN_ID, d.settlement(), settlement.abiJson());
    assertTrue(admin.isDeployed());
  }

  private byte[] sigs(long epoch, BigInteger root, List<ECKeyPair> keys) {
    return OracleSigner.signSorted(
        keys, OracleSigner.riskRootDigest(AnvilNode.CHAIN_ID, admin.address(), epoch, root));
  }

  @Test
  void javaDigestEqualsContractDigest() {
    BigInteger root = new BigInteger("1234567890123456789012345678901234567890");
    assertArrayEquals(
        admin.riskRootDigest(7, root),
        OracleSigner.riskRootDigest(AnvilNode.CHAIN_ID, admin.address(), 7, root));
  }

  @Test
  void postsRiskRootWithTwoOfThreeSignatures() {
    BigInteger root = BigInteger.valueOf(777);
    SettlementClient.TxResult tx =
        admin.postRiskRoot(3, root, sigs(3, root, ORACLES.subList(0, 2)));
    assertTrue(tx.gasUsed() > 21_000 && tx.gasUsed() < 200_000, "gas " + tx.gasUsed());
    assertEquals(3, admin.latestRiskEpoch());
    assertEquals(1, admin.riskRootCount());
    assertTrue(admin.riskRootUsable(root));
    assertFalse(admin.riskRootUsable(BigInteger.valueOf(778)));
  }

  @Test
  void rejectsShortUnsortedDuplicatedAndReplayed() {
    BigInteger root = BigInteger.valueOf(99);
    ChainException shortSet =
        assertThrows(
            ChainException.class,
            () -> admin.postRiskRoot(1, root, sigs(1, root, ORACLES.subList(0, 1))));
    assertEquals("QuorumNotReached", shortSet.errorName(), shortSet.getMessage());

    byte[] digest = OracleSigner.riskRootDigest(AnvilNode.CHAIN_ID, admin.address(), 1, root);
    List<ECKeyPair> byAddress = new ArrayList<>(ORACLES);
    byAddress.sort(Comparator.comparing(k -> Numeric.toBigInt(Keys.getAddress(k))));
    byte[] unsorted =
        concat(
            OracleSigner.signature(byAddress.get(1), digest),
            OracleSigner.signature(byAddress.get(0), digest));
    assertEquals(
        "SignersNotSorted",
        assertThrows(ChainException.class, () -> admin.postRiskRoot(1, root, unsorted))
            .errorName());
    byte[] dup =
        concat(
            OracleSigner.signature(byAddress.get(0), digest),
            OracleSigner.signature(byAddress.get(0), digest));
    assertEquals(
        "DuplicateSigner",
        assertThrows(ChainException.class, () -> admin.postRiskRoot(1, root, dup)).errorName());

    byte[] good = sigs(1, root, ORACLES.subList(1, 3));
    admin.postRiskRoot(1, root, good);
    ChainException replay =
        assertThrows(ChainException.class, () -> admin.postRiskRoot(1, root, good));
    assertEquals("StaleEpoch", replay.errorName());
    assertTrue(replay.getMessage().contains("StaleEpoch(1, 1)"), replay.getMessage());
  }

  @Test
  void settlesStateRootsAsOperatorOnly() {
    ChainException wrongCaller =
        assertThrows(ChainException.class, () -> admin.setStateRoot(1, BigInteger.TEN));
    assertEquals("NotOperator", wrongCaller.errorName());
    operator.setStateRoot(1, BigInteger.TEN);
    assertEquals(BigInteger.TEN, admin.stateRoot());
    assertEquals(1, admin.batchNumber());
    assertEquals(1, admin.stateRootBatch(BigInteger.TEN));
    assertEquals(
        "UnexpectedBatch",
        assertThrows(ChainException.class, () -> operator.setStateRoot(1, BigInteger.TWO))
            .errorName());
  }

  @Test
  void healthStatusNamesTheFirstFailingRule() {
    BigInteger state = BigInteger.valueOf(5);
    BigInteger risk = BigInteger.valueOf(6);
    HealthClaim claim = new HealthClaim(new byte[256], state, risk, 3, 12_000, 10_000);
    assertEquals(SettlementClient.HealthStatus.STATE_ROOT_UNKNOWN, admin.healthStatus(claim));
    operator.setStateRoot(1, state);
    assertEquals(SettlementClient.HealthStatus.RISK_ROOT_UNKNOWN, admin.healthStatus(claim));
    admin.postRiskRoot(1, risk, sigs(1, risk, ORACLES));
    assertEquals(SettlementClient.HealthStatus.PROOF_INVALID, admin.healthStatus(claim));
    assertFalse(admin.verifyHealth(claim));
    assertEquals(
        SettlementClient.HealthStatus.THRESHOLD_BELOW_MINIMUM,
        admin.healthStatus(new HealthClaim(new byte[256], state, risk, 3, 9_999, 10_000)));
    // the risk root's maximum age, on the node's clock: usable at MAX_AGE seconds, too old one
    // second later
    long posted = admin.riskRootPostedAt(risk);
    assertTrue(posted > 0, "posting time stored");
    mineAt(posted + MAX_AGE);
    assertTrue(admin.riskRootUsable(risk), "usable at the maximum age");
    assertEquals(SettlementClient.HealthStatus.PROOF_INVALID, admin.healthStatus(claim));
    mineAt(posted + MAX_AGE + 1);
    assertFalse(admin.riskRootUsable(risk), "too old");
    assertEquals(SettlementClient.HealthStatus.RISK_ROOT_TOO_OLD, admin.healthStatus(claim));
  }

  @Test
  void refusesHugeEpochJumpAndDeploysWithMaxAge() {
    BigInteger root = BigInteger.valueOf(41);
    long tooFar = (1L << 32) + 1; // the first posting counts from epoch 0
    byte[] farSigs = sigs(tooFar, root, ORACLES);
    ChainException huge =
        assertThrows(ChainException.class, () -> admin.postRiskRoot(tooFar, root, farSigs));
    assertEquals("EpochJumpTooLarge", huge.errorName(), huge.getMessage());
    admin.postRiskRoot(1L << 32, root, sigs(1L << 32, root, ORACLES));
    assertEquals(1L << 32, admin.latestRiskEpoch());
  }

  /** Mines a block with this timestamp (anvil's evm_mine with a timestamp), seconds. */
  private static void mineAt(long timestamp) {
    try {
      org.web3j.protocol.core.Response<?> r =
          new org.web3j.protocol.core.Request<>(
                  "evm_mine",
                  List.of(timestamp),
                  new org.web3j.protocol.http.HttpService(node.rpcUrl()),
                  org.web3j.protocol.core.methods.response.VoidResponse.class)
              .send();
      assertFalse(r.hasError(), () -> "evm_mine: " + r.getError().getMessage());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
