package io.zkmargin.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.VenueStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Keys;

/**
 * {@code chain up / verify --on-chain / chain down} on a data directory: a detached node is started
 * and its process id saved, a second {@code up} reuses the node and contracts, a proof made from
 * the directory verifies on-chain, a tampered one does not, and {@code down} stops the node.
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
        assertTrue(first.riskRootGas() > 0);
        assertEquals(0, first.batch(), "the venue's root is the genesis root, batch 0");
        assertTrue(
            AnvilNode.isAnvilProcess(first.state().pid()),
            "pid saved in chain.json is the anvil node");
        assertEquals(List.of(0, 1, 2).size(), first.state().oracles().size());
        assertEquals(0, first.state().ownerPid(), "chain up: a detached node");
        checksummedAddressesInStateFile(dir, first.state());

        LocalChain.UpReport second = LocalChain.up(dir, keys, tc, quiet);
        assertFalse(second.startedNode(), "a live node is reused");
        assertFalse(second.deployed(), "its contracts are reused");
        assertEquals(first.state().settlement(), second.state().settlement());
        assertEquals(-1, second.riskRootGas());

        ProofFile proof =
            new HealthProver(keys)
                .prove(new CommittedVenue(VenueStore.load(dir)), TestVenues.HEALTHY_ACCOUNT, 12_500)
                .proof();
        LocalChain.OnChainVerdict ok = LocalChain.verify(dir, proof, -1, tc);
        assertTrue(ok.valid(), ok.message());
        assertTrue(ok.gas() > 21_000 && ok.gas() < 300_000, "gas " + ok.gas());

        byte[] raw = proof.proof();
        raw[40] ^= 0x04;
        ProofFile tampered =
            new ProofFile(proof.circuitId(), proof.verifyingKeyHash(), proof.publicInputs(), raw);
        LocalChain.OnChainVerdict bad = LocalChain.verify(dir, tampered, -1, tc);
        assertFalse(bad.valid());
        assertEquals(SettlementClient.HealthStatus.PROOF_INVALID, bad.status());
        LocalChain.OnChainVerdict strict = LocalChain.verify(dir, proof, 12_501, tc);
        assertEquals(SettlementClient.HealthStatus.THRESHOLD_BELOW_MINIMUM, strict.status());

        // the last byte changed: the contract would see the same 256 bytes as the valid proof above
        // (VALID on
        // chain before), the offline verifier refuses it; the chain path now refuses it too
        byte[] lastByte = proof.proof();
        lastByte[lastByte.length - 1] ^= 0x01;
        assertArrayEquals(Arrays.copyOf(proof.proof(), 256), Arrays.copyOf(lastByte, 256));
        ProofFile tail =
            new ProofFile(
                proof.circuitId(), proof.verifyingKeyHash(), proof.publicInputs(), lastByte);
        IllegalArgumentException refused =
            assertThrows(
                IllegalArgumentException.class, () -> LocalChain.verify(dir, tail, -1, tc));
        assertTrue(refused.getMessage().contains("canonical"), refused.getMessage());
      } finally {
        assertTrue(LocalChain.down(dir), "down stops the node");
      }
      assertFalse(AnvilNode.isAnvilProcess(first.state().pid()));
      assertFalse(Files.exists(dir.resolve(LocalChain.STATE_FILE)));
    }
  }

  /**
   * chain.json holds EIP-55 checksummed addresses; reading accepts them all lower-case too, never a
   * bad checksum.
   */
  private static void checksummedAddressesInStateFile(Path dir, LocalChain.State state)
      throws Exception {
    Path file = dir.resolve(LocalChain.STATE_FILE);
    byte[] original = Files.readAllBytes(file);
    ObjectNode n = (ObjectNode) JSON.readTree(original);
    String settlement = n.get("settlement").asText();
    assertEquals(Keys.toChecksumAddress(settlement), settlement, "settlement checksummed");
    assertNotEquals(settlement.toLowerCase(Locale.ROOT), settlement, "not lower-case");
    assertEquals(
        Keys.toChecksumAddress(n.get("verifier").asText()),
        n.get("verifier").asText(),
        "verifier checksummed");
    n.get("oracles")
        .forEach(
            o ->
                assertEquals(Keys.toChecksumAddress(o.asText()), o.asText(), "oracle checksummed"));
    try {
      n.put("settlement", settlement.toLowerCase(Locale.ROOT));
      n.put("verifier", n.get("verifier").asText().toLowerCase(Locale.ROOT));
      Files.write(file, JSON.writeValueAsBytes(n));
      assertEquals(
          state,
          LocalChain.readState(dir).orElseThrow(),
          "lower-case addresses read as the same state");
      char[] c = settlement.toCharArray();
      for (int i = 2; i < c.length; i++) { // flip the case of the first letter: a wrong checksum
        if (Character.isLetter(c[i])) {
          c[i] =
              Character.isUpperCase(c[i])
                  ? Character.toLowerCase(c[i])
                  : Character.toUpperCase(c[i]);
          break;
        }
      }
      n.put("settlement", new String(c));
      Files.write(file, JSON.writeValueAsBytes(n));
      java.io.IOException bad =
          assertThrows(java.io.IOException.class, () -> LocalChain.readState(dir));
      assertTrue(bad.getMessage().contains("checksum"), bad.getMessage());
    } finally {
      Files.write(file, original);
    }
  }

  /**
   * A live anvil recorded in chain.json by an earlier run whose process is gone (a SIGKILLed serve)
   * is stopped with a message, not reused; one tied to a running process is left alone and refused.
   */
  @Test
  void leftoverNodeIsStoppedNotReused() throws Exception {
    Path dir = Files.createTempDirectory("zkm-chain-leftover");
    ChainToolchain tc = ChainToolchain.locate();
    VenueStore.save(dir, TestVenues.small());
    AnvilNode leftover =
        AnvilNode.start(tc, dir.resolve("old-anvil.log"), true, Duration.ofSeconds(30));
    Process owner = new ProcessBuilder("sleep", "60").start();
    try (KeyStore keys = KeyStore.openDefault()) {
      // tied to a process that still runs: refused, node untouched
      writeState(dir, leftover, owner.pid());
      IllegalStateException busy =
          assertThrows(
              IllegalStateException.class,
              () ->
                  LocalChain.up(dir, keys, tc, new PrintStream(new ByteArrayOutputStream()), true));
      assertTrue(
          busy.getMessage().contains("belongs to the running process " + owner.pid()),
          busy.getMessage());
      assertTrue(AnvilNode.isAnvilProcess(leftover.pid()), "another process's node is not stopped");

      // that process is gone (killed): its node is a leftover
      owner.destroyForcibly().waitFor();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      LocalChain.UpReport r = LocalChain.up(dir, keys, tc, new PrintStream(out, true), true);
      try {
        String log = out.toString();
        assertTrue(
            log.contains("stopping anvil pid " + leftover.pid() + " on port " + leftover.port()),
            log);
        assertTrue(log.contains("not reused"), log);
        assertTrue(r.startedNode(), "a new node");
        assertNotEquals(leftover.pid(), r.state().pid());
        assertFalse(AnvilNode.isAnvilProcess(leftover.pid()), "leftover stopped");
        assertEquals(ProcessHandle.current().pid(), r.state().ownerPid(), "tied to this JVM");
        LocalChain.UpReport again =
            LocalChain.up(dir, keys, tc, new PrintStream(new ByteArrayOutputStream()), true);
        assertFalse(again.startedNode(), "its own tied node is reused by the same JVM");
      } finally {
        assertTrue(LocalChain.down(dir));
      }
      assertFalse(AnvilNode.isAnvilProcess(r.state().pid()));
    } finally {
      owner.destroyForcibly();
      AnvilNode.stop(leftover.pid());
    }
  }

  private static void writeState(Path dir, AnvilNode node, long ownerPid) throws Exception {
    ObjectNode n = JSON.createObjectNode();
    n.put("format", LocalChain.FORMAT);
    n.put("rpcUrl", node.rpcUrl());
    n.put("chainId", AnvilNode.CHAIN_ID);
    n.put("pid", node.pid());
    n.put("ownerPid", ownerPid);
    n.put("settlement", "0x" + "00".repeat(20));
    n.put("verifier", "0x" + "00".repeat(20));
    n.put("circuitId", "none");
    n.put("verifyingKeyHash", "none");
    n.putArray("oracles");
    Files.write(dir.resolve(LocalChain.STATE_FILE), JSON.writeValueAsBytes(n));
  }

  private static final ObjectMapper JSON = new ObjectMapper();
}
