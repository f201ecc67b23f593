// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EscapeVector} from "./utils/EscapeVector.sol";
import {Settlement} from "../src/Settlement.sol";
import {EscapeHatch} from "../src/EscapeHatch.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Poseidon2} from "../src/Poseidon2.sol";

/// @notice The keeper path and the escape hatch (src/EscapeHatch.sol, docs/LIQUIDATION.md) with REAL proofs: the
/// liquidation-eligibility proof of account 2 and the exit proofs of accounts 0, 1, 2 of one genesis state
/// (test-vectors/chain/, `go run ./circuits/exit/exitvector`) through the checked-in gnark verifiers; the clearing
/// of a forced withdrawal through the real batch proof (test-vectors/chain/batch-proof.json).
contract EscapeTest is EscapeVector {
    event LiquidationRequested(uint64 indexed accountId, address indexed keeper, uint64 riskEpoch, uint64 deadline);
    event ForcedWithdrawalRequested(uint64 indexed accountId, address indexed requester, uint256 amount, uint64 deadline);
    event ForcedWithdrawalCleared(uint64 indexed accountId, uint64 indexed batch);
    event LiquidationCleared(uint64 indexed accountId, uint64 indexed batch);
    event Frozen(uint64 indexed accountId, address indexed caller, uint256 stateRoot, uint256 riskRoot);
    event Exited(uint64 indexed accountId, address indexed l1Address, uint256 payout, uint256 paid);

    address constant BOB = address(0xB0B0);
    address constant STRANGER = address(0x5757);

    Settlement t;
    EscapeHatch hatch;

    function setUp() public {
        _loadVector();
        _loadBatchVector();
        _loadEscapeVectors();
        (t, hatch) = _deployEscape(escStateRoot, _totalPayout());
    }

    // ------------------------------------------------------------------ keeper path

    function test_requestLiquidation_acceptsUnhealthyAccount() public {
        uint64 deadline = uint64(block.timestamp) + GRACE;
        vm.expectEmit(true, true, true, true);
        emit LiquidationRequested(liqAccount, liqKeeper, 1, deadline);
        vm.prank(liqKeeper);
        hatch.requestLiquidation(liqAccount, 1, liqProof);
        (uint64 d, uint64 b, address who, uint64 amount) = hatch.liquidationRequest(liqAccount);
        vm.assertEq(uint256(d), deadline, "deadline");
        vm.assertEq(uint256(b), 0, "requested at batch 0");
        vm.assertEq(who, liqKeeper, "keeper");
        vm.assertEq(uint256(amount), 0, "no amount");
        vm.prank(liqKeeper);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.RequestPending.selector, liqAccount, deadline));
        hatch.requestLiquidation(liqAccount, 1, liqProof);
    }

    function test_requestLiquidation_refusesTamperedProofOtherKeeperOtherAccount() public {
        vm.startPrank(liqKeeper);
        vm.expectRevert(EscapeHatch.LiquidationProofInvalid.selector);
        hatch.requestLiquidation(liqAccount, 1, _flip(liqProof));
        vm.expectRevert(EscapeHatch.LiquidationProofInvalid.selector);
        hatch.requestLiquidation(liqAccount - 1, 1, liqProof);
        vm.stopPrank();
        // copied from the mempool: the proof credits its keeper only
        vm.prank(STRANGER);
        vm.expectRevert(EscapeHatch.LiquidationProofInvalid.selector);
        hatch.requestLiquidation(liqAccount, 1, liqProof);
    }

    function test_requestLiquidation_refusesUnpostedOrUnusableRiskRoot() public {
        vm.startPrank(liqKeeper);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.RiskRootUnknown.selector, uint64(2)));
        hatch.requestLiquidation(liqAccount, 2, liqProof);
        vm.warp(block.timestamp + MAX_AGE + 1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.RiskRootNotUsable.selector, escRiskRoot));
        hatch.requestLiquidation(liqAccount, 1, liqProof);
        vm.stopPrank();
    }

    function test_requestLiquidation_refusesForeignStateRoot() public {
        // same risk root posted, but another genesis state root: the proof names the vectors' root
        (, EscapeHatch other) = _deployEscape(escStateRoot + 1, 0);
        vm.prank(liqKeeper);
        vm.expectRevert(EscapeHatch.LiquidationProofInvalid.selector);
        other.requestLiquidation(liqAccount, 1, liqProof);
    }

    function test_liquidationRequestPastDeadline_freezes() public {
        vm.prank(liqKeeper);
        hatch.requestLiquidation(liqAccount, 1, liqProof);
        vm.warp(block.timestamp + GRACE + 1);
        hatch.freeze(liqAccount);
        vm.assertTrue(t.frozen(), "frozen");
    }

    // ------------------------------------------------------------------ forced withdrawal, freeze

    function test_forcedWithdrawal_deadline_freeze() public {
        uint64 deadline = uint64(block.timestamp) + GRACE;
        vm.expectEmit(true, true, true, true);
        emit ForcedWithdrawalRequested(1, BOB, 1_000_000, deadline);
        vm.prank(BOB);
        hatch.requestForcedWithdrawal(1, 1_000_000);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, uint64(1)));
        hatch.freeze(1);
        vm.warp(deadline); // at the deadline the operator still has time
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, uint64(1)));
        hatch.freeze(1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, uint64(0)));
        hatch.freeze(0);
        vm.warp(uint256(deadline) + 1);
        vm.expectEmit(true, true, true, true);
        emit Frozen(1, STRANGER, escStateRoot, escRiskRoot);
        vm.prank(STRANGER);
        hatch.freeze(1);
        vm.assertTrue(hatch.isFrozen(), "frozen");
        vm.assertEq(hatch.exitStateRoot(), escStateRoot, "exit state root");
        vm.assertEq(hatch.exitRiskRoot(), escRiskRoot, "exit risk root");
        vm.assertEq(hatch.exitRoots(), Poseidon2.compress(escStateRoot, escRiskRoot), "exitRoots: compress(s, r)");
        // nothing moves the roots any more
        Settlement.BatchHeader memory h = _header(t, 5, escRiskRoot, 0);
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.SettlementFrozen.selector);
        t.finalizeBatch(h, new Settlement.Withdrawal[](0), _noLiq(), hex"", FAKE_PROOF);
        bytes memory sigs = _sigs(t, 2, 5, _idx(0, 2));
        vm.expectRevert(Settlement.SettlementFrozen.selector);
        t.postRiskRoot(2, 5, sigs);
        vm.expectRevert(EscapeHatch.IsFrozen.selector);
        hatch.freeze(1);
        vm.prank(BOB);
        vm.expectRevert(EscapeHatch.IsFrozen.selector);
        hatch.requestForcedWithdrawal(0, 1);
        vm.prank(liqKeeper);
        vm.expectRevert(EscapeHatch.IsFrozen.selector);
        hatch.requestLiquidation(liqAccount, 1, liqProof);
    }

    function test_requestForcedWithdrawal_validates() public {
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.UnknownAccount.selector, uint64(3), uint64(3)));
        hatch.requestForcedWithdrawal(3, 1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.AmountOutOfRange.selector, uint256(0)));
        hatch.requestForcedWithdrawal(0, 0);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.AmountOutOfRange.selector, uint256(2 ** 63)));
        hatch.requestForcedWithdrawal(0, 2 ** 63);
    }

    /// @dev The real batch (withdraws 750,000 of account 3 to BOB) honours BOB's forced withdrawal and names it.
    function test_batchClearsForcedWithdrawal_realBatchProof() public {
        Settlement b = _deployReal();
        EscapeHatch bh = new EscapeHatch(b, exitVerifier, liqVerifier, GRACE);
        b.setEscapeHatch(address(bh));
        vm.prank(BOB);
        bh.requestForcedWithdrawal(3, 750_000);
        uint64[] memory three = new uint64[](1);
        three[0] = 3;
        Settlement.BatchHeader memory h = _realHeader();
        bytes memory sigs = _realSigs(b);
        // naming a forced withdrawal that is not pending refuses the whole batch
        uint64[] memory zero = new uint64[](1);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.RequestNotPending.selector, uint64(0)));
        b.finalizeBatchClearing(h, batchWithdrawals, batchLiquidations, sigs, batchProof, zero);
        vm.expectEmit(true, true, true, true);
        emit ForcedWithdrawalCleared(3, 1);
        vm.prank(OPERATOR);
        b.finalizeBatchClearing(h, batchWithdrawals, batchLiquidations, sigs, batchProof, three);
        vm.assertEq(uint256(b.batchNumber()), 1, "finalized");
        vm.assertEq(b.pendingWithdrawal(BOB), 750_000, "paid by the batch");
        uint256 owed = 0;
        for (uint256 i = 0; i < batchWithdrawals.length; i++) {
            owed += batchWithdrawals[i].amount; // BOB's and the liquidation keeper's share
        }
        vm.warp(block.timestamp + GRACE + 1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, uint64(3)));
        bh.freeze(3);
        // a request nobody honours freezes; the credited withdrawal stays BOB's, exits get the rest
        vm.assertEq(b.pendingWithdrawalTotal(), owed, "owed to BOB and the keeper");
        vm.prank(BOB);
        bh.requestForcedWithdrawal(0, 1);
        vm.warp(block.timestamp + GRACE + 1);
        uint256 held = token.balanceOf(address(b));
        bh.freeze(0);
        vm.assertEq(bh.exitPool(), held - owed, "exit pool leaves the claims");
        vm.assertEq(token.balanceOf(address(b)), owed, "the claims stay in Settlement");
        vm.prank(BOB);
        b.claimWithdrawal();
        vm.assertEq(token.balanceOf(BOB), 750_000, "claimed after the freeze");
        vm.assertEq(b.pendingWithdrawalTotal(), owed - 750_000, "the keeper's share still owed");
    }

    /// @dev A batch's liquidation list (bound by its proof as requestsHash: the TEST DOUBLE batch verifier checks
    /// that finalizeBatch hands it `liquidationsHash(list)` as the 9th input) clears the keeper's pending request
    /// with the REAL eligibility proof; the request's keeper must be the entry's; an entry without a request (the
    /// operator's own liquidation, keeper 0) clears nothing.
    function test_batchLiquidationClearsKeeperRequest() public {
        Settlement u = _deploy(verifier, escStateRoot, escGenesisAccounts);
        u.postRiskRoot(1, escRiskRoot, _sigs(u, 1, escRiskRoot, _idx(0, 2)));
        EscapeHatch uh = new EscapeHatch(u, exitVerifier, liqVerifier, GRACE);
        u.setEscapeHatch(address(uh));
        vm.prank(liqKeeper);
        uh.requestLiquidation(liqAccount, 1, liqProof);
        Settlement.BatchHeader memory h = _header(u, 77, escRiskRoot, 0);
        bytes memory sigs = _dacSigs(u, 1, h.dataHash, h.newRoot, _idx(0, 2));
        Settlement.Liquidation[] memory ls = new Settlement.Liquidation[](2);
        ls[0] = Settlement.Liquidation(liqAccount ^ 1, address(0)); // no request: nothing to clear
        ls[1] = Settlement.Liquidation(liqAccount, STRANGER);
        batchVerifier.record(FAKE_PROOF, _inputs(u, h, u.liquidationsHash(ls)));
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.KeeperMismatch.selector, liqAccount, liqKeeper, STRANGER));
        u.finalizeBatch(h, new Settlement.Withdrawal[](0), ls, sigs, FAKE_PROOF);
        // the inputs the verifier gets follow the list: the recorded ones no longer match another list
        ls[1].keeper = liqKeeper;
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.BatchProofInvalid.selector);
        u.finalizeBatch(h, new Settlement.Withdrawal[](0), ls, sigs, FAKE_PROOF);
        batchVerifier.record(FAKE_PROOF, _inputs(u, h, u.liquidationsHash(ls)));
        vm.expectEmit(true, true, true, true);
        emit LiquidationCleared(liqAccount, 1);
        vm.prank(OPERATOR);
        u.finalizeBatch(h, new Settlement.Withdrawal[](0), ls, sigs, FAKE_PROOF);
        (uint64 d,, address who,) = uh.liquidationRequest(liqAccount);
        vm.assertEq(uint256(d), 0, "cleared");
        vm.assertEq(who, address(0), "cleared");
        vm.warp(block.timestamp + GRACE + 1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, liqAccount));
        uh.freeze(liqAccount);
    }

    function test_liquidationsHash_isTheWithdrawalChainOfAccountAndKeeper() public view {
        Settlement.Liquidation[] memory ls = new Settlement.Liquidation[](2);
        ls[0] = Settlement.Liquidation(5, address(0xBEEF));
        ls[1] = Settlement.Liquidation(9, address(0));
        uint256 q = Poseidon2.compress(0, Poseidon2.compress(5, 0xBEEF));
        q = Poseidon2.compress(q, Poseidon2.compress(9, 0));
        vm.assertEq(t.liquidationsHash(ls), q, "q_{j+1} = compress(q_j, compress(accountId, keeper))");
        vm.assertEq(t.liquidationsHash(new Settlement.Liquidation[](0)), 0, "empty list: 0");
    }

    function test_clear_onlySettlement_andHatchSetOnce() public {
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NotSettlement.selector, address(this)));
        hatch.clear(1, new Settlement.Liquidation[](0), new uint64[](0));
        vm.expectRevert(abi.encodeWithSelector(Settlement.EscapeHatchAlreadySet.selector, address(hatch)));
        t.setEscapeHatch(address(hatch));
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotEscapeHatch.selector, address(this)));
        t.freezeByEscapeHatch();
        Settlement u = _deployWith(verifier, realBatchVerifier, escStateRoot, 3);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        u.setEscapeHatch(address(hatch));
    }

    // ------------------------------------------------------------------ exits

    function _freeze() internal {
        vm.prank(BOB);
        hatch.requestForcedWithdrawal(1, 1_000_000);
        vm.warp(block.timestamp + GRACE + 1);
        hatch.freeze(1);
    }

    function test_freeze_movesThePoolAndFixesExitRoots() public {
        vm.assertEq(hatch.exitRoots(), 0, "0 before the freeze");
        vm.assertEq(hatch.exitPool(), 0, "no pool before the freeze");
        vm.assertEq(hatch.exitStateRoot(), 0, "no exit state root before the freeze");
        _freeze();
        vm.assertEq(hatch.exitRoots(), Poseidon2.compress(escStateRoot, escRiskRoot), "compress(stateRoot, riskRoot)");
        vm.assertEq(token.balanceOf(address(hatch)), _totalPayout(), "the pool moved into the hatch");
        vm.assertEq(token.balanceOf(address(t)), 0, "nothing owed stays in Settlement");
        vm.assertEq(hatch.exitPool(), _totalPayout(), "exitPool is the hatch's balance");
    }

    function test_exit_threeAccountsPaidExactly() public {
        _freeze();
        uint256 held = hatch.exitPool();
        vm.assertEq(held, _totalPayout(), "the pool holds every payout");
        for (uint256 k = 0; k < 3; k++) {
            vm.assertLt(0, exitPayout[k], "a positive payout");
            uint256 before = token.balanceOf(exitTo[k]);
            vm.expectEmit(true, true, true, true);
            emit Exited(exitAccount[k], exitTo[k], exitPayout[k], exitPayout[k]);
            vm.prank(STRANGER); // anyone submits: the payout goes to the leaf's address
            uint256 paid = hatch.exit(exitAccount[k], exitTo[k], exitPayout[k], exitProof[k]);
            vm.assertEq(paid, exitPayout[k], "paid");
            vm.assertEq(token.balanceOf(exitTo[k]) - before, exitPayout[k], "received exactly the payout");
            vm.assertTrue(hatch.exited(exitAccount[k]), "exited");
        }
        vm.assertEq(hatch.exitPool(), 0, "everything paid out");
        vm.assertEq(token.balanceOf(address(t)) + token.balanceOf(address(hatch)), 0, "nothing left anywhere");
    }

    function test_exit_twiceRefused() public {
        _freeze();
        hatch.exit(exitAccount[0], exitTo[0], exitPayout[0], exitProof[0]);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.AlreadyExited.selector, exitAccount[0]));
        hatch.exit(exitAccount[0], exitTo[0], exitPayout[0], exitProof[0]);
    }

    function test_exit_moreThanEquityOrOtherAddressRefused() public {
        _freeze();
        vm.expectRevert(EscapeHatch.ExitProofInvalid.selector);
        hatch.exit(exitAccount[1], exitTo[1], exitPayout[1] + 1, exitProof[1]);
        vm.expectRevert(EscapeHatch.ExitProofInvalid.selector);
        hatch.exit(exitAccount[1], STRANGER, exitPayout[1], exitProof[1]);
        vm.expectRevert(EscapeHatch.ExitProofInvalid.selector);
        hatch.exit(exitAccount[1], exitTo[1], exitPayout[1], _flip(exitProof[1]));
        vm.expectRevert(EscapeHatch.ExitProofInvalid.selector);
        hatch.exit(exitAccount[0], exitTo[1], exitPayout[1], exitProof[1]);
    }

    function test_exit_staleRiskRootRefused() public {
        // a newer risk root is posted before the freeze: exits are proven against the last one only
        t.postRiskRoot(2, escRiskRoot + 1, _sigs(t, 2, escRiskRoot + 1, _idx(0, 2)));
        _freeze();
        vm.assertEq(hatch.exitRiskRoot(), escRiskRoot + 1, "last posted");
        vm.expectRevert(EscapeHatch.ExitProofInvalid.selector);
        hatch.exit(exitAccount[0], exitTo[0], exitPayout[0], exitProof[0]);
    }

    /// @dev The proofs open against the vectors' state root; a venue frozen at another state root (with the same
    /// risk root) has other exitRoots, so they are refused: the verifier gets the contract's compress(s, r).
    function test_exit_otherStateRootRefused() public {
        (, EscapeHatch other) = _deployEscape(escStateRoot + 1, _totalPayout());
        vm.prank(BOB);
        other.requestForcedWithdrawal(1, 1);
        vm.warp(block.timestamp + GRACE + 1);
        other.freeze(1);
        for (uint256 k = 0; k < 3; k++) {
            vm.expectRevert(EscapeHatch.ExitProofInvalid.selector);
            other.exit(exitAccount[k], exitTo[k], exitPayout[k], exitProof[k]);
        }
    }

    function test_exit_beforeFreezeRefused() public {
        vm.expectRevert(EscapeHatch.NotFrozen.selector);
        hatch.exit(exitAccount[0], exitTo[0], exitPayout[0], exitProof[0]);
    }

    function test_exit_neverMoreThanHeld() public {
        (Settlement u, EscapeHatch uh) = _deployEscape(escStateRoot, exitPayout[0] + 5);
        vm.prank(BOB);
        uh.requestForcedWithdrawal(1, 1);
        vm.warp(block.timestamp + GRACE + 1);
        uh.freeze(1);
        vm.assertEq(uh.exit(exitAccount[0], exitTo[0], exitPayout[0], exitProof[0]), exitPayout[0], "first in full");
        uint256 before = token.balanceOf(exitTo[1]);
        vm.expectEmit(true, true, true, true);
        emit Exited(exitAccount[1], exitTo[1], exitPayout[1], 5);
        vm.assertEq(uh.exit(exitAccount[1], exitTo[1], exitPayout[1], exitProof[1]), 5, "what is left");
        vm.assertEq(token.balanceOf(exitTo[1]) - before, 5, "received what was left");
        vm.assertEq(uh.exit(exitAccount[2], exitTo[2], exitPayout[2], exitProof[2]), 0, "nothing left");
        vm.assertEq(uh.exitPool(), 0, "empty");
        vm.assertEq(token.balanceOf(address(u)), 0, "nothing left in Settlement either");
    }
}
