// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The Groth16 verifier of the exit circuit (circuits/exit), as gnark exports it.
/// @notice `proof` is gnark's `Proof.MarshalSolidity()` (256 bytes, no gnark commitment); `input` is the public
/// witness in circuit order (docs/LIQUIDATION.md 6): Poseidon2 compress(stateRoot, riskRoot) (EscapeHatch.exitRoots),
/// accountId * 2^160 + l1Address (one input for two), payout (quote atoms, floor(max(0, E) / 10^9)); each input
/// saved is one scalar multiplication less in the verifier.
interface IExitVerifier {
    /// @notice Reverts unless the proof verifies against `input`.
    function verifyProof(bytes calldata proof, uint256[3] calldata input) external view;
}

/// @title The Groth16 verifier of the liquidation-eligibility circuit (circuits/liquidation), as gnark exports it.
/// @notice `input` in circuit order (docs/LIQUIDATION.md 5): stateRoot, riskRoot, accountId, keeper (the L1
/// address the request credits, bound by the proof so that a request copied from the mempool credits nobody else).
interface ILiquidationVerifier {
    /// @notice Reverts unless the proof verifies against `input`.
    function verifyProof(bytes calldata proof, uint256[4] calldata input) external view;
}
