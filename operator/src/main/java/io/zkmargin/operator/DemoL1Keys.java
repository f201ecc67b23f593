package io.zkmargin.operator;

import io.zkmargin.chain.OracleKeys;
import io.zkmargin.prover.DemoVenues;
import io.zkmargin.risk.util.ArgChecker;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.web3j.crypto.ECKeyPair;

/**
 * The Ethereum (secp256k1) keys of a demo venue's accounts on the local chain, {@code
 * DIR/keys/l1-<id>.key} (hex private key, owner-only): the address that deposits for the account,
 * receives its withdrawals and exits, and may request its forced withdrawal. The genesis accounts'
 * keys are written with the venue ({@link DemoVenues#write}: their addresses are in the leaves and
 * follow from the seed); an account registered later gets a fresh random key on first use.
 * Development keys only.
 */
public final class DemoL1Keys {
  private DemoL1Keys() {}

  /** The key file of account {@code id}. */
  public static Path keyFile(Path dir, long id) {
    return DemoVenues.l1KeyFile(dir, id);
  }

  /** Loads account {@code id}'s L1 key, making it when missing. */
  public static ECKeyPair loadOrCreate(Path dir, long id) throws IOException {
    ArgChecker.notNegative(id, "id");
    return OracleKeys.loadOrCreate(keyFile(dir, id), new SecureRandom());
  }
}
