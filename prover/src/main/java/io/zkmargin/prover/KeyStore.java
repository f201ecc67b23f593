package io.zkmargin.prover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.KeyPair;
import io.zkmargin.nativebridge.ProvingKeyHandle;
import io.zkmargin.nativebridge.VerifyingKeyHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Proving and verifying keys on disk, content addressed: {@code <root>/<circuitId>/<circuitDigest>/} holds
 * {@code proving.key}, {@code verifying.key} and {@code manifest.json} (circuit id, circuit digest = SHA-256
 * of the compiled constraint system, SHA-256 of each key). A circuit change changes the digest, so a stale
 * key is never used; keys are made once by a development (single-party, unsafe for production) Groth16
 * setup and reused. Setup is serialized across processes by a file lock.
 *
 * <p>Loaded key handles are cached per circuit id and released by {@link #close()}.
 */
public final class KeyStore implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final Map<String, KeyEntry> entries = new ConcurrentHashMap<>();
  private final Map<String, ProvingKeyHandle> provingKeys = new ConcurrentHashMap<>();
  private final Map<String, VerifyingKeyHandle> verifyingKeys = new ConcurrentHashMap<>();

  /** The manifest of one key pair. Hashes are lower-case hex SHA-256. */
  public record KeyEntry(String circuitId, String circuitDigest, String verifyingKeyHash, String provingKeyHash,
      Path directory) {
    public Path provingKeyFile() {
      return directory.resolve("proving.key");
    }

    public Path verifyingKeyFile() {
      return directory.resolve("verifying.key");
    }
  }

  public KeyStore(Path root) {
    this.root = root.toAbsolutePath();
  }

  /**
   * The default key store: {@code $ZKM_KEYS}, else {@code <repo>/target/zkm-keys} where the repository
   * root is the system property {@code zkm.root} (set by ./zkm and the tests), else {@code ./target/zkm-keys}.
   */
  public static KeyStore openDefault() {
    String env = System.getenv("ZKM_KEYS");
    if (env != null && !env.isBlank()) {
      return new KeyStore(Path.of(env));
    }
    String repo = System.getProperty("zkm.root");
    Path base = repo != null ? Path.of(repo) : Path.of(".");
    return new KeyStore(base.resolve("target").resolve("zkm-keys"));
  }

  public Path root() {
    return root;
  }

  /**
   * The key pair of a circuit, making it by a development setup when no key for the circuit's current
   * digest exists yet. Prints a progress line to stderr while it sets up.
   */
  public KeyEntry ensureKeys(String circuitId) {
    return entries.computeIfAbsent(circuitId, this::loadOrSetup);
  }

  /** A loaded proving key for the circuit; owned by this store (do not close it). */
  public ProvingKeyHandle provingKey(String circuitId) {
    return provingKeys.computeIfAbsent(circuitId, id -> {
      KeyEntry e = ensureKeys(id);
      return Gnark.loadProvingKey(id, readChecked(e.provingKeyFile(), e.provingKeyHash()));
    });
  }

  /** A loaded verifying key for the circuit; owned by this store (do not close it). */
  public VerifyingKeyHandle verifyingKey(String circuitId) {
    return verifyingKeys.computeIfAbsent(circuitId, id -> {
      KeyEntry e = ensureKeys(id);
      return Gnark.loadVerifyingKey(id, readChecked(e.verifyingKeyFile(), e.verifyingKeyHash()));
    });
  }

  /**
   * Finds a pinned key pair by the hash of its verifying key, without compiling anything: how an auditor
   * resolves the key named in a proof file.
   */
  public Optional<KeyEntry> findByVerifyingKeyHash(String verifyingKeyHash) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> manifests = Files.find(root, 3, (p, a) -> p.getFileName().toString().equals("manifest.json"))) {
      return manifests.map(KeyStore::readManifest)
          .flatMap(Optional::stream)
          .filter(e -> e.verifyingKeyHash().equals(verifyingKeyHash))
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The verifying key bytes of a pinned entry, checked against the manifest's hash. */
  public byte[] verifyingKeyBytes(KeyEntry entry) {
    return readChecked(entry.verifyingKeyFile(), entry.verifyingKeyHash());
  }

  /** Lower-case hex SHA-256. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    provingKeys.values().forEach(ProvingKeyHandle::close);
    verifyingKeys.values().forEach(VerifyingKeyHandle::close);
    provingKeys.clear();
    verifyingKeys.clear();
  }

  private KeyEntry loadOrSetup(String circuitId) {
    String digest = HexFormat.of().formatHex(Gnark.circuitDigest(circuitId));
    Path dir = root.resolve(circuitId).resolve(digest);
    Optional<KeyEntry> existing = readManifest(dir.resolve("manifest.json"));
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      Files.createDirectories(root);
      try (FileChannel lockChannel = FileChannel.open(root.resolve(".setup.lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock ignored = lockChannel.lock()) {
        existing = readManifest(dir.resolve("manifest.json"));
        if (existing.isPresent()) {
          return existing.get();
        }
        System.err.println("zkm: no keys for " + circuitId + " (digest " + digest.substring(0, 12)
            + "...): running a development Groth16 setup once, keys go to " + dir);
        long t0 = System.nanoTime();
        KeyPair pair = Gnark.setup(circuitId);
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve("proving.key"), pair.provingKey());
        AtomicFiles.write(dir.resolve("verifying.key"), pair.verifyingKey());
        ObjectNode m = JSON.createObjectNode();
        m.put("circuitId", circuitId);
        m.put("circuitDigest", digest);
        m.put("verifyingKeyHash", sha256Hex(pair.verifyingKey()));
        m.put("provingKeyHash", sha256Hex(pair.provingKey()));
        m.put("setup", "development: single-party Groth16 setup, not for production");
        AtomicFiles.write(dir.resolve("manifest.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        System.err.printf("zkm: setup of %s done in %.1f s%n", circuitId, (System.nanoTime() - t0) / 1e9);
        return readManifest(dir.resolve("manifest.json")).orElseThrow();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write keys under " + dir, e);
    }
  }

  private static Optional<KeyEntry> readManifest(Path manifest) {
    if (!Files.isRegularFile(manifest)) {
      return Optional.empty();
    }
    try {
      JsonNode m = JSON.readTree(manifest.toFile());
      return Optional.of(new KeyEntry(m.get("circuitId").asText(), m.get("circuitDigest").asText(),
          m.get("verifyingKeyHash").asText(), m.get("provingKeyHash").asText(), manifest.getParent()));
    } catch (IOException | NullPointerException e) {
      return Optional.empty();
    }
  }

  private static byte[] readChecked(Path file, String expectedHash) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      String actual = sha256Hex(bytes);
      if (!actual.equals(expectedHash)) {
        throw new IllegalStateException("key file " + file + " does not match its manifest hash (corrupted?): "
            + actual + " != " + expectedHash);
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key " + file, e);
    }
  }
}
