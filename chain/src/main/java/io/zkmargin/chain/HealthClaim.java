package io.zkmargin.chain;

import io.zkmargin.nativebridge.ProofEncoding;
import io.zkmargin.prover.ProofFile;
import java.math.BigInteger;
import java.util.Objects;

/**
 * The arguments of {@code Settlement.verifyHealth}: a health proof in the Solidity layout and the
 * statement it proves, plus the least threshold the caller accepts.
 *
 * @param solidityProof gnark's {@code MarshalSolidity()} bytes: the first 256 bytes of the proof's
 *     WriteRawTo encoding (A, B, C uncompressed, EIP-197 layout)
 * @param stateRoot state root, in {@code [0, r)}
 * @param riskRoot risk root, in {@code [0, r)}
 * @param accountId account id, in {@code [0, 2^32)}
 * @param thresholdBps proven threshold in basis points (10000 = equity equals maintenance margin),
 *     in {@code [0, 2^32)}
 * @param minThresholdBps least threshold the caller accepts, basis points, in {@code [0, 2^32)}
 */
public record HealthClaim(
    byte[] solidityProof,
    BigInteger stateRoot,
    BigInteger riskRoot,
    long accountId,
    long thresholdBps,
    long minThresholdBps) {

  /** Size of a commitment-free gnark Groth16 proof in the Solidity layout. */
  public static final int SOLIDITY_PROOF_BYTES = 256;

  private static final long U32 = 1L << 32;

  public HealthClaim {
    Objects.requireNonNull(solidityProof, "solidityProof");
    Objects.requireNonNull(stateRoot, "stateRoot");
    Objects.requireNonNull(riskRoot, "riskRoot");
    if (accountId < 0 || accountId >= U32) {
      throw new IllegalArgumentException("accountId must be in [0, 2^32), was " + accountId);
    }
    if (thresholdBps < 0 || thresholdBps >= U32) {
      throw new IllegalArgumentException("thresholdBps must be in [0, 2^32), was " + thresholdBps);
    }
    if (minThresholdBps < 0 || minThresholdBps >= U32) {
      throw new IllegalArgumentException(
          "minThresholdBps must be in [0, 2^32), was " + minThresholdBps);
    }
    if (solidityProof.length != SOLIDITY_PROOF_BYTES) {
      throw new IllegalArgumentException(
          "a proof in the Solidity layout has exactly "
              + SOLIDITY_PROOF_BYTES
              + " bytes, got "
              + solidityProof.length);
    }
    solidityProof = solidityProof.clone();
  }

  @Override
  public byte[] solidityProof() {
    return solidityProof.clone();
  }

  /**
   * The claim of a health proof file (docs/ENCODING.md), accepted at any threshold at or above
   * {@code minThresholdBps}.
   *
   * @throws IllegalArgumentException if the file does not hold 3 public inputs or its proof is not
   *     the canonical encoding ({@link ProofEncoding}: exactly 324 bytes, zero tail)
   */
  public static HealthClaim of(ProofFile file, long minThresholdBps) {
    if (file.publicInputs().size() != 3) {
      throw new IllegalArgumentException(
          "a health proof has 3 public inputs, this one has " + file.publicInputs().size());
    }
    BigInteger packed = file.publicInputs().get(2);
    long account = packed.shiftRight(32).longValueExact();
    long bps = packed.and(BigInteger.valueOf(U32 - 1)).longValueExact();
    return new HealthClaim(
        solidityProof(file.proof()),
        file.publicInputs().get(0),
        file.publicInputs().get(1),
        account,
        bps,
        minThresholdBps);
  }

  /**
   * gnark's Groth16 BN254 proof (WriteRawTo encoding) in the layout of gnark's exported verifier:
   * its first 256 bytes ({@code Ar | Bs | Krs}). Same as gnark's {@code Proof.MarshalSolidity()}
   * for a proof without commitments. The proof must be canonical ({@link
   * ProofEncoding#requireCanonical}): the Solidity verifier never sees the 68 tail bytes, so a
   * proof whose tail was changed is refused here, as the offline verifier refuses it, instead of
   * being accepted on chain.
   *
   * @throws IllegalArgumentException if the proof is not canonical (length other than 324, non-zero
   *     tail)
   */
  public static byte[] solidityProof(byte[] gnarkRawProof) {
    try {
      return ProofEncoding.points(gnarkRawProof);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a canonical health proof: " + e.getMessage(), e);
    }
  }

  /** The public input {@code accountId * 2^32 + thresholdBps}. */
  public BigInteger accountAndThreshold() {
    return BigInteger.valueOf(accountId).shiftLeft(32).add(BigInteger.valueOf(thresholdBps));
  }
}
