package io.zkmargin.operator;

import io.zkmargin.prover.AtomicFiles;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The Ethereum (secp256k1) keys of a demo venue's accounts on the local chain, {@code
 * DIR/keys/l1-<id>.key} (hex private key, owner-only), made on first use: the address that deposits
 * for the account and receives its withdrawals. Development keys only.
 */
public final class DemoL1Keys {
  private DemoL1Keys() {}

  /** The key file of account {@code id}. */
  public static Path keyFile(Path dir, long id) {
    return dir.resolve("keys").resolve("l1-" + id + ".key");
  }

  /** Loads account {@code id}'s L1 key, making it when missing. */
  public static ECKeyPair loadOrCreate(Path dir, long id) throws IOException {
    ArgChecker.notNegative(id, "id");
    Path f = keyFile(dir, id);
    if (Files.isRegularFile(f)) {
      return ECKeyPair.create(new BigInteger(Files.readString(f).trim(), 16));
    }
    ECKeyPair k;
    try {
      k = Keys.createEcKeyPair(new SecureRandom());
    } catch (Exception e) {
      throw new IllegalStateException("cannot make an L1 key", e);
    }
    AtomicFiles.write(
        f,
        (k.getPrivateKey().toString(16) + "\n").getBytes(StandardCharsets.US_ASCII),
        "rw-------");
    return k;
  }
}
