package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proof files named by their SHA-256: written once, a re-write a no-op, damage detected. */
class ProofStoreTest {

  @Test
  void aProofIsStoredUnderItsHashOnce(@TempDir Path dir) throws Exception {
    ProofStore store = new ProofStore(dir);
    byte[] proof = "{\"format\":\"zkmargin-proof-v1\"}\n".getBytes(StandardCharsets.UTF_8);
    String hash = store.put(proof);
    assertEquals(ProofStore.sha256Hex(proof), hash);
    Path f = dir.resolve("proofs").resolve(hash + ".json");
    assertArrayEquals(proof, Files.readAllBytes(f));
    var written = Files.getLastModifiedTime(f);
    Thread.sleep(20);
    assertEquals(hash, store.put(proof)); // the same proof again: nothing written
    assertEquals(written, Files.getLastModifiedTime(f));
    try (Stream<Path> s = Files.list(dir.resolve("proofs"))) {
      assertEquals(1, s.count(), "one file, no temporary left");
    }
    assertArrayEquals(proof, store.get(hash));
    // a damaged file is detected on read and replaced by the next write
    Files.writeString(f, "garbage");
    assertThrows(IOException.class, () -> store.get(hash));
    store.put(proof);
    assertArrayEquals(proof, store.get(hash));
    assertThrows(IllegalArgumentException.class, () -> store.file("../x"));
  }
}
