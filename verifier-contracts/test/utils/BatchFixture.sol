// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OracleSigning} from "./OracleSigning.sol";
import {Settlement} from "../../src/Settlement.sol";
import {IHealthVerifier} from "../../src/IHealthVerifier.sol";
import {IBatchVerifier} from "../../src/IBatchVerifier.sol";
import {QuoteToken} from "../../src/QuoteToken.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice TEST DOUBLE, not a verifier: stands in for the batch circuit's gnark-exported verifier ONLY in the tests
/// that need a batch no real proof exists for (a chain of several batches over made-up roots: batch-time
/// monotonicity, the health proof's state-root window, per-call gas of later batches). The tests that can use the
/// real proof vector (test-vectors/chain/batch-proof.json) run against the real exported verifier instead
/// (test/utils/BatchVector.sol, test/BatchProof.t.sol). Its only behaviour: it accepts exactly the one (proof,
/// public-input vector) pair the test recorded last and reverts for anything else, so the tests check that
/// `finalizeBatch` hands the verifier exactly the 9 public inputs of docs/BATCH.md section 4 (deposit heads
/// from the stored queue, the withdrawal hash it computed, the request list hash it computed) and the proof bytes unchanged. It proves nothing.
contract RecordedInputBatchVerifierTestDouble is IBatchVerifier {
    bytes32 public recorded;

    error NotTheRecordedInput();

    function record(bytes calldata proof, uint256[9] calldata input) external {
        recorded = keccak256(abi.encode(proof, input));
    }

    function verifyProof(bytes calldata proof, uint256[9] calldata input) external view {
        if (keccak256(abi.encode(proof, input)) != recorded) revert NotTheRecordedInput();
    }
}

/// @notice Deploys a Settlement with a quote token, the batch-verifier test double and a 2-of-3
/// data-availability committee, and builds batches: committee signatures, recorded public inputs, calls.
abstract contract BatchFixture is OracleSigning {
    address internal constant OPERATOR = address(0x0BE7A7012);
    /// @dev risk-root maximum age of the test deployments, seconds
    uint64 internal constant MAX_AGE = 3600;
    /// @dev account ids below 2^6 (the test-size tree, D = 6)
    uint64 internal constant ACCOUNT_LIMIT = 64;
    bytes internal constant FAKE_PROOF = hex"0badc0de";

    QuoteToken internal token;
    RecordedInputBatchVerifierTestDouble internal batchVerifier;
    address[] internal committeeAddrs; // strictly increasing
    uint256[] internal committeeKeysByAddr;

    function _makeCommittee() internal {
        uint256[3] memory k = [uint256(0xDA1), uint256(0xDA2), uint256(0xDA3)];
        address[3] memory a;
        for (uint256 i = 0; i < 3; i++) {
            a[i] = vm.addr(k[i]);
        }
        for (uint256 i = 1; i < 3; i++) {
            for (uint256 j = i; j > 0 && a[j] < a[j - 1]; j--) {
                (a[j], a[j - 1]) = (a[j - 1], a[j]);
                (k[j], k[j - 1]) = (k[j - 1], k[j]);
            }
        }
        delete committeeAddrs;
        delete committeeKeysByAddr;
        for (uint256 i = 0; i < 3; i++) {
            committeeAddrs.push(a[i]);
            committeeKeysByAddr.push(k[i]);
        }
    }

    /// @dev A Settlement with genesis root `genesis` of `genesisAccounts` accounts, the 2-of-3 oracles (call
    /// _makeOracles first), windows 2/2, and the 2-of-3 committee set by the owner (this test contract); its
    /// batch verifier is the test double (tests of batches no real proof exists for).
    function _deploy(IHealthVerifier hv, uint256 genesis, uint64 genesisAccounts) internal returns (Settlement t) {
        if (address(batchVerifier) == address(0)) batchVerifier = new RecordedInputBatchVerifierTestDouble();
        t = _deployWith(hv, batchVerifier, genesis, genesisAccounts);
    }

    /// @dev `_deploy` with the given batch verifier (the real exported one: test/utils/BatchVector.sol)
    function _deployWith(IHealthVerifier hv, IBatchVerifier bv, uint256 genesis, uint64 genesisAccounts)
        internal
        returns (Settlement t)
    {
        if (address(token) == address(0)) token = new QuoteToken();
        if (committeeAddrs.length == 0) _makeCommittee();
        t = new Settlement(
            Settlement.Genesis(hv, bv, IERC20(address(token)), genesis, genesisAccounts, ACCOUNT_LIMIT),
            OPERATOR,
            oracleAddrs,
            2,
            2,
            2,
            MAX_AGE
        );
        t.setCommittee(committeeAddrs, 2);
    }

    /// @dev committee signatures (members at the given positions, address order) over batch data
    function _dacSigs(Settlement t, uint64 batch, uint256 dataHash, uint256 newRoot, uint256[] memory idx)
        internal
        view
        returns (bytes memory out)
    {
        bytes32 digest = t.batchDataDigest(batch, dataHash, newRoot);
        for (uint256 i = 0; i < idx.length; i++) {
            out = bytes.concat(out, _sigDigest(committeeKeysByAddr[idx[i]], digest));
        }
    }

    /// @dev a header for the next batch of `t`: consumes `deposits` entries, no withdrawals, batchTime = now
    function _header(Settlement t, uint256 newRoot, uint256 riskRoot_, uint64 deposits)
        internal
        view
        returns (Settlement.BatchHeader memory h)
    {
        h = Settlement.BatchHeader({
            oldRoot: t.stateRoot(),
            newRoot: newRoot,
            riskRoot: riskRoot_,
            deposits: deposits,
            withdrawalsHash: 0,
            dataHash: uint256(keccak256(abi.encode(newRoot, t.batchNumber()))) >> 8, // any field element
            batchTime: uint64(block.timestamp)
        });
    }

    /// @dev no request entry (no liquidation, no forced withdrawal)
    function _noReq() internal pure returns (Settlement.Request[] memory) {
        return new Settlement.Request[](0);
    }

    /// @dev a liquidation entry (kind 6)
    function _liqReq(uint64 accountId, address keeper) internal pure returns (Settlement.Request memory) {
        return Settlement.Request(6, accountId, keeper, 0);
    }

    /// @dev a forced-withdrawal entry, paid (kind 8) or refused (kind 9)
    function _fwReq(uint8 kind, uint64 accountId, address requester, uint64 amount)
        internal
        pure
        returns (Settlement.Request memory)
    {
        return Settlement.Request(kind, accountId, requester, amount);
    }

    /// @dev the public-input vector the circuit would have for `h` on `t` now (docs/BATCH.md section 4), no
    /// liquidation
    function _inputs(Settlement t, Settlement.BatchHeader memory h) internal view returns (uint256[9] memory) {
        return _inputs(t, h, 0);
    }

    /// @dev `_inputs` with the given request list hash (`Settlement.requestsHash`)
    function _inputs(Settlement t, Settlement.BatchHeader memory h, uint256 requestsHash)
        internal
        view
        returns (uint256[9] memory)
    {
        uint256 consumed = t.depositsConsumed();
        return [
            h.oldRoot,
            h.newRoot,
            h.riskRoot,
            t.depositHead(consumed),
            t.depositHead(consumed + h.deposits),
            h.withdrawalsHash,
            h.dataHash,
            uint256(h.batchTime),
            requestsHash
        ];
    }

    /// @dev records the header's inputs in the test double, signs 2-of-3, finalizes as the operator
    function _finalize(Settlement t, Settlement.BatchHeader memory h, Settlement.Withdrawal[] memory ws) internal {
        batchVerifier.record(FAKE_PROOF, _inputs(t, h));
        bytes memory sigs = _dacSigs(t, t.batchNumber() + 1, h.dataHash, h.newRoot, _idx(0, 2));
        vm.prank(OPERATOR);
        t.finalizeBatch(h, ws, _noReq(), sigs, FAKE_PROOF);
    }

    /// @dev finalizes an empty batch (no deposits, no withdrawals) moving `t` to `newRoot`
    function _advance(Settlement t, uint256 newRoot, uint256 riskRoot_) internal {
        _finalize(t, _header(t, newRoot, riskRoot_, 0), new Settlement.Withdrawal[](0));
    }
}
