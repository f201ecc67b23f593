package io.zkmargin.prover;

import io.zkmargin.nativebridge.Gnark;
import io.zkmargin.nativebridge.ProofResult;
import java.math.BigInteger;
import java.util.List;

/**
 * Proves and verifies a witness JSON of any registered circuit through the native library, with the
 * key store's keys for its circuit id, checking that the native prover's public inputs are the ones
 * the caller computed (the liquidation-eligibility and exit provers).
 */
final class NativeProofs {
  private NativeProofs() {}

  static ProofFile prove(
      KeyStore keys, String circuitId, byte[] witnessJson, List<BigInteger> expected) {
    KeyStore.KeyEntry entry = keys.ensureKeys(circuitId);
    ProofResult result = Gnark.prove(keys.provingKey(circuitId), witnessJson);
    List<BigInteger> inputs = result.publicInputs().stream().map(BigInteger::new).toList();
    if (!inputs.equals(expected)) {
      throw new IllegalStateException(
          "native prover returned public inputs " + inputs + ", expected " + expected);
    }
    return new ProofFile(
        circuitId, entry.verifyingKeyHash(), inputs, result.proof(), entry.provenance());
  }

  static boolean verify(KeyStore keys, ProofFile proof) {
    if (!keys.ensureKeys(proof.circuitId()).verifyingKeyHash().equals(proof.verifyingKeyHash())) {
      return false;
    }
    List<String> inputs = proof.publicInputs().stream().map(BigInteger::toString).toList();
    return Gnark.verify(keys.verifyingKey(proof.circuitId()), proof.proof(), inputs);
  }
}
