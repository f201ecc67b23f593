package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.grpc.PrivateTrees;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.TestVenue;
import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.CommittedVenue;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./zkm client prove-health | verify | margin} against a running TLS service on a data
 * directory: exit codes and the lines printed (verdicts, margin figures), including real proofs
 * about private trees (UNSETTLED ROOTS).
 */
class ClientCommandTest {
  /** A key's provenance as verdict lines print it. */
  private static final String SETUP = "(development|ceremony:[0-9a-f]{64})";

  @Test
  void proveVerifyAndMarginThroughTheCommandLine(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    TestVenue.writeTo(dir);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    try (ZkmServer server =
            new ZkmServer(
                    VenueBackend.open(dir, KeyStore.openDefault()),
                    id,
                    new ZkmServer.Config("127.0.0.1", 0, false, 1, 8, -1, 5_000))
                .start();
        ProofVerifier verifier = new ProofVerifier(KeyStore.openDefault())) {
      String target = "localhost:" + server.port();
      Path out = dir.resolve("proof.json");
      assertEquals(
          0,
          ClientCommand.run(
              new String[] {
                "prove-health",
                "--target",
                target,
                "--data",
                dir.toString(),
                "--account",
                "3",
                "--threshold-bps",
                "12000",
                "--out",
                out.toString()
              }));
      ProofFile proof = ProofFile.read(out);
      assertTrue(verifier.verify(proof).valid());
      assertEquals(3, proof.healthAccountId());
      assertEquals(12_000, proof.healthThresholdBps());

      Captured valid =
          Captured.run(
              () ->
                  ClientCommand.run(
                      new String[] {
                        "verify", "--target", target, "--data", dir.toString(), out.toString()
                      }));
      assertEquals(0, valid.exit());
      // the setup is the one of the key store's key: development in a clean tree, a ceremony's
      // transcript once tools/ceremony-keys.sh installed ceremony keys
      assertTrue(
          java.util.regex.Pattern.matches(
              java.util.regex.Pattern.quote(
                      "VALID: account 3 has equity >= 1.2000 x maintenance margin ("
                          + proof.circuitId()
                          + ", setup ")
                  + SETUP
                  + java.util.regex.Pattern.quote(
                      "); state root current, risk root current (epoch 7); checked by the service"
                          + " and offline\n"),
              valid.out()),
          valid.out());

      // real proofs about trees the venue never had: never VALID, exit 3, and the line says which
      // root
      PrivateTrees.Proofs priv;
      try (KeyStore keys = KeyStore.openDefault()) {
        priv = PrivateTrees.prove(keys);
      }
      Path privateState = dir.resolve("private-state.json");
      priv.privateState().write(privateState);
      Captured unsettled =
          Captured.run(
              () ->
                  ClientCommand.run(
                      new String[] {
                        "verify",
                        "--target",
                        target,
                        "--data",
                        dir.toString(),
                        privateState.toString()
                      }));
      assertEquals(3, unsettled.exit());
      String venueState =
          new CommittedVenue(TestVenue.venue()).stateRoot().toString().substring(0, 16);
      assertTrue(
          java.util.regex.Pattern.matches(
              java.util.regex.Pattern.quote(
                      "UNSETTLED ROOTS: the proof verifies (checked by the service and offline), but its state root was"
                          + " never settled by the venue ("
                          + venueState
                          + "... now) and its risk root is the oracles' (epoch 7): it is"
                          + " about another tree, not the service's venue (account "
                          + TestVenue.UNHEALTHY
                          + " has equity >= 1.0000 x"
                          + " maintenance margin ("
                          + proof.circuitId()
                          + ", setup ")
                  + SETUP
                  + java.util.regex.Pattern.quote("))\n"),
              unsettled.out()),
          unsettled.out());
      Path privateRisk = dir.resolve("private-risk.json");
      priv.privateRisk().write(privateRisk);
      Captured unposted =
          Captured.run(
              () ->
                  ClientCommand.run(
                      new String[] {
                        "verify",
                        "--target",
                        target,
                        "--data",
                        dir.toString(),
                        privateRisk.toString()
                      }));
      assertEquals(3, unposted.exit());
      assertTrue(
          unposted
              .out()
              .startsWith(
                  "UNSETTLED ROOTS: the proof verifies (checked by the service and offline),"
                      + " but its state root is the venue's and its risk root was never posted by its oracles ("),
          unposted.out());

      // a changed public input: both the service and the offline check say no
      String text = Files.readString(out);
      String higher =
          text.replace(
              "\"" + proof.publicInputs().get(2) + "\"",
              "\"" + proof.publicInputs().get(2).add(java.math.BigInteger.valueOf(1000)) + "\"");
      Path tampered = dir.resolve("tampered.json");
      Files.writeString(tampered, higher);
      Captured invalid =
          Captured.run(
              () ->
                  ClientCommand.run(
                      new String[] {
                        "verify", "--target", target, "--data", dir.toString(), tampered.toString()
                      }));
      assertEquals(1, invalid.exit());
      assertTrue(
          invalid.out().startsWith("INVALID: service: proof does not verify"), invalid.out());
      assertTrue(
          invalid.out().contains("; offline: the proof does not verify against the verifying key"),
          invalid.out());
      Path garbage = dir.resolve("garbage.json");
      Files.writeString(garbage, "{not json");
      assertEquals(
          1,
          ClientCommand.run(
              new String[] {
                "verify", "--target", target, "--data", dir.toString(), garbage.toString()
              }));

      // an unhealthy account is refused with a non-zero exit and no file
      Path none = dir.resolve("none.json");
      assertEquals(
          1,
          ClientCommand.run(
              new String[] {
                "prove-health",
                "--target",
                target,
                "--data",
                dir.toString(),
                "--account",
                Long.toString(TestVenue.UNHEALTHY),
                "--threshold-bps",
                "10000",
                "--out",
                none.toString()
              }));
      assertTrue(Files.notExists(none));

      for (long account : new long[] {2, TestVenue.UNHEALTHY}) {
        Captured margin =
            Captured.run(
                () ->
                    ClientCommand.run(
                        new String[] {
                          "margin",
                          "--target",
                          target,
                          "--data",
                          dir.toString(),
                          "--account",
                          Long.toString(account)
                        }));
        assertEquals(0, margin.exit(), margin.err());
        MarginResult m =
            MarginCalculator.DEFAULT.evaluate(
                TestVenue.venue().riskVector(), TestVenue.venue().account(account));
        String expected =
            String.format(
                "account %d: equity %s, IM %s, MM %s, health %s, %s%n",
                account,
                quote(m.equityQuoteAtoms()),
                quote(m.initialQuoteAtoms()),
                quote(m.maintenanceQuoteAtoms()),
                String.format(
                    "%d.%04d x MM",
                    Math.max(0, m.healthRatioBps()) / 10_000,
                    Math.max(0, m.healthRatioBps()) % 10_000),
                m.isLiquidatable() ? "LIQUIDATABLE" : "not liquidatable");
        assertTrue(margin.out().startsWith(expected), expected + " vs " + margin.out());
        assertEquals(account == TestVenue.UNHEALTHY, margin.out().contains("LIQUIDATABLE"));
      }
      // a usage error (was: Args.UsageException thrown; now the command line prints it as one line
      // and exits 2)
      Captured zero =
          Captured.run(
              () ->
                  ClientCommand.run(
                      new String[] {
                        "prove-health",
                        "--target",
                        target,
                        "--data",
                        dir.toString(),
                        "--account",
                        "3",
                        "--threshold-bps",
                        "0",
                        "--out",
                        none.toString()
                      }));
      assertEquals(2, zero.exit());
      assertEquals(
          "zkm client prove-health: option --threshold-bps must be in [1, 1000000], was 0 (see ./zkm client"
              + " prove-health --help)\n",
          zero.err());
      assertTrue(Files.notExists(none));
    }
  }

  /** Quote atoms as the client prints them (6 decimals). */
  private static String quote(long atoms) {
    return String.format(
        "%s%d.%06d",
        atoms < 0 ? "-" : "", Math.abs(atoms / 1_000_000), Math.abs(atoms % 1_000_000));
  }
}
