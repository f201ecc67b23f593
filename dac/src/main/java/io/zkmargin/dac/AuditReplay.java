package io.zkmargin.dac;

import io.zkmargin.dac.BatchRefusedException.Check;
import io.zkmargin.ledger.Withdrawal;
import io.zkmargin.risk.util.ArgChecker;
import java.io.PrintStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The auditor's replay ({@code ./zkm audit replay}): rebuilds the account tree from genesis with
 * its own {@link ReplayState} and, for every batch the chain finalized, the batch data a committee
 * member stores, and checks that the chain and the data agree: the document's public inputs are the
 * ones the contract verified (roots, risk root, deposit heads, withdrawals hash, dataHash, batch
 * time), the data replays (every check of {@link ReplayState#apply}), the replayed withdrawal list
 * is the one the contract credited, and the proof verifies against those public inputs. Finally the
 * replayed root must be the contract's current state root.
 *
 * <p>Prints one line per batch and a verdict; stops at the first mismatch.
 */
public final class AuditReplay {
  private AuditReplay() {}

  /** Checks a batch proof against its public inputs (the chain's verifier, or a local key). */
  @FunctionalInterface
  public interface ProofCheck {
    /**
     * @param solidityProof the proof bytes of the finalizing transaction
     * @param publicInputs the nine public inputs, circuit order
     * @param circuitId the batch circuit id of the batch's data
     */
    boolean verifies(byte[] solidityProof, BigInteger[] publicInputs, String circuitId);
  }

  /** Where batch data comes from (a committee member's {@code GetBatch}). */
  @FunctionalInterface
  public interface BatchSource {
    byte[] batch(long batchNumber) throws Exception;
  }

  /**
   * The outcome.
   *
   * @param ok every batch agrees and the final root is the chain's
   * @param batches batches checked (that agreed)
   * @param failedBatch the batch that did not (0 for none, or the genesis/final check)
   * @param check the check that failed (null when ok)
   * @param message what failed
   */
  public record Verdict(boolean ok, long batches, long failedBatch, String check, String message) {}

  /**
   * Replays the chain's batches from genesis.
   *
   * @param genesis the genesis accounts (e.g. a member's {@code GetGenesis}); its root must be the
   *     chain's genesis root
   * @param chain what the chain recorded ({@link ChainBatches#read})
   * @param source the batch data
   * @param proofs the proof check
   * @param out one line per batch and the verdict
   */
  public static Verdict run(
      Genesis genesis,
      ChainBatches.View chain,
      BatchSource source,
      ProofCheck proofs,
      PrintStream out) {
    return replay(genesis, chain, source, proofs, out).verdict();
  }

  /**
   * The verdict and the state the replay reached: on success, the account tree at the chain's last
   * finalized batch, rebuilt from the committee's data and checked against the chain (what a keeper
   * margins).
   */
  public record Replayed(Verdict verdict, ReplayState state) {}

  /**
   * {@link #run} that also returns the replayed state (at the last batch that agreed).
   *
   * @return the verdict and the state
   */
  public static Replayed replay(
      Genesis genesis,
      ChainBatches.View chain,
      BatchSource source,
      ProofCheck proofs,
      PrintStream out) {
    ReplayState[] state = new ReplayState[1];
    Verdict v = run(genesis, chain, source, proofs, out, state);
    return new Replayed(v, state[0]);
  }

  private static Verdict run(
      Genesis genesis,
      ChainBatches.View chain,
      BatchSource source,
      ProofCheck proofs,
      PrintStream out,
      ReplayState[] stateOut) {
    ArgChecker.notNull(genesis, "genesis");
    ArgChecker.notNull(chain, "chain");
    ArgChecker.notNull(source, "source");
    ArgChecker.notNull(proofs, "proofs");
    ArgChecker.notNull(out, "out");
    if (!genesis.root().equals(chain.genesisRoot())) {
      return fail(
          out,
          0,
          0,
          "GENESIS",
          "the DAC's genesis root "
              + genesis.root()
              + " is not the chain's "
              + chain.genesisRoot());
    }
    out.println(
        "audit: genesis root "
            + genesis.root()
            + " ("
            + genesis.accounts().size()
            + " accounts) is the chain's; "
            + chain.batches().size()
            + " finalized batches to replay");
    ReplayState state = new ReplayState(genesis);
    stateOut[0] = state;
    long done = 0;
    for (ChainBatches.Batch b : chain.batches()) {
      long n = b.batchNumber();
      byte[] bytes;
      try {
        bytes = source.batch(n);
      } catch (Exception e) {
        return fail(
            out, done, n, "DATA_AVAILABLE", "the DAC did not return the batch: " + e.getMessage());
      }
      WitnessDocument doc;
      try {
        doc = WitnessDocument.parse(bytes);
      } catch (BatchRefusedException e) {
        return fail(out, done, n, e.check().name(), e.getMessage());
      }
      BigInteger[] pub = doc.publicInputs();
      for (int i = 0; i < 9; i++) { // the 9th, requestsHash: the chain's request list
        if (!pub[i].equals(b.publicInputs()[i])) {
          return fail(
              out,
              done,
              n,
              WitnessDocument.PUBLIC_NAMES[i],
              "the batch data says "
                  + WitnessDocument.PUBLIC_NAMES[i]
                  + " = "
                  + pub[i]
                  + ", the chain finalized "
                  + b.publicInputs()[i]);
        }
      }
      try {
        state.apply(
            n,
            doc,
            () -> {
              throw new BatchRefusedException(Check.TRANSITION, "audit stops at batch " + n);
            });
      } catch (BatchRefusedException e) {
        return fail(out, done, n, e.check().name(), e.getMessage());
      }
      List<ChainBatches.Credit> replayed = new ArrayList<>();
      for (Withdrawal w : state.ledger().withdrawals()) {
        replayed.add(
            new ChainBatches.Credit(
                String.format(Locale.ROOT, "0x%040x", w.l1Address()), w.amount()));
      }
      if (!replayed.equals(b.withdrawals())) {
        return fail(
            out,
            done,
            n,
            "WITHDRAWALS",
            "the replay pays " + replayed + ", the chain credited " + b.withdrawals());
      }
      if (!state.ledger().requests().equals(b.requests())) {
        return fail(
            out,
            done,
            n,
            "REQUESTS",
            "the replay answers the requests "
                + state.ledger().requests()
                + ", the chain cleared "
                + b.requests());
      }
      if (!proofs.verifies(b.solidityProof(), b.publicInputs(), doc.circuitId())) {
        return fail(
            out,
            done,
            n,
            "PROOF",
            "the proof of transaction "
                + b.txHash()
                + " does not verify against its public inputs");
      }
      done++;
      out.printf(
          Locale.ROOT,
          "batch %d: OK  %s, %d deposits, %d withdrawals, data %s, root %s%n",
          n,
          doc.circuitId(),
          b.deposits(),
          b.withdrawals().size(),
          short16(doc.dataHash()),
          short16(state.root()));
    }
    if (!state.root().equals(chain.stateRoot()) || done != chain.batchNumber()) {
      return fail(
          out,
          done,
          0,
          "FINAL_ROOT",
          "replayed batch "
              + state.latestBatch()
              + " root "
              + state.root()
              + ", the chain is at batch "
              + chain.batchNumber()
              + " root "
              + chain.stateRoot());
    }
    out.println(
        "AUDIT OK: "
            + done
            + " batches replayed from genesis; the final root "
            + state.root()
            + " is the chain's state root");
    return new Verdict(true, done, 0, null, null);
  }

  private static Verdict fail(
      PrintStream out, long done, long batch, String check, String message) {
    out.println(
        "AUDIT FAILED" + (batch > 0 ? " at batch " + batch : "") + ": " + check + ": " + message);
    return new Verdict(false, done, batch, check, message);
  }

  private static String short16(BigInteger v) {
    String h = v.toString(16);
    return "0x" + (h.length() > 16 ? h.substring(0, 16) + ".." : h);
  }
}
