// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HealthVector} from "./HealthVector.sol";
import {Settlement} from "../../src/Settlement.sol";
import {IBatchVerifier} from "../../src/IBatchVerifier.sol";

/// @notice Loads the real batch proof of test-vectors/chain/batch-proof.json (written with the checked-in key by
/// `go run ./circuits/batch/batchvector`) and deploys the checked-in gnark verifier of its circuit,
/// src/verifiers/<circuitId>.sol, as the IBatchVerifier of a Settlement whose state is the one the proof's public
/// inputs name: genesis root = the proof's old root with the vector's genesis account count, the vector's deposits
/// registered from an empty queue by their depositors (same key, same amount: the same entry hashes), the proof's
/// risk root posted by the 2-of-3 oracles, block time after the batch time. gnark's exported `verifyProof(bytes,
/// uint256[8])` is exactly IBatchVerifier's function, so no adapter sits in between.
abstract contract BatchVector is HealthVector {
    string internal constant BATCH_VECTOR = "/../test-vectors/chain/batch-proof.json";
    /// @dev the same genesis and key; its request slot pays account 4's forced withdrawal (kind 8) to its depositor
    string internal constant FORCED_BATCH_VECTOR = "/../test-vectors/chain/batch-proof-forced.json";

    IBatchVerifier internal realBatchVerifier;
    string internal batchCircuitId;
    bytes internal batchProof; // 256-byte Solidity layout
    uint256[9] internal batchInputs; // oldRoot, newRoot, riskRoot, headBefore, headAfter, withdrawalsHash, dataHash, batchTime, requestsHash
    uint64 internal batchGenesisAccounts;
    Settlement.Withdrawal[] internal batchWithdrawals;
    Settlement.Request[] internal batchRequests; // the request entries (liquidations, forced withdrawals), slot order
    // the vector's deposits, in queue order
    address[] internal depDepositor;
    uint256[] internal depAmount;
    uint256[] internal depPkX;
    uint256[] internal depPkY;
    uint64[] internal depAccount;

    function _loadBatchVector() internal {
        _loadBatchVector(BATCH_VECTOR);
    }

    /// @dev loads the batch vector at `file` (relative to verifier-contracts), replacing a vector loaded before
    function _loadBatchVector(string memory file) internal {
        string memory path = string.concat(vm.projectRoot(), file);
        vm.assertTrue(vm.exists(path), string.concat(file, " is missing"));
        delete batchWithdrawals;
        delete batchRequests;
        delete depDepositor;
        delete depAmount;
        delete depPkX;
        delete depPkY;
        delete depAccount;
        string memory json = vm.readFile(path);
        vm.assertEq(vm.parseJsonString(json, ".format"), "zkmargin-proof-v1", "proof file format");
        batchCircuitId = vm.parseJsonString(json, ".circuitId");
        string[] memory pub = vm.parseJsonStringArray(json, ".publicInputs");
        vm.assertEq(pub.length, 9, "9 public inputs");
        for (uint256 i = 0; i < 9; i++) {
            batchInputs[i] = vm.parseUint(pub[i]);
        }
        vm.assertEq(_u(json, ".batch.oldRoot"), batchInputs[0], "oldRoot");
        vm.assertEq(_u(json, ".batch.depositsBefore"), 0, "the vector starts at the empty queue");
        batchGenesisAccounts = uint64(_u(json, ".batch.genesisAccounts"));
        batchProof = solidityProof(vm.parseJsonString(json, ".proof"));
        for (uint256 i = 0; vm.keyExistsJson(json, _at(".batch.deposits", i)); i++) {
            string memory k = _at(".batch.deposits", i);
            depAccount.push(uint64(_u(json, string.concat(k, ".accountId"))));
            depAmount.push(_u(json, string.concat(k, ".amount")));
            depPkX.push(_u(json, string.concat(k, ".pkX")));
            depPkY.push(_u(json, string.concat(k, ".pkY")));
            depDepositor.push(address(uint160(_u(json, string.concat(k, ".depositor")))));
        }
        for (uint256 i = 0; vm.keyExistsJson(json, _at(".batch.withdrawals", i)); i++) {
            string memory k = _at(".batch.withdrawals", i);
            batchWithdrawals.push(
                Settlement.Withdrawal(
                    address(uint160(_u(json, string.concat(k, ".to")))), uint64(_u(json, string.concat(k, ".amount")))
                )
            );
        }
        for (uint256 i = 0; vm.keyExistsJson(json, _at(".batch.requests", i)); i++) {
            string memory k = _at(".batch.requests", i);
            batchRequests.push(
                Settlement.Request(
                    uint8(_u(json, string.concat(k, ".kind"))),
                    uint64(_u(json, string.concat(k, ".accountId"))),
                    address(uint160(_u(json, string.concat(k, ".party")))),
                    uint64(_u(json, string.concat(k, ".amount")))
                )
            );
        }
        realBatchVerifier =
            IBatchVerifier(vm.deployCode(string.concat("src/verifiers/", batchCircuitId, ".sol:Verifier")));
    }

    /// @dev A Settlement in the state the vector's proof names, with the real batch verifier (see the contract's
    /// notice). Warps to 10 s after the batch time. Deposits are registered with registerAccount (pk != 0) or
    /// deposit (pk = 0), tokens minted to their depositors first.
    function _deployReal() internal returns (Settlement t) {
        vm.warp(batchInputs[7] + 10);
        t = _deployWith(verifier, realBatchVerifier, batchInputs[0], batchGenesisAccounts);
        t.postRiskRoot(1, batchInputs[2], _sigs(t, 1, batchInputs[2], _idx(0, 2)));
        for (uint256 i = 0; i < depAmount.length; i++) {
            token.mint(depDepositor[i], depAmount[i]);
            vm.startPrank(depDepositor[i]);
            token.approve(address(t), depAmount[i]);
            if (depPkX[i] == 0 && depPkY[i] == 0) {
                t.deposit(depAccount[i], depAmount[i]);
            } else {
                vm.assertEq(uint256(t.registerAccount(depPkX[i], depPkY[i], depAmount[i])), depAccount[i], "id");
            }
            vm.stopPrank();
        }
    }

    /// @dev the header of the vector's batch (consumes every deposit of the vector)
    function _realHeader() internal view returns (Settlement.BatchHeader memory) {
        return Settlement.BatchHeader({
            oldRoot: batchInputs[0],
            newRoot: batchInputs[1],
            riskRoot: batchInputs[2],
            deposits: uint64(depAmount.length),
            withdrawalsHash: batchInputs[5],
            dataHash: batchInputs[6],
            batchTime: uint64(batchInputs[7])
        });
    }

    /// @dev 2-of-3 committee signatures (members 0 and 2) over the vector's batch as batch 1 of `t`
    function _realSigs(Settlement t) internal view returns (bytes memory) {
        return _dacSigs(t, 1, batchInputs[6], batchInputs[1], _idx(0, 2));
    }

    function _u(string memory json, string memory key) internal pure returns (uint256) {
        return vm.parseUint(vm.parseJsonString(json, key));
    }

    function _at(string memory arr, uint256 i) internal pure returns (string memory) {
        return string.concat(arr, "[", vm.toString(i), "]");
    }
}
