package io.zkmargin.nativebridge;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Groth16 proof and the public inputs it proves.
 *
 * @param proof gnark's BN254 Proof.WriteRawTo bytes (uncompressed points); the array is owned by
 *     the record (copied in, copied out)
 * @param publicInputs public inputs in circuit order, decimal strings of field elements in [0, r)
 */
public record ProofResult(byte[] proof, List<String> publicInputs) {
  public ProofResult {
    Objects.requireNonNull(proof, "proof");
    proof = proof.clone();
    publicInputs = List.copyOf(Objects.requireNonNull(publicInputs, "publicInputs"));
  }

  @Override
  public byte[] proof() {
    return proof.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProofResult r
        && Arrays.equals(proof, r.proof)
        && publicInputs.equals(r.publicInputs);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(proof) + publicInputs.hashCode();
  }

  @Override
  public String toString() {
    return "ProofResult[" + proof.length + " bytes, publicInputs=" + publicInputs + "]";
  }
}
