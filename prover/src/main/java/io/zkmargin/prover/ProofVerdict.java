package io.zkmargin.prover;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The verdict on a health proof for someone who relies on the venue: the Groth16 check of the proof
 * ({@link ProofVerifier}) combined with the check of its roots against the roots the venue settled
 * ({@link SettledRoots}). A proof is {@link Kind#VALID} only when it verifies <em>and</em> its
 * state root was settled by the venue <em>and</em> its risk root was posted by the oracle quorum: a
 * proof over any other roots is a true statement about some other tree, which anyone with the
 * proving key can build.
 *
 * @param kind the verdict
 * @param message one line: the statement proven and what was checked, or why the proof does not
 *     count
 */
public record ProofVerdict(Kind kind, String message) {

  /** The verdicts, each with its word for people and its command-line exit code. */
  public enum Kind {
    /** The proof verifies and both roots are the venue's. Exit 0. */
    VALID("VALID", 0),
    /** The proof does not verify (tampered, wrong key, malformed) or cannot be checked. Exit 1. */
    INVALID("INVALID", 1),
    /**
     * The proof verifies, but over a state root or risk root the venue never settled or posted.
     * Exit 3.
     */
    UNSETTLED_ROOTS("UNSETTLED ROOTS", 3),
    /**
     * The proof verifies; its roots were not checked (offline only, no venue, no chain). Exit 4.
     */
    ROOTS_NOT_CHECKED("ROOTS NOT CHECKED", 4);

    private final String word;
    private final int exitCode;

    Kind(String word, int exitCode) {
      this.word = word;
      this.exitCode = exitCode;
    }

    /** The verdict as printed at the start of the verdict line, e.g. {@code "UNSETTLED ROOTS"}. */
    public String word() {
      return word;
    }

    /** The exit code of {@code ./zkm verify} for this verdict. */
    public int exitCode() {
      return exitCode;
    }
  }

  public ProofVerdict {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** The verdict line: {@code "WORD: message"}. */
  public String line() {
    return kind.word() + ": " + message;
  }

  /** Exit code of the command line for this verdict (see {@link Kind}). */
  public int exitCode() {
    return kind.exitCode();
  }

  /**
   * Combines the Groth16 check of a proof with the check of its roots.
   *
   * @param proof the proof file that was checked
   * @param proofCheck the outcome of {@link ProofVerifier#verify} for it
   * @param roots the roots the venue stands behind; null for an offline-only check (the verdict
   *     then says plainly that the roots were not checked)
   */
  public static ProofVerdict of(
      ProofFile proof, ProofVerifier.Verdict proofCheck, SettledRoots roots) {
    Objects.requireNonNull(proof, "proof");
    Objects.requireNonNull(proofCheck, "proofCheck");
    if (!proofCheck.valid()) {
      return new ProofVerdict(Kind.INVALID, proofCheck.message());
    }
    String statement = proofCheck.message().replaceFirst("^valid: ", "");
    if (roots == null) {
      return new ProofVerdict(
          Kind.ROOTS_NOT_CHECKED,
          "the proof verifies ("
              + statement
              + "), but its state root and"
              + " risk root were not checked against a venue or a chain: it may be about a tree the venue never had");
    }
    BigInteger stateRoot = proof.publicInputs().get(0);
    BigInteger riskRoot = proof.publicInputs().get(1);
    boolean stateOk = roots.stateRootSettled(stateRoot);
    boolean riskOk = roots.riskRootPosted(riskRoot);
    if (stateOk && riskOk) {
      return new ProofVerdict(
          Kind.VALID,
          statement
              + "; state root ("
              + roots.stateRoots().get(stateRoot)
              + ") and risk root ("
              + roots.riskRoots().get(riskRoot)
              + ") are those of "
              + roots.source());
    }
    String unsettled;
    if (!stateOk && !riskOk) {
      unsettled =
          "its state root was never settled and its risk root never posted by " + roots.source();
    } else if (!stateOk) {
      unsettled = "its state root was never settled by " + roots.source();
    } else {
      unsettled = "its risk root was never posted by the oracles of " + roots.source();
    }
    return new ProofVerdict(
        Kind.UNSETTLED_ROOTS,
        "the proof verifies, but "
            + unsettled
            + ": it is about another tree, not the venue's ("
            + statement
            + ")");
  }
}
