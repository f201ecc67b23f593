// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchVector} from "./BatchVector.sol";
import {Settlement} from "../../src/Settlement.sol";
import {EscapeHatch} from "../../src/EscapeHatch.sol";
import {IExitVerifier, ILiquidationVerifier} from "../../src/IEscapeVerifiers.sol";
import {Poseidon2} from "../../src/Poseidon2.sol";

/// @notice Loads the real exit and liquidation-eligibility proofs of test-vectors/chain/exit-proof-{0,1,2}.json and
/// liquidation-proof.json (written with the checked-in keys by `go run ./circuits/exit/exitvector`), deploys the
/// checked-in gnark verifiers of their circuits, and deploys a Settlement whose genesis root is the vectors' state
/// root (3 genesis accounts), the vectors' risk root posted by the 2-of-3 oracles at epoch 1, an EscapeHatch with
/// grace period GRACE bound to it, and quote tokens minted to the Settlement (the genesis accounts' custody).
/// Call `_loadVector` (health verifier, oracles) first.
abstract contract EscapeVector is BatchVector {
    uint64 internal constant GRACE = 1 days;
    string internal constant EXIT_VECTOR = "/../test-vectors/chain/exit-proof-";
    string internal constant LIQ_VECTOR = "/../test-vectors/chain/liquidation-proof.json";

    IExitVerifier internal exitVerifier;
    ILiquidationVerifier internal liqVerifier;
    uint256 internal escStateRoot;
    uint256 internal escRiskRoot;
    uint64 internal escGenesisAccounts;
    uint64[3] internal exitAccount;
    address[3] internal exitTo;
    uint256[3] internal exitPayout;
    bytes[3] internal exitProof;
    uint64 internal liqAccount;
    address internal liqKeeper;
    bytes internal liqProof;

    function _loadEscapeVectors() internal {
        for (uint256 k = 0; k < 3; k++) {
            string memory path = string.concat(vm.projectRoot(), EXIT_VECTOR, vm.toString(k), ".json");
            vm.assertTrue(vm.exists(path), "test-vectors/chain/exit-proof-k.json is missing");
            string memory json = vm.readFile(path);
            vm.assertEq(vm.parseJsonString(json, ".format"), "zkmargin-proof-v1", "proof file format");
            string[] memory pub = vm.parseJsonStringArray(json, ".publicInputs");
            vm.assertEq(pub.length, 3, "3 public inputs");
            if (k == 0) {
                exitVerifier = IExitVerifier(
                    vm.deployCode(string.concat("src/verifiers/", vm.parseJsonString(json, ".circuitId"), ".sol:Verifier"))
                );
                escStateRoot = _u(json, ".escape.stateRoot");
                escRiskRoot = _u(json, ".escape.riskRoot");
                escGenesisAccounts = uint64(_u(json, ".escape.genesisAccounts"));
            }
            vm.assertEq(_u(json, ".escape.stateRoot"), escStateRoot, "one state root");
            vm.assertEq(_u(json, ".escape.riskRoot"), escRiskRoot, "one risk root");
            // the first public input is compress(stateRoot, riskRoot): what EscapeHatch.freeze stores as exitRoots
            vm.assertEq(vm.parseUint(pub[0]), Poseidon2.compress(escStateRoot, escRiskRoot), "exitRoots input");
            uint256 packed = vm.parseUint(pub[1]); // accountId * 2^160 + l1Address
            exitAccount[k] = uint64(packed >> 160);
            exitTo[k] = address(uint160(packed));
            vm.assertEq(uint256(exitAccount[k]), _u(json, ".escape.accountId"), "accountId");
            exitPayout[k] = vm.parseUint(pub[2]);
            vm.assertEq(exitPayout[k], _u(json, ".escape.payout"), "payout");
            exitProof[k] = solidityProof(vm.parseJsonString(json, ".proof"));
        }
        string memory lj = vm.readFile(string.concat(vm.projectRoot(), LIQ_VECTOR));
        string[] memory lp = vm.parseJsonStringArray(lj, ".publicInputs");
        vm.assertEq(lp.length, 4, "4 public inputs");
        vm.assertEq(vm.parseUint(lp[0]), escStateRoot, "liquidation proof: the exits' state root");
        vm.assertEq(vm.parseUint(lp[1]), escRiskRoot, "liquidation proof: the exits' risk root");
        liqAccount = uint64(vm.parseUint(lp[2]));
        liqKeeper = address(uint160(vm.parseUint(lp[3])));
        liqProof = solidityProof(vm.parseJsonString(lj, ".proof"));
        liqVerifier = ILiquidationVerifier(
            vm.deployCode(string.concat("src/verifiers/", vm.parseJsonString(lj, ".circuitId"), ".sol:Verifier"))
        );
    }

    function _totalPayout() internal view returns (uint256) {
        return exitPayout[0] + exitPayout[1] + exitPayout[2];
    }

    /// @dev A Settlement at the vectors' state (see the contract's notice) holding `funds` quote atoms, and its hatch.
    function _deployEscape(uint256 genesisRoot, uint256 funds) internal returns (Settlement t, EscapeHatch h) {
        t = _deployWith(verifier, realBatchVerifier, genesisRoot, escGenesisAccounts);
        t.postRiskRoot(1, escRiskRoot, _sigs(t, 1, escRiskRoot, _idx(0, 2)));
        h = new EscapeHatch(t, exitVerifier, liqVerifier, GRACE);
        t.setEscapeHatch(address(h));
        token.mint(address(t), funds);
    }

    /// @dev the proof with one bit of A flipped
    function _flip(bytes memory p) internal pure returns (bytes memory q) {
        q = bytes.concat(p);
        q[31] = q[31] ^ 0x01;
    }
}
