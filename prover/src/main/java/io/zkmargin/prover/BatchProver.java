package io.zkmargin.prover;

import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofResult;
import io.zkmargin.risk.util.ArgChecker;
import java.math.BigInteger;
import java.util.List;

/**
 * Proves a batch (docs/BATCH.md section 4) with the batch circuit through the native library: the
 * witness JSON of section 4a (written by {@code io.zkmargin.ledger.BatchWitness}) and the public
 * inputs its writer computed, which the native prover's must equal.
 *
 * <p>Stateless apart from the key store; thread-safe as {@link HealthProver}.
 */
public final class BatchProver {
  private final KeyStore keys;

  /**
   * @param keys the key store (a development setup runs the first time a batch circuit id is seen
   *     when the store allows development keys)
   */
  public BatchProver(KeyStore keys) {
    this.keys = ArgChecker.notNull(keys, "keys");
  }

  /** A proof with the nanoseconds the native Groth16 prover took. */
  public record Proved(ProofFile proof, long proveNanos) {}

  /**
   * Proves a batch witness.
   *
   * @param circuitId the batch circuit id ({@code batch-D..-R..}), the witness's
   * @param witnessJson the witness JSON document, UTF-8
   * @param expectedPublicInputs the eight public inputs the witness's writer computed, in circuit
   *     order (oldRoot, newRoot, riskRoot, depositHeadBefore, depositHeadAfter, withdrawalsHash,
   *     dataHash, batchTime)
   * @return the proof file and the prove time
   * @throws io.zkmargin.nativebridge.NativeException with code UNSATISFIED when the witness breaks
   *     a rule of the circuit, INVALID_ARGUMENT when it is malformed
   * @throws IllegalStateException if the native prover returns other public inputs than expected
   */
  public Proved prove(String circuitId, byte[] witnessJson, List<BigInteger> expectedPublicInputs) {
    ArgChecker.notNull(circuitId, "circuitId");
    ArgChecker.isTrue(circuitId.startsWith("batch-"), "not a batch circuit id: {}", circuitId);
    ArgChecker.notNull(witnessJson, "witnessJson");
    ArgChecker.notNull(expectedPublicInputs, "expectedPublicInputs");
    KeyStore.KeyEntry entry = keys.ensureKeys(circuitId);
    long t0 = System.nanoTime();
    ProofResult result = Gnark.prove(keys.provingKey(circuitId), witnessJson);
    long nanos = System.nanoTime() - t0;
    List<BigInteger> inputs = result.publicInputs().stream().map(BigInteger::new).toList();
    if (!inputs.equals(expectedPublicInputs)) {
      throw new IllegalStateException(
          "native prover returned public inputs " + inputs + ", expected " + expectedPublicInputs);
    }
    return new Proved(
        new ProofFile(
            circuitId, entry.verifyingKeyHash(), inputs, result.proof(), entry.provenance()),
        nanos);
  }

  /**
   * Verifies a batch proof file with the store's verifying key of its circuit.
   *
   * @return true iff the proof names the store's verifying key of its circuit and verifies against
   *     its public inputs
   */
  public boolean verify(ProofFile proof) {
    ArgChecker.notNull(proof, "proof");
    if (!keys.ensureKeys(proof.circuitId()).verifyingKeyHash().equals(proof.verifyingKeyHash())) {
      return false;
    }
    List<String> inputs = proof.publicInputs().stream().map(BigInteger::toString).toList();
    return Gnark.verify(keys.verifyingKey(proof.circuitId()), proof.proof(), inputs);
  }
}
