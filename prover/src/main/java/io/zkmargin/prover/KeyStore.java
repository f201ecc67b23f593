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
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Proving and verifying keys on disk, content addressed: {@code
 * <root>/<circuitId>/<circuitDigest>/} holds {@code proving.key}, {@code verifying.key} and {@code
 * manifest.json} (circuit id, circuit digest = SHA-256 of the compiled constraint system, SHA-256
 * of each key). A circuit change changes the digest, so a stale key is never used; keys are made
 * once by a development (single-party, unsafe for production) Groth16 setup and reused. Setup is
 * serialized across processes by a file lock and across the key stores of one JVM by a lock per
 * root directory (a second {@link FileLock} on the same file in the same JVM would throw).
 *
 * <p>Crash safety: the manifest is written last, after both keys (each written and fsynced by
 * {@link AtomicFiles}), so a key directory without a manifest is a setup that did not finish: it is
 * ignored, its leftovers are deleted and a fresh setup runs. A key file that does not match its
 * manifest's hash is never handed to the native library: it is a clear error naming the directory
 * to delete.
 *
 * <p>Only keys of the current circuits are used: a manifest is accepted only when its circuit
 * digest is the digest of the circuit as compiled now ({@link #findByVerifyingKeyHash}), so keys of
 * an older version of a circuit left on disk never verify a proof.
 *
 * <p>Provenance: a manifest says where its keys came from: {@code setup: ceremony} with the
 * transcript hash (keys finalized by a multi-party ceremony, {@code ./zkm ceremony}), or a
 * development setup (one party knows the toxic waste and can forge proofs). A store refuses
 * development keys unless it was opened to allow them ({@link #KeyStore(Path, boolean)}: tests,
 * {@code ./zkm demo} and {@code serve} on a demo venue, {@code --allow-dev-keys}); it then neither
 * makes them nor loads them nor finds them for verification. The default ({@link #KeyStore(Path)},
 * {@link #openDefault()}) refuses, unless the system property {@value #ALLOW_DEV_KEYS_PROPERTY} or
 * the environment variable {@code ZKM_ALLOW_DEV_KEYS} is {@code true} (the build sets the property
 * for every test JVM).
 *
 * <p>Loaded key handles are cached per circuit id and released by {@link #close()}.
 */
public final class KeyStore implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One lock per key store root in this JVM, taken before the cross-process file lock. */
  private static final Map<Path, ReentrantLock> SETUP_LOCKS = new ConcurrentHashMap<>();

  /** System property that lets the default stores use development keys (set for tests). */
  public static final String ALLOW_DEV_KEYS_PROPERTY = "zkm.allowDevKeys";

  /** The {@code setup} value of a manifest written by a ceremony's finalize. */
  public static final String SETUP_CEREMONY = "ceremony";

  /** {@link KeyEntry#provenance()} of keys of a development setup. */
  public static final String PROVENANCE_DEVELOPMENT = "development";

  private final Path root;
  private final boolean allowDevKeys;
  private final Map<String, KeyEntry> entries = new ConcurrentHashMap<>();
  private final Map<String, ProvingKeyHandle> provingKeys = new ConcurrentHashMap<>();
  private final Map<String, VerifyingKeyHandle> verifyingKeys = new ConcurrentHashMap<>();

  /**
   * The manifest of one key pair. Hashes are lower-case hex SHA-256.
   *
   * @param transcriptHash the ceremony's transcript hash when the keys come from a ceremony, else
   *     null (development setup)
   */
  public record KeyEntry(
      String circuitId,
      String circuitDigest,
      String verifyingKeyHash,
      String provingKeyHash,
      Path directory,
      String transcriptHash) {
    /**
     * @return true when the keys come from a multi-party ceremony
     */
    public boolean fromCeremony() {
      return transcriptHash != null;
    }

    /**
     * @return {@code ceremony:<transcript hash>} or {@value #PROVENANCE_DEVELOPMENT}: what proof
     *     files and verification answers say about the key's setup
     */
    public String provenance() {
      return fromCeremony() ? SETUP_CEREMONY + ":" + transcriptHash : PROVENANCE_DEVELOPMENT;
    }

    public Path provingKeyFile() {
      return directory.resolve("proving.key");
    }

    public Path verifyingKeyFile() {
      return directory.resolve("verifying.key");
    }
  }

  /**
   * A store that refuses development keys unless {@link #devKeysAllowedByDefault()}.
   *
   * @param root the key directory
   */
  public KeyStore(Path root) {
    this(root, devKeysAllowedByDefault());
  }

  /**
   * @param root the key directory
   * @param allowDevKeys whether keys of a development setup may be made, loaded and found (tests,
   *     demos); false: only ceremony keys
   */
  public KeyStore(Path root, boolean allowDevKeys) {
    this.root = root.toAbsolutePath();
    this.allowDevKeys = allowDevKeys;
  }

  /**
   * @return true when the system property {@value #ALLOW_DEV_KEYS_PROPERTY} or the environment
   *     variable {@code ZKM_ALLOW_DEV_KEYS} is {@code true}
   */
  public static boolean devKeysAllowedByDefault() {
    return Boolean.parseBoolean(System.getProperty(ALLOW_DEV_KEYS_PROPERTY))
        || "true".equalsIgnoreCase(System.getenv("ZKM_ALLOW_DEV_KEYS"));
  }

  /**
   * @return whether this store accepts keys of a development setup
   */
  public boolean allowsDevKeys() {
    return allowDevKeys;
  }

  /**
   * The default key store: {@code $ZKM_KEYS}, else {@code <repo>/target/zkm-keys} where the
   * repository root is the system property {@code zkm.root} (set by ./zkm and the tests), else
   * {@code ./target/zkm-keys}.
   */
  public static KeyStore openDefault() {
    return openDefault(devKeysAllowedByDefault());
  }

  /**
   * The default key store ({@link #openDefault()}) with an explicit development-key policy.
   *
   * @param allowDevKeys see {@link #KeyStore(Path, boolean)}
   */
  public static KeyStore openDefault(boolean allowDevKeys) {
    return new KeyStore(defaultRoot(), allowDevKeys);
  }

  /**
   * @return {@code $ZKM_KEYS}, else {@code <zkm.root>/target/zkm-keys}, else {@code
   *     ./target/zkm-keys}
   */
  public static Path defaultRoot() {
    String env = System.getenv("ZKM_KEYS");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String repo = System.getProperty("zkm.root");
    Path base = repo != null ? Path.of(repo) : Path.of(".");
    return base.resolve("target").resolve("zkm-keys");
  }

  /**
   * The refusal of a development key by a store that requires ceremony keys.
   *
   * @param e the entry refused
   * @return the message
   */
  public static String devKeyRefusal(KeyEntry e) {
    return "the keys of "
        + e.circuitId()
        + " in "
        + e.directory()
        + " come from a development setup (whoever ran it can forge proofs); only keys of a"
        + " ceremony are accepted here: run ./zkm ceremony (see ./zkm ceremony --help), or for a"
        + " test or demo pass --allow-dev-keys";
  }

  public Path root() {
    return root;
  }

  /**
   * The key pair of a circuit, making it by a development setup when no key for the circuit's
   * current digest exists yet. Prints a progress line to stderr while it sets up.
   */
  public KeyEntry ensureKeys(String circuitId) {
    return entries.computeIfAbsent(circuitId, this::loadOrSetup);
  }

  /** A loaded proving key for the circuit; owned by this store (do not close it). */
  public ProvingKeyHandle provingKey(String circuitId) {
    return provingKeys.computeIfAbsent(
        circuitId,
        id -> {
          KeyEntry e = ensureKeys(id);
          return Gnark.loadProvingKey(id, readChecked(e.provingKeyFile(), e.provingKeyHash()));
        });
  }

  /** A loaded verifying key for the circuit; owned by this store (do not close it). */
  public VerifyingKeyHandle verifyingKey(String circuitId) {
    return verifyingKeys.computeIfAbsent(
        circuitId,
        id -> {
          KeyEntry e = ensureKeys(id);
          return Gnark.loadVerifyingKey(
              id, readChecked(e.verifyingKeyFile(), e.verifyingKeyHash()));
        });
  }

  /**
   * Finds a pinned key pair by the hash of its verifying key: how an auditor resolves the key named
   * in a proof file. Only a key of the current version of its circuit is returned: its manifest's
   * circuit digest must be the digest of the circuit as compiled now (the circuit is compiled once
   * per JVM for that), and the manifest must sit in {@code <root>/<circuitId>/<circuitDigest>/}. A
   * key of an older version of the circuit is not found.
   *
   * @param verifyingKeyHash lower-case hex SHA-256 of the verifying key bytes
   * @return the entry, or empty when no key of a current circuit has that hash (or it is a
   *     development key and this store refuses those)
   */
  public Optional<KeyEntry> findByVerifyingKeyHash(String verifyingKeyHash) {
    return findAnyByVerifyingKeyHash(verifyingKeyHash)
        .filter(this::isCurrent)
        .filter(e -> allowDevKeys || e.fromCeremony());
  }

  /**
   * Like {@link #findByVerifyingKeyHash} but also returns keys of older circuit versions, without
   * compiling anything; for messages that explain why a key is refused, never for verifying.
   */
  public Optional<KeyEntry> findAnyByVerifyingKeyHash(String verifyingKeyHash) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> manifests =
        Files.find(root, 3, (p, a) -> p.getFileName().toString().equals("manifest.json"))) {
      return manifests
          .map(KeyStore::readManifest)
          .flatMap(Optional::stream)
          .filter(e -> e.verifyingKeyHash().equals(verifyingKeyHash))
          .sorted(java.util.Comparator.comparing((KeyEntry e) -> !isCurrentQuietly(e)))
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param entry a manifest read from disk
   * @return true when the entry is where its circuit id and digest say, and its digest is the
   *     digest of the circuit as compiled now
   * @throws io.zkmargin.nativebridge.NativeException when the circuit id is not a known circuit
   */
  public boolean isCurrent(KeyEntry entry) {
    Path expectedDir = root.resolve(entry.circuitId()).resolve(entry.circuitDigest()).normalize();
    if (!entry.directory().normalize().equals(expectedDir)) {
      return false;
    }
    return entry.circuitDigest().equals(currentDigest(entry.circuitId()));
  }

  private boolean isCurrentQuietly(KeyEntry entry) {
    try {
      return isCurrent(entry);
    } catch (RuntimeException e) {
      return false; // a manifest naming a circuit this build does not know
    }
  }

  private static String currentDigest(String circuitId) {
    return HexFormat.of().formatHex(Gnark.circuitDigest(circuitId));
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
    String digest = currentDigest(circuitId);
    Path dir = root.resolve(circuitId).resolve(digest);
    Optional<KeyEntry> existing = readManifest(dir.resolve("manifest.json"));
    if (existing.isPresent()) {
      return checkPolicy(checkManifest(existing.get(), circuitId, digest));
    }
    if (!allowDevKeys) {
      throw new IllegalStateException(
          "no ceremony keys for "
              + circuitId
              + " (digest "
              + digest
              + ") in "
              + dir
              + ": run a ceremony and finalize it into this key store (./zkm ceremony phase2"
              + " finalize --circuit "
              + circuitId
              + " ...), or for a test or demo pass --allow-dev-keys to make development keys");
    }
    ReentrantLock jvmLock = SETUP_LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(root);
      try (FileChannel lockChannel =
              FileChannel.open(
                  root.resolve(".setup.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = lockChannel.lock()) {
        existing = readManifest(dir.resolve("manifest.json"));
        if (existing.isPresent()) {
          return checkManifest(existing.get(), circuitId, digest);
        }
        deleteUnfinishedSetup(dir);
        System.err.println(
            "zkm: no keys for "
                + circuitId
                + " (digest "
                + digest.substring(0, 12)
                + "...): running a development Groth16 setup once, keys go to "
                + dir);
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
        m.put("setup", PROVENANCE_DEVELOPMENT + ": single-party Groth16 setup, not for production");
        AtomicFiles.write(
            dir.resolve("manifest.json"),
            JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        System.err.printf(
            "zkm: setup of %s done in %.1f s%n", circuitId, (System.nanoTime() - t0) / 1e9);
        return readManifest(dir.resolve("manifest.json")).orElseThrow();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write keys under " + dir, e);
    } finally {
      jvmLock.unlock();
    }
  }

  private KeyEntry checkPolicy(KeyEntry e) {
    if (!allowDevKeys && !e.fromCeremony()) {
      throw new IllegalStateException(devKeyRefusal(e));
    }
    return e;
  }

  /**
   * A manifest in the directory of (circuitId, digest) must name them: anything else is a tampered
   * store.
   */
  private static KeyEntry checkManifest(KeyEntry e, String circuitId, String digest) {
    if (!e.circuitId().equals(circuitId) || !e.circuitDigest().equals(digest)) {
      throw new IllegalStateException(
          "key manifest "
              + e.directory().resolve("manifest.json")
              + " names circuit "
              + e.circuitId()
              + " digest "
              + e.circuitDigest()
              + ", expected "
              + circuitId
              + " digest "
              + digest
              + ": delete the directory to run a fresh setup");
    }
    return e;
  }

  /**
   * A key directory without a manifest is a setup a crash interrupted (the manifest is written
   * last): delete its key files and temporary files so that the fresh setup starts clean.
   */
  private static void deleteUnfinishedSetup(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (AtomicFiles.isLeftover(f)
            || name.equals("proving.key")
            || name.equals("verifying.key")) {
          System.err.println("zkm: removing " + f + " left by an unfinished setup");
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static Optional<KeyEntry> readManifest(Path manifest) {
    if (!Files.isRegularFile(manifest)) {
      return Optional.empty();
    }
    try {
      JsonNode m = JSON.readTree(manifest.toFile());
      if (m == null || !m.isObject()) {
        return Optional.empty();
      }
      String[] f = new String[4];
      String[] names = {"circuitId", "circuitDigest", "verifyingKeyHash", "provingKeyHash"};
      for (int i = 0; i < 4; i++) {
        JsonNode n = m.get(names[i]);
        if (n == null || !n.isTextual() || (i > 0 && !n.asText().matches("[0-9a-f]{64}"))) {
          return Optional.empty(); // not a manifest this store wrote
        }
        f[i] = n.asText();
      }
      // ceremony keys: setup "ceremony" and a well-formed transcript hash; anything else is
      // treated as a development setup
      String transcript = null;
      JsonNode setup = m.get("setup");
      JsonNode th = m.get("transcriptHash");
      if (setup != null
          && SETUP_CEREMONY.equals(setup.asText())
          && th != null
          && th.isTextual()
          && th.asText().matches("[0-9a-f]{64}")) {
        transcript = th.asText();
      }
      return Optional.of(
          new KeyEntry(f[0], f[1], f[2], f[3], manifest.toAbsolutePath().getParent(), transcript));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static byte[] readChecked(Path file, String expectedHash) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      String actual = sha256Hex(bytes);
      if (!actual.equals(expectedHash)) {
        throw new IllegalStateException(
            "key file "
                + file
                + " does not match its manifest hash (corrupted?): "
                + actual
                + " != "
                + expectedHash
                + "; it is not used. Delete "
                + file.getParent()
                + " to run a fresh setup (proofs made with the old key will no longer verify)");
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key " + file, e);
    }
  }
}
