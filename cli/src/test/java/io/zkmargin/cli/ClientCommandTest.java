package io.zkmargin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zkmargin.grpc.ServiceIdentity;
import io.zkmargin.grpc.TestVenue;
import io.zkmargin.grpc.server.JsonLog;
import io.zkmargin.grpc.server.VenueBackend;
import io.zkmargin.grpc.server.ZkmServer;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./zkm client prove-health | verify | margin} against a running TLS service on a data directory. */
class ClientCommandTest {

  @Test
  void proveVerifyAndMarginThroughTheCommandLine(@TempDir Path dir) throws Exception {
    JsonLog.redirect(null);
    TestVenue.writeTo(dir);
    ServiceIdentity id = ServiceIdentity.loadOrCreate(dir);
    try (ZkmServer server = new ZkmServer(VenueBackend.open(dir, KeyStore.openDefault()), id,
        new ZkmServer.Config("127.0.0.1", 0, false, 1, 8, -1, 5_000)).start();
         ProofVerifier verifier = new ProofVerifier(KeyStore.openDefault())) {
      String target = "localhost:" + server.port();
      Path out = dir.resolve("proof.json");
      assertEquals(0, ClientCommand.run(new String[] {"prove-health", "--target", target, "--data", dir.toString(),
          "--account", "3", "--threshold-bps", "12000", "--out", out.toString()}));
      ProofFile proof = ProofFile.read(out);
      assertTrue(verifier.verify(proof).valid());
      assertEquals(3, proof.healthAccountId());
      assertEquals(12_000, proof.healthThresholdBps());

      assertEquals(0, ClientCommand.run(new String[] {"verify", "--target", target, "--data", dir.toString(),
          out.toString()}));

      // a changed public input: both the service and the offline check say no
      String text = Files.readString(out);
      String higher = text.replace("\"" + proof.publicInputs().get(2) + "\"",
          "\"" + proof.publicInputs().get(2).add(java.math.BigInteger.valueOf(1000)) + "\"");
      Path tampered = dir.resolve("tampered.json");
      Files.writeString(tampered, higher);
      assertEquals(1, ClientCommand.run(new String[] {"verify", "--target", target, "--data", dir.toString(),
          tampered.toString()}));
      Path garbage = dir.resolve("garbage.json");
      Files.writeString(garbage, "{not json");
      assertEquals(1, ClientCommand.run(new String[] {"verify", "--target", target, "--data", dir.toString(),
          garbage.toString()}));

      // an unhealthy account is refused with a non-zero exit and no file
      Path none = dir.resolve("none.json");
      assertEquals(1, ClientCommand.run(new String[] {"prove-health", "--target", target, "--data", dir.toString(),
          "--account", Long.toString(TestVenue.UNHEALTHY), "--threshold-bps", "10000", "--out", none.toString()}));
      assertTrue(Files.notExists(none));

      assertEquals(0, ClientCommand.run(new String[] {"margin", "--target", target, "--data", dir.toString(),
          "--account", "2"}));
      assertThrows(Args.UsageException.class, () -> ClientCommand.run(new String[] {"prove-health", "--target", target,
          "--data", dir.toString(), "--account", "3", "--threshold-bps", "0", "--out", none.toString()}));
    }
  }
}
