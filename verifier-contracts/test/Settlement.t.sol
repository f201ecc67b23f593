// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HealthVector} from "./utils/HealthVector.sol";
import {Settlement} from "../src/Settlement.sol";
import {IHealthVerifier} from "../src/IHealthVerifier.sol";
import {IBatchVerifier} from "../src/IBatchVerifier.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Settlement rules that come before any proof (construction, roles, two-step owner transfer, genesis
/// root, oracle quorum and signatures, epoch bound), each with its refused and its accepted side, on a fresh
/// deployment with the real exported verifier (no proof is checked here: the health checks with the real
/// proof, windows and maximum age included, are in HealthProof.t.sol). Every expected revert names its error.
contract SettlementTest is HealthVector {
    event RiskRootPosted(uint64 indexed epoch, uint256 riskRoot, uint256 signatures);
    event OracleSignersChanged(address[] signers, uint256 quorum);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event OperatorChanged(address indexed previousOperator, address indexed newOperator);

    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);

    uint256 constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    address constant STRANGER = address(0xBAD);

    function setUp() public {
        _loadVector(); // the real verifier of the vector's circuit
        vm.assertTrue(haveVector, "test-vectors/chain/health-proof.json is missing");
        s = _deploy(verifier, 0, 0); // fresh: genesis root 0, no risk roots yet
    }

    // ---------------------------------------------------------------- roles and the genesis root

    function test_genesisRoot_isBatchZero() public {
        Settlement t = _deploy(verifier, 111, 5);
        vm.assertEq(t.stateRoot(), 111, "genesis root");
        vm.assertEq(uint256(t.batchNumber()), 0, "batch 0");
        (uint64 batch, bool settled) = t.stateRootBatch(111);
        vm.assertTrue(settled, "genesis root settled");
        vm.assertEq(uint256(batch), 0, "in batch 0");
        (, settled) = t.stateRootBatch(112);
        vm.assertFalse(settled, "other root never settled");
        vm.assertEq(uint256(t.nextAccountId()), 5, "ids continue after the genesis accounts");
        vm.assertEq(uint256(t.depositCount()), 0, "empty queue");
        vm.assertEq(t.depositHead(0), 0, "head_0 = 0");
    }

    function test_adminOnly() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        s.setOperator(STRANGER);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        s.setOracleSigners(oracleAddrs, 1);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        s.transferOwnership(STRANGER);
        // the admin may, with events
        vm.expectEmit(true, true, false, false);
        emit OperatorChanged(OPERATOR, STRANGER);
        s.setOperator(STRANGER);
        vm.assertEq(s.operator(), STRANGER, "operator");
        vm.expectRevert(Settlement.ZeroAddress.selector);
        s.setOperator(address(0));
        vm.assertEq(s.operator(), STRANGER, "operator unchanged by the refused call");
    }

    function test_transferOwnership_isTwoStep() public {
        address next = address(0xAD2);
        vm.expectEmit(true, true, false, false);
        emit OwnershipTransferStarted(address(this), next);
        s.transferOwnership(next);
        // step one hands nothing over: the admin is still the admin, the pending one is not yet
        vm.assertEq(s.owner(), address(this), "admin until accepted");
        vm.assertEq(s.pendingOwner(), next, "pending");
        s.setOperator(OPERATOR);
        vm.prank(next);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, next));
        s.setOperator(next);
        // nobody but the pending admin can accept
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        s.acceptOwnership();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        s.acceptOwnership();
        // accepted: the role moves and the old admin loses it
        vm.expectEmit(true, true, false, false);
        emit OwnershipTransferred(address(this), next);
        vm.prank(next);
        s.acceptOwnership();
        vm.assertEq(s.owner(), next, "new admin");
        vm.assertEq(s.pendingOwner(), address(0), "pending cleared");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        s.setOperator(STRANGER);
        vm.prank(next);
        s.setOperator(STRANGER);
        vm.assertEq(s.operator(), STRANGER, "new admin acts");
        // a second accept by the same address is refused (nothing pending)
        vm.prank(next);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, next));
        s.acceptOwnership();
    }

    function test_renounceOwnership_isRefused() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        s.renounceOwnership();
        vm.expectRevert(Settlement.RenounceOwnershipDisabled.selector);
        s.renounceOwnership();
        vm.assertEq(s.owner(), address(this), "owner kept");
    }

    function test_transferOwnership_canBeCancelledOrRedirected() public {
        s.transferOwnership(STRANGER); // a mistyped address
        s.transferOwnership(address(0xAD2)); // redirected: the first one can no longer accept
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        s.acceptOwnership();
        s.transferOwnership(address(0)); // cancelled
        vm.prank(address(0xAD2));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xAD2)));
        s.acceptOwnership();
        // address(0) itself cannot accept the "nothing pending" state
        vm.prank(address(0));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0)));
        s.acceptOwnership();
        vm.assertEq(s.owner(), address(this), "admin kept");
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
            if (n == 0) {
                vm.expectRevert(abi.encodeWithSelector(Settlement.MalformedSignatures.selector, uint256(0)));
            } else if (n == 1) {
                vm.expectRevert(abi.encodeWithSelector(Settlement.QuorumNotReached.selector, uint256(1), uint256(2)));
            } else {
                // first and last swapped: the second signature is the first one below its predecessor
                vm.expectRevert(abi.encodeWithSelector(Settlement.SignersNotSorted.selector, uint256(1)));
            }
            s.postRiskRoot(1, 55, sig);
            vm.assertEq(uint256(s.riskRootCount()), 0, "nothing posted");
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
        address[] memory dup = new address[](2);
        (dup[0], dup[1]) = (oracleAddrs[0], oracleAddrs[0]);
        vm.expectRevert(abi.encodeWithSelector(Settlement.SignerSetNotSorted.selector, uint256(1)));
        s.setOracleSigners(dup, 1);
        // MAX_SIGNERS is accepted, one more is not
        address[] memory many = new address[](33);
        for (uint256 i = 0; i < 33; i++) {
            many[i] = address(uint160(0x1000 + i));
        }
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidSignerSet.selector, uint256(33)));
        s.setOracleSigners(many, 1);
        assembly {
            mstore(many, 32)
        }
        s.setOracleSigners(many, 32);
        vm.assertEq(s.oracleSigners().length, 32, "32 signers");
        vm.assertEq(s.quorum(), 32, "quorum = n accepted");
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

    /// @dev the signer that the `i`-th 65-byte signature of `sig` recovers to for `digest`
    function _recover(bytes memory sig, uint256 i, bytes32 digest) internal pure returns (address) {
        bytes32 r;
        bytes32 sv;
        uint8 v;
        assembly {
            let p := add(add(sig, 32), mul(i, 65))
            r := mload(p)
            sv := mload(add(p, 32))
            v := byte(0, mload(add(p, 64)))
        }
        return ecrecover(digest, v, r, sv);
    }

    function test_postRiskRoot_rejectsSignatureForOtherRootOrDomain() public {
        // signed for another root: the first signature recovers to an unrelated (unregistered) address
        bytes memory sig = _sigs(s, 1, 78, _idx(0, 1));
        address stranger = _recover(sig, 0, s.riskRootDigest(1, 77));
        vm.assertFalse(s.isOracleSigner(stranger), "recovers to a stranger");
        vm.expectRevert(abi.encodeWithSelector(Settlement.UnknownSigner.selector, stranger));
        s.postRiskRoot(1, 77, sig);
        // signed on another chain id (EIP-712 domain binds chain and contract)
        vm.chainId(999);
        bytes memory otherChain = _sigs(s, 1, 77, _idx(0, 1));
        vm.chainId(31337);
        address other = _recover(otherChain, 0, s.riskRootDigest(1, 77));
        vm.expectRevert(abi.encodeWithSelector(Settlement.UnknownSigner.selector, other));
        s.postRiskRoot(1, 77, otherChain);
        // and the same signers over this domain and root are accepted
        s.postRiskRoot(1, 77, _sigs(s, 1, 77, _idx(0, 1)));
        vm.assertEq(s.riskRootOfEpoch(1), 77, "posted");
    }

    function test_postRiskRoot_epochJumpIsBounded() public {
        uint64 jump = s.MAX_EPOCH_JUMP();
        vm.assertEq(uint256(jump), 2 ** 32, "constant");
        // the first posting counts from 0
        bytes memory sig1 = _sigs(s, jump + 1, 77, _idx(0, 1));
        vm.expectRevert(abi.encodeWithSelector(Settlement.EpochJumpTooLarge.selector, jump + 1, uint64(0)));
        s.postRiskRoot(jump + 1, 77, sig1);
        s.postRiskRoot(jump, 77, _sigs(s, jump, 77, _idx(0, 1)));
        // then from the latest epoch: exactly MAX_EPOCH_JUMP is accepted, one more is not
        uint64 e = 2 * jump + 1;
        bytes memory sig2 = _sigs(s, e, 78, _idx(0, 1));
        vm.expectRevert(abi.encodeWithSelector(Settlement.EpochJumpTooLarge.selector, e, jump));
        s.postRiskRoot(e, 78, sig2);
        // the epoch that blocked every later posting before this bound
        uint64 top = type(uint64).max;
        bytes memory sig3 = _sigs(s, top, 78, _idx(0, 1));
        vm.expectRevert(abi.encodeWithSelector(Settlement.EpochJumpTooLarge.selector, top, jump));
        s.postRiskRoot(top, 78, sig3);
        s.postRiskRoot(2 * jump, 78, _sigs(s, 2 * jump, 78, _idx(0, 1)));
        vm.assertEq(uint256(s.latestRiskEpoch()), uint256(2 * jump), "latest");
        vm.assertEq(uint256(s.riskRootCount()), 2, "two postings");
        // an ordinary next epoch still works
        s.postRiskRoot(2 * jump + 1, 79, _sigs(s, 2 * jump + 1, 79, _idx(1, 2)));
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
        s.postRiskRoot(1, R - 1, _sigs(s, 1, R - 1, _idx(0, 1)));
        vm.assertEq(s.riskRootOfEpoch(1), R - 1, "largest field element accepted");
    }

    function test_postRiskRoot_acceptsBothRecoveryIds() public {
        // v = 27 and v = 28 both occur among these signatures and both are accepted
        bool saw27;
        bool saw28;
        for (uint64 e = 1; e <= 8 && !(saw27 && saw28); e++) {
            bytes memory sig = _sigs(s, e, 100 + e, _idx(0, 1));
            saw27 = saw27 || sig[64] == bytes1(uint8(27)) || sig[129] == bytes1(uint8(27));
            saw28 = saw28 || sig[64] == bytes1(uint8(28)) || sig[129] == bytes1(uint8(28));
            s.postRiskRoot(e, 100 + e, sig);
        }
        vm.assertTrue(saw27 && saw28, "both recovery ids seen");
    }

    function test_postRiskRoot_rejectsSignatureRecoveringToNobody() public {
        bytes memory sig = _sigs(s, 1, 77, _idx(0, 1));
        // r = 0 is not a curve point: ecrecover returns address(0)
        for (uint256 i = 0; i < 32; i++) {
            sig[i] = 0;
        }
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidSignature.selector, uint256(0)));
        s.postRiskRoot(1, 77, sig);
    }

    function _g(IHealthVerifier hv, uint256 genesis, uint64 accounts, uint64 limit)
        private
        view
        returns (Settlement.Genesis memory)
    {
        return Settlement.Genesis(hv, batchVerifier, IERC20(address(token)), genesis, accounts, limit);
    }

    function test_constructor_validates() public {
        Settlement.Genesis memory ok = _g(verifier, 0, 0, 1);
        vm.expectRevert(Settlement.ZeroAddress.selector);
        new Settlement(_g(IHealthVerifier(address(0)), 0, 0, 1), OPERATOR, oracleAddrs, 2, 1, 1, 1);
        vm.expectRevert(Settlement.ZeroAddress.selector);
        new Settlement(ok, address(0), oracleAddrs, 2, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.VerifierHasNoCode.selector, address(0x1234)));
        new Settlement(_g(IHealthVerifier(address(0x1234)), 0, 0, 1), OPERATOR, oracleAddrs, 2, 1, 1, 1);
        Settlement.Genesis memory g = _g(verifier, 0, 0, 1);
        g.batchVerifier = IBatchVerifier(address(0x1234));
        vm.expectRevert(abi.encodeWithSelector(Settlement.VerifierHasNoCode.selector, address(0x1234)));
        new Settlement(g, OPERATOR, oracleAddrs, 2, 1, 1, 1);
        g = _g(verifier, 0, 0, 1);
        g.quoteToken = IERC20(address(0));
        vm.expectRevert(Settlement.ZeroAddress.selector);
        new Settlement(g, OPERATOR, oracleAddrs, 2, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAFieldElement.selector, R));
        new Settlement(_g(verifier, R, 0, 1), OPERATOR, oracleAddrs, 2, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidAccountLimit.selector, uint64(0), uint64(0)));
        new Settlement(_g(verifier, 0, 0, 0), OPERATOR, oracleAddrs, 2, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidAccountLimit.selector, uint64(3), uint64(2)));
        new Settlement(_g(verifier, 0, 3, 2), OPERATOR, oracleAddrs, 2, 1, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidWindow.selector, uint64(0)));
        new Settlement(ok, OPERATOR, oracleAddrs, 2, 0, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidWindow.selector, uint64(0)));
        new Settlement(ok, OPERATOR, oracleAddrs, 2, 1, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidMaxAge.selector, uint64(0)));
        new Settlement(ok, OPERATOR, oracleAddrs, 2, 1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidQuorum.selector, uint256(4), uint256(3)));
        new Settlement(ok, OPERATOR, oracleAddrs, 4, 1, 1, 1);
        // the smallest valid parameters are accepted; no batch verifier yet is allowed (finalizeBatch refuses)
        g = _g(verifier, R - 1, 1, 1);
        g.batchVerifier = IBatchVerifier(address(0));
        Settlement t = new Settlement(g, OPERATOR, oracleAddrs, 1, 1, 1, 1);
        vm.assertEq(t.stateRoot(), R - 1, "largest field element as genesis");
        vm.assertEq(uint256(t.stateRootWindow()), 1, "state window");
        vm.assertEq(uint256(t.riskRootWindow()), 1, "risk window");
        vm.assertEq(uint256(t.riskRootMaxAge()), 1, "max age");
        vm.assertEq(t.owner(), address(this), "deployer is owner");
        vm.assertEq(t.pendingOwner(), address(0), "nothing pending");
        vm.assertEq(t.committeeQuorum(), 0, "no committee yet");
    }
}
