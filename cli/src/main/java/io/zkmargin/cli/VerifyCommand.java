package io.zkmargin.cli;

import io.zkmargin.prover.HealthProver;
import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerifier;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code ./zkm verify FILE}: verifies a proof file offline against the pinned verifying keys. Exit 0 and a
 * one-line verdict for a valid proof; exit 1 and the reason otherwise (tampered proof, changed public
 * input, unknown or wrong verifying key, malformed file).
 */
final class VerifyCommand {
  private VerifyCommand() {}

  static int run(String[] argv) throws Args.UsageException {
    Args args = Args.parse(argv, Set.of("data", "keys", "min-threshold-bps"), Set.of("on-chain"));
    if (args.positional().size() != 1) {
      throw new Args.UsageException("expected exactly one proof FILE");
    }
    Path file = Path.of(args.positional().get(0));
    if (args.flag("on-chain")) {
      return ChainCommand.verifyOnChain(file, args.dataDir(),
          args.getLong("min-threshold-bps", -1, 0, HealthProver.MAX_THRESHOLD_BPS));
    }
    ProofFile proof = readOrExplain(file);
    if (proof == null) {
      return 1;
    }
    String keysDir = args.get("keys", null);
    try (KeyStore keys = keysDir == null ? KeyStore.openDefault() : new KeyStore(Path.of(keysDir));
         ProofVerifier verifier = new ProofVerifier(keys)) {
      ProofVerifier.Verdict verdict = verifier.verify(proof);
      if (verdict.valid()) {
        System.out.println("VALID: " + verdict.message().replaceFirst("^valid: ", ""));
        return 0;
      }
      System.err.println("INVALID: " + verdict.message());
      return 1;
    }
  }

  /** Reads a proof file, or prints why it cannot be read ("INVALID: ...") and returns null. */
  static ProofFile readOrExplain(Path file) {
    try {
      return ProofFile.read(file);
    } catch (NoSuchFileException e) {
      System.err.println("INVALID: no such file " + file);
    } catch (IOException e) {
      System.err.println("INVALID: cannot read " + file + ": " + e.getMessage());
    } catch (ProofFile.MalformedProofException e) {
      System.err.println("INVALID: malformed proof file " + file + ": " + e.getMessage());
    }
    return null;
  }
}
