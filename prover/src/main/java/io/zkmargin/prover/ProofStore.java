package io.zkmargin.prover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Proof files addressed by their content: {@code DIR/proofs/<sha256 of the bytes>.json}. A file is
 * written atomically ({@link AtomicFiles}), so a crash leaves it whole or absent; writing the same
 * proof again is a no-op (the name is the content), and a file whose bytes do not hash to its name
 * is never returned.
 */
public final class ProofStore {

  /** The folder of the proofs inside a data directory. */
  public static final String FOLDER = "proofs";

  private final Path folder;

  /** The proof store of a data directory ({@code dataDir/proofs}, created on the first write). */
  public ProofStore(Path dataDir) {
    this.folder = Objects.requireNonNull(dataDir, "dataDir").resolve(FOLDER);
  }

  /** The lower-case hex SHA-256 of {@code bytes} (the key store's). */
  public static String sha256Hex(byte[] bytes) {
    return KeyStore.sha256Hex(bytes);
  }

  /** The file a proof with this hash has (whether or not it exists). */
  public Path file(String sha256Hex) {
    if (!sha256Hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256Hex);
    }
    return folder.resolve(sha256Hex + ".json");
  }

  /**
   * Stores a proof's bytes under their hash; nothing is written when a file of that name with the
   * same bytes exists (a damaged one is replaced).
   *
   * @return the hash, which names the file
   */
  public String put(byte[] proofJson) throws IOException {
    String hash = sha256Hex(proofJson);
    Path f = file(hash);
    if (Files.isRegularFile(f) && sha256Hex(Files.readAllBytes(f)).equals(hash)) {
      return hash;
    }
    AtomicFiles.write(f, proofJson, "rw-r--r--");
    return hash;
  }

  /**
   * The bytes of the proof with this hash, checked against it.
   *
   * @throws IOException when the file is missing or its bytes do not hash to its name
   */
  public byte[] get(String sha256Hex) throws IOException {
    byte[] b = Files.readAllBytes(file(sha256Hex));
    if (!sha256Hex(b).equals(sha256Hex)) {
      throw new IOException(file(sha256Hex) + " does not hash to its name (damaged)");
    }
    return b;
  }
}
