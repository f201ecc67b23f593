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
/// of requests by the real batch proof (test-vectors/chain/batch-proof.json) and, for batches no real proof exists
/// for, through the recorded-input test double.
contract EscapeTest is EscapeVector {
    event LiquidationRequested(uint64 indexed accountId, address indexed keeper, uint64 riskEpoch, uint64 deadline);
    event ForcedWithdrawalRequested(
        uint64 indexed accountId, address indexed requester, uint256 amount, uint64 deadline
    );
    event ForcedWithdrawalCleared(uint64 indexed accountId, uint64 indexed batch, uint256 paid);
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
        // nothing moves the roots any more
        Settlement.BatchHeader memory h = _header(t, 5, escRiskRoot, 0);
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.SettlementFrozen.selector);
        t.finalizeBatch(h, new Settlement.Withdrawal[](0), _noReq(), hex"", FAKE_PROOF);
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

    /// @dev The real batch (a withdrawal of account 4 to BOB and a liquidation of account 3 for a keeper) clears the
    /// keeper's liquidation request when one is pending for that keeper (the request is stored as the real
    /// eligibility proof would store it: the vector's account has no such proof); the keeper's share is credited.
    function test_realBatch_clearsLiquidationRequest() public {
        Settlement b = _deployReal();
        EscapeHatch bh = new EscapeHatch(b, exitVerifier, liqVerifier, GRACE);
        b.setEscapeHatch(address(bh));
        uint256 li = _firstOfKind(6);
        Settlement.Request memory liq = batchRequests[li];
        _storeLiquidationRequest(bh, liq.accountId, liq.party);
        bytes memory sigs = _realSigs(b);
        vm.expectEmit(true, true, true, true);
        emit LiquidationCleared(liq.accountId, 1);
        vm.prank(OPERATOR);
        b.finalizeBatch(_realHeader(), batchWithdrawals, batchRequests, sigs, batchProof);
        (uint64 d,,,) = bh.liquidationRequest(liq.accountId);
        vm.assertEq(uint256(d), 0, "cleared");
        vm.assertLt(0, b.pendingWithdrawal(liq.party), "the keeper's share");
    }

    /// @dev The REAL forced batch (test-vectors/chain/batch-proof-forced.json: account 4 registered by ALICE, a
    /// withdrawal to BOB, then its request slot pays account 4's forced withdrawal to ALICE, kind 8) through the real
    /// verifier: with no pending request it is refused (`RequestNotPending`: nobody asked), with another requester's
    /// or another amount's request `ForcedWithdrawalMismatch`; a request list other than the proven one (paid said
    /// refused, another amount) fails the proof even with the matching request pending; ALICE's request is paid
    /// (credited, claimable) and cleared, and no longer lets anyone freeze.
    function test_realBatch_paysAndClearsForcedWithdrawal() public {
        _loadBatchVector(FORCED_BATCH_VECTOR);
        Settlement.Request memory fw = batchRequests[_firstOfKind(8)];
        vm.assertEq(uint256(fw.accountId), depAccount[0], "the registered account");
        vm.assertEq(fw.party, depDepositor[0], "its depositor asks");
        vm.assertEq(uint256(batchWithdrawals[1].amount), fw.amount, "paid as the withdrawal after the generic slot's");
        vm.assertEq(batchWithdrawals[1].to, fw.party, "to the requester");

        (Settlement b, EscapeHatch bh) = _realWithHatch();
        _expectRealFinalizeRevert(b, abi.encodeWithSelector(EscapeHatch.RequestNotPending.selector, fw.accountId));
        vm.prank(STRANGER);
        bh.requestForcedWithdrawal(fw.accountId, fw.amount);
        _expectRealFinalizeRevert(
            b,
            abi.encodeWithSelector(
                EscapeHatch.ForcedWithdrawalMismatch.selector, fw.accountId, STRANGER, fw.amount, fw.party, fw.amount
            )
        );
        (b, bh) = _realWithHatch();
        vm.prank(fw.party);
        bh.requestForcedWithdrawal(fw.accountId, fw.amount + 1);
        _expectRealFinalizeRevert(
            b,
            abi.encodeWithSelector(
                EscapeHatch.ForcedWithdrawalMismatch.selector,
                fw.accountId,
                fw.party,
                fw.amount + 1,
                fw.party,
                fw.amount
            )
        );

        (b, bh) = _realWithHatch();
        vm.prank(fw.party);
        bh.requestForcedWithdrawal(fw.accountId, fw.amount);
        bytes memory sigs = _realSigs(b);
        Settlement.Request[] memory other = batchRequests;
        other[0].kind = 9; // "refused" while the proof paid it
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.BatchProofInvalid.selector);
        b.finalizeBatch(_realHeader(), batchWithdrawals, other, sigs, batchProof);
        other = batchRequests;
        other[0].amount -= 1;
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.BatchProofInvalid.selector);
        b.finalizeBatch(_realHeader(), batchWithdrawals, other, sigs, batchProof);

        vm.expectEmit(true, true, true, true);
        emit ForcedWithdrawalCleared(fw.accountId, 1, fw.amount);
        vm.prank(OPERATOR);
        b.finalizeBatch(_realHeader(), batchWithdrawals, batchRequests, sigs, batchProof);
        vm.assertEq(b.stateRoot(), batchInputs[1], "finalized");
        (uint64 d,,,) = bh.forcedWithdrawal(fw.accountId);
        vm.assertEq(uint256(d), 0, "cleared");
        vm.assertEq(b.pendingWithdrawal(fw.party), fw.amount, "credited to the requester");
        uint256 before = token.balanceOf(fw.party);
        vm.prank(fw.party);
        b.claimWithdrawal();
        vm.assertEq(token.balanceOf(fw.party) - before, fw.amount, "claimed");
        vm.warp(block.timestamp + GRACE + 1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, fw.accountId));
        bh.freeze(fw.accountId);
    }

    /// @dev a Settlement in the loaded batch vector's state with the real verifier, and its hatch
    function _realWithHatch() internal returns (Settlement b, EscapeHatch bh) {
        b = _deployReal();
        bh = new EscapeHatch(b, exitVerifier, liqVerifier, GRACE);
        b.setEscapeHatch(address(bh));
    }

    /// @dev the loaded vector's batch, as proven, finalized on `b` as the operator reverts with `err`
    function _expectRealFinalizeRevert(Settlement b, bytes memory err) internal {
        bytes memory sigs = _realSigs(b);
        vm.prank(OPERATOR);
        vm.expectRevert(err);
        b.finalizeBatch(_realHeader(), batchWithdrawals, batchRequests, sigs, batchProof);
        vm.assertEq(uint256(b.batchNumber()), 0, "nothing finalized");
    }

    /// @dev index of the vector's first request entry of `kind`
    function _firstOfKind(uint8 kind) internal view returns (uint256) {
        for (uint256 i = 0; i < batchRequests.length; i++) {
            if (batchRequests[i].kind == kind) return i;
        }
        revert("the batch vector has no request entry of that kind");
    }

    /// @dev A pending liquidation request as `requestLiquidation` stores it (deadline, batch, keeper, 0), written
    /// straight into the hatch's `liquidationRequest` mapping (slot 0): for a batch vector's account, which has no
    /// eligibility proof of its own.
    function _storeLiquidationRequest(EscapeHatch h, uint64 accountId, address keeper) internal {
        bytes32 slot = keccak256(abi.encode(uint256(accountId), uint256(0)));
        (uint64 before,,,) = h.liquidationRequest(accountId);
        vm.assertEq(uint256(before), 0, "none pending");
        uint64 deadline = uint64(block.timestamp) + GRACE;
        vm.store(address(h), slot, bytes32(uint256(deadline) | (uint256(h.settlement().batchNumber()) << 64)));
        vm.store(address(h), bytes32(uint256(slot) + 1), bytes32(uint256(uint160(keeper))));
        (uint64 d,, address who,) = h.liquidationRequest(accountId);
        vm.assertEq(uint256(d), deadline, "stored deadline");
        vm.assertEq(who, keeper, "stored keeper");
    }

    /// @dev A Settlement with the TEST DOUBLE batch verifier (it accepts the recorded inputs only, so each list
    /// below is hashed into the 9th input the contract computes: batches for which no real proof exists, several
    /// kinds at once) at the escape vectors' state, its hatch, and pending forced withdrawals: BOB asks 1,000,000
    /// of account 1, STRANGER 5 of account 2.
    function _forcedSetup() internal returns (Settlement u, EscapeHatch uh) {
        u = _deploy(verifier, escStateRoot, escGenesisAccounts);
        u.postRiskRoot(1, escRiskRoot, _sigs(u, 1, escRiskRoot, _idx(0, 2)));
        uh = new EscapeHatch(u, exitVerifier, liqVerifier, GRACE);
        u.setEscapeHatch(address(uh));
        vm.prank(BOB);
        uh.requestForcedWithdrawal(1, 1_000_000);
        vm.prank(STRANGER);
        uh.requestForcedWithdrawal(2, 5);
    }

    /// @dev batch 1 of `u` for the request list `rs` (BOB's 1,000,000 as the one withdrawal when `paid`): the
    /// header, withdrawals and committee signatures, the test double's recorded inputs for exactly this list
    function _batchFor(Settlement u, Settlement.Request[] memory rs, bool paid)
        internal
        returns (Settlement.BatchHeader memory h, Settlement.Withdrawal[] memory ws, bytes memory sigs)
    {
        ws = new Settlement.Withdrawal[](paid ? 1 : 0);
        if (paid) ws[0] = Settlement.Withdrawal(BOB, 1_000_000);
        h = _header(u, 77, escRiskRoot, 0);
        h.withdrawalsHash = u.withdrawalsHash(ws);
        batchVerifier.record(FAKE_PROOF, _inputs(u, h, u.requestsHash(rs)));
        sigs = _dacSigs(u, 1, h.dataHash, h.newRoot, _idx(0, 2));
    }

    /// @dev `_batchFor(u, rs, false)` finalized as the operator reverts with `err`
    function _expectRequestsRevert(Settlement u, Settlement.Request[] memory rs, bytes memory err) internal {
        (Settlement.BatchHeader memory h, Settlement.Withdrawal[] memory ws, bytes memory sigs) =
            _batchFor(u, rs, false);
        vm.prank(OPERATOR);
        vm.expectRevert(err);
        u.finalizeBatch(h, ws, rs, sigs, FAKE_PROOF);
    }

    /// @dev A batch's kind-8 entry (paid, its withdrawal in the list) and kind-9 entry (refused) clear the two
    /// pending forced withdrawals, with their events; a liquidation entry without a request clears nothing; the
    /// requests are no longer overdue after the grace period.
    function test_batchClearsForcedWithdrawals_paidAndRefused() public {
        (Settlement u, EscapeHatch uh) = _forcedSetup();
        Settlement.Request[] memory rs = new Settlement.Request[](3);
        rs[0] = _liqReq(liqAccount ^ 1, address(0));
        rs[1] = _fwReq(8, 1, BOB, 1_000_000);
        rs[2] = _fwReq(9, 2, STRANGER, 5);
        (Settlement.BatchHeader memory h, Settlement.Withdrawal[] memory ws, bytes memory sigs) = _batchFor(u, rs, true);
        vm.expectEmit(true, true, true, true);
        emit ForcedWithdrawalCleared(1, 1, 1_000_000);
        vm.expectEmit(true, true, true, true);
        emit ForcedWithdrawalCleared(2, 1, 0);
        vm.prank(OPERATOR);
        u.finalizeBatch(h, ws, rs, sigs, FAKE_PROOF);
        vm.assertEq(uint256(u.batchNumber()), 1, "finalized");
        vm.assertEq(u.pendingWithdrawal(BOB), 1_000_000, "paid by the batch's withdrawal list");
        vm.assertEq(u.pendingWithdrawal(STRANGER), 0, "refused: nothing paid");
        for (uint64 a = 1; a <= 2; a++) {
            (uint64 d, uint64 bn, address who, uint64 amount) = uh.forcedWithdrawal(a);
            vm.assertEq(uint256(d) + bn + uint160(who) + amount, 0, "cleared");
        }
        vm.warp(block.timestamp + GRACE + 1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, uint64(1)));
        uh.freeze(1);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NothingOverdue.selector, uint64(2)));
        uh.freeze(2);
        // a new request of the same account is possible again
        vm.prank(BOB);
        uh.requestForcedWithdrawal(1, 7);
    }

    /// @dev An entry whose requester or amount is not the pending request's refuses the batch
    /// (`ForcedWithdrawalMismatch`, both kinds); an entry for an account with no pending request refuses it
    /// (`RequestNotPending`: a batch pays no forced withdrawal nobody asked for); so does a second entry for the
    /// same request. Nothing is finalized.
    function test_batchForcedWithdrawalMismatchRefused() public {
        (Settlement u, EscapeHatch uh) = _forcedSetup();
        Settlement.Request[] memory rs = new Settlement.Request[](1);
        rs[0] = _fwReq(8, 1, BOB, 999_999);
        _expectRequestsRevert(
            u,
            rs,
            abi.encodeWithSelector(
                EscapeHatch.ForcedWithdrawalMismatch.selector, uint64(1), BOB, uint64(1_000_000), BOB, uint64(999_999)
            )
        );
        rs[0] = _fwReq(9, 1, STRANGER, 1_000_000);
        _expectRequestsRevert(
            u,
            rs,
            abi.encodeWithSelector(
                EscapeHatch.ForcedWithdrawalMismatch.selector,
                uint64(1),
                BOB,
                uint64(1_000_000),
                STRANGER,
                uint64(1_000_000)
            )
        );
        rs[0] = _fwReq(8, 0, BOB, 1);
        _expectRequestsRevert(u, rs, abi.encodeWithSelector(EscapeHatch.RequestNotPending.selector, uint64(0)));
        Settlement.Request[] memory twice = new Settlement.Request[](2);
        twice[0] = _fwReq(9, 2, STRANGER, 5);
        twice[1] = _fwReq(9, 2, STRANGER, 5);
        _expectRequestsRevert(u, twice, abi.encodeWithSelector(EscapeHatch.RequestNotPending.selector, uint64(2)));
        vm.assertEq(uint256(u.batchNumber()), 0, "nothing finalized");
        (uint64 d,,,) = uh.forcedWithdrawal(1);
        vm.assertLt(0, uint256(d), "still pending");
    }

    /// @dev An unknown kind (0, 5, 7, 10, 255: only 6, 8, 9 have entries) and a liquidation entry with an amount are
    /// refused before anything else (`InvalidRequest`, with the entry's index)
    function test_requestsHash_refusesUnknownKind() public {
        (Settlement u,) = _forcedSetup();
        uint8[5] memory bad = [uint8(0), 5, 7, 10, 255];
        Settlement.Request[] memory rs = new Settlement.Request[](2);
        rs[0] = _fwReq(8, 1, BOB, 1_000_000);
        Settlement.BatchHeader memory h = _header(u, 77, escRiskRoot, 0);
        bytes memory sigs = _dacSigs(u, 1, h.dataHash, h.newRoot, _idx(0, 2));
        for (uint256 i = 0; i < bad.length; i++) {
            rs[1] = _fwReq(bad[i], 2, STRANGER, 5);
            vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidRequest.selector, uint256(1), bad[i]));
            u.requestsHash(rs);
            vm.prank(OPERATOR);
            vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidRequest.selector, uint256(1), bad[i]));
            u.finalizeBatch(h, new Settlement.Withdrawal[](0), rs, sigs, FAKE_PROOF);
        }
        rs[1] = _fwReq(6, liqAccount, liqKeeper, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidRequest.selector, uint256(1), uint8(6)));
        u.requestsHash(rs);
    }

    /// @dev A batch's liquidation entry (bound by its proof as requestsHash: the TEST DOUBLE batch verifier checks
    /// that finalizeBatch hands it `requestsHash(list)` as the 9th input) clears the keeper's pending request
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
        Settlement.Request[] memory ls = new Settlement.Request[](2);
        ls[0] = _liqReq(liqAccount ^ 1, address(0)); // no request: nothing to clear
        ls[1] = _liqReq(liqAccount, STRANGER);
        batchVerifier.record(FAKE_PROOF, _inputs(u, h, u.requestsHash(ls)));
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.KeeperMismatch.selector, liqAccount, liqKeeper, STRANGER));
        u.finalizeBatch(h, new Settlement.Withdrawal[](0), ls, sigs, FAKE_PROOF);
        // the inputs the verifier gets follow the list: the recorded ones no longer match another list
        ls[1].party = liqKeeper;
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.BatchProofInvalid.selector);
        u.finalizeBatch(h, new Settlement.Withdrawal[](0), ls, sigs, FAKE_PROOF);
        batchVerifier.record(FAKE_PROOF, _inputs(u, h, u.requestsHash(ls)));
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

    /// @dev FORCED.md: kind 6 `compress(accountId, keeper)`; kinds 8, 9 `compress(accountId + 2^64 * (kind - 7),
    /// compress(requester, amount))`; chained as the withdrawal list
    function test_requestsHash_entriesAsSpecified() public view {
        Settlement.Request[] memory rs = new Settlement.Request[](4);
        rs[0] = _liqReq(5, address(0xBEEF));
        rs[1] = _liqReq(9, address(0));
        rs[2] = _fwReq(8, 3, address(0xB0B0), 750_000);
        rs[3] = _fwReq(9, 3, address(0xB0B0), 750_000);
        uint256 q = Poseidon2.compress(0, Poseidon2.compress(5, 0xBEEF));
        q = Poseidon2.compress(q, Poseidon2.compress(9, 0));
        q = Poseidon2.compress(q, Poseidon2.compress(3 + 2 ** 64, Poseidon2.compress(0xB0B0, 750_000)));
        q = Poseidon2.compress(q, Poseidon2.compress(3 + 2 ** 65, Poseidon2.compress(0xB0B0, 750_000)));
        vm.assertEq(t.requestsHash(rs), q, "q_{j+1} = compress(q_j, e_j)");
        vm.assertEq(t.requestsHash(new Settlement.Request[](0)), 0, "empty list: 0");
    }

    function test_clear_onlySettlement_andHatchSetOnce() public {
        vm.expectRevert(abi.encodeWithSelector(EscapeHatch.NotSettlement.selector, address(this)));
        hatch.clear(1, new Settlement.Request[](0));
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

    function test_exit_threeAccountsPaidExactly() public {
        _freeze();
        uint256 held = token.balanceOf(address(t));
        vm.assertEq(held, _totalPayout(), "the contract holds every payout");
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
        vm.assertEq(token.balanceOf(address(t)), 0, "everything paid out");
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
        vm.assertEq(token.balanceOf(address(u)), 0, "empty");
    }
}
