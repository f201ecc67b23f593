package io.zkmargin.prover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.commit.CircuitSizes;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.NativeException;
import io.zkmargin.nativebridge.ProofResult;
import io.zkmargin.nativebridge.ProvingKeyHandle;
import io.zkmargin.nativebridge.VerifyingKeyHandle;
import io.zkmargin.risk.margin.MarginCalculator;
import io.zkmargin.risk.margin.MarginResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key store on real files with the real native library: keys of older circuit versions,
 * corrupted key files, concurrent loading from several threads and stores, and what a crash in the
 * middle of a setup leaves.
 */
class KeyStoreTest {
  /** The native bridge's self-test circuit (a*b = x, a+b = y): setup in milliseconds. */
  private static final String TINY = "selftest-N8";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static byte[] witness(long a, long b) {
    return witness(TINY, a, b);
  }

  private static byte[] witness(String id, long a, long b) {
    return String.format(
            "{\"circuitId\":\"%s\",\"x\":\"%d\",\"y\":\"%d\",\"a\":\"%d\",\"b\":\"%d\"}",
            id, a * b, a + b, a, b)
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void rewriteManifest(Path manifest, String field, String value) throws Exception {
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    m.put(field, value);
    Files.write(manifest, JSON.writeValueAsBytes(m));
  }

  /**
   * Item 6: a key left on disk by an older version of the circuit (another circuit digest) must not
   * verify proofs. Before the fix the verifier found it by hash among every manifest and answered
   * valid.
   */
  @Test
  void keyOfAnOlderCircuitVersionIsNotUsed(@TempDir Path root, @TempDir Path venueDir)
      throws Exception {
    CircuitSizes sizes = CircuitSizes.TEST;
    DemoVenues.write(venueDir, 12, 42, sizes);
    CommittedVenue venue = new CommittedVenue(VenueStore.load(venueDir));
    long account = -1;
    for (var e : venue.venue().accounts().entrySet()) {
      MarginResult m = MarginCalculator.DEFAULT.evaluate(venue.venue().riskVector(), e.getValue());
      if (!m.isLiquidatable() && m.maintenanceCore().signum() > 0) {
        account = e.getKey();
        break;
      }
    }
    assertTrue(account >= 0);
    // prove with the shared default store (its keys are set up once per build), then verify against
    // a
    // private copy of its key directory in a store of our own
    ProofFile proof;
    KeyStore.KeyEntry entry;
    try (KeyStore shared = KeyStore.openDefault()) {
      proof = new HealthProver(shared).prove(venue, account, 10_000).proof();
      KeyStore.KeyEntry sharedEntry = shared.ensureKeys(proof.circuitId());
      Path copy = root.resolve(proof.circuitId()).resolve(sharedEntry.circuitDigest());
      Files.createDirectories(copy);
      for (String name : List.of("manifest.json", "verifying.key")) {
        Files.copy(sharedEntry.directory().resolve(name), copy.resolve(name));
      }
    }
    try (KeyStore keys = new KeyStore(root);
        ProofVerifier v = new ProofVerifier(keys)) {
      entry = keys.findByVerifyingKeyHash(proof.verifyingKeyHash()).orElseThrow();
      ProofVerifier.Verdict ok = v.verify(proof);
      assertTrue(ok.valid(), ok.message());
    }
    // the same key, as an older version of the circuit left it: another digest, in that digest's
    // directory
    String oldDigest = "0".repeat(63) + "1";
    Path oldDir = entry.directory().resolveSibling(oldDigest);
    Files.move(entry.directory(), oldDir);
    rewriteManifest(oldDir.resolve("manifest.json"), "circuitDigest", oldDigest);
    try (KeyStore keys = new KeyStore(root);
        ProofVerifier v = new ProofVerifier(keys)) {
      assertTrue(keys.findByVerifyingKeyHash(proof.verifyingKeyHash()).isEmpty());
      ProofVerifier.Verdict stale = v.verify(proof);
      assertFalse(stale.valid(), stale.message());
      assertTrue(stale.message().startsWith("stale verifying key"), stale.message());
    }
    // a manifest naming the current digest but lying in another directory is not current either
    Path elsewhere = root.resolve(proof.circuitId()).resolve("copied");
    Files.move(oldDir, elsewhere);
    rewriteManifest(elsewhere.resolve("manifest.json"), "circuitDigest", entry.circuitDigest());
    try (KeyStore keys = new KeyStore(root);
        ProofVerifier v = new ProofVerifier(keys)) {
      assertFalse(v.verify(proof).valid());
    }
    // moved back where it belongs, with its real digest: valid again (the refusals above were about
    // place
    // and digest, nothing else)
    Files.move(elsewhere, entry.directory());
    try (KeyStore keys = new KeyStore(root);
        ProofVerifier v = new ProofVerifier(keys)) {
      ProofVerifier.Verdict ok = v.verify(proof);
      assertTrue(ok.valid(), ok.message());
    }
  }

  /**
   * Item 21: a flipped byte or a truncated key file is a clear error, and the native library never
   * sees it.
   */
  @Test
  void corruptedKeyFilesAreRefusedWithAClearError(@TempDir Path root) throws Exception {
    KeyStore.KeyEntry e;
    try (KeyStore keys = new KeyStore(root)) {
      e = keys.ensureKeys(TINY);
    }
    byte[] pk = Files.readAllBytes(e.provingKeyFile());
    byte[] vk = Files.readAllBytes(e.verifyingKeyFile());
    byte[] flipped = pk.clone();
    flipped[pk.length / 2] ^= 0x01;
    Files.write(e.provingKeyFile(), flipped);
    Files.write(e.verifyingKeyFile(), java.util.Arrays.copyOf(vk, vk.length - 7));
    long live = Gnark.liveHandles();
    try (KeyStore keys = new KeyStore(root)) {
      IllegalStateException p =
          assertThrows(IllegalStateException.class, () -> keys.provingKey(TINY));
      assertTrue(
          p.getMessage().contains("does not match its manifest hash")
              && p.getMessage().contains(e.directory().toString()),
          p.getMessage());
      IllegalStateException v =
          assertThrows(IllegalStateException.class, () -> keys.verifyingKey(TINY));
      assertTrue(v.getMessage().contains("verifying.key"), v.getMessage());
      // refused again on the next call: nothing half-loaded was cached
      assertThrows(IllegalStateException.class, () -> keys.provingKey(TINY));
      assertEquals(live, Gnark.liveHandles(), "a corrupted key reached the native library");
    }
    // a corrupted key whose manifest was rewritten to match (the hash check bypassed): the native
    // side checks
    // every length prefix against the circuit; a count of 2^31 K points is refused, not allocated
    byte[] huge = vk.clone();
    int kCount = 3 * 64 + 3 * 128;
    huge[kCount] = 0x7f;
    huge[kCount + 1] = huge[kCount + 2] = huge[kCount + 3] = (byte) 0xff;
    Files.write(e.verifyingKeyFile(), huge);
    rewriteManifest(
        e.directory().resolve("manifest.json"), "verifyingKeyHash", KeyStore.sha256Hex(huge));
    try (KeyStore keys = new KeyStore(root)) {
      NativeException n = assertThrows(NativeException.class, () -> keys.verifyingKey(TINY));
      assertEquals(NativeException.INVALID_ARGUMENT, n.code());
      assertTrue(n.getMessage().contains("K points"), n.getMessage());
    }
  }

  /**
   * Item 21: many threads of two stores on one root load the same keys at once: one setup, one key
   * pair, one handle per store and kind. Before the fix the second store's setup threw
   * OverlappingFileLockException (two FileLocks on one file in one JVM).
   */
  @Test
  void concurrentLoadingMakesOneKeyPair(@TempDir Path root) throws Exception {
    String id = "selftest-N2048"; // a setup long enough for the threads to meet
    long live = Gnark.liveHandles();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (KeyStore a = new KeyStore(root);
        KeyStore b = new KeyStore(root)) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Object[]>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        KeyStore s = t % 2 == 0 ? a : b;
        boolean provingFirst = t % 4 < 2;
        fs.add(
            pool.submit(
                () -> {
                  go.await();
                  if (provingFirst) {
                    ProvingKeyHandle pk = s.provingKey(id);
                    return new Object[] {s, pk, s.verifyingKey(id), s.ensureKeys(id)};
                  }
                  VerifyingKeyHandle vk = s.verifyingKey(id);
                  return new Object[] {s, s.provingKey(id), vk, s.ensureKeys(id)};
                }));
      }
      go.countDown();
      List<Object[]> results = new ArrayList<>();
      for (Future<Object[]> f : fs) {
        results.add(f.get());
      }
      for (Object[] r : results) {
        Object[] first = results.get(r[0] == a ? 0 : 1);
        assertSame(first[1], r[1], "one proving key handle per store");
        assertSame(first[2], r[2], "one verifying key handle per store");
        assertEquals(
            ((KeyStore.KeyEntry) results.get(0)[3]).verifyingKeyHash(),
            ((KeyStore.KeyEntry) r[3]).verifyingKeyHash(),
            "one key pair for both stores");
      }
      assertEquals(live + 4, Gnark.liveHandles(), "two handles per store");
      try (Stream<Path> dirs = Files.list(root.resolve(id))) {
        assertEquals(1, dirs.count(), "one key directory");
      }
      // the keys are a consistent pair: a proof with store a's proving key verifies with store b's
      // key
      ProofResult r = Gnark.prove(a.provingKey(id), witness(id, 6, 7));
      assertTrue(Gnark.verify(b.verifyingKey(id), r));
    } finally {
      pool.shutdown();
    }
    assertEquals(live, Gnark.liveHandles());
  }

  /**
   * Item 21: a crash in the middle of a setup leaves key files without a manifest and temporary
   * files; the next store ignores them, removes them and runs a fresh setup. A manifest that is not
   * JSON is ignored too.
   */
  @Test
  void halfWrittenKeyDirectoryIsCleanedAndSetUpAfresh(@TempDir Path root) throws Exception {
    String digest = java.util.HexFormat.of().formatHex(Gnark.circuitDigest(TINY));
    Path dir = root.resolve(TINY).resolve(digest);
    Files.createDirectories(dir);
    Files.write(dir.resolve("proving.key"), new byte[] {1, 2, 3});
    Path tmp = dir.resolve(".verifying.key12345.tmp");
    Files.write(tmp, new byte[] {4, 5});
    try (KeyStore keys = new KeyStore(root)) {
      KeyStore.KeyEntry e = keys.ensureKeys(TINY);
      assertEquals(dir, e.directory());
      assertFalse(Files.exists(tmp), "the crash's temporary file is removed");
      try (Stream<Path> files = Files.list(dir)) {
        assertEquals(
            List.of("manifest.json", "proving.key", "verifying.key"),
            files.map(p -> p.getFileName().toString()).sorted().toList());
      }
      ProofResult r = Gnark.prove(keys.provingKey(TINY), witness(3, 4));
      assertTrue(Gnark.verify(keys.verifyingKey(TINY), r));
    }
    // a manifest cut short: not a manifest, a fresh setup replaces the pair
    Path manifest = dir.resolve("manifest.json");
    String oldHash = KeyStore.sha256Hex(Files.readAllBytes(dir.resolve("verifying.key")));
    Files.writeString(manifest, "{\"circuitId\":\"" + TINY + "\",\"circ");
    try (KeyStore keys = new KeyStore(root)) {
      KeyStore.KeyEntry e = keys.ensureKeys(TINY);
      assertFalse(oldHash.equals(e.verifyingKeyHash()), "a fresh setup ran");
      ProofResult r = Gnark.prove(keys.provingKey(TINY), witness(5, 6));
      assertTrue(Gnark.verify(keys.verifyingKey(TINY), r));
    }
  }
}
