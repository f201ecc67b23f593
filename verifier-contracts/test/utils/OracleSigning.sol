// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "./Vm.sol";
import {Settlement} from "../../src/Settlement.sol";

/// @notice Oracle keys and EIP-712 signing helpers shared by the settlement tests.
abstract contract OracleSigning is TestBase {
    uint256[3] internal oracleKeys;
    address[] internal oracleAddrs; // strictly increasing
    uint256[] internal keysByAddr; // private keys in the same (address) order

    function _makeOracles() internal {
        oracleKeys = [uint256(0xA11CE), uint256(0xB0B), uint256(0xCA401)];
        address[3] memory a;
        uint256[3] memory k;
        for (uint256 i = 0; i < 3; i++) {
            k[i] = oracleKeys[i];
            a[i] = vm.addr(k[i]);
        }
        // sort by address (insertion sort of three)
        for (uint256 i = 1; i < 3; i++) {
            for (uint256 j = i; j > 0 && a[j] < a[j - 1]; j--) {
                (a[j], a[j - 1]) = (a[j - 1], a[j]);
                (k[j], k[j - 1]) = (k[j - 1], k[j]);
            }
        }
        delete oracleAddrs;
        delete keysByAddr;
        for (uint256 i = 0; i < 3; i++) {
            oracleAddrs.push(a[i]);
            keysByAddr.push(k[i]);
        }
    }

    function _sigDigest(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 sv) = vm.sign(key, digest);
        return abi.encodePacked(r, sv, v);
    }

    /// @dev signatures of the oracles at the given positions (in address order), concatenated in that order
    function _sigs(Settlement s, uint64 epoch, uint256 root, uint256[] memory idx) internal view returns (bytes memory out) {
        bytes32 digest = s.riskRootDigest(epoch, root);
        for (uint256 i = 0; i < idx.length; i++) {
            out = bytes.concat(out, _sigDigest(keysByAddr[idx[i]], digest));
        }
    }

    function _idx(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = a;
        r[1] = b;
    }

    function _idx(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }
}
