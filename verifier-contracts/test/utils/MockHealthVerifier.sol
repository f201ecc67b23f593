// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHealthVerifier} from "../../src/IHealthVerifier.sol";

/// @notice Test double of the gnark verifier for the settlement logic tests: accepts exactly the
/// (proof, input) pairs registered with `accept`, and reverts like gnark's verifier otherwise. The
/// real verifier is exercised with real proofs in HealthProof.t.sol.
contract MockHealthVerifier is IHealthVerifier {
    error ProofInvalid();

    mapping(bytes32 => bool) public accepted;

    function accept(bytes calldata proof, uint256[3] calldata input) external {
        accepted[keccak256(abi.encode(proof, input))] = true;
    }

    function verifyProof(bytes calldata proof, uint256[3] calldata input) external view {
        require(proof.length == 256, "invalid proof length");
        if (!accepted[keccak256(abi.encode(proof, input))]) revert ProofInvalid();
    }
}
