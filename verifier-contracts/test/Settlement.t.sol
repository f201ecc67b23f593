// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OracleSigning} from "./utils/OracleSigning.sol";
import {MockHealthVerifier} from "./utils/MockHealthVerifier.sol";
import {Settlement} from "../src/Settlement.sol";
import {IHealthVerifier} from "../src/IHealthVerifier.sol";

/// @notice Settlement rules (roles, state roots, oracle quorum, windows) against a test-double verifier.
contract SettlementTest is OracleSigning {
    event StateRootSet(uint64 indexed batch, uint256 stateRoot, uint256 previousStateRoot);
    event RiskRootPosted(uint64 indexed epoch, uint256 riskRoot, uint256 signatures);
    event OracleSignersChanged(address[] signers, uint256 quorum);
    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    event OperatorChanged(address indexed previousOperator, address indexed newOperator);

    uint256 constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    address constant OPERATOR = address(0x0BE7A7012);
    address constant STRANGER = address(0xBAD);

    MockHealthVerifier verifier;
    Settlement s;
    bytes proof;

    function setUp() public {
        _makeOracles();
        verifier = new MockHealthVerifier();
        s = new Settlement(IHealthVerifier(address(verifier)), OPERATOR, oracleAddrs, 2, 2, 2);
        proof = new bytes(256);
        proof[0] = 0x42;
    }

    // ---------------------------------------------------------------- roles and state roots

    function test_setStateRoot_byOperator() public {
        vm.expectEmit(true, false, false, true);
        emit StateRootSet(1, 111, 0);
        vm.prank(OPERATOR);
        s.setStateRoot(1, 111);
        vm.assertEq(s.stateRoot(), 111, "root");
        vm.assertEq(uint256(s.batchNumber()), 1, "batch");
        vm.assertEq(uint256(s.stateRootBatch(111)), 1, "root batch");
    }

    function test_setStateRoot_rejectsWrongCaller() public {
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotOperator.selector, STRANGER));
        vm.prank(STRANGER);
        s.setStateRoot(1, 111);
    }

    function test_setStateRoot_rejectsSkippedOrReplayedBatch() public {
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(Settlement.UnexpectedBatch.selector, uint64(2), uint64(1)));
        s.setStateRoot(2, 111);
        vm.prank(OPERATOR);
        s.setStateRoot(1, 111);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(Settlement.UnexpectedBatch.selector, uint64(1), uint64(2)));
        s.setStateRoot(1, 222);
    }

    function test_setStateRoot_rejectsNonFieldElement() public {
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAFieldElement.selector, R));
        s.setStateRoot(1, R);
    }

    function test_adminOnly() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAdmin.selector, STRANGER));
        s.setOperator(STRANGER);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAdmin.selector, STRANGER));
        s.setOracleSigners(oracleAddrs, 1);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAdmin.selector, STRANGER));
        s.transferAdmin(STRANGER);
        // the admin may, with events
        vm.expectEmit(true, true, false, false);
        emit OperatorChanged(OPERATOR, STRANGER);
        s.setOperator(STRANGER);
        vm.assertEq(s.operator(), STRANGER, "operator");
        vm.expectEmit(true, true, false, false);
        emit AdminTransferred(address(this), STRANGER);
        s.transferAdmin(STRANGER);
        vm.assertEq(s.admin(), STRANGER, "admin");
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAdmin.selector, address(this)));
        s.setOperator(OPERATOR);
    }

    /// forge-config: default.fuzz.runs = 64
    function testFuzz_postRiskRoot_acceptsExactlySortedQuorums(uint8 mask, uint8 order) public {
        // any subset of the three oracles, in any order: accepted iff it has >= 2 members in address order
        uint256[] memory picked = new uint256[](3);
        uint256 n = 0;
        for (uint256 i = 0; i < 3; i++) {
            if (mask & (1 << i) != 0) picked[n++] = i;
        }
        bool sorted = true;
        if (n >= 2 && order % 2 == 1) {
            (picked[0], picked[n - 1]) = (picked[n - 1], picked[0]);
            sorted = false;
        }
        uint256[] memory idx = new uint256[](n);
        for (uint256 i = 0; i < n; i++) idx[i] = picked[i];
        bytes memory sig = n == 0 ? bytes("") : _sigs(s, 1, 55, idx);
        if (n >= 2 && sorted) {
            s.postRiskRoot(1, 55, sig);
            vm.assertEq(s.riskRootOfEpoch(1), 55, "posted");
        } else {
            vm.expectRevert();
            s.postRiskRoot(1, 55, sig);
        }
    }

    function test_setOracleSigners_validatesSet() public {
        address[] memory unsorted = new address[](2);
        unsorted[0] = oracleAddrs[1];
        unsorted[1] = oracleAddrs[0];
        vm.expectRevert(abi.encodeWithSelector(Settlement.SignerSetNotSorted.selector, uint256(1)));
        s.setOracleSigners(unsorted, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidQuorum.selector, uint256(4), uint256(3)));
        s.setOracleSigners(oracleAddrs, 4);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidQuorum.selector, uint256(0), uint256(3)));
        s.setOracleSigners(oracleAddrs, 0);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidSignerSet.selector, uint256(0)));
        s.setOracleSigners(new address[](0), 1);
        address[] memory zero = new address[](1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.SignerSetNotSorted.selector, uint256(0)));
        s.setOracleSigners(zero, 1);
    }

    function test_setOracleSigners_removesOldSigners() public {
        address[] memory one = new address[](1);
        one[0] = oracleAddrs[2];
        vm.expectEmit(false, false, false, true);
        emit OracleSignersChanged(one, 1);
        s.setOracleSigners(one, 1);
        vm.assertFalse(s.isOracleSigner(oracleAddrs[0]), "old signer removed");
        vm.assertTrue(s.isOracleSigner(oracleAddrs[2]), "new signer");
        bytes memory sig = _sigs(s, 1, 5, _idx(0));
        vm.expectRevert(abi.encodeWithSelector(Settlement.UnknownSigner.selector, oracleAddrs[0]));
        s.postRiskRoot(1, 5, sig);
        s.postRiskRoot(1, 5, _sigs(s, 1, 5, _idx(2)));
    }

    // ---------------------------------------------------------------- risk roots

    function test_postRiskRoot_twoOfThree() public {
        for (uint256 a = 0; a < 3; a++) {
            for (uint256 b = a + 1; b < 3; b++) {
                uint64 epoch = uint64(10 + a * 3 + b);
                uint256 root = 1000 + epoch;
                vm.expectEmit(true, false, false, true);
                emit RiskRootPosted(epoch, root, 2);
                s.postRiskRoot(epoch, root, _sigs(s, epoch, root, _idx(a, b)));
                vm.assertEq(s.riskRootOfEpoch(epoch), root, "root by epoch");
                vm.assertEq(uint256(s.latestRiskEpoch()), epoch, "latest");
            }
        }
    }

    function test_postRiskRoot_allThree() public {
        uint256[] memory all = new uint256[](3);
        (all[0], all[1], all[2]) = (0, 1, 2);
        s.postRiskRoot(1, 77, _sigs(s, 1, 77, all));
        (uint64 epoch, bool usable) = s.riskRootStatus(77);
        vm.assertEq(uint256(epoch), 1, "epoch");
        vm.assertTrue(usable, "usable");
    }

    function test_postRiskRoot_rejectsShortSignatureSet() public {
        bytes memory sig = _sigs(s, 1, 77, _idx(0));
        vm.expectRevert(abi.encodeWithSelector(Settlement.QuorumNotReached.selector, uint256(1), uint256(2)));
        s.postRiskRoot(1, 77, sig);
    }

    function test_postRiskRoot_rejectsDuplicatedSigner() public {
        bytes memory sig = _sigs(s, 1, 77, _idx(1, 1));
        vm.expectRevert(abi.encodeWithSelector(Settlement.DuplicateSigner.selector, oracleAddrs[1]));
        s.postRiskRoot(1, 77, sig);
    }

    function test_postRiskRoot_rejectsUnsortedSigners() public {
        bytes memory sig = _sigs(s, 1, 77, _idx(2, 0));
        vm.expectRevert(abi.encodeWithSelector(Settlement.SignersNotSorted.selector, uint256(1)));
        s.postRiskRoot(1, 77, sig);
    }

    function test_postRiskRoot_rejectsUnregisteredSigner() public {
        uint256 outsider = 0x5EC2E7;
        bytes32 digest = s.riskRootDigest(1, 77);
        bytes memory a = _sigDigest(keysByAddr[0], digest);
        bytes memory b = _sigDigest(outsider, digest);
        bytes memory sig = vm.addr(outsider) > oracleAddrs[0] ? bytes.concat(a, b) : bytes.concat(b, a);
        vm.expectRevert(abi.encodeWithSelector(Settlement.UnknownSigner.selector, vm.addr(outsider)));
        s.postRiskRoot(1, 77, sig);
    }

    function test_postRiskRoot_rejectsReplayedAndStaleEpoch() public {
        bytes memory sig = _sigs(s, 5, 77, _idx(0, 1));
        s.postRiskRoot(5, 77, sig);
        vm.expectRevert(abi.encodeWithSelector(Settlement.StaleEpoch.selector, uint64(5), uint64(5)));
        s.postRiskRoot(5, 77, sig);
        bytes memory older = _sigs(s, 4, 78, _idx(0, 1));
        vm.expectRevert(abi.encodeWithSelector(Settlement.StaleEpoch.selector, uint64(4), uint64(5)));
        s.postRiskRoot(4, 78, older);
    }

    function test_postRiskRoot_rejectsSignatureForOtherRootOrDomain() public {
        // signed for another root: recovers to unrelated addresses
        bytes memory sig = _sigs(s, 1, 78, _idx(0, 1));
        vm.expectRevert();
        s.postRiskRoot(1, 77, sig);
        // signed on another chain id (EIP-712 domain binds chain and contract)
        vm.chainId(999);
        bytes memory otherChain = _sigs(s, 1, 77, _idx(0, 1));
        vm.chainId(31337);
        vm.expectRevert();
        s.postRiskRoot(1, 77, otherChain);
    }

    function test_postRiskRoot_rejectsMalformedAndMalleableSignatures() public {
        vm.expectRevert(abi.encodeWithSelector(Settlement.MalformedSignatures.selector, uint256(0)));
        s.postRiskRoot(1, 77, "");
        vm.expectRevert(abi.encodeWithSelector(Settlement.MalformedSignatures.selector, uint256(64)));
        s.postRiskRoot(1, 77, new bytes(64));
        bytes memory sig = _sigs(s, 1, 77, _idx(0, 1));
        // flip the first signature to its high-s twin (s' = n - s, v' = v ^ 1): same signer, refused
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        uint256 sv;
        assembly {
            sv := mload(add(sig, 64))
        }
        uint256 hs = n - sv;
        assembly {
            mstore(add(sig, 64), hs)
        }
        sig[64] = sig[64] == bytes1(uint8(27)) ? bytes1(uint8(28)) : bytes1(uint8(27));
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidSignature.selector, uint256(0)));
        s.postRiskRoot(1, 77, sig);
        bytes memory badV = _sigs(s, 1, 77, _idx(0, 1));
        badV[64] = bytes1(uint8(29));
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidSignature.selector, uint256(0)));
        s.postRiskRoot(1, 77, badV);
    }

    function test_postRiskRoot_rejectsNonFieldRoot() public {
        bytes memory sig = _sigs(s, 1, R, _idx(0, 1));
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAFieldElement.selector, R));
        s.postRiskRoot(1, R, sig);
    }

    // ---------------------------------------------------------------- health checks (rules around the verifier)

    function _settle(uint256 stateRoot, uint64 epoch, uint256 riskRoot) internal {
        uint64 next = s.batchNumber() + 1;
        vm.prank(OPERATOR);
        s.setStateRoot(next, stateRoot);
        s.postRiskRoot(epoch, riskRoot, _sigs(s, epoch, riskRoot, _idx(0, 2)));
    }

    function _accept(uint256 stateRoot, uint256 riskRoot, uint64 account, uint32 bps) internal {
        verifier.accept(proof, [stateRoot, riskRoot, (uint256(account) << 32) | bps]);
    }

    function test_verifyHealth_acceptsValidProof() public {
        _settle(11, 1, 21);
        _accept(11, 21, 7, 15000);
        vm.assertTrue(s.verifyHealth(proof, 11, 21, 7, 15000, 12000), "valid");
        vm.assertTrue(s.verifyHealth(proof, 11, 21, 7, 15000, 15000), "threshold equal to minimum");
        s.requireHealth(proof, 11, 21, 7, 15000, 10000);
    }

    function test_verifyHealth_rejectsLowThreshold() public {
        _settle(11, 1, 21);
        _accept(11, 21, 7, 15000);
        vm.assertFalse(s.verifyHealth(proof, 11, 21, 7, 15000, 15001), "too low");
        vm.expectRevert(
            abi.encodeWithSelector(Settlement.ThresholdBelowMinimum.selector, uint32(15000), uint32(15001))
        );
        s.requireHealth(proof, 11, 21, 7, 15000, 15001);
    }

    function test_verifyHealth_rejectsClaimOtherThanProven() public {
        _settle(11, 1, 21);
        _accept(11, 21, 7, 15000);
        vm.assertFalse(s.verifyHealth(proof, 11, 21, 8, 15000, 0), "other account");
        vm.assertFalse(s.verifyHealth(proof, 11, 21, 7, 15001, 0), "higher threshold than proven");
        vm.expectRevert(Settlement.HealthProofInvalid.selector);
        s.requireHealth(proof, 11, 21, 7, 15001, 0);
    }

    function test_verifyHealth_rejectsUnknownRoots() public {
        _settle(11, 1, 21);
        _accept(12, 21, 7, 15000);
        _accept(11, 22, 7, 15000);
        vm.assertFalse(s.verifyHealth(proof, 12, 21, 7, 15000, 0), "unsettled state root");
        vm.assertFalse(s.verifyHealth(proof, 11, 22, 7, 15000, 0), "unposted risk root");
        vm.expectRevert(abi.encodeWithSelector(Settlement.StateRootUnknown.selector, uint256(12)));
        s.requireHealth(proof, 12, 21, 7, 15000, 0);
        vm.expectRevert(abi.encodeWithSelector(Settlement.RiskRootUnknown.selector, uint256(22)));
        s.requireHealth(proof, 11, 22, 7, 15000, 0);
    }

    function test_verifyHealth_windows() public {
        _settle(11, 1, 21);
        _accept(11, 21, 7, 15000);
        _settle(12, 2, 22); // window 2: the previous roots stay usable
        vm.assertTrue(s.verifyHealth(proof, 11, 21, 7, 15000, 0), "previous roots within window");
        _settle(13, 3, 23); // now both are two settlements old
        vm.assertFalse(s.verifyHealth(proof, 11, 21, 7, 15000, 0), "expired");
        vm.expectRevert(
            abi.encodeWithSelector(Settlement.StateRootExpired.selector, uint256(11), uint64(1), uint64(3))
        );
        s.requireHealth(proof, 11, 21, 7, 15000, 0);
        vm.expectRevert(abi.encodeWithSelector(Settlement.RiskRootExpired.selector, uint256(21), uint64(1)));
        s.requireHealth(proof, 13, 21, 7, 15000, 0);
        // re-settling an old root makes it current again
        vm.prank(OPERATOR);
        s.setStateRoot(4, 11);
        vm.assertEq(s.healthStatus(proof, 11, 21, 7, 15000, 0) == Settlement.HealthStatus.RiskRootExpired, true, "state ok, risk expired");
    }

    function test_verifyHealth_rejectsMalformedProof() public {
        _settle(11, 1, 21);
        _accept(11, 21, 7, 15000);
        vm.assertFalse(s.verifyHealth(new bytes(255), 11, 21, 7, 15000, 0), "short proof");
    }

    function test_constructor_validates() public {
        vm.expectRevert(Settlement.ZeroAddress.selector);
        new Settlement(IHealthVerifier(address(0)), OPERATOR, oracleAddrs, 2, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.VerifierHasNoCode.selector, address(0x1234)));
        new Settlement(IHealthVerifier(address(0x1234)), OPERATOR, oracleAddrs, 2, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidWindow.selector, uint64(0)));
        new Settlement(IHealthVerifier(address(verifier)), OPERATOR, oracleAddrs, 2, 0, 1);
    }
}
