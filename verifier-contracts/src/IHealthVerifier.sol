// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The Groth16 verifier of the zkmargin health circuit, as exported by gnark.
/// @notice gnark v0.16 `VerifyingKey.ExportSolidity` writes a contract `Verifier` with exactly this
/// function; it needs no declaration of the interface (the settlement contract calls it by selector).
/// @dev `proof` is gnark's `Proof.MarshalSolidity()`: the first 256 bytes of the proof's `WriteRawTo`
/// encoding, `Ar.X | Ar.Y | Bs.X.A1 | Bs.X.A0 | Bs.Y.A1 | Bs.Y.A0 | Krs.X | Krs.Y`, each a 32-byte
/// big-endian base-field element (the health circuit has no gnark commitments, so nothing follows).
/// `input` is the public witness in circuit order: stateRoot, riskRoot,
/// accountAndThreshold = accountId * 2^32 + thresholdBps (docs/ENCODING.md), each reduced mod r.
interface IHealthVerifier {
    /// @notice Reverts (`ProofInvalid`, `PublicInputNotInField`, or a length check) unless the proof verifies.
    function verifyProof(bytes calldata proof, uint256[3] calldata input) external view;
}
