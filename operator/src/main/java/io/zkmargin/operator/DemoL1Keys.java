package io.zkmargin.operator;

import io.zkmargin.chain.OracleKeys;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.web3j.crypto.ECKeyPair;

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
    return OracleKeys.loadOrCreate(keyFile(dir, id), new SecureRandom());
  }
}
