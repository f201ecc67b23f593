package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.zkmargin.chain.LocalChain;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.VenueStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code chain up}, {@code verify --on-chain} and {@code chain down} as the command line runs them,
 * on a test-size demo venue: exit codes, the saved chain state, reuse of a live node, and a
 * tampered proof refused.
 */
class ChainCommandTest {

  @Test
  void upVerifyDown() throws Exception {
    Path dir = Files.createTempDirectory("zkm-chain-cli");
    DemoVenues.write(dir, 6, 11, CircuitSizes.TEST);
    String data = dir.toString();
    assertEquals(0, ChainCommand.run(new String[] {"up", "--data", data}));
    try {
      long pid = LocalChain.readState(dir).orElseThrow().pid();
      assertEquals(
          0, ChainCommand.run(new String[] {"up", "--data", data}), "second up reuses the node");
      assertEquals(pid, LocalChain.readState(dir).orElseThrow().pid());

      ProofFile proof;
      try (KeyStore keys = KeyStore.openDefault()) {
        CommittedVenue venue = new CommittedVenue(VenueStore.load(dir));
        proof = proveFirstHealthy(keys, venue);
      }
      Path good = dir.resolve("proof.json");
      proof.write(good);
      assertEquals(0, ChainCommand.verifyOnChain(good, dir, -1));
      assertEquals(
          1, ChainCommand.verifyOnChain(good, dir, 10_001), "minimum above the proven threshold");

      byte[] raw = proof.proof();
      raw[70] ^= 0x10;
      Path bad = dir.resolve("tampered.json");
      new ProofFile(proof.circuitId(), proof.verifyingKeyHash(), proof.publicInputs(), raw)
          .write(bad);
      assertEquals(1, ChainCommand.verifyOnChain(bad, dir, -1));
      assertEquals(1, ChainCommand.verifyOnChain(dir.resolve("missing.json"), dir, -1));
    } finally {
      assertEquals(0, ChainCommand.run(new String[] {"down", "--data", data}));
    }
    assertFalse(Files.exists(dir.resolve(LocalChain.STATE_FILE)));
    assertEquals(
        1, ChainCommand.verifyOnChain(dir.resolve("proof.json"), dir, -1), "no chain after down");
    assertEquals(2, ChainCommand.run(new String[] {"sideways", "--data", data}));
  }

  /** A proof at 1x maintenance margin of the first account that is that healthy. */
  private static ProofFile proveFirstHealthy(KeyStore keys, CommittedVenue venue) {
    HealthProver prover = new HealthProver(keys);
    for (long id : venue.venue().accounts().keySet()) {
      try {
        return prover.prove(venue, id, 10_000).proof();
      } catch (io.zkmargin.prover.NotHealthyException e) {
        // refused before proving: try the next account
      }
    }
    throw new AssertionError("no healthy account in the demo venue");
  }
}
