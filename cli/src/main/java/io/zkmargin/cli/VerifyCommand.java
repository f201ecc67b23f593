package io.zkmargin.cli;

import io.zkmargin.prover.KeyStore;
import io.zkmargin.prover.ProofFile;
import io.zkmargin.prover.ProofVerdict;
import io.zkmargin.prover.ProofVerifier;
import io.zkmargin.prover.SettledRoots;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./zkm verify FILE [--data DIR]}: verifies a proof file against the pinned verifying keys
 * and, with {@code --data DIR}, checks that its state root and risk root are the roots the venue in
 * DIR settled. One verdict line; the exit code says which verdict (see {@link ProofVerdict.Kind}):
 *
 * <ul>
 *   <li>0 {@code VALID}: the proof verifies and both roots are the venue's (only with {@code
 *       --data});
 *   <li>1 {@code INVALID}: tampered proof, changed public input, unknown or wrong verifying key,
 *       malformed file;
 *   <li>3 {@code UNSETTLED ROOTS}: the proof verifies but is about roots the venue never had (a
 *       private tree);
 *   <li>4 {@code ROOTS NOT CHECKED}: the proof verifies; without {@code --data} its roots were not
 *       checked.
 * </ul>
 */
@Command(
    name = "verify",
    header =
        "verify a proof file against the pinned keys; with --data, also check its roots are the venue's",
    description = {
      "verify a proof file against the pinned verifying keys and, with --data, check that its",
      "roots are the venue's (or check it through the contract with --on-chain). One verdict line:"
    },
    footer = {
      "Verdicts:",
      "  VALID              exit 0  the proof verifies; its state root is the venue's, its risk",
      "                             root the one the oracles posted (needs --data or --on-chain)",
      "  INVALID            exit 1  tampered proof or input, unknown or wrong key, bad file",
      "  UNSETTLED ROOTS    exit 3  the proof verifies, but over roots the venue never settled or",
      "                             posted: it is about another tree, not the venue's",
      "  ROOTS NOT CHECKED  exit 4  the proof verifies; no --data: its roots were not checked"
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Cli.HelpOption help;
  @Mixin Cli.DevKeysOption devKeys;

  @Parameters(paramLabel = "FILE", description = "the proof file")
  Path file;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = {
        "check the proof's state and risk roots against the venue in DIR (none: its roots are not",
        "checked, verdict ROOTS NOT CHECKED); with --on-chain, the chain of DIR (default ./demo)"
      })
  Path dataDir;

  @Option(
      names = "--on-chain",
      description =
          "check the proof through the deployed Settlement contract (./zkm chain up) and print the gas of"
              + " verifyHealth")
  boolean onChain;

  @Option(
      names = "--min-threshold-bps",
      paramLabel = "B",
      description =
          "with --on-chain: least threshold the contract accepts (default the proof's own threshold)")
  Long minThresholdBps;

  @Option(
      names = "--keys",
      paramLabel = "KEYDIR",
      description = "verifying key cache (default $ZKM_KEYS, else <repo>/target/zkm-keys)")
  String keysDir;

  @Override
  public Integer call() {
    if (onChain) {
      return ChainCommand.verifyOnChain(
          file,
          dataDir == null ? Path.of("demo") : dataDir,
          minThresholdBps == null
              ? -1
              : Cli.range(
                  spec,
                  "min-threshold-bps",
                  minThresholdBps,
                  0,
                  io.zkmargin.commit.HealthWitness.CIRCUIT_MAX_THRESHOLD_BPS));
    }
    ProofFile proof = readOrExplain(file);
    if (proof == null) {
      return ProofVerdict.Kind.INVALID.exitCode();
    }
    // the venue's roots: only when DIR is named, so that a proof is never judged against an
    // unrelated ./demo
    SettledRoots roots = null;
    if (dataDir != null) {
      try {
        roots = SettledRoots.load(dataDir);
      } catch (IOException e) {
        System.err.println("zkm verify: " + e.getMessage());
        return 1;
      }
    }
    try (KeyStore keys = devKeys.open(keysDir, dataDir);
        ProofVerifier verifier = new ProofVerifier(keys)) {
      ProofVerifier.Verdict check = verifier.verify(proof);
      ProofVerdict verdict = ProofVerdict.of(proof, check, roots);
      String line =
          verdict.kind() == ProofVerdict.Kind.ROOTS_NOT_CHECKED
              ? verdict.line() + " (pass --data DIR to check them against the venue, or --on-chain)"
              : verdict.line();
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
