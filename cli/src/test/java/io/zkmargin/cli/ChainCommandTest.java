package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.chain.AnvilNode;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.VoidResponse;
import org.web3j.protocol.http.HttpService;

/**
 * {@code chain up}, {@code verify --on-chain}, {@code hatch request-withdrawal | freeze | status}
 * and {@code chain down} as the command line runs them, on a test-size demo venue: exit codes, the
 * saved chain state, reuse of a live node, a tampered proof refused, a forced withdrawal left past
 * its deadline and the freeze.
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

      hatchRequestFreezeStatus(dir);
    } finally {
      assertEquals(0, ChainCommand.run(new String[] {"down", "--data", data}));
    }
    assertFalse(Files.exists(dir.resolve(LocalChain.STATE_FILE)));
    assertEquals(
        1, ChainCommand.verifyOnChain(dir.resolve("proof.json"), dir, -1), "no chain after down");
    assertEquals(2, ChainCommand.run(new String[] {"sideways", "--data", data}));
  }

  /**
   * {@code ./zkm hatch} against the escape hatch {@code chain up} deployed (grace period 120 s): a
   * forced withdrawal requested with a key file, refusals named by the contract, the status with
   * its deadline, freeze refused before the deadline (naming the request and when), anvil's clock
   * moved past it, freeze with that request, the frozen status.
   */
  private static void hatchRequestFreezeStatus(Path dir) throws Exception {
    LocalChain.State st = LocalChain.readState(dir).orElseThrow();
    String[] at = {"--rpc", st.rpcUrl(), "--settlement", st.settlement()};
    Path key = dir.resolve("l1-1.key");
    Files.writeString(key, AnvilNode.DEV_KEY_1);
    String requester = Credentials.create(AnvilNode.DEV_KEY_1).getAddress().toLowerCase();

    Captured s0 = hatch("status", at);
    assertEquals(0, s0.exit(), s0.err());
    assertTrue(s0.out().contains("not frozen; grace period 120 s"), s0.out());
    assertTrue(s0.out().contains("no pending request"), s0.out());
    Captured none = hatch("freeze", at, "--from-key", key.toString());
    assertEquals(1, none.exit());
    assertTrue(none.err().contains("no request is pending"), none.err());

    Captured r =
        hatch(
            "request-withdrawal",
            at,
            "--account",
            "1",
            "--amount",
            "2_500_000",
            "--from-key",
            key.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.out()
            .contains(
                "forced withdrawal of 2500000 quote atoms from account 1 requested by "
                    + requester),
        r.out());
    assertTrue(r.out().contains("grace period 120 s"), r.out());
    Captured again =
        hatch("request-withdrawal", at, "--account", "1", "--amount", "5", "--from-key", "" + key);
    assertEquals(1, again.exit());
    assertTrue(again.err().contains("RequestPending"), again.err());
    Captured unknown =
        hatch("request-withdrawal", at, "--account", "63", "--amount", "5", "--from-key", "" + key);
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("UnknownAccount"), unknown.err());
    assertEquals(2, hatch("request-withdrawal", at, "--account", "1", "--amount", "0").exit());
    assertEquals(
        2, hatch("status", new String[] {"--rpc", st.rpcUrl(), "--settlement", "0x12"}).exit());

    Captured s1 = hatch("status", at, "--account", "1");
    assertEquals(0, s1.exit(), s1.err());
    assertTrue(
        s1.out()
            .contains(
                "pending forced withdrawal of account 1: 2500000 quote atoms to " + requester),
        s1.out());
    assertTrue(s1.out().matches("(?s).*\\(in \\d+ s\\).*"), s1.out());
    Captured early = hatch("freeze", at, "--from-key", key.toString());
    assertEquals(1, early.exit());
    assertTrue(
        early.err().contains("none is overdue; the first, forced withdrawal of account 1"),
        early.err());

    rpc(st.rpcUrl(), "evm_increaseTime", List.of(LocalChain.DEFAULT_GRACE_PERIOD_SECONDS + 1));
    rpc(st.rpcUrl(), "evm_mine", List.of());
    Captured s2 = hatch("status", at);
    assertTrue(s2.out().contains("OVERDUE: anyone may freeze"), s2.out());
    Captured f = hatch("freeze", at, "--from-key", key.toString());
    assertEquals(0, f.exit(), f.err());
    assertTrue(
        f.out().contains("frozen with forced withdrawal of account 1: 2500000 quote atoms"),
        f.out());
    Captured s3 = hatch("status", at);
    assertTrue(s3.out().contains(": FROZEN;"), s3.out());
    assertTrue(s3.out().contains("exit state root"), s3.out());
    assertTrue(s3.out().contains("2500000 quote atoms to " + requester + ": deadline"), s3.out());
    assertFalse(s3.out().contains("anyone may freeze"), s3.out());
    Captured twice = hatch("freeze", at, "--from-key", key.toString());
    assertEquals(1, twice.exit());
    assertTrue(twice.err().contains("already frozen"), twice.err());
  }

  private static Captured hatch(String sub, String[] at, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("hatch", sub));
    args.addAll(List.of(at));
    args.addAll(List.of(more));
    return Captured.zkm(args.toArray(String[]::new));
  }

  private static void rpc(String url, String method, List<?> params) throws Exception {
    Response<?> r = new Request<>(method, params, new HttpService(url), VoidResponse.class).send();
    assertFalse(r.hasError(), () -> method + ": " + r.getError().getMessage());
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
