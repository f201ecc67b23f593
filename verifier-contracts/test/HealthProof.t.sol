// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HealthVector} from "./utils/HealthVector.sol";
import {Settlement} from "../src/Settlement.sol";

/// @notice The settlement contract with gnark's exported verifier and a real health proof.
contract HealthProofTest is HealthVector {
    uint256 constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    function setUp() public {
        _loadVector();
    }

    function test_validProofAccepted() public needsVector {
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, bps), "valid proof");
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "any lower minimum");
        s.requireHealth(proof, stateRoot, riskRoot, account, bps, bps);
        // the verifier alone agrees
        verifier.verifyProof(proof, [stateRoot, riskRoot, (uint256(account) << 32) | bps]);
    }

    function test_tamperedProofRejected() public needsVector {
        // every byte of A, B and C flipped in turn (points off the curve or a failing pairing)
        for (uint256 i = 0; i < 256; i += 31) {
            bytes memory t = bytes.concat(proof);
            t[i] = t[i] ^ 0x01;
            vm.assertFalse(s.verifyHealth(t, stateRoot, riskRoot, account, bps, 0), "flipped byte");
        }
        // A negated: still on the curve, pairing fails
        bytes memory neg = bytes.concat(proof);
        uint256 ay;
        assembly {
            ay := mload(add(neg, 64))
        }
        uint256 nay = P - ay;
        assembly {
            mstore(add(neg, 64), nay)
        }
        vm.assertFalse(s.verifyHealth(neg, stateRoot, riskRoot, account, bps, 0), "negated A");
        vm.expectRevert(Settlement.HealthProofInvalid.selector);
        s.requireHealth(neg, stateRoot, riskRoot, account, bps, 0);
        // truncated / extended
        vm.assertFalse(s.verifyHealth(bytes.concat(proof, hex"00"), stateRoot, riskRoot, account, bps, 0), "long");
    }

    function test_wrongStateRootRejected() public needsVector {
        uint256 other = stateRoot ^ 1;
        vm.prank(OPERATOR);
        s.setStateRoot(2, other); // settled, but not the root the proof was made against
        vm.assertFalse(s.verifyHealth(proof, other, riskRoot, account, bps, 0), "settled other root");
        vm.expectRevert(Settlement.HealthProofInvalid.selector);
        s.requireHealth(proof, other, riskRoot, account, bps, 0);
        // the proof's root is still within the 2-batch window
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "previous root in window");
        vm.prank(OPERATOR);
        s.setStateRoot(3, other ^ 2);
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "expired root");
    }

    function test_unsettledStateRootRejected() public needsVector {
        vm.expectRevert(abi.encodeWithSelector(Settlement.StateRootUnknown.selector, stateRoot ^ 1));
        s.requireHealth(proof, stateRoot ^ 1, riskRoot, account, bps, 0);
    }

    function test_unpostedRiskRootRejected() public needsVector {
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot ^ 1, account, bps, 0), "unposted");
        vm.expectRevert(abi.encodeWithSelector(Settlement.RiskRootUnknown.selector, riskRoot ^ 1));
        s.requireHealth(proof, stateRoot, riskRoot ^ 1, account, bps, 0);
        // posted, but not the root the proof was made against
        s.postRiskRoot(2, riskRoot ^ 1, _sigs(s, 2, riskRoot ^ 1, _idx(0, 1)));
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot ^ 1, account, bps, 0), "other posted root");
    }

    function test_tooLowThresholdRejected() public needsVector {
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, bps + 1), "below caller minimum");
        // claiming a higher threshold (or another account) than proven fails in the verifier
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps + 1, 0), "higher claim");
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account + 1, bps, 0), "other account");
    }

    function test_insufficientGasIsNotReportedAsInvalid() public needsVector {
        (bool ok, bytes memory ret) = address(s).staticcall{gas: 150_000}(
            abi.encodeCall(s.verifyHealth, (proof, stateRoot, riskRoot, account, bps, 0))
        );
        vm.assertFalse(ok, "must revert, not return false");
        vm.assertEq(bytes4(ret), Settlement.InsufficientGasForVerifier.selector, "named error");
    }
}
