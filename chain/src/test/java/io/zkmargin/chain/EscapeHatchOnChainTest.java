package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.prover.ExitProver;
import io.zkmargin.prover.ProofFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * The escape path on a real anvil node with the REAL exit proofs of test-vectors/chain/ (written by
 * {@code go run ./circuits/exit/exitvector}): a Settlement whose genesis root is the vectors' state
 * root (3 accounts) holding their payouts, the vectors' risk root posted by 2 of 3 oracles, the
 * EscapeHatch with the checked-in exit and liquidation verifiers; a forced withdrawal nobody
 * honours, freeze refused before the grace period, anvil's clock moved past it ({@code
 * evm_increaseTime}), freeze, and the three accounts exit and receive exactly their payouts.
 */
class EscapeHatchOnChainTest {

  private static final long GRACE = 3600;

  @Test
  void forcedWithdrawalDeadlineFreezeThreeExits() throws Exception {
    ChainToolchain tc = ChainToolchain.locate().ensureInstalled();
    Path vectors = tc.contractsDir().getParent().resolve("test-vectors/chain");
    List<ProofFile> exits = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      exits.add(ProofFile.read(vectors.resolve("exit-proof-" + k + ".json")));
    }
    ProofFile liq = ProofFile.read(vectors.resolve("liquidation-proof.json"));
    BigInteger stateRoot = exits.get(0).publicInputs().get(0);
    BigInteger riskRoot = exits.get(0).publicInputs().get(1);
    BigInteger total = BigInteger.ZERO;
    for (ProofFile p : exits) {
      total = total.add(p.publicInputs().get(3));
    }

    String healthId = "health-D6-I3-P2-A2-S4-T2";
    ChainContracts contracts =
        ChainContracts.compile(tc, healthId, tc.source("src/verifiers/" + healthId + ".sol"));
    Map<String, SolidityCompiler.Contract> escape =
        EscapeHatchClient.compile(tc, exits.get(0).circuitId(), liq.circuitId());
    Path log = Files.createTempDirectory("zkm-escape").resolve("anvil.log");
    try (AnvilNode node = AnvilNode.start(tc, log, false, Duration.ofSeconds(30))) {
      Web3j web3 = SettlementClient.connect(node.rpcUrl());
      try {
        SecureRandom rnd = SecureRandom.getInstance("SHA1PRNG");
        rnd.setSeed(11);
        List<ECKeyPair> oracles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          oracles.add(Keys.createEcKeyPair(rnd));
        }
        Credentials admin = Credentials.create(AnvilNode.DEV_KEY_0);
        Credentials user = Credentials.create(AnvilNode.DEV_KEY_1);
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
                admin.getAddress(),
                oracles.stream().map(OracleSigner::address).toList(),
                2,
                4,
                4,
                86_400,
                SettlementClient.Genesis.ofTree(stateRoot, 3, 6));
        SettlementClient settlement =
            new SettlementClient(
                web3, admin, AnvilNode.CHAIN_ID, d.settlement(), contracts.settlement().abiJson());
        byte[] digest =
            OracleSigner.riskRootDigest(AnvilNode.CHAIN_ID, d.settlement(), 1, riskRoot);
        settlement.postRiskRoot(
            1, riskRoot, OracleSigner.signSorted(oracles.subList(0, 2), digest));
        String hatchAddr =
            EscapeHatchClient.deploy(
                web3, admin, AnvilNode.CHAIN_ID, escape, d.settlement(), GRACE);
        settlement.setEscapeHatch(hatchAddr);
        assertEquals(hatchAddr.toLowerCase(), settlement.escapeHatch().toLowerCase());
        QuoteTokenClient token =
            new QuoteTokenClient(
                web3, admin, AnvilNode.CHAIN_ID, d.quoteToken(), contracts.quoteToken().abiJson());
        token.mint(d.settlement(), total);
        String[] abis = {escape.get("hatch").abiJson(), contracts.settlement().abiJson()};
        EscapeHatchClient asUser =
            new EscapeHatchClient(web3, user, AnvilNode.CHAIN_ID, hatchAddr, abis);
        EscapeHatchClient anyone =
            new EscapeHatchClient(web3, admin, AnvilNode.CHAIN_ID, hatchAddr, abis);

        // exit before the freeze is refused by name
        ProofFile e0 = exits.get(0);
        ChainException early =
            assertThrows(
                ChainException.class,
                () ->
                    anyone.exit(
                        0,
                        address(ExitProver.addressOf(e0.publicInputs().get(2))),
                        e0.publicInputs().get(3),
                        sol(e0)));
        assertEquals("NotFrozen", early.errorName(), early.getMessage());

        long startBlock = web3.ethBlockNumber().send().getBlockNumber().longValueExact();
        SettlementClient.TxResult fw = asUser.requestForcedWithdrawal(1, 1_000_000);
        ChainException tooEarly = assertThrows(ChainException.class, () -> anyone.freeze(1));
        assertEquals("NothingOverdue", tooEarly.errorName(), tooEarly.getMessage());
        assertFalse(anyone.isFrozen());
        // the request as the hatch holds it and as its event lists it (pending), by block range
        EscapeHatchClient.PendingRequest held = anyone.pendingForcedWithdrawal(1).orElseThrow();
        assertEquals(user.getAddress().toLowerCase(), held.requester());
        assertEquals(1_000_000, held.amount());
        assertEquals(held.deadline(), anyone.forcedWithdrawalDeadline(1));
        assertTrue(held.deadline() >= anyone.chainTime() + GRACE - 1, "deadline after the grace");
        assertTrue(anyone.pendingForcedWithdrawal(0).isEmpty());
        assertTrue(anyone.pendingLiquidation(1).isEmpty());
        List<EscapeHatchClient.ForcedWithdrawalRequest> events =
            anyone.forcedWithdrawalRequests(0, -1);
        assertEquals(1, events.size());
        EscapeHatchClient.ForcedWithdrawalRequest ev = events.get(0);
        assertEquals(1, ev.accountId());
        assertEquals(held.requester(), ev.requester());
        assertEquals(1_000_000, ev.amount());
        assertEquals(held.deadline(), ev.deadline());
        assertTrue(ev.pending());
        assertTrue(ev.blockNumber() > startBlock);
        assertEquals(events, anyone.forcedWithdrawalRequests(ev.blockNumber(), ev.blockNumber()));
        assertEquals(List.of(), anyone.forcedWithdrawalRequests(0, ev.blockNumber() - 1));

        rpc(node, "evm_increaseTime", List.of(GRACE + 1));
        rpc(node, "evm_mine", List.of());
        assertTrue(anyone.chainTime() > held.deadline(), "the chain's clock is past the deadline");
        SettlementClient.TxResult fz = anyone.freeze(1);
        assertTrue(anyone.isFrozen());
        assertTrue(settlement.isFrozen());
        assertEquals(stateRoot, anyone.exitStateRoot());
        assertEquals(riskRoot, anyone.exitRiskRoot());

        long exitGas = 0;
        for (int k = 0; k < 3; k++) {
          ProofFile p = exits.get(k);
          String to = address(ExitProver.addressOf(p.publicInputs().get(2)));
          BigInteger payout = p.publicInputs().get(3);
          BigInteger before = token.balanceOf(to);
          // the last one as ./zkm exit submits it: the proof file, the Settlement's hatch looked up
          EscapeHatchClient.ExitResult r =
              k < 2
                  ? anyone.exit(
                      ExitProver.accountOf(p.publicInputs().get(2)).longValueExact(),
                      to,
                      payout,
                      sol(p))
                  : EscapeHatchClient.exitWithProof(
                      web3, user, AnvilNode.CHAIN_ID, d.settlement(), p, k);
          assertEquals(1, r.exits().size());
          assertEquals(payout, r.exits().get(0).paid());
          assertEquals(payout, token.balanceOf(to).subtract(before), "received exactly the payout");
          assertTrue(anyone.exited(k));
          exitGas = Math.max(exitGas, r.tx().gasUsed());
        }
        assertEquals(BigInteger.ZERO, token.balanceOf(d.settlement()), "all paid out");
        ChainException twice =
            assertThrows(
                ChainException.class,
                () ->
                    anyone.exit(
                        0,
                        address(ExitProver.addressOf(e0.publicInputs().get(2))),
                        e0.publicInputs().get(3),
                        sol(e0)));
        assertEquals("AlreadyExited", twice.errorName(), twice.getMessage());
        ChainException twiceCli =
            assertThrows(
                ChainException.class,
                () ->
                    EscapeHatchClient.exitWithProof(
                        web3, user, AnvilNode.CHAIN_ID, d.settlement(), exits.get(1), 1));
        assertEquals("AlreadyExited", twiceCli.errorName(), twiceCli.getMessage());
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EscapeHatchClient.exitWithProof(
                    web3, user, AnvilNode.CHAIN_ID, d.settlement(), exits.get(1), 2));
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EscapeHatchClient.exitWithProof(
                    web3, user, AnvilNode.CHAIN_ID, d.settlement(), liq, 2));
        System.out.printf(
            "escape hatch on anvil (gas with the 21000 intrinsic): requestForcedWithdrawal %d,"
                + " freeze %d, exit (max of 3) %d%n",
            fw.gasUsed(), fz.gasUsed(), exitGas);
      } finally {
        web3.shutdown();
      }
    }
  }

  private static byte[] sol(ProofFile p) {
    return Arrays.copyOf(p.proof(), HealthClaim.SOLIDITY_PROOF_BYTES);
  }

  private static String address(BigInteger v) {
    return String.format("0x%040x", v);
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
}
