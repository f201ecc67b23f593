// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HealthVector} from "./utils/HealthVector.sol";
import {Settlement} from "../src/Settlement.sol";

/// @notice One state-changing or checked call per test, so that `.gas-snapshot` (checked in, compared by
/// `tools/forge snapshot --check --tolerance 5` in the Maven test phase) tracks the cost of each call.
contract GasTest is HealthVector {
    Settlement plain;

    function setUp() public {
        _loadVector();
        _makeOracles();
        // a second deployment (same real verifier) with no roots yet, for the first settlement and posting
        plain = new Settlement(verifier, OPERATOR, oracleAddrs, 2, 2, 2, MAX_AGE);
        vm.prank(OPERATOR);
        plain.setStateRoot(1, 1);
    }

    function test_gas_verifyHealth() public needsVector {
        vm.assertTrue(s.verifyHealth(proof, stateRoot, riskRoot, account, bps, bps), "valid");
    }

    function test_gas_postRiskRoot_2of3() public {
        bytes memory sigs = _sigs(plain, 7, 12345, _idx(0, 2));
        plain.postRiskRoot(7, 12345, sigs);
    }

    function test_gas_setStateRoot() public {
        vm.prank(OPERATOR);
        plain.setStateRoot(2, 67890);
    }
}
