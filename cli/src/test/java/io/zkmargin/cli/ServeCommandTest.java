package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.TestVenue;
import io.zkmargin.grpc.server.JsonLog;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.api.v1.AccountMargin;
import io.zkmargin.commit.EdwardsKeyPair;
import io.zkmargin.grpc.RequestSigner;
import io.zkmargin.grpc.client.ZkmClient;
import io.zkmargin.prover.Venue;
import io.zkmargin.prover.VenueStore;
import io.zkmargin.risk.margin.MarginCalculator;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./zkm serve} on a data directory: certificate made on first start and reused, TLS and plaintext. */
class ServeCommandTest {

  @Test
  void servesADataDirectoryOverTlsAndReusesItsCertificate(@TempDir Path dir) throws Exception {
    JsonLog.redirect(null);
    TestVenue.writeTo(dir);
    String firstId;
    try (ZkmServer server = ServeCommand.start(new String[] {"--data", dir.toString(), "--port", "0",
        "--bind", "127.0.0.1", "--metrics-port", "-1"})) {
      assertTrue(Files.isRegularFile(dir.resolve("tls/server.crt")));
      firstId = server.identity().serviceId();
      Path out = dir.resolve("p.json");
      assertEquals(0, ClientCommand.run(new String[] {"prove-health", "--target", "localhost:" + server.port(),
          "--data", dir.toString(), "--account", "1", "--threshold-bps", "10000", "--out", out.toString()}));
      try (ProofVerifier v = new ProofVerifier(KeyStore.openDefault())) {
        assertTrue(v.verify(ProofFile.read(out)).valid());
      }
    }
    // second start: same certificate, plaintext on loopback
    try (ZkmServer server = ServeCommand.start(new String[] {"--data", dir.toString(), "--port", "0",
        "--bind", "127.0.0.1", "--plaintext", "--metrics-port", "-1"})) {
      assertEquals(firstId, server.identity().serviceId());
      assertEquals(firstId, ServiceIdentity.serviceIdOf(dir.resolve("tls/server.crt")));
      Path out = dir.resolve("p2.json");
      assertEquals(0, ClientCommand.run(new String[] {"prove-health", "--target", "127.0.0.1:" + server.port(),
          "--plaintext", "--data", dir.toString(), "--account", "2", "--threshold-bps", "10000", "--out",
          out.toString()}));
      assertEquals(0, ClientCommand.run(new String[] {"verify", "--target", "127.0.0.1:" + server.port(),
          "--plaintext", "--data", dir.toString(), out.toString()}));
    }
    assertThrows(IllegalArgumentException.class, () -> ServeCommand.start(new String[] {"--data", dir.toString(),
        "--port", "0", "--bind", "0.0.0.0", "--plaintext", "--metrics-port", "-1"}));
    assertThrows(Args.UsageException.class, () -> ServeCommand.start(new String[] {"--data", dir.toString(),
        "--port", "70000"}));
  }

  @Test
  void anEmptyDataDirectoryGetsADemoVenueAndTheOwnerSeesGreeks(@TempDir Path dir) throws Exception {
    JsonLog.redirect(null);
    try (ZkmServer server = ServeCommand.start(new String[] {"--data", dir.toString(), "--port", "0",
        "--bind", "127.0.0.1", "--metrics-port", "-1", "--demo-accounts", "6", "--size", "test"})) {
      Venue venue = VenueStore.load(dir);
      assertEquals(6, venue.accounts().size());
      long healthy = -1;
      long withPositions = -1;
      for (var e : venue.accounts().entrySet()) {
        if (healthy < 0 && MarginCalculator.DEFAULT.evaluate(venue.riskVector(), e.getValue()).isHealthy(10_000)) {
          healthy = e.getKey();
        }
        if (withPositions < 0 && java.util.Arrays.stream(e.getValue().quantities()).anyMatch(q -> q != 0)) {
          withPositions = e.getKey();
        }
      }
      assertTrue(healthy >= 0, "the demo venue has a healthy account");
      assertTrue(withPositions >= 0, "the demo venue has an account with positions");
      try (ZkmClient c = ZkmClient.connectTls("localhost:" + server.port(), dir.resolve("tls/server.crt"))) {
        RequestSigner signer = new RequestSigner(new EdwardsKeyPair(VenueStore.loadOwnerSecret(dir, withPositions)),
            c.serviceId());
        AccountMargin m = c.getAccountMargin(withPositions, signer, Duration.ofSeconds(30));
        assertFalse(m.getGreeksList().isEmpty(), "Greeks of a demo account with positions");
        assertTrue(m.getGreeksList().stream().allMatch(g -> g.getSpot() > 0 && !g.getUnderlying().isEmpty()));
      }
      Path out = dir.resolve("p.json");
      assertEquals(0, ClientCommand.run(new String[] {"prove-health", "--target", "localhost:" + server.port(),
          "--data", dir.toString(), "--account", Long.toString(healthy), "--threshold-bps", "10000", "--out",
          out.toString()}));
      assertEquals(0, ClientCommand.run(new String[] {"verify", "--target", "localhost:" + server.port(),
          "--data", dir.toString(), out.toString()}));
    }
  }
}
