package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.api.v1.AccountMargin;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.TestVenue;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.grpc.server.ServiceLogging;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.margin.MarginCalculator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./zkm serve} on a data directory: certificate made on first start and reused, TLS and
 * plaintext.
 */
class ServeCommandTest {

  @Test
  void servesADataDirectoryOverTlsAndReusesItsCertificate(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    TestVenue.writeTo(dir);
    String firstId;
    try (ZkmServer server =
        ServeCommand.start(
            new String[] {
              "--data", dir.toString(), "--port", "0", "--bind", "127.0.0.1", "--metrics-port", "-1"
            })) {
      assertTrue(Files.isRegularFile(dir.resolve("tls/server.crt")));
      firstId = server.identity().serviceId();
      Path out = dir.resolve("p.json");
      assertEquals(
          0,
          ClientCommand.run(
              new String[] {
                "prove-health",
                "--target",
                "localhost:" + server.port(),
                "--data",
                dir.toString(),
                "--account",
                "1",
                "--threshold-bps",
                "10000",
                "--out",
                out.toString()
              }));
      try (ProofVerifier v = new ProofVerifier(KeyStore.openDefault())) {
        assertTrue(v.verify(ProofFile.read(out)).valid());
      }
    }
    // second start: same certificate, plaintext on loopback
    try (ZkmServer server =
        ServeCommand.start(
            new String[] {
              "--data",
              dir.toString(),
              "--port",
              "0",
              "--bind",
              "127.0.0.1",
              "--plaintext",
              "--metrics-port",
              "-1"
            })) {
      assertEquals(firstId, server.identity().serviceId());
      assertEquals(firstId, ServiceIdentity.serviceIdOf(dir.resolve("tls/server.crt")));
      Path out = dir.resolve("p2.json");
      assertEquals(
          0,
          ClientCommand.run(
              new String[] {
                "prove-health",
                "--target",
                "127.0.0.1:" + server.port(),
                "--plaintext",
                "--data",
                dir.toString(),
                "--account",
                "2",
                "--threshold-bps",
                "10000",
                "--out",
                out.toString()
              }));
      assertEquals(
          0,
          ClientCommand.run(
              new String[] {
                "verify",
                "--target",
                "127.0.0.1:" + server.port(),
                "--plaintext",
                "--data",
                dir.toString(),
                out.toString()
              }));
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ServeCommand.start(
                new String[] {
                  "--data",
                  dir.toString(),
                  "--port",
                  "0",
                  "--bind",
                  "0.0.0.0",
                  "--plaintext",
                  "--metrics-port",
                  "-1",
                  "--allow-demo-keys-on-network"
                }));
    // a usage error (was: Args.UsageException; now picocli's ParameterException, exit 2 on the
    // command line)
    CommandLine.ParameterException range =
        assertThrows(
            CommandLine.ParameterException.class,
            () -> ServeCommand.start(new String[] {"--data", dir.toString(), "--port", "70000"}));
    assertEquals("option --port must be in [0, 65535], was 70000", range.getMessage());
  }

  @Test
  void demoKeysAreServedOnLoopbackOnlyUnlessAllowed(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    // a venue whose owner secrets lie in DIR/keys (TestVenue writes them as ./zkm demo does)
    Path stored = dir.resolve("stored");
    TestVenue.writeTo(stored);
    Captured refused =
        Captured.run(
            () ->
                ServeCommand.run(
                    new String[] {
                      "--data",
                      stored.toString(),
                      "--port",
                      "0",
                      "--bind",
                      "0.0.0.0",
                      "--metrics-port",
                      "-1",
                      "--no-chain"
                    }));
    assertEquals(1, refused.exit());
    assertEquals(
        "zkm serve: refusing to serve on 0.0.0.0: the owner secret keys of the venue's accounts are stored in "
            + stored.resolve("keys")
            + ", so anyone who can reach the service could sign requests as its accounts; bind a"
            + " loopback address (--bind 127.0.0.1), or pass --allow-demo-keys-on-network to serve it to the network"
            + " anyway\n",
        refused.err());
    assertFalse(Files.exists(stored.resolve("tls")), "refused before anything was made");

    // a demo venue: its owner keys follow from the seed, the same for every fresh demo folder
    Path demo = dir.resolve("demo");
    io.zkmargin.prover.DemoVenues.write(demo, 4, 1, io.zkmargin.commit.CircuitSizes.TEST);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ServeCommand.start(
                    new String[] {
                      "--data",
                      demo.toString(),
                      "--port",
                      "0",
                      "--bind",
                      "0.0.0.0",
                      "--metrics-port",
                      "-1"
                    }));
    assertTrue(
        e.getMessage()
            .startsWith(
                "refusing to serve on 0.0.0.0: the venue in "
                    + demo
                    + " is a demo venue whose owner keys follow from its seed 1"),
        e.getMessage());

    // told explicitly: served to the network
    try (ZkmServer server =
        ServeCommand.start(
            new String[] {
              "--data",
              demo.toString(),
              "--port",
              "0",
              "--bind",
              "0.0.0.0",
              "--metrics-port",
              "-1",
              "--allow-demo-keys-on-network"
            })) {
      assertTrue(server.port() > 0);
      try (ZkmClient c =
          ZkmClient.connectTls("localhost:" + server.port(), demo.resolve("tls/server.crt"))) {
        assertFalse(c.getStateRoot(Duration.ofSeconds(30)).getRoot().isEmpty());
      }
    }
    // loopback: no flag needed
    try (ZkmServer server =
        ServeCommand.start(
            new String[] {
              "--data",
              demo.toString(),
              "--port",
              "0",
              "--bind",
              "127.0.0.1",
              "--metrics-port",
              "-1"
            })) {
      assertTrue(server.port() > 0);
    }
  }

  @Test
  void anEmptyDataDirectoryGetsADemoVenueAndTheOwnerSeesGreeks(@TempDir Path dir) throws Exception {
    ServiceLogging.quiet(true);
    try (ZkmServer server =
        ServeCommand.start(
            new String[] {
              "--data",
              dir.toString(),
              "--port",
              "0",
              "--bind",
              "127.0.0.1",
              "--metrics-port",
              "-1",
              "--demo-accounts",
              "6",
              "--size",
              "test"
            })) {
      Venue venue = VenueStore.load(dir);
      assertEquals(6, venue.accounts().size());
      // every demo genesis account has the address of its dev L1 key in its leaf (it can exit and
      // request a forced withdrawal), in venue.json and in the state the service serves (its
      // database import), whose root is the venue's
      for (var e : venue.accounts().entrySet()) {
        assertEquals(
            org.web3j.utils.Numeric.toBigInt(
                io.zkmargin.chain.OracleSigner.address(
                    io.zkmargin.operator.DemoL1Keys.loadOrCreate(dir, e.getKey()))),
            e.getValue().l1Address(),
            "account " + e.getKey());
      }
      long healthy = -1;
      long withPositions = -1;
      for (var e : venue.accounts().entrySet()) {
        if (healthy < 0
            && MarginCalculator.DEFAULT
                .evaluate(venue.riskVector(), e.getValue())
                .isHealthy(10_000)) {
          healthy = e.getKey();
        }
        if (withPositions < 0
            && java.util.Arrays.stream(e.getValue().quantities()).anyMatch(q -> q != 0)) {
          withPositions = e.getKey();
        }
      }
      assertTrue(healthy >= 0, "the demo venue has a healthy account");
      assertTrue(withPositions >= 0, "the demo venue has an account with positions");
      try (ZkmClient c =
          ZkmClient.connectTls("localhost:" + server.port(), dir.resolve("tls/server.crt"))) {
        RequestSigner signer =
            new RequestSigner(
                new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, withPositions)), c.serviceId());
        assertEquals(
            new io.zkmargin.prover.CommittedVenue(venue).stateRoot().toString(),
            c.getStateRoot(Duration.ofSeconds(30)).getRoot(),
            "the database's state is venue.json's, L1 addresses included");
        AccountMargin m = c.getAccountMargin(withPositions, signer, Duration.ofSeconds(30));
        assertFalse(m.getGreeksList().isEmpty(), "Greeks of a demo account with positions");
        assertTrue(
            m.getGreeksList().stream()
                .allMatch(g -> g.getSpot() > 0 && !g.getUnderlying().isEmpty()));
      }
      Path out = dir.resolve("p.json");
      assertEquals(
          0,
          ClientCommand.run(
              new String[] {
                "prove-health",
                "--target",
                "localhost:" + server.port(),
                "--data",
                dir.toString(),
                "--account",
                Long.toString(healthy),
                "--threshold-bps",
                "10000",
                "--out",
                out.toString()
              }));
      assertEquals(
          0,
          ClientCommand.run(
              new String[] {
                "verify",
                "--target",
                "localhost:" + server.port(),
                "--data",
                dir.toString(),
                out.toString()
              }));
    }
  }
}
