package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.commit.Poseidon2;
import io.zkmargin.ledger.RequestEntry;
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
 * The chain client against a real anvil node: deployment with a genesis root, EIP-712 risk-root
 * signatures (Java digest equals the contract's), the 2-of-3 quorum and its failure modes, the
 * deposit queue (real token moves; Solidity's Poseidon2 heads equal Java's), finalizeBatch's
 * encoding and its refusals by name, and named reverts. The health verifier here is a contract that
 * rejects every proof; real proofs are in {@link HealthProofOnChainTest}. No batch verifier is
 * deployed (the batch circuit's export does not exist yet): finalizeBatch is checked up to its
 * named {@code BatchVerifierNotSet} refusal, after every other check passed.
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
  private static final BigInteger GENESIS = BigInteger.valueOf(5);
  private static final long GENESIS_ACCOUNTS = 3;

  private String tokenAddress;

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
                    "src/QuoteToken.sol", tc.source("src/QuoteToken.sol"),
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
            compiled.get("src/QuoteToken.sol:QuoteToken"),
            null,
            null,
            OPERATOR.getAddress(),
            ORACLES.stream().map(OracleSigner::address).toList(),
            2,
            2,
            2,
            MAX_AGE,
            SettlementClient.Genesis.ofTree(GENESIS, GENESIS_ACCOUNTS, 6));
    tokenAddress = d.quoteToken();
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
  void genesisRootIsBatchZero() {
    assertEquals(GENESIS, admin.stateRoot());
    assertEquals(0, admin.batchNumber());
    assertEquals(0, admin.stateRootBatch(GENESIS));
    assertEquals(-1, admin.stateRootBatch(BigInteger.TEN), "never settled");
    assertEquals(GENESIS_ACCOUNTS, admin.nextAccountId());
    assertEquals(0, admin.depositCount());
    assertEquals(BigInteger.ZERO, admin.depositHead(0));
  }

  @Test
  void depositQueueHeadsEqualJavaPoseidon2() {
    Credentials user = OPERATOR; // any funded dev account
    QuoteTokenClient minter =
        new QuoteTokenClient(
            web3, ADMIN, AnvilNode.CHAIN_ID, tokenAddress, compiledAbi("QuoteToken"));
    minter.mint(user.getAddress(), BigInteger.valueOf(1_000_000));
    QuoteTokenClient userToken =
        new QuoteTokenClient(
            web3, user, AnvilNode.CHAIN_ID, tokenAddress, compiledAbi("QuoteToken"));
    userToken.approve(admin.address(), BigInteger.valueOf(1_000_000));
    BigInteger pkX = new BigInteger("1234567890123456789");
    BigInteger pkY = new BigInteger("9876543210987654321");
    long id = operator.nextAccountId();
    SettlementClient.TxResult reg = operator.registerAccount(pkX, pkY, 1_000);
    SettlementClient.TxResult dep = operator.deposit(1, 500);
    BigInteger depositor = Numeric.toBigInt(user.getAddress());
    BigInteger head1 =
        Poseidon2.compress(
            BigInteger.ZERO,
            Poseidon2.hashMD(
                BigInteger.valueOf(id), BigInteger.valueOf(1_000), pkX, pkY, depositor));
    BigInteger head2 =
        Poseidon2.compress(
            head1,
            Poseidon2.hashMD(
                BigInteger.ONE,
                BigInteger.valueOf(500),
                BigInteger.ZERO,
                BigInteger.ZERO,
                depositor));
    assertEquals(GENESIS_ACCOUNTS, id);
    assertEquals(id + 1, admin.nextAccountId());
    assertEquals(2, admin.depositCount());
    assertEquals(head1, admin.depositHead(1), "registration entry: Solidity head = Java head");
    assertEquals(head2, admin.depositHead(2), "deposit entry: Solidity head = Java head");
    assertEquals(BigInteger.valueOf(1_500), userToken.balanceOf(admin.address()), "tokens held");
    assertEquals(BigInteger.valueOf(998_500), userToken.balanceOf(user.getAddress()));
    System.out.printf(
        "chain deposit queue: registerAccount gas %d, deposit gas %d (incl. 21000 intrinsic)%n",
        reg.gasUsed(), dep.gasUsed());
    ChainException unknown = assertThrows(ChainException.class, () -> operator.deposit(id + 1, 5));
    assertEquals("UnknownAccount", unknown.errorName(), unknown.getMessage());
  }

  @Test
  void finalizeBatchRefusalsAreNamed() {
    BigInteger risk = BigInteger.valueOf(6);
    admin.postRiskRoot(1, risk, sigs(1, risk, ORACLES));
    long now = admin.riskRootPostedAt(risk);
    SettlementClient.BatchHeader h =
        new SettlementClient.BatchHeader(
            GENESIS, BigInteger.valueOf(77), risk, 0, BigInteger.ZERO, BigInteger.TEN, now);
    List<SettlementClient.Withdrawal> none = List.of();
    byte[] proof = new byte[256];
    assertEquals(
        "NotOperator",
        assertThrows(ChainException.class, () -> admin.finalizeBatch(h, none, new byte[0], proof))
            .errorName());
    SettlementClient.BatchHeader stale =
        new SettlementClient.BatchHeader(
            BigInteger.TWO, BigInteger.valueOf(77), risk, 0, BigInteger.ZERO, BigInteger.TEN, now);
    assertEquals(
        "StaleOldRoot",
        assertThrows(
                ChainException.class, () -> operator.finalizeBatch(stale, none, new byte[0], proof))
            .errorName());
    SettlementClient.BatchHeader unposted =
        new SettlementClient.BatchHeader(
            GENESIS,
            BigInteger.valueOf(77),
            risk.add(BigInteger.ONE),
            0,
            BigInteger.ZERO,
            BigInteger.TEN,
            now);
    assertEquals(
        "RiskRootUnknown",
        assertThrows(
                ChainException.class,
                () -> operator.finalizeBatch(unposted, none, new byte[0], proof))
            .errorName());
    List<SettlementClient.Withdrawal> one =
        List.of(new SettlementClient.Withdrawal(OPERATOR.getAddress(), 300));
    assertEquals(
        "WithdrawalsHashMismatch",
        assertThrows(ChainException.class, () -> operator.finalizeBatch(h, one, new byte[0], proof))
            .errorName());
    assertEquals(
        "NoSignerSet",
        assertThrows(
                ChainException.class, () -> operator.finalizeBatch(h, none, new byte[0], proof))
            .errorName());
    // a 1-of-3 committee of the oracle keys (any keys do): the signature passes, and the call
    // stops at the batch verifier, which this deployment does not have yet
    admin.setCommittee(ORACLES.stream().map(OracleSigner::address).toList(), 1);
    byte[] dac =
        OracleSigner.signature(ORACLES.get(0), admin.batchDataDigest(1, h.dataHash(), h.newRoot()));
    assertEquals(
        "BatchVerifierNotSet",
        assertThrows(ChainException.class, () -> operator.finalizeBatch(h, none, dac, proof))
            .errorName());
    // a request list of every kind is encoded as the contract decodes it: requestsHash runs over
    // it (an unknown kind would revert InvalidRequest) and the call again reaches the verifier
    List<RequestEntry> requests =
        List.of(
            new RequestEntry(RequestEntry.LIQUIDATION, 1, BigInteger.valueOf(0xCAFE), 0),
            new RequestEntry(RequestEntry.FORCED_PAID, 2, BigInteger.valueOf(0xB0B0), 5),
            new RequestEntry(RequestEntry.FORCED_REFUSED, 3, BigInteger.ONE.shiftLeft(159), 7));
    assertEquals(
        "BatchVerifierNotSet",
        assertThrows(
                ChainException.class, () -> operator.finalizeBatch(h, none, requests, dac, proof))
            .errorName());
    assertEquals(GENESIS, admin.stateRoot(), "nothing finalized");
  }

  private static String compiledAbi(String name) {
    return compiled.get("src/" + name + ".sol:" + name).abiJson();
  }

  @Test
  void healthStatusNamesTheFirstFailingRule() {
    BigInteger state = GENESIS;
    BigInteger risk = BigInteger.valueOf(6);
    HealthClaim unsettled = new HealthClaim(new byte[256], BigInteger.TEN, risk, 3, 12_000, 10_000);
    assertEquals(SettlementClient.HealthStatus.STATE_ROOT_UNKNOWN, admin.healthStatus(unsettled));
    HealthClaim claim = new HealthClaim(new byte[256], state, risk, 3, 12_000, 10_000);
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
