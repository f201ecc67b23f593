// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchVector} from "./utils/BatchVector.sol";
import {RecordedInputBatchVerifierTestDouble} from "./utils/BatchFixture.sol";
import {Settlement} from "../src/Settlement.sol";
import {Poseidon2} from "../src/Poseidon2.sol";
import {QuoteToken} from "../src/QuoteToken.sol";
import {IBatchVerifier} from "../src/IBatchVerifier.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice The batch side of Settlement (docs/BATCH.md sections 3 and 4): the deposit queue with real token
/// moves and Poseidon2 heads, finalizeBatch's checks each refused by name (stale old root, risk root, batch
/// time, deposits, withdrawal hash, committee quorum, proof), withdrawals credited and claimed once.
/// finalizeBatch runs against the REAL gnark-exported batch verifier with the real test-size batch proof
/// (test-vectors/chain/batch-proof.json: a registration deposit and a withdrawal of part of it; BatchVector
/// rebuilds the state its public inputs name). RecordedInputBatchVerifierTestDouble (a TEST DOUBLE that accepts
/// only the recorded input vector) remains only where a test needs a chain of batches no real proof exists for;
/// each such test says so.
contract BatchTest is BatchVector {
    event AccountRegistered(uint64 indexed accountId, uint256 pkX, uint256 pkY, address indexed depositor);
    event DepositQueued(
        uint64 indexed index, uint64 indexed accountId, address indexed depositor, uint256 amount, uint256 head
    );
    event BatchFinalized(
        uint64 indexed batch,
        uint256 oldRoot,
        uint256 newRoot,
        uint256 riskRoot,
        uint256 dataHash,
        uint64 depositsConsumed,
        uint256 withdrawals
    );
    event WithdrawalCredited(uint64 indexed batch, address indexed to, uint256 amount);
    event WithdrawalClaimed(address indexed to, uint256 amount);
    event CommitteeChanged(address[] members, uint256 quorum);

    uint256 constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    address constant ALICE = address(0xA11CE0);
    address constant BOB = address(0xB0B0);
    address constant CAROL = address(0xCA201);
    uint256 constant PKX = 0x1234567;
    uint256 constant PKY = 0x89abcdef;

    function setUp() public {
        _loadVector();
        vm.assertTrue(haveVector, "test-vectors/chain/health-proof.json is missing");
        _loadBatchVector();
        token.mint(ALICE, 1_000_000_000);
        vm.prank(ALICE);
        token.approve(address(s), type(uint256).max);
    }

    /// @dev docs/BATCH.md 3, computed here from the library (itself checked against the Java vectors)
    function _entry(uint64 id, uint256 amount, uint256 pkX, uint256 pkY, address who) internal pure returns (uint256) {
        uint256[] memory xs = new uint256[](5);
        (xs[0], xs[1], xs[2], xs[3], xs[4]) = (id, amount, pkX, pkY, uint160(who));
        return Poseidon2.hashMD(xs);
    }

    function _w(address to, uint64 amount) internal pure returns (Settlement.Withdrawal memory) {
        return Settlement.Withdrawal(to, amount);
    }

    // ---------------------------------------------------------------- deposit queue

    function test_registerAndDeposit_moveTokensAndChainHeads() public {
        uint64 first = s.nextAccountId(); // 4 genesis accounts
        vm.assertEq(uint256(first), 4, "ids after genesis");
        uint256 head1 = Poseidon2.compress(0, _entry(first, 500, PKX, PKY, ALICE));
        vm.expectEmit(true, false, false, true);
        emit AccountRegistered(first, PKX, PKY, ALICE);
        vm.expectEmit(true, true, true, true);
        emit DepositQueued(0, first, ALICE, 500, head1);
        vm.prank(ALICE);
        uint64 id = s.registerAccount(PKX, PKY, 500);
        vm.assertEq(uint256(id), uint256(first), "assigned id");
        vm.assertEq(uint256(s.nextAccountId()), uint256(first) + 1, "next id");
        vm.assertEq(token.balanceOf(address(s)), 500, "tokens pulled");
        vm.assertEq(token.balanceOf(ALICE), 1_000_000_000 - 500, "tokens left");
        // a plain deposit into a genesis account: pk = (0, 0) in the entry
        uint256 head2 = Poseidon2.compress(head1, _entry(2, 7_000, 0, 0, ALICE));
        vm.expectEmit(true, true, true, true);
        emit DepositQueued(1, 2, ALICE, 7_000, head2);
        vm.prank(ALICE);
        s.deposit(2, 7_000);
        vm.assertEq(s.depositCount(), 2, "two entries");
        vm.assertEq(s.depositHead(0), 0, "head_0");
        vm.assertEq(s.depositHead(1), head1, "head_1");
        vm.assertEq(s.depositHead(2), head2, "head_2");
        vm.assertEq(token.balanceOf(address(s)), 7_500, "all tokens held");
        // registration with amount 0 moves nothing but still queues (the account must enter the tree)
        vm.prank(BOB);
        s.registerAccount(PKX, PKY + 1, 0);
        vm.assertEq(s.depositHead(3), Poseidon2.compress(head2, _entry(first + 1, 0, PKX, PKY + 1, BOB)), "head_3");
    }

    function test_deposit_refusals() public {
        vm.startPrank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(Settlement.UnknownAccount.selector, uint64(4), uint64(4)));
        s.deposit(4, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.AmountOutOfRange.selector, uint256(0)));
        s.deposit(1, 0);
        vm.expectRevert(abi.encodeWithSelector(Settlement.AmountOutOfRange.selector, uint256(2 ** 63)));
        s.deposit(1, 2 ** 63);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAFieldElement.selector, R));
        s.registerAccount(R, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NotAFieldElement.selector, R));
        s.registerAccount(1, R, 1);
        vm.expectRevert(abi.encodeWithSelector(Settlement.InvalidPublicKey.selector, uint256(0), uint256(0)));
        s.registerAccount(0, 0, 1);
        vm.stopPrank();
        // no allowance: the token refuses, nothing is queued
        vm.prank(BOB);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(s), 0, uint256(5))
        );
        s.deposit(1, 5);
        vm.assertEq(s.depositCount(), 0, "nothing queued");
        // ids stop at the account limit (2^6 in the test tree)
        for (uint64 i = s.nextAccountId(); i < ACCOUNT_LIMIT; i++) {
            vm.prank(ALICE);
            s.registerAccount(PKX, i, 0);
        }
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(Settlement.AccountLimitReached.selector, ACCOUNT_LIMIT));
        s.registerAccount(PKX, PKY, 0);
    }

    // ---------------------------------------------------------------- finalizeBatch

    /// @dev queues two deposits (ids 4 and 1), returns head_1 computed independently
    function _twoDeposits() internal returns (uint256 head1) {
        vm.prank(ALICE);
        s.registerAccount(PKX, PKY, 1_000);
        vm.prank(ALICE);
        s.deposit(1, 2_000);
        head1 = Poseidon2.compress(0, _entry(4, 1_000, PKX, PKY, ALICE));
    }

    function _twoWithdrawals() internal pure returns (Settlement.Withdrawal[] memory ws, uint256 w) {
        ws = new Settlement.Withdrawal[](2);
        ws[0] = _w(BOB, 300);
        ws[1] = _w(CAROL, 200);
        w = Poseidon2.compress(0, Poseidon2.compress(uint160(BOB), 300));
        w = Poseidon2.compress(w, Poseidon2.compress(uint160(CAROL), 200));
    }

    // ---------------------------------------------------------------- the real batch proof

    function test_realBatch_finalizesCreditsAndClaims() public {
        Settlement t = _deployReal();
        // the queue the contract built from the vector's deposits is the one the proof consumed
        vm.assertEq(t.depositHead(0), batchInputs[3], "head before = the proof's depositHeadBefore");
        vm.assertEq(t.depositHead(depAmount.length), batchInputs[4], "head after = the proof's depositHeadAfter");
        vm.assertEq(t.withdrawalsHash(batchWithdrawals), batchInputs[5], "withdrawal list hashes to the proof's");
        vm.assertEq(t.requestsHash(batchRequests), batchInputs[8], "request list hashes to the proof's");
        Settlement.BatchHeader memory h = _realHeader();
        bytes memory sigs = _realSigs(t);
        Settlement.Withdrawal memory w = batchWithdrawals[0];
        vm.expectEmit(true, true, false, true);
        emit WithdrawalCredited(1, w.to, w.amount);
        vm.expectEmit(true, false, false, true);
        emit BatchFinalized(
            1, batchInputs[0], batchInputs[1], batchInputs[2], batchInputs[6], 1, batchWithdrawals.length
        );
        vm.prank(OPERATOR);
        t.finalizeBatch(h, batchWithdrawals, batchRequests, sigs, batchProof);
        vm.assertEq(t.stateRoot(), batchInputs[1], "new root");
        vm.assertEq(uint256(t.batchNumber()), 1, "batch 1");
        (uint64 b, bool settled) = t.stateRootBatch(batchInputs[1]);
        vm.assertTrue(settled && b == 1, "root settled in batch 1");
        vm.assertEq(uint256(t.depositsConsumed()), depAmount.length, "deposits consumed");
        vm.assertEq(uint256(t.lastBatchTime()), batchInputs[7], "batch time");
        vm.assertEq(t.pendingWithdrawal(w.to), w.amount, "withdrawal credited");
        // the claim moves the tokens once
        uint256 held = token.balanceOf(address(t));
        vm.expectEmit(true, false, false, true);
        emit WithdrawalClaimed(w.to, w.amount);
        vm.prank(w.to);
        vm.assertEq(t.claimWithdrawal(), w.amount, "claimed");
        vm.assertEq(token.balanceOf(w.to), w.amount, "paid");
        vm.assertEq(token.balanceOf(address(t)), held - w.amount, "contract paid out");
        vm.prank(w.to);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NothingToClaim.selector, w.to));
        t.claimWithdrawal();
        // the vector liquidates an account for a keeper: its share is the withdrawal after the generic slots'
        // (docs/BATCH.md: request slots' withdrawals follow in slot order), claimable
        vm.assertEq(uint256(batchRequests[0].kind), 6, "a liquidation first");
        Settlement.Withdrawal memory k = batchWithdrawals[1];
        vm.assertEq(k.to, batchRequests[0].party, "the keeper's share after the generic slots' withdrawals");
        vm.assertLt(0, uint256(k.amount), "a share");
        vm.prank(k.to);
        vm.assertEq(t.claimWithdrawal(), k.amount, "the keeper claims its share");
        vm.assertEq(token.balanceOf(k.to), k.amount, "keeper paid");
        // the same batch again is stale
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(Settlement.StaleOldRoot.selector, batchInputs[0], batchInputs[1]));
        t.finalizeBatch(h, batchWithdrawals, batchRequests, sigs, batchProof);
    }

    function test_realBatch_refusesTamperedProof() public {
        Settlement t = _deployReal();
        Settlement.BatchHeader memory h = _realHeader();
        bytes memory sigs = _realSigs(t);
        // one bit of each of A.x, B.x.a0 and C.y; then A and C swapped; then a proof cut short
        uint256[3] memory at = [uint256(31), 127, 255];
        for (uint256 i = 0; i < at.length; i++) {
            bytes memory bad = bytes.concat(batchProof);
            bad[at[i]] ^= 0x01;
            _expectRealRevert(
                t, h, batchWithdrawals, sigs, bad, abi.encodeWithSelector(Settlement.BatchProofInvalid.selector)
            );
        }
        bytes memory swapped = bytes.concat(batchProof);
        for (uint256 i = 0; i < 64; i++) {
            (swapped[i], swapped[192 + i]) = (swapped[192 + i], swapped[i]);
        }
        _expectRealRevert(
            t, h, batchWithdrawals, sigs, swapped, abi.encodeWithSelector(Settlement.BatchProofInvalid.selector)
        );
        bytes memory short = new bytes(255);
        for (uint256 i = 0; i < 255; i++) {
            short[i] = batchProof[i];
        }
        _expectRealRevert(
            t, h, batchWithdrawals, sigs, short, abi.encodeWithSelector(Settlement.BatchProofInvalid.selector)
        );
        vm.assertEq(t.stateRoot(), batchInputs[0], "nothing finalized");
        vm.prank(OPERATOR);
        t.finalizeBatch(h, batchWithdrawals, batchRequests, sigs, batchProof);
        vm.assertEq(t.stateRoot(), batchInputs[1], "the untampered proof finalizes");
    }

    /// @dev every public input the contract builds is bound by the proof: each change below passes every other
    /// check of finalizeBatch (re-signed by the committee where the signed data changes) and the real verifier
    /// refuses it
    function test_realBatch_refusesWrongPublicInputs() public {
        Settlement t = _deployReal();
        bytes memory err = abi.encodeWithSelector(Settlement.BatchProofInvalid.selector);
        Settlement.BatchHeader memory h = _realHeader();
        h.newRoot = batchInputs[1] ^ 1;
        _expectRealRevert(t, h, batchWithdrawals, _dacSigs(t, 1, h.dataHash, h.newRoot, _idx(0, 2)), batchProof, err);
        h = _realHeader();
        h.dataHash = batchInputs[6] ^ 1;
        _expectRealRevert(t, h, batchWithdrawals, _dacSigs(t, 1, h.dataHash, h.newRoot, _idx(0, 2)), batchProof, err);
        bytes memory sigs = _realSigs(t);
        h = _realHeader();
        h.batchTime -= 1; // still within lastBatchTime <= batchTime <= now
        _expectRealRevert(t, h, batchWithdrawals, sigs, batchProof, err);
        h = _realHeader();
        h.deposits = 0; // depositHeadAfter = head_0
        _expectRealRevert(t, h, batchWithdrawals, sigs, batchProof, err);
        // another posted, fresh risk root
        t.postRiskRoot(2, batchInputs[2] ^ 1, _sigs(t, 2, batchInputs[2] ^ 1, _idx(0, 2)));
        h = _realHeader();
        h.riskRoot = batchInputs[2] ^ 1;
        _expectRealRevert(t, h, batchWithdrawals, sigs, batchProof, err);
        // a withdrawal list consistent with its header but not the proven one (one atom more, or none at all)
        Settlement.Withdrawal[] memory ws = new Settlement.Withdrawal[](1);
        ws[0] = Settlement.Withdrawal(batchWithdrawals[0].to, batchWithdrawals[0].amount + 1);
        h = _realHeader();
        h.withdrawalsHash = t.withdrawalsHash(ws);
        _expectRealRevert(t, h, ws, sigs, batchProof, err);
        h.withdrawalsHash = 0;
        _expectRealRevert(t, h, new Settlement.Withdrawal[](0), sigs, batchProof, err);
        vm.assertEq(t.pendingWithdrawal(batchWithdrawals[0].to), 0, "nothing credited");
        // a request list that is not the proven one (requestsHash mismatch): one entry more, none, or each entry's
        // party, account, amount or kind (8 <-> 9, 6 -> 8) changed
        Settlement.Request[] memory more = new Settlement.Request[](batchRequests.length + 1);
        for (uint256 i = 0; i < batchRequests.length; i++) {
            more[i] = batchRequests[i];
        }
        more[batchRequests.length] = _liqReq(1, address(0));
        _expectRealRevert(t, _realHeader(), batchWithdrawals, more, sigs, batchProof, err);
        _expectRealRevert(t, _realHeader(), batchWithdrawals, _noReq(), sigs, batchProof, err);
        for (uint256 i = 0; i < batchRequests.length; i++) {
            Settlement.Request[] memory ls = batchRequests;
            ls[i].party = address(uint160(ls[i].party) ^ 1);
            _expectRealRevert(t, _realHeader(), batchWithdrawals, ls, sigs, batchProof, err);
            ls = batchRequests;
            ls[i].accountId ^= 1;
            _expectRealRevert(t, _realHeader(), batchWithdrawals, ls, sigs, batchProof, err);
            ls = batchRequests;
            if (ls[i].kind == 6) {
                ls[i].kind = 8; // the same account and party as a forced withdrawal
                ls[i].amount = 1;
            } else {
                ls[i].amount ^= 1;
                _expectRealRevert(t, _realHeader(), batchWithdrawals, ls, sigs, batchProof, err);
                ls = batchRequests;
                ls[i].kind ^= 1; // 8 <-> 9: paid said refused, or the reverse
            }
            _expectRealRevert(t, _realHeader(), batchWithdrawals, ls, sigs, batchProof, err);
        }
        vm.prank(OPERATOR);
        t.finalizeBatch(_realHeader(), batchWithdrawals, batchRequests, sigs, batchProof);
        vm.assertEq(t.stateRoot(), batchInputs[1], "the proven batch finalizes");
    }

    // ---------------------------------------------------------------- finalizeBatch checks

    /// @dev TEST DOUBLE verifier: two withdrawals and a second batch consuming the next deposit (the real vector
    /// has one withdrawal and one batch); checks the inputs handed to the verifier, built without the getters
    function test_finalizeBatch_twoWithdrawalsThenNextBatch_testDouble() public {
        uint256 head1 = _twoDeposits();
        (Settlement.Withdrawal[] memory ws, uint256 w) = _twoWithdrawals();
        vm.warp(block.timestamp + 10);
        Settlement.BatchHeader memory h = _header(s, 4242, riskRoot, 1);
        h.withdrawalsHash = w;
        // the exact 8 public inputs of docs/BATCH.md 4, built here without the contract's getters
        batchVerifier.record(
            FAKE_PROOF, [stateRoot, 4242, riskRoot, 0, head1, w, h.dataHash, uint256(block.timestamp), 0]
        );
        bytes memory sigs = _dacSigs(s, 1, h.dataHash, 4242, _idx(0, 1));
        vm.expectEmit(true, true, false, true);
        emit WithdrawalCredited(1, BOB, 300);
        vm.expectEmit(true, true, false, true);
        emit WithdrawalCredited(1, CAROL, 200);
        vm.expectEmit(true, false, false, true);
        emit BatchFinalized(1, stateRoot, 4242, riskRoot, h.dataHash, 1, 2);
        vm.prank(OPERATOR);
        s.finalizeBatch(h, ws, _noReq(), sigs, FAKE_PROOF);
        vm.assertEq(s.stateRoot(), 4242, "new root");
        vm.assertEq(uint256(s.batchNumber()), 1, "batch 1");
        (uint64 b, bool settled) = s.stateRootBatch(4242);
        vm.assertTrue(settled && b == 1, "root settled in batch 1");
        vm.assertEq(uint256(s.depositsConsumed()), 1, "one deposit consumed");
        vm.assertEq(uint256(s.lastBatchTime()), block.timestamp, "batch time");
        vm.assertEq(s.pendingWithdrawal(BOB), 300, "bob credited");
        vm.assertEq(s.pendingWithdrawal(CAROL), 200, "carol credited");
        // claims move the tokens once
        vm.expectEmit(true, false, false, true);
        emit WithdrawalClaimed(BOB, 300);
        vm.prank(BOB);
        vm.assertEq(s.claimWithdrawal(), 300, "claimed");
        vm.assertEq(token.balanceOf(BOB), 300, "bob paid");
        vm.assertEq(token.balanceOf(address(s)), 2_700, "contract paid out");
        vm.prank(BOB);
        vm.expectRevert(abi.encodeWithSelector(Settlement.NothingToClaim.selector, BOB));
        s.claimWithdrawal();
        vm.prank(CAROL);
        s.claimWithdrawal();
        vm.assertEq(token.balanceOf(CAROL), 200, "carol paid");
        // the next batch consumes the second deposit: heads 1 -> 2, and the same call again is stale
        Settlement.BatchHeader memory h2 = _header(s, 4343, riskRoot, 1);
        vm.assertEq(_inputs(s, h2)[3], head1, "next batch starts at head_1");
        _finalize(s, h2, new Settlement.Withdrawal[](0));
        vm.assertEq(uint256(s.depositsConsumed()), 2, "both consumed");
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(Settlement.StaleOldRoot.selector, stateRoot, uint256(4343)));
        s.finalizeBatch(h, ws, _noReq(), sigs, FAKE_PROOF);
    }

    function test_finalizeBatch_refusesStateChecks() public {
        Settlement t = _deployReal();
        Settlement.BatchHeader memory h = _realHeader();
        Settlement.Withdrawal[] memory ws = batchWithdrawals;
        bytes memory sigs = _realSigs(t);
        uint256 root = batchInputs[0];

        vm.expectRevert(abi.encodeWithSelector(Settlement.NotOperator.selector, ALICE));
        vm.prank(ALICE);
        t.finalizeBatch(h, ws, batchRequests, sigs, batchProof);

        Settlement.BatchHeader memory bad = _realHeader();
        bad.oldRoot = root ^ 1; // stale old root
        _expectRealRevert(
            t, bad, ws, sigs, batchProof, abi.encodeWithSelector(Settlement.StaleOldRoot.selector, root ^ 1, root)
        );
        bad = _realHeader();
        bad.newRoot = R;
        _expectRealRevert(t, bad, ws, sigs, batchProof, abi.encodeWithSelector(Settlement.NotAFieldElement.selector, R));
        bad = _realHeader();
        bad.riskRoot = batchInputs[2] ^ 1; // never posted
        _expectRealRevert(
            t,
            bad,
            ws,
            sigs,
            batchProof,
            abi.encodeWithSelector(Settlement.RiskRootUnknown.selector, batchInputs[2] ^ 1)
        );
        bad = _realHeader();
        bad.deposits = uint64(depAmount.length) + 1; // one more than queued
        _expectRealRevert(
            t,
            bad,
            ws,
            sigs,
            batchProof,
            abi.encodeWithSelector(Settlement.DepositsNotQueued.selector, depAmount.length + 1, depAmount.length)
        );
        bad = _realHeader();
        bad.batchTime = uint64(block.timestamp + 1); // in the future
        _expectRealRevert(
            t,
            bad,
            ws,
            sigs,
            batchProof,
            abi.encodeWithSelector(Settlement.BatchTimeOutOfRange.selector, bad.batchTime, uint64(0), block.timestamp)
        );
        // withdrawal list that does not hash to the header's withdrawalsHash
        Settlement.Withdrawal[] memory other = new Settlement.Withdrawal[](1);
        other[0] = Settlement.Withdrawal(ws[0].to, ws[0].amount + 1);
        _expectRealRevert(
            t,
            h,
            other,
            sigs,
            batchProof,
            abi.encodeWithSelector(
                Settlement.WithdrawalsHashMismatch.selector, t.withdrawalsHash(other), batchInputs[5]
            )
        );
        vm.assertEq(t.pendingWithdrawal(ws[0].to), 0, "refused batch credits nothing");
        // the risk root too old at finalization time (posted by _deployReal at the current time)
        uint64 posted = uint64(block.timestamp);
        vm.warp(block.timestamp + MAX_AGE + 1);
        _expectRealRevert(
            t,
            h,
            ws,
            sigs,
            batchProof,
            abi.encodeWithSelector(Settlement.RiskRootTooOld.selector, batchInputs[2], posted, MAX_AGE)
        );
        vm.assertEq(t.stateRoot(), root, "nothing finalized");
        vm.assertEq(uint256(t.batchNumber()), 0, "still batch 0");
    }

    /// @dev TEST DOUBLE verifier: needs two batches in a row (no real proof of a second batch exists)
    function test_finalizeBatch_batchTimeIsMonotonic() public {
        vm.warp(block.timestamp + 100);
        _advance(s, 4242, riskRoot); // lastBatchTime = now
        uint64 last = s.lastBatchTime();
        Settlement.BatchHeader memory h = _header(s, 4343, riskRoot, 0);
        h.batchTime = last - 1;
        bytes memory sigs = _dacSigs(s, 2, h.dataHash, 4343, _idx(0, 2));
        _expectFinalizeRevert(
            h,
            new Settlement.Withdrawal[](0),
            sigs,
            abi.encodeWithSelector(Settlement.BatchTimeOutOfRange.selector, last - 1, last, block.timestamp)
        );
        h.batchTime = last; // equal is allowed
        _finalize(s, h, new Settlement.Withdrawal[](0));
        vm.assertEq(uint256(s.batchNumber()), 2, "batch 2");
    }

    function test_finalizeBatch_refusesCommitteeQuorumFailures() public {
        Settlement t = _deployReal();
        Settlement.BatchHeader memory h = _realHeader();
        Settlement.Withdrawal[] memory ws = batchWithdrawals;
        uint256 nr = h.newRoot;
        // missing quorum: one signature of 2-of-3
        _expectRealRevert(
            t,
            h,
            ws,
            _dacSigs(t, 1, h.dataHash, nr, _idx(1)),
            abi.encodeWithSelector(Settlement.QuorumNotReached.selector, uint256(1), uint256(2))
        );
        // wrong signer order
        _expectRealRevert(
            t,
            h,
            ws,
            _dacSigs(t, 1, h.dataHash, nr, _idx(2, 0)),
            abi.encodeWithSelector(Settlement.SignersNotSorted.selector, uint256(1))
        );
        // the same member twice
        _expectRealRevert(
            t,
            h,
            ws,
            _dacSigs(t, 1, h.dataHash, nr, _idx(1, 1)),
            abi.encodeWithSelector(Settlement.DuplicateSigner.selector, committeeAddrs[1])
        );
        // oracle keys are not committee members
        bytes memory oracleSigs = _sigDigest(keysByAddr[0], t.batchDataDigest(1, h.dataHash, nr));
        _expectRealRevert(
            t,
            h,
            ws,
            bytes.concat(_dacSigs(t, 1, h.dataHash, nr, _idx(0)), oracleSigs),
            _unknownOrUnsorted(committeeAddrs[0], oracleAddrs[0])
        );
        // the second member signed another data hash: it recovers to some other address
        bytes memory other = _dacSigs(t, 1, h.dataHash ^ 1, nr, _idx(2));
        address rec = _recover(t.batchDataDigest(1, h.dataHash, nr), other);
        _expectRealRevert(
            t,
            h,
            ws,
            bytes.concat(_dacSigs(t, 1, h.dataHash, nr, _idx(0)), other),
            _unknownOrUnsorted(committeeAddrs[0], rec)
        );
        // signatures for another batch number (a replay of batch 1's signatures on batch 2 looks like this)
        bytes memory batch2 = _dacSigs(t, 2, h.dataHash, nr, _idx(0, 2));
        rec = _recover(t.batchDataDigest(1, h.dataHash, nr), batch2); // what the first one recovers to
        vm.assertFalse(t.isCommitteeMember(rec), "recovered address is not a member");
        _expectRealRevert(t, h, ws, batch2, batchProof, abi.encodeWithSelector(Settlement.UnknownSigner.selector, rec));
        // after all that, the right signatures are accepted
        bytes memory sigs = _realSigs(t);
        vm.prank(OPERATOR);
        t.finalizeBatch(h, ws, batchRequests, sigs, batchProof);
        vm.assertEq(t.stateRoot(), nr, "finalized");
    }

    function test_finalizeBatch_needsCommitteeAndVerifier() public {
        Settlement.Genesis memory g =
            Settlement.Genesis(verifier, realBatchVerifier, IERC20(address(token)), 1, 0, ACCOUNT_LIMIT);
        Settlement t = new Settlement(g, OPERATOR, oracleAddrs, 2, 2, 2, MAX_AGE);
        t.postRiskRoot(1, riskRoot, _sigs(t, 1, riskRoot, _idx(0, 1)));
        Settlement.BatchHeader memory h = _header(t, 5, riskRoot, 0);
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.NoSignerSet.selector);
        t.finalizeBatch(h, new Settlement.Withdrawal[](0), _noReq(), hex"", FAKE_PROOF);
        // committee changes are the owner's, with an event
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, ALICE));
        t.setCommittee(committeeAddrs, 2);
        vm.expectEmit(false, false, false, true);
        emit CommitteeChanged(committeeAddrs, 2);
        t.setCommittee(committeeAddrs, 2);
        vm.assertEq(t.committee().length, 3, "members");
        vm.assertEq(t.committeeQuorum(), 2, "quorum");
        // no batch verifier deployed yet: refused by name, after every other check passed
        g.batchVerifier = IBatchVerifier(address(0));
        Settlement u = new Settlement(g, OPERATOR, oracleAddrs, 2, 2, 2, MAX_AGE);
        u.setCommittee(committeeAddrs, 2);
        u.postRiskRoot(1, riskRoot, _sigs(u, 1, riskRoot, _idx(0, 1)));
        h = _header(u, 5, riskRoot, 0);
        bytes memory sigs = _dacSigs(u, 1, h.dataHash, 5, _idx(0, 1));
        vm.prank(OPERATOR);
        vm.expectRevert(Settlement.BatchVerifierNotSet.selector);
        u.finalizeBatch(h, new Settlement.Withdrawal[](0), _noReq(), sigs, FAKE_PROOF);
    }

    /// @dev TEST DOUBLE verifier: two batches over the health vector's genesis root (no real batch proof starts there)
    function test_healthProofOverGenesisThenNewRoot() public {
        // the real health proof verifies against the genesis root (batch 0) and, within the window of 2,
        // after one finalized batch; not after two
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, bps), "genesis root");
        _advance(s, 4242, riskRoot);
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, bps), "one batch later");
        _advance(s, 4343, riskRoot);
        vm.assertFalse(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, bps), "two batches later");
    }

    // ---------------------------------------------------------------- helpers

    function _expectFinalizeRevert(
        Settlement.BatchHeader memory h,
        Settlement.Withdrawal[] memory ws,
        bytes memory sigs,
        bytes memory err
    ) internal {
        vm.prank(OPERATOR);
        vm.expectRevert(err);
        s.finalizeBatch(h, ws, _noReq(), sigs, FAKE_PROOF);
    }

    /// @dev finalizeBatch on `t` as the operator reverts with `err`
    function _expectRealRevert(
        Settlement t,
        Settlement.BatchHeader memory h,
        Settlement.Withdrawal[] memory ws,
        bytes memory sigs,
        bytes memory proof_,
        bytes memory err
    ) internal {
        _expectRealRevert(t, h, ws, batchRequests, sigs, proof_, err);
    }

    /// @dev the same with a request list
    function _expectRealRevert(
        Settlement t,
        Settlement.BatchHeader memory h,
        Settlement.Withdrawal[] memory ws,
        Settlement.Request[] memory ls,
        bytes memory sigs,
        bytes memory proof_,
        bytes memory err
    ) internal {
        vm.prank(OPERATOR);
        vm.expectRevert(err);
        t.finalizeBatch(h, ws, ls, sigs, proof_);
    }

    /// @dev the same with the vector's real proof
    function _expectRealRevert(
        Settlement t,
        Settlement.BatchHeader memory h,
        Settlement.Withdrawal[] memory ws,
        bytes memory sigs,
        bytes memory err
    ) internal {
        _expectRealRevert(t, h, ws, sigs, batchProof, err);
    }

    /// @dev the error of a second signature recovering to `second` after a valid first one from `first`
    function _unknownOrUnsorted(address first, address second) internal pure returns (bytes memory) {
        if (second < first) return abi.encodeWithSelector(Settlement.SignersNotSorted.selector, uint256(1));
        return abi.encodeWithSelector(Settlement.UnknownSigner.selector, second);
    }

    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        bytes32 r;
        bytes32 sv;
        uint8 v;
        assembly {
            r := mload(add(sig, 32))
            sv := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        return ecrecover(digest, v, r, sv);
    }
}
