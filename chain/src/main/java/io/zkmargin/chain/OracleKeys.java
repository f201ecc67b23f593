package io.zkmargin.chain;

import io.zkmargin.prover.AtomicFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The venue's oracle signing keys (secp256k1), kept in a data directory as {@code
 * keys/oracle-<i>.key} (hex private key, owner-only permissions). Development keys: whoever reads
 * the directory can sign.
 */
public final class OracleKeys {

  private OracleKeys() {}

  /** The key file of oracle {@code index}. */
  public static Path keyFile(Path dir, int index) {
    return dir.resolve("keys").resolve("oracle-" + index + ".key");
  }

  /**
   * Loads the oracle keys of {@code dir}, creating the missing ones of {@code count} with fresh
   * randomness.
   *
   * @param count number of oracle keys, in {@code [1, 32]}
   * @return the keys in index order
   */
  public static List<ECKeyPair> loadOrCreate(Path dir, int count, SecureRandom random)
      throws IOException {
    if (count < 1 || count > 32) {
      throw new IllegalArgumentException("oracle count must be in [1, 32], was " + count);
    }
    List<ECKeyPair> keys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      keys.add(loadOrCreate(keyFile(dir, i), random));
    }
    return keys;
  }

  /**
   * Loads the secp256k1 key of file {@code f} (the private key in hex), or makes one with {@code
   * random} and writes it there (mode 0600, atomically): the one key file of oracles, committee
   * members and the demo accounts' L1 keys.
   *
   * @return the key pair
   * @throws IOException on I/O errors
   */
  public static ECKeyPair loadOrCreate(Path f, SecureRandom random) throws IOException {
    if (Files.isRegularFile(f)) {
      return ECKeyPair.create(new BigInteger(Files.readString(f).trim(), 16));
    }
    ECKeyPair k;
    try {
      k = Keys.createEcKeyPair(random);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a secp256k1 key for " + f, e);
    }
    AtomicFiles.write(
        f,
        (k.getPrivateKey().toString(16) + "\n").getBytes(StandardCharsets.US_ASCII),
        "rw-------");
    return k;
  }
}
