// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EscapeVector} from "./utils/EscapeVector.sol";
import {EscapeHatch} from "../src/EscapeHatch.sol";
import {RecordedInputBatchVerifierTestDouble} from "./utils/BatchFixture.sol";
import {Settlement} from "../src/Settlement.sol";
import {Poseidon2} from "../src/Poseidon2.sol";

/// @notice One state-changing or checked call per test, so that `.gas-snapshot` (checked in, compared by
/// tools/check.sh in the Maven test phase) tracks the cost of each call. Everything a call needs (signatures,
/// queued deposits, the test double's recorded inputs) is prepared in setUp, which the snapshot does not count.
/// `test_gas_finalizeBatch_2of3_realVerifier` runs the real batch proof (test-vectors/chain/batch-proof.json: one
/// registration deposit, one withdrawal) through the real exported gnark verifier. The `_testDoubleVerifier`
/// figures run against RecordedInputBatchVerifierTestDouble (a TEST DOUBLE, a hash compare: batches with made-up
/// roots, no real proof exists for them): they isolate the contract's own cost of no or two withdrawals.
contract GasTest is EscapeVector {
    event log_named_uint(string key, uint256 val);

    address constant ALICE = address(0xA11CE0);
    Settlement plain;
    Settlement fin0; // a batch consuming one deposit, no withdrawals
    Settlement fin2; // a batch with two withdrawals
    Settlement finReal; // the real batch vector's state, real verifier
    Settlement.BatchHeader hReal;
    bytes sigsReal;
    Settlement.BatchHeader h0;
    Settlement.BatchHeader h2;
    bytes sigs0;
    bytes sigs2;
    Settlement.Withdrawal[] ws2;
    uint256 x = 1; // storage operands: the optimizer cannot fold the hashes (read before measuring)
    uint256 y = 2;
    // escape hatch (real exit and liquidation proofs, test/utils/EscapeVector.sol)
    EscapeHatch hatchL; // fresh: requestLiquidation
    EscapeHatch hatchF; // a forced withdrawal past its deadline: freeze
    EscapeHatch hatchE; // frozen, funded: exit
    EscapeHatch hatchE2; // frozen, funded, account 0 exited: a later exit
    Settlement finLiq; // a batch with one liquidation clearing a keeper's pending request, its keeper share paid
    Settlement.BatchHeader hLiq;
    bytes sigsLiq;
    Settlement.Withdrawal[] wsLiq;
    Settlement.Request[] lsLiq;
    Settlement finRealFw; // the real forced batch vector (pays a pending forced withdrawal), real verifier
    Settlement.BatchHeader hRealFw;
    bytes sigsRealFw;
    bytes proofRealFw;
    Settlement.Withdrawal[] wsRealFw;
    Settlement.Request[] rsRealFw;
    Settlement finFw; // a batch paying one forced withdrawal (kind 8), clearing its pending request
    Settlement.BatchHeader hFw;
    bytes sigsFw;
    Settlement.Withdrawal[] wsFw;
    Settlement.Request[] rsFw;

    function setUp() public {
        _loadVector();
        _makeOracles();
        // first the real batches (they warp to the vectors' batch time), then re-post s's risk root at that time;
        // the forced one: its requester's request pending on the hatch (real escape verifiers)
        _loadEscapeVectors();
        _loadBatchVector(FORCED_BATCH_VECTOR);
        finRealFw = _deployReal();
        EscapeHatch hrf = new EscapeHatch(finRealFw, exitVerifier, liqVerifier, GRACE);
        finRealFw.setEscapeHatch(address(hrf));
        vm.prank(batchRequests[0].party);
        hrf.requestForcedWithdrawal(batchRequests[0].accountId, batchRequests[0].amount);
        hRealFw = _realHeader();
        sigsRealFw = _realSigs(finRealFw);
        proofRealFw = batchProof;
        for (uint256 i = 0; i < batchWithdrawals.length; i++) {
            wsRealFw.push(batchWithdrawals[i]);
        }
        rsRealFw.push(batchRequests[0]);
        _loadBatchVector();
        finReal = _deployReal();
        hReal = _realHeader();
        sigsReal = _realSigs(finReal);
        s.postRiskRoot(2, riskRoot, _sigs(s, 2, riskRoot, _idx(0, 2)));
        token.mint(ALICE, 1e12);
        // a second deployment with no risk root yet, for the first posting
        plain = _deploy(verifier, 1, 4);
        // s: one deposit queued (for the claim: one batch credited 300 to ALICE)
        vm.startPrank(ALICE);
        token.approve(address(s), type(uint256).max);
        s.registerAccount(11, 12, 1_000);
        vm.stopPrank();
        Settlement.Withdrawal[] memory w = new Settlement.Withdrawal[](1);
        w[0] = Settlement.Withdrawal(ALICE, 300);
        Settlement.BatchHeader memory h = _header(s, 777, riskRoot, 1);
        h.withdrawalsHash = Poseidon2.compress(0, Poseidon2.compress(uint160(ALICE), 300));
        _finalize(s, h, w);
        // fin0, fin2: fresh deployments, each with its own test double holding the batch's inputs
        fin0 = _deployBatch(1);
        h0 = _header(fin0, 888, riskRoot, 1);
        batchVerifier.record(FAKE_PROOF, _inputs(fin0, h0));
        sigs0 = _dacSigs(fin0, 1, h0.dataHash, 888, _idx(0, 2));
        fin2 = _deployBatch(0);
        ws2.push(Settlement.Withdrawal(address(0xB0B0), 300));
        ws2.push(Settlement.Withdrawal(address(0xCA201), 200));
        h2 = _header(fin2, 999, riskRoot, 0);
        h2.withdrawalsHash = fin2.withdrawalsHash(ws2);
        batchVerifier.record(FAKE_PROOF, _inputs(fin2, h2));
        sigs2 = _dacSigs(fin2, 1, h2.dataHash, 999, _idx(0, 2));
        // escape hatch: requests made GRACE + 1 s ago are overdue now
        Settlement e;
        (, hatchL) = _deployEscape(escStateRoot, 0);
        (, hatchF) = _deployEscape(escStateRoot, 0);
        (e, hatchE) = _deployEscape(escStateRoot, _totalPayout());
        uint256 now0 = block.timestamp;
        vm.warp(now0 - GRACE - 1);
        hatchF.requestForcedWithdrawal(1, 1);
        hatchE.requestForcedWithdrawal(1, 1);
        vm.warp(now0);
        hatchE.freeze(1);
        (, hatchE2) = _deployEscape(escStateRoot, _totalPayout());
        vm.warp(now0 - GRACE - 1);
        hatchE2.requestForcedWithdrawal(1, 1);
        vm.warp(now0);
        hatchE2.freeze(1);
        hatchE2.exit(exitAccount[0], exitTo[0], exitPayout[0], exitProof[0]);
        // finLiq: the keeper's request pending (real eligibility proof), the batch liquidates the account and
        // pays the keeper's share as a withdrawal
        batchVerifier = new RecordedInputBatchVerifierTestDouble();
        finLiq = _deploy(verifier, escStateRoot, escGenesisAccounts);
        finLiq.postRiskRoot(1, escRiskRoot, _sigs(finLiq, 1, escRiskRoot, _idx(0, 2)));
        EscapeHatch hl = new EscapeHatch(finLiq, exitVerifier, liqVerifier, GRACE);
        finLiq.setEscapeHatch(address(hl));
        vm.prank(liqKeeper);
        hl.requestLiquidation(liqAccount, 1, liqProof);
        wsLiq.push(Settlement.Withdrawal(liqKeeper, 1_234));
        lsLiq.push(_liqReq(liqAccount, liqKeeper));
        hLiq = _header(finLiq, 555, escRiskRoot, 0);
        hLiq.withdrawalsHash = finLiq.withdrawalsHash(wsLiq);
        batchVerifier.record(FAKE_PROOF, _inputs(finLiq, hLiq, finLiq.requestsHash(lsLiq)));
        sigsLiq = _dacSigs(finLiq, 1, hLiq.dataHash, 555, _idx(0, 2));
        // finFw: ALICE's forced withdrawal of account 1 pending, the batch pays it (kind 8) as its one withdrawal
        batchVerifier = new RecordedInputBatchVerifierTestDouble();
        finFw = _deploy(verifier, escStateRoot, escGenesisAccounts);
        finFw.postRiskRoot(1, escRiskRoot, _sigs(finFw, 1, escRiskRoot, _idx(0, 2)));
        EscapeHatch hf = new EscapeHatch(finFw, exitVerifier, liqVerifier, GRACE);
        finFw.setEscapeHatch(address(hf));
        vm.prank(ALICE);
        hf.requestForcedWithdrawal(1, 4_321);
        wsFw.push(Settlement.Withdrawal(ALICE, 4_321));
        rsFw.push(_fwReq(8, 1, ALICE, 4_321));
        hFw = _header(finFw, 556, escRiskRoot, 0);
        hFw.withdrawalsHash = finFw.withdrawalsHash(wsFw);
        batchVerifier.record(FAKE_PROOF, _inputs(finFw, hFw, finFw.requestsHash(rsFw)));
        sigsFw = _dacSigs(finFw, 1, hFw.dataHash, 556, _idx(0, 2));
    }

    /// @dev one forced withdrawal paid (kind 8: its entry hashed into the 9th input, two compresses more than a
    /// liquidation's; the pending request checked and cleared) and its payment as the batch's one withdrawal
    function test_gas_finalizeBatch_2of3_1forcedWithdrawal_testDoubleVerifier() public {
        vm.prank(OPERATOR);
        finFw.finalizeBatch(hFw, wsFw, rsFw, sigsFw, FAKE_PROOF);
    }

    /// @dev one liquidation (its list hashed into the 9th input, the keeper's pending request cleared) and the
    /// keeper's share as the batch's one withdrawal
    function test_gas_finalizeBatch_2of3_1liquidation_testDoubleVerifier() public {
        vm.prank(OPERATOR);
        finLiq.finalizeBatch(hLiq, wsLiq, lsLiq, sigsLiq, FAKE_PROOF);
    }

    function test_gas_requestLiquidation() public {
        vm.prank(liqKeeper);
        hatchL.requestLiquidation(liqAccount, 1, liqProof);
    }

    function test_gas_freeze() public {
        hatchF.freeze(1);
    }

    /// @dev the first exit (a new word of exit bits): account 1 to 0xB0B0, which holds no token yet (a new
    /// balance slot): the dearest case
    function test_gas_exit_first() public {
        hatchE.exit(exitAccount[1], exitTo[1], exitPayout[1], exitProof[1]);
    }

    /// @dev a later exit (account 0 exited before, same word of exit bits), to 0xCA201 holding no token yet
    function test_gas_exit_later() public {
        hatchE2.exit(exitAccount[2], exitTo[2], exitPayout[2], exitProof[2]);
    }

    function _deployBatch(uint256 deposits) internal returns (Settlement t) {
        batchVerifier = new RecordedInputBatchVerifierTestDouble();
        t = _deploy(verifier, stateRoot, 4);
        t.postRiskRoot(1, riskRoot, _sigs(t, 1, riskRoot, _idx(0, 2)));
        vm.startPrank(ALICE);
        token.approve(address(t), type(uint256).max);
        for (uint256 i = 0; i < deposits; i++) {
            t.deposit(1, 1_000);
        }
        vm.stopPrank();
    }

    function test_gas_verifyHealth() public needsVector {
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, bps), "valid");
    }

    function test_gas_postRiskRoot_2of3() public {
        bytes memory sigs = _sigs(plain, 7, 12345, _idx(0, 2));
        plain.postRiskRoot(7, 12345, sigs);
    }

    function test_gas_registerAccount() public {
        vm.prank(ALICE);
        s.registerAccount(21, 22, 5_000);
    }

    function test_gas_deposit() public {
        vm.prank(ALICE);
        s.deposit(1, 5_000);
    }

    function test_gas_finalizeBatch_2of3_testDoubleVerifier() public {
        vm.prank(OPERATOR);
        fin0.finalizeBatch(h0, new Settlement.Withdrawal[](0), _noReq(), sigs0, FAKE_PROOF);
    }

    function test_gas_finalizeBatch_2of3_2withdrawals_testDoubleVerifier() public {
        vm.prank(OPERATOR);
        fin2.finalizeBatch(h2, ws2, _noReq(), sigs2, FAKE_PROOF);
    }

    function test_gas_finalizeBatch_2of3_realVerifier() public {
        vm.prank(OPERATOR);
        finReal.finalizeBatch(hReal, batchWithdrawals, batchRequests, sigsReal, batchProof);
    }

    /// @dev the real forced batch: a registration, a withdrawal, and a forced withdrawal paid (kind 8: its entry in
    /// requestsHash, the pending request cleared on the hatch)
    function test_gas_finalizeBatch_2of3_forcedWithdrawal_realVerifier() public {
        vm.prank(OPERATOR);
        finRealFw.finalizeBatch(hRealFw, wsRealFw, rsRealFw, sigsRealFw, proofRealFw);
    }

    /// @notice Figure (printed with -vv): the real batch verifier's own gas for the vector's proof, 9 inputs
    function test_figures_realBatchVerifier() public {
        uint256 g = gasleft();
        realBatchVerifier.verifyProof(batchProof, batchInputs);
        emit log_named_uint("batch verifier (9 public inputs) gas", g - gasleft());
    }

    function test_gas_claimWithdrawal() public {
        vm.prank(ALICE);
        s.claimWithdrawal();
    }

    function test_gas_poseidon2_compress() public view {
        Poseidon2.compress(block.timestamp, block.number); // operands the optimizer cannot fold
    }

    /// @notice Figures for the public-input choice of docs/BATCH.md 4 (printed with -vv, not compared):
    /// one Poseidon2 compress; the header hash of the 8 inputs (hashMD, 8 compresses) that one public input
    /// would need; what each further public input costs gnark's verifier (an ecMul and an ecAdd precompile
    /// call on G1, the MSM step of one input).
    function test_figures_headerHashVersusInputs() public {
        (uint256 a, uint256 b) = (x, y);
        uint256 g = gasleft();
        uint256 c = Poseidon2.compress(a, b);
        uint256 compressGas = g - gasleft();
        uint256[] memory xs = new uint256[](8);
        for (uint256 i = 0; i < 8; i++) {
            xs[i] = x + i;
        }
        g = gasleft();
        uint256 hh = Poseidon2.hashMD(xs);
        uint256 headerGas = g - gasleft();
        // one input of the verifier's MSM: acc += input * IC[i] (ecMul 0x07, ecAdd 0x06)
        uint256[4] memory buf = [uint256(1), uint256(2), c, 0];
        g = gasleft();
        bool ok;
        assembly {
            ok := staticcall(gas(), 0x07, buf, 0x60, buf, 0x40)
            mstore(add(buf, 0x40), 1)
            mstore(add(buf, 0x60), 2)
            ok := and(ok, staticcall(gas(), 0x06, buf, 0x80, buf, 0x40))
        }
        uint256 perInputGas = g - gasleft();
        vm.assertTrue(ok && hh != 0, "precompiles ran");
        emit log_named_uint("poseidon2 compress gas", compressGas);
        emit log_named_uint("header hash (hashMD of 8) gas", headerGas);
        emit log_named_uint("verifier MSM step per public input gas (ecMul + ecAdd)", perInputGas);
        emit log_named_uint("7 extra inputs gas", 7 * perInputGas);
    }
}
