// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HealthVector} from "./utils/HealthVector.sol";
import {Settlement} from "../src/Settlement.sol";

/// @notice The settlement contract with gnark's exported verifier and a real health proof: accepted, and
/// refused for each reason (tampered proof, other roots, threshold, windows of state and risk roots, the risk
/// root's maximum age, gas); every refusal named.
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
        _advance(s, other, riskRoot); // settled, but not the root the proof was made against
        vm.assertFalse(s.verifyHealth(proof, other, riskRoot, account, bps, 0), "settled other root");
        vm.expectRevert(Settlement.HealthProofInvalid.selector);
        s.requireHealth(proof, other, riskRoot, account, bps, 0);
        // the proof's root is still within the 2-batch window
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "previous root in window");
        _advance(s, other ^ 2, riskRoot);
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

    // ---------------------------------------------------------------- windows, maximum age, epoch bound

    function _status() internal view returns (Settlement.HealthStatus) {
        return s.healthStatus(proof, stateRoot, riskRoot, account, bps, 0);
    }

    function test_stateRootWindow() public needsVector {
        // window 2: the proof's root (genesis, batch 0) stays usable while it is one of the latest two batches
        _advance(s, stateRoot ^ 1, riskRoot);
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "one batch old: in window");
        _advance(s, stateRoot ^ 2, riskRoot);
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "two batches old: expired");
        vm.assertTrue(_status() == Settlement.HealthStatus.StateRootExpired, "status");
        vm.expectRevert(abi.encodeWithSelector(Settlement.StateRootExpired.selector, stateRoot, uint64(0), uint64(2)));
        s.requireHealth(proof, stateRoot, riskRoot, account, bps, 0);
        // settled again: current again, and the real proof verifies
        _advance(s, stateRoot, riskRoot);
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "re-settled");
    }

    function test_riskRootWindow() public needsVector {
        // window 2: the proof's risk root (posting 1) stays usable while it is one of the latest two postings
        s.postRiskRoot(2, riskRoot ^ 1, _sigs(s, 2, riskRoot ^ 1, _idx(0, 1)));
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "one posting old: in window");
        (, bool usable) = s.riskRootStatus(riskRoot);
        vm.assertTrue(usable, "usable in window");
        s.postRiskRoot(3, riskRoot ^ 2, _sigs(s, 3, riskRoot ^ 2, _idx(0, 1)));
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "two postings old: expired");
        vm.assertTrue(_status() == Settlement.HealthStatus.RiskRootExpired, "status");
        (, usable) = s.riskRootStatus(riskRoot);
        vm.assertFalse(usable, "not usable");
        vm.expectRevert(abi.encodeWithSelector(Settlement.RiskRootExpired.selector, riskRoot, uint64(1)));
        s.requireHealth(proof, stateRoot, riskRoot, account, bps, 0);
        // posted again at a newer epoch: usable again
        s.postRiskRoot(4, riskRoot, _sigs(s, 4, riskRoot, _idx(1, 2)));
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "re-posted");
    }

    function test_riskRootMaxAge() public needsVector {
        vm.assertEq(uint256(s.riskRootPostedAt(riskRoot)), postedAt, "posting time stored");
        vm.assertEq(uint256(s.riskRootPostedAt(riskRoot ^ 1)), 0, "never posted");
        // usable up to and including postedAt + MAX_AGE
        vm.warp(postedAt + MAX_AGE);
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "exactly the maximum age");
        (, bool usable) = s.riskRootStatus(riskRoot);
        vm.assertTrue(usable, "usable at the maximum age");
        // one second later the prices are stale, though the root is still within the posting window
        vm.warp(postedAt + MAX_AGE + 1);
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "too old");
        vm.assertTrue(_status() == Settlement.HealthStatus.RiskRootTooOld, "status");
        (, usable) = s.riskRootStatus(riskRoot);
        vm.assertFalse(usable, "not usable when too old");
        vm.expectRevert(
            abi.encodeWithSelector(Settlement.RiskRootTooOld.selector, riskRoot, uint64(postedAt), MAX_AGE)
        );
        s.requireHealth(proof, stateRoot, riskRoot, account, bps, 0);
        // the oracles post it again (new epoch): fresh for another MAX_AGE seconds
        s.postRiskRoot(2, riskRoot, _sigs(s, 2, riskRoot, _idx(0, 2)));
        vm.assertEq(uint256(s.riskRootPostedAt(riskRoot)), postedAt + MAX_AGE + 1, "new posting time");
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "re-posted");
        vm.warp(postedAt + 2 * MAX_AGE + 2);
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "too old again");
    }

    function test_epochJumpBound() public needsVector {
        uint64 jump = s.MAX_EPOCH_JUMP();
        uint64 top = type(uint64).max;
        // a quorum-signed top epoch would have blocked every later posting: refused, the proof unaffected
        bytes memory sig1 = _sigs(s, top, riskRoot, _idx(0, 2));
        vm.expectRevert(abi.encodeWithSelector(Settlement.EpochJumpTooLarge.selector, top, uint64(1)));
        s.postRiskRoot(top, riskRoot, sig1);
        bytes memory sig2 = _sigs(s, jump + 2, riskRoot, _idx(0, 2));
        vm.expectRevert(abi.encodeWithSelector(Settlement.EpochJumpTooLarge.selector, jump + 2, uint64(1)));
        s.postRiskRoot(jump + 2, riskRoot, sig2);
        vm.assertEq(uint256(s.latestRiskEpoch()), 1, "latest epoch unchanged");
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "still valid");
        // the largest allowed step re-posts the proof's root: valid, and later postings still possible
        s.postRiskRoot(jump + 1, riskRoot, _sigs(s, jump + 1, riskRoot, _idx(0, 2)));
        vm.assertEq(uint256(s.latestRiskEpoch()), uint256(jump) + 1, "latest epoch");
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, 0), "valid after the step");
        s.postRiskRoot(jump + 2, riskRoot ^ 1, _sigs(s, jump + 2, riskRoot ^ 1, _idx(0, 2)));
    }
}
