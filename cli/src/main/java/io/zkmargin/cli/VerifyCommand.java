package io.zkmargin.cli;

import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerdict;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.SettledRoots;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code ./zkm verify FILE [--data DIR]}: verifies a proof file against the pinned verifying keys and, with
 * {@code --data DIR}, checks that its state root and risk root are the roots the venue in DIR settled. One
 * verdict line; the exit code says which verdict (see {@link ProofVerdict.Kind}):
 * <ul>
 *   <li>0 {@code VALID}: the proof verifies and both roots are the venue's (only with {@code --data});
 *   <li>1 {@code INVALID}: tampered proof, changed public input, unknown or wrong verifying key, malformed file;
 *   <li>3 {@code UNSETTLED ROOTS}: the proof verifies but is about roots the venue never had (a private tree);
 *   <li>4 {@code ROOTS NOT CHECKED}: the proof verifies; without {@code --data} its roots were not checked.
 * </ul>
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
          args.getLong("min-threshold-bps", -1, 0, io.zkmargin.commit.HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS));
    }
    ProofFile proof = readOrExplain(file);
    if (proof == null) {
      return ProofVerdict.Kind.INVALID.exitCode();
    }
    // the venue's roots: only when DIR is named, so that a proof is never judged against an unrelated ./demo
    String dataDir = args.get("data", null);
    SettledRoots roots = null;
    if (dataDir != null) {
      try {
        roots = SettledRoots.load(Path.of(dataDir));
      } catch (IOException e) {
        System.err.println("zkm verify: " + e.getMessage());
        return 1;
      }
    }
    String keysDir = args.get("keys", null);
    try (KeyStore keys = keysDir == null ? KeyStore.openDefault() : new KeyStore(Path.of(keysDir));
         ProofVerifier verifier = new ProofVerifier(keys)) {
      ProofVerifier.Verdict check = verifier.verify(proof);
      ProofVerdict verdict = ProofVerdict.of(proof, check, roots);
      String line = verdict.kind() == ProofVerdict.Kind.ROOTS_NOT_CHECKED
          ? verdict.line() + " (pass --data DIR to check them against the venue, or --on-chain)" : verdict.line();
      (verdict.kind() == ProofVerdict.Kind.VALID ? System.out : System.err).println(line);
      return verdict.exitCode();
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
