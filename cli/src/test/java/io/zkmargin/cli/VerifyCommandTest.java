package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.grpc.PrivateTrees;
import io.zkmargin.grpc.TestVenue;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./zkm verify FILE [--data DIR]} with real proofs: VALID (exit 0) only for a proof over the
 * venue's roots, checked with --data; UNSETTLED ROOTS (exit 3) for a real proof about a private
 * tree; ROOTS NOT CHECKED (exit 4) without --data, whatever the proof's roots; INVALID (exit 1) for
 * a tampered proof. Checks the verdict lines.
 */
class VerifyCommandTest {

  @TempDir static Path dir;
  private static Path venue;
  private static Path honest;
  private static Path privateState;
  private static Path privateRisk;
  private static String stateRoot;

  @BeforeAll
  static void prove() throws Exception {
    venue = dir.resolve("venue");
    TestVenue.writeTo(venue);
    stateRoot = new CommittedVenue(TestVenue.venue()).stateRoot().toString(16);
    PrivateTrees.Proofs p;
    try (KeyStore keys = KeyStore.openDefault()) {
      p = PrivateTrees.prove(keys);
    }
    honest = write(p.honest(), "honest.json");
    privateState = write(p.privateState(), "private-state.json");
    privateRisk = write(p.privateRisk(), "private-risk.json");
  }

  private static Path write(ProofFile proof, String name) throws Exception {
    Path f = dir.resolve(name);
    proof.write(f);
    return f;
  }

  @Test
  void anHonestProofIsValidAgainstTheVenue() throws Exception {
    Captured c = Captured.zkm("verify", honest.toString(), "--data", venue.toString());
    assertEquals(0, c.exit(), c.err());
    assertTrue(
        c.out()
            .startsWith(
                "VALID: account 3 has equity >= 1.0000 x maintenance margin at stateRoot "
                    + stateRoot.substring(0, 12)
                    + "..."),
        c.out());
    assertTrue(
        c.out()
            .contains(
                "; state root (current state) and risk root (oracle epoch 7) are those of the venue in "
                    + venue),
        c.out());
    assertEquals(1, c.out().lines().count());
  }

  @Test
  void aProofAboutAPrivateTreeIsNeverValid() throws Exception {
    Captured c = Captured.zkm("verify", privateState.toString(), "--data", venue.toString());
    assertEquals(3, c.exit());
    assertFalse(c.out().contains("VALID"), c.out());
    assertTrue(
        c.err()
            .startsWith(
                "UNSETTLED ROOTS: the proof verifies, but its state root was never settled by the"
                    + " venue in "
                    + venue
                    + ": it is about another tree, not the venue's (account "
                    + TestVenue.UNHEALTHY
                    + " has equity >= 1.0000 x maintenance margin"),
        c.err());

    Captured r = Captured.zkm("verify", privateRisk.toString(), "--data", venue.toString());
    assertEquals(3, r.exit());
    assertTrue(
        r.err()
            .startsWith(
                "UNSETTLED ROOTS: the proof verifies, but its risk root was never posted by the"
                    + " oracles of the venue in "
                    + venue),
        r.err());

    Captured offline = Captured.zkm("verify", privateState.toString());
    assertEquals(4, offline.exit(), "offline only: not VALID");
    assertTrue(
        offline
            .err()
            .startsWith("ROOTS NOT CHECKED: the proof verifies (account " + TestVenue.UNHEALTHY),
        offline.err());
    assertTrue(
        offline.err().contains("pass --data DIR to check them against the venue"), offline.err());
    assertEquals("", offline.out());
  }

  @Test
  void withoutDataAnHonestProofIsNotCalledValidEither() throws Exception {
    Captured c = Captured.zkm("verify", honest.toString());
    assertEquals(4, c.exit());
    assertTrue(
        c.err()
            .startsWith(
                "ROOTS NOT CHECKED: the proof verifies (account 3 has equity >= 1.0000 x maintenance"
                    + " margin"),
        c.err());
  }

  @Test
  void aTamperedProofIsInvalid() throws Exception {
    ProofFile p = ProofFile.read(honest);
    byte[] raw = p.proof();
    raw[70] ^= 0x10;
    Path bad =
        write(
            new ProofFile(p.circuitId(), p.verifyingKeyHash(), p.publicInputs(), raw),
            "tampered.json");
    Captured c = Captured.zkm("verify", bad.toString(), "--data", venue.toString());
    assertEquals(1, c.exit());
    assertTrue(c.err().startsWith("INVALID: "), c.err());
    Captured missing =
        Captured.zkm("verify", dir.resolve("missing.json").toString(), "--data", venue.toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().startsWith("INVALID: no such file"), missing.err());
    Captured noVenue =
        Captured.zkm("verify", honest.toString(), "--data", dir.resolve("nowhere").toString());
    assertEquals(1, noVenue.exit());
    assertTrue(noVenue.err().contains("no venue in"), noVenue.err());
  }
}
