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
    Path second = tmp.resolve("phase1").resolve("contribution-0002.bin");
    byte[] b = Files.readAllBytes(second);
    b[20] ^= 1;
    Files.write(second, b);
    NativeException e = assertThrows(NativeException.class, t::phase1Verify);
    assertTrue(
        e.code() == NativeException.VERIFICATION_FAILED
            || e.code() == NativeException.INVALID_ARGUMENT,
        e.getMessage());
    // a gap in the numbering is a skipped contribution
    Files.delete(tmp.resolve("phase1").resolve("contribution-0001.bin"));
    assertThrows(IllegalStateException.class, t::phase1Verify);
  }
}
