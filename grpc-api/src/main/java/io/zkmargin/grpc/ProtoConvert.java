package io.zkmargin.grpc;

import com.google.protobuf.ByteString;
import io.zkmargin.api.v1.HealthProof;
import io.zkmargin.commit.Fr;
import io.zkmargin.prover.ProofFile;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between the wire messages and the prover's types, with the field checks of the proto.
 */
public final class ProtoConvert {

  /** Longest accepted circuit id. */
  public static final int MAX_CIRCUIT_ID_CHARS = 64;

  /** Most public inputs a proof may carry. */
  public static final int MAX_PUBLIC_INPUTS = 16;

  /** Largest accepted proof, bytes. */
  public static final int MAX_PROOF_BYTES = 4096;

  private ProtoConvert() {}

  /** The wire form of a proof file. */
  public static HealthProof toProto(ProofFile proof) {
    HealthProof.Builder b =
        HealthProof.newBuilder()
            .setFormat(ProofFile.FORMAT)
            .setCircuitId(proof.circuitId())
            .setVerifyingKeyHash(proof.verifyingKeyHash())
            .setProof(ByteString.copyFrom(proof.proof()));
    for (BigInteger x : proof.publicInputs()) {
      b.addPublicInputs(x.toString());
    }
    return b.build();
  }

  /**
   * The proof file of a wire proof.
   *
   * @throws IllegalArgumentException with the reason when a field is malformed or out of its range
   */
  public static ProofFile fromProto(HealthProof p) {
    if (!ProofFile.FORMAT.equals(p.getFormat())) {
      throw new IllegalArgumentException(
          "proof.format must be " + ProofFile.FORMAT + ", was '" + p.getFormat() + "'");
    }
    if (p.getCircuitId().isEmpty() || p.getCircuitId().length() > MAX_CIRCUIT_ID_CHARS) {
      throw new IllegalArgumentException(
          "proof.circuit_id must have 1 to " + MAX_CIRCUIT_ID_CHARS + " characters");
    }
    if (!p.getVerifyingKeyHash().matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "proof.verifying_key_hash must be 64 lower-case hex characters");
    }
    if (p.getPublicInputsCount() > MAX_PUBLIC_INPUTS) {
      throw new IllegalArgumentException(
          "proof.public_inputs has "
              + p.getPublicInputsCount()
              + " entries, at most "
              + MAX_PUBLIC_INPUTS
              + " are accepted");
    }
    List<BigInteger> inputs = new ArrayList<>(p.getPublicInputsCount());
    for (String s : p.getPublicInputsList()) {
      if (!s.matches("[0-9]{1,78}")) {
        throw new IllegalArgumentException(
            "proof.public_inputs entry is not a decimal number: '"
                + (s.length() > 80 ? s.substring(0, 80) + "..." : s)
                + "'");
      }
      BigInteger x = new BigInteger(s);
      if (x.compareTo(Fr.MODULUS) >= 0) {
        throw new IllegalArgumentException(
            "proof.public_inputs entry is not below the field modulus r");
      }
      inputs.add(x);
    }
    if (p.getProof().isEmpty() || p.getProof().size() > MAX_PROOF_BYTES) {
      throw new IllegalArgumentException(
          "proof.proof must have 1 to " + MAX_PROOF_BYTES + " bytes, has " + p.getProof().size());
    }
    return new ProofFile(
        p.getCircuitId(), p.getVerifyingKeyHash(), inputs, p.getProof().toByteArray());
  }
}
