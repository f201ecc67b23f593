package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.VenueStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code chain up / verify --on-chain / chain down} on a data directory: a detached node is started and its
 * process id saved, a second {@code up} reuses the node and contracts, a proof made from the directory verifies
 * on-chain, a tampered one does not, and {@code down} stops the node.
 */
class LocalChainTest {

  @Test
  void upVerifyReuseDown() throws Exception {
    Path dir = Files.createTempDirectory("zkm-chain");
    ChainToolchain tc = ChainToolchain.locate();
    VenueStore.save(dir, TestVenues.small());
    try (KeyStore keys = KeyStore.openDefault()) {
      PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
      LocalChain.UpReport first = LocalChain.up(dir, keys, tc, quiet);
      try {
        assertTrue(first.startedNode() && first.deployed());
        assertTrue(first.stateRootGas() > 0 && first.riskRootGas() > 0);
        assertTrue(AnvilNode.isAnvilProcess(first.state().pid()), "pid saved in chain.json is the anvil node");
        assertEquals(List.of(0, 1, 2).size(), first.state().oracles().size());

        LocalChain.UpReport second = LocalChain.up(dir, keys, tc, quiet);
        assertFalse(second.startedNode(), "a live node is reused");
        assertFalse(second.deployed(), "its contracts are reused");
        assertEquals(first.state().settlement(), second.state().settlement());
        assertEquals(-1, second.stateRootGas());
        assertEquals(-1, second.riskRootGas());

        ProofFile proof = new HealthProver(keys).prove(new CommittedVenue(VenueStore.load(dir)),
            TestVenues.HEALTHY_ACCOUNT, 12_500).proof();
        LocalChain.OnChainVerdict ok = LocalChain.verify(dir, proof, -1, tc);
        assertTrue(ok.valid(), ok.message());
        assertTrue(ok.gas() > 21_000 && ok.gas() < 300_000, "gas " + ok.gas());

        byte[] raw = proof.proof();
        raw[40] ^= 0x04;
        ProofFile tampered = new ProofFile(proof.circuitId(), proof.verifyingKeyHash(), proof.publicInputs(), raw);
        LocalChain.OnChainVerdict bad = LocalChain.verify(dir, tampered, -1, tc);
        assertFalse(bad.valid());
        assertEquals(SettlementClient.HealthStatus.PROOF_INVALID, bad.status());
        LocalChain.OnChainVerdict strict = LocalChain.verify(dir, proof, 12_501, tc);
        assertEquals(SettlementClient.HealthStatus.THRESHOLD_BELOW_MINIMUM, strict.status());
      } finally {
        assertTrue(LocalChain.down(dir), "down stops the node");
      }
      assertFalse(AnvilNode.isAnvilProcess(first.state().pid()));
      assertFalse(Files.exists(dir.resolve(LocalChain.STATE_FILE)));
    }
  }
}
