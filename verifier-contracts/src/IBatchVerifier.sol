// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The Groth16 verifier of the zkmargin batch circuit (circuits/batch), as gnark exports it.
/// @notice gnark v0.16 `VerifyingKey.ExportSolidity` writes a contract `Verifier` with exactly this function
/// for a circuit of 9 public inputs. `proof` is gnark's `Proof.MarshalSolidity()` (256 bytes without gnark
/// commitments). `input` is the public witness in circuit order (docs/BATCH.md section 4): oldRoot, newRoot,
/// riskRoot, depositHeadBefore, depositHeadAfter, withdrawalsHash, dataHash, batchTime, requestsHash (the
/// liquidation list hash, docs/LIQUIDATION.md section 8), each below r.
interface IBatchVerifier {
    /// @notice Reverts unless the proof verifies against `input`.
    function verifyProof(bytes calldata proof, uint256[9] calldata input) external view;
}
