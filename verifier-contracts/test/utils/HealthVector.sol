// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchFixture} from "./BatchFixture.sol";
import {Settlement} from "../../src/Settlement.sol";
import {IHealthVerifier} from "../../src/IHealthVerifier.sol";

/// @notice Loads the real health proof of test-vectors/chain/health-proof.json (a zkmargin proof file,
/// docs/ENCODING.md) and deploys the checked-in gnark verifier of its circuit,
/// src/verifiers/<circuitId>.sol, behind a Settlement whose genesis root is the proof's state root, with a
/// 2-of-3 oracle set (BatchFixture: quote token, committee, batch-verifier test double).
abstract contract HealthVector is BatchFixture {
    string internal constant VECTOR = "/../test-vectors/chain/health-proof.json";

    bool internal haveVector;
    string internal circuitId;
    Settlement internal s;
    IHealthVerifier internal verifier;
    bytes internal proof; // 256-byte Solidity layout
    uint256 internal stateRoot;
    uint256 internal riskRoot;
    uint64 internal account;
    uint32 internal bps;
    uint256 internal postedAt; // block timestamp of the vector's risk-root posting

    function _loadVector() internal {
        string memory path = string.concat(vm.projectRoot(), VECTOR);
        if (!vm.exists(path)) return;
        string memory json = vm.readFile(path);
        vm.assertEq(vm.parseJsonString(json, ".format"), "zkmargin-proof-v1", "proof file format");
        circuitId = vm.parseJsonString(json, ".circuitId");
        string[] memory pub = vm.parseJsonStringArray(json, ".publicInputs");
        vm.assertEq(pub.length, 3, "3 public inputs");
        stateRoot = vm.parseUint(pub[0]);
        riskRoot = vm.parseUint(pub[1]);
        uint256 packed = vm.parseUint(pub[2]);
        account = uint64(packed >> 32);
        bps = uint32(packed);
        proof = solidityProof(vm.parseJsonString(json, ".proof"));
        verifier = IHealthVerifier(vm.deployCode(string.concat("src/verifiers/", circuitId, ".sol:Verifier")));
        _makeOracles();
        s = _deploy(verifier, stateRoot, 4);
        s.postRiskRoot(1, riskRoot, _sigs(s, 1, riskRoot, _idx(0, 2)));
        postedAt = block.timestamp;
        haveVector = true;
    }

    /// @notice gnark's WriteRawTo hex (with or without 0x) -> MarshalSolidity bytes: its first 256 bytes
    /// (Ar, Bs, Krs; the commitment count and PoK that follow are absent from a commitment-free verifier).
    function solidityProof(string memory hexProof) internal pure returns (bytes memory out) {
        bytes memory h = bytes(hexProof);
        bytes memory raw = vm.parseBytes(h.length >= 2 && h[0] == "0" && h[1] == "x" ? hexProof : string.concat("0x", hexProof));
        vm.assertLe(256, raw.length, "proof shorter than 256 bytes");
        out = new bytes(256);
        for (uint256 i = 0; i < 256; i++) {
            out[i] = raw[i];
        }
    }

    modifier needsVector() {
        // checked in; regenerate with io.zkmargin.chain.ChainVectorGenerator (test-vectors/chain/README.md)
        vm.assertTrue(haveVector, "test-vectors/chain/health-proof.json is missing");
        _;
    }
}
