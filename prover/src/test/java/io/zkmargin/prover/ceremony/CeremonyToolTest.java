package io.zkmargin.prover.ceremony;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zkmargin.nativebridge.Ceremony;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.NativeException;
import io.zkmargin.nativebridge.ProofResult;
import io.zkmargin.prover.KeyStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-party file ceremony for the self-test circuit, finalized into a key store that then proves.
 */
class CeremonyToolTest {
  static final String ID = "selftest-N8";

  @Test
  void threePartyCeremonyInstallsKeysTheStoreUses(@TempDir Path tmp) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
    Path dir = tmp.resolve("ceremony");
    // three participants, each with their own tool instance on the shared folder
    CeremonyTool coordinator = new CeremonyTool(dir, out);
    coordinator.phase1Init(Ceremony.circuitPower(ID));
    for (int i = 0; i < 3; i++) {
      Ceremony.Contribution c = new CeremonyTool(dir, out).phase1Contribute();
      assertTrue(
          log.toString(StandardCharsets.UTF_8).contains("produced " + Ceremony.hex(c.produced())));
    }
    assertEquals(3, coordinator.phase1Verify().size());
    coordinator.phase1Seal("phase-1 beacon".getBytes(StandardCharsets.US_ASCII));
    coordinator.phase2Init(ID);
    Ceremony.Contribution last = null;
    for (int i = 0; i < 3; i++) {
      last = new CeremonyTool(dir, out).phase2Contribute(ID);
    }
    List<byte[]> hashes = coordinator.phase2Verify(ID);
    assertArrayEquals(last.produced(), hashes.get(2));

    Path keysRoot = tmp.resolve("keys");
    Path keys;
    try (KeyStore store = new KeyStore(keysRoot)) {
      keys =
          coordinator.phase2Finalize(
              ID, "beacon: drand round 7".getBytes(StandardCharsets.US_ASCII), store);
    }
    JsonNode m = new ObjectMapper().readTree(keys.resolve("manifest.json").toFile());
    assertEquals(CeremonyTool.SETUP_CEREMONY, m.get("setup").asText());
    assertEquals(64, m.get("transcriptHash").asText().length());
    assertEquals(3, m.get("contributions").size());
    assertEquals(Ceremony.hex(hashes.get(0)), m.get("contributions").get(0).asText());

    // a fresh store finds the ceremony keys (no development setup) and proves with them
    try (KeyStore store = new KeyStore(keysRoot)) {
      KeyStore.KeyEntry e = store.ensureKeys(ID);
      assertEquals(m.get("verifyingKeyHash").asText(), e.verifyingKeyHash());
      ProofResult r =
          Gnark.prove(
              store.provingKey(ID),
              "{\"circuitId\":\"selftest-N8\",\"x\":\"15\",\"y\":\"8\",\"a\":\"3\",\"b\":\"5\"}"
                  .getBytes(StandardCharsets.UTF_8));
      assertTrue(Gnark.verify(store.verifyingKey(ID), r));
    }
    assertTrue(
        log.toString(StandardCharsets.UTF_8)
            .contains("finalized: transcript " + m.get("transcriptHash").asText()));
  }

  @Test
  void aTamperedFileInTheFolderIsRefusedByVerify(@TempDir Path tmp) throws Exception {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    CeremonyTool t = new CeremonyTool(tmp, out);
    t.phase1Init(Ceremony.circuitPower(ID));
    t.phase1Contribute();
    t.phase1Contribute();
    assertEquals(1, t.verifyFrom(null, 1).size());
    assertThrows(IllegalArgumentException.class, () -> t.verifyFrom(null, 2));
    Path second = tmp.resolve("phase1").resolve("contribution-0002.bin");
    byte[] b = Files.readAllBytes(second);
    b[20] ^= 1;
    Files.write(second, b);
    assertThrows(NativeException.class, () -> t.verifyFrom(null, 1));
    NativeException e = assertThrows(NativeException.class, t::phase1Verify);
    assertTrue(
        e.code() == NativeException.VERIFICATION_FAILED
            || e.code() == NativeException.INVALID_ARGUMENT,
        e.getMessage());
    // a gap in the numbering is a skipped contribution
    Files.delete(tmp.resolve("phase1").resolve("contribution-0001.bin"));
    assertThrows(IllegalStateException.class, t::phase1Verify);
  }

  /**
   * A real snarkjs .ptau (test-vectors/ceremony) imported as phase 1: phase 2 on it finalizes into
   * keys that prove; new contributions are checked against their predecessor only ({@code
   * verifyFrom}, the coordinator's {@code Receiver}), which refuses one built on the wrong
   * predecessor; a truncated .ptau is refused and starts nothing.
   */
  @Test
  void importedPtauPhase1AndIncrementalChecks(@TempDir Path tmp) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
    Path ptau =
        io.zkmargin.commit.RepoRoot.find()
            .resolve("test-vectors")
            .resolve("ceremony")
            .resolve("pot4_final.ptau");
    Path dir = tmp.resolve("ceremony");
    CeremonyTool t = new CeremonyTool(dir, out);

    Path truncated = tmp.resolve("truncated.ptau");
    byte[] whole = Files.readAllBytes(ptau);
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 100));
    NativeException bad =
        assertThrows(
            NativeException.class, () -> t.phase1Import(truncated, Ceremony.circuitPower(ID)));
    assertEquals(NativeException.INVALID_ARGUMENT, bad.code(), bad.getMessage());
    assertTrue(bad.getMessage().contains("truncated"), bad.getMessage());
    assertTrue(Files.notExists(dir.resolve("phase1").resolve("power")));

    t.phase1Import(ptau, Ceremony.circuitPower(ID));
    JsonNode m = new ObjectMapper().readTree(dir.resolve("phase1").resolve("final.json").toFile());
    assertEquals(KeyStore.sha256Hex(whole), m.path("imported").path("sha256").asText());
    assertEquals(4, m.path("imported").path("filePower").asInt());

    t.phase2Init(ID);
    t.phase2Contribute(ID);
    t.phase2Contribute(ID);
    assertEquals(2, t.verifyFrom(ID, 0).size());
    List<byte[]> last = t.verifyFrom(ID, 1);
    assertEquals(1, last.size());
    assertArrayEquals(t.phase2Verify(ID).get(1), last.get(0));

    // the receiver (coordinator's check): accepts a contribution on the latest, refuses one built
    // on contribution 1 (skipped/wrong predecessor), and a folder changed behind its back
    Path p2 = dir.resolve("phase2").resolve(ID);
    CeremonyTool.Receiver r = t.receiver(ID);
    byte[] first = Files.readAllBytes(p2.resolve("contribution-0001.bin"));
    byte[] onFirst = Ceremony.phase2Contribute(ID, first).next();
    NativeException wrong = assertThrows(NativeException.class, () -> r.accept(onFirst));
    assertEquals(NativeException.VERIFICATION_FAILED, wrong.code(), wrong.getMessage());
    byte[] good =
        Ceremony.phase2Contribute(ID, Files.readAllBytes(p2.resolve("contribution-0002.bin")))
            .next();
    assertEquals(p2.resolve("contribution-0003.bin"), r.accept(good));
    Files.write(p2.resolve("contribution-0003.bin"), onFirst);
    assertThrows(IllegalStateException.class, () -> r.accept(good));
    Files.write(p2.resolve("contribution-0003.bin"), good);

    Path keysRoot = tmp.resolve("keys");
    Path keys;
    try (KeyStore store = new KeyStore(keysRoot)) {
      keys = t.phase2Finalize(ID, "beacon".getBytes(StandardCharsets.US_ASCII), store);
    }
    JsonNode manifest = new ObjectMapper().readTree(keys.resolve("manifest.json").toFile());
    assertEquals(KeyStore.sha256Hex(whole), manifest.path("phase1Import").path("sha256").asText());
    try (KeyStore store = new KeyStore(keysRoot)) {
      ProofResult p =
          Gnark.prove(
              store.provingKey(ID),
              "{\"circuitId\":\"selftest-N8\",\"x\":\"15\",\"y\":\"8\",\"a\":\"3\",\"b\":\"5\"}"
                  .getBytes(StandardCharsets.UTF_8));
      assertTrue(Gnark.verify(store.verifyingKey(ID), p));
    }
  }
}
