package io.zkmargin.nativebridge;

import java.util.Arrays;

/**
 * The one canonical encoding of a zkmargin Groth16 BN254 proof, the same rule as the Go engine's
 * {@code CanonicalProofLength} check: gnark's {@code Proof.WriteRawTo} bytes of a circuit without
 * commitments, i.e. {@code Ar} (G1, 64 bytes) || {@code Bs} (G2, 128 bytes) || {@code Krs} (G1, 64 bytes)
 * || a commitment count of 0 (4 bytes) || the commitment proof of knowledge at infinity (64 zero bytes).
 *
 * <p>Untrusted proof bytes are checked here before any decoder sees them: a wrong length or a non-zero
 * tail is refused, so a length prefix from outside never reaches gnark's reader, and the chain path (which
 * passes only the first 256 bytes to the Solidity verifier) and the offline path accept exactly the same
 * byte strings.
 */
public final class ProofEncoding {
    /** Bytes of the three proof points {@code Ar, Bs, Krs}, the part the Solidity verifier reads. */
    public static final int POINTS_BYTES = 256;
    /** Bytes of the fixed tail: commitment count (0) and the commitment proof of knowledge (infinity). */
    public static final int TAIL_BYTES = 4 + 64;
    /** The exact length of every canonical proof. */
    public static final int PROOF_BYTES = POINTS_BYTES + TAIL_BYTES;

    private ProofEncoding() {}

    /**
     * Checks that {@code proof} is a canonical proof encoding.
     *
     * @param proof untrusted proof bytes
     * @return the same array, for chaining
     * @throws IllegalArgumentException naming the rule broken (length, or a non-zero tail byte)
     */
    public static byte[] requireCanonical(byte[] proof) {
        String why = whyNotCanonical(proof);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        return proof;
    }

    /**
     * @param proof untrusted proof bytes (may be null)
     * @return null when {@code proof} is canonical, else the reason it is not
     */
    public static String whyNotCanonical(byte[] proof) {
        if (proof == null) {
            return "proof bytes are missing";
        }
        if (proof.length != PROOF_BYTES) {
            return "proof must be exactly " + PROOF_BYTES + " bytes, got " + proof.length;
        }
        for (int i = POINTS_BYTES; i < PROOF_BYTES; i++) {
            if (proof[i] != 0) {
                return "proof byte " + i + " must be 0 (no commitments), got " + (proof[i] & 0xff);
            }
        }
        return null;
    }

    /**
     * @param proof a canonical proof
     * @return the 256 bytes of {@code Ar, Bs, Krs}, as the Solidity verifier reads them
     * @throws IllegalArgumentException when the proof is not canonical
     */
    public static byte[] points(byte[] proof) {
        return Arrays.copyOf(requireCanonical(proof), POINTS_BYTES);
    }
}
