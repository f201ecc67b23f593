// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TestBase} from "./utils/Vm.sol";
import {Poseidon2} from "../src/Poseidon2.sol";

/// @notice External entry points of the Poseidon2 library, for the vector test and the gas test.
contract Poseidon2Harness {
    function permute(uint256 a, uint256 b) external pure returns (uint256, uint256) {
        return Poseidon2.permute(a, b);
    }

    function compress(uint256 l, uint256 r) external pure returns (uint256) {
        return Poseidon2.compress(l, r);
    }

    function hashMD(uint256[] memory xs) external pure returns (uint256) {
        return Poseidon2.hashMD(xs);
    }
}

/// @notice The Solidity Poseidon2 against the vectors the Java implementation wrote
/// (test-vectors/poseidon2.json, the same file the Go circuits' tests read).
contract Poseidon2Test is TestBase {
    Poseidon2Harness h;
    string json;

    function setUp() public {
        h = new Poseidon2Harness();
        json = vm.readFile(string.concat(vm.projectRoot(), "/../test-vectors/poseidon2.json"));
    }

    function _key(string memory list, uint256 i, string memory field) private pure returns (string memory) {
        return string.concat(".", list, "[", vm.toString(i), "].", field);
    }

    function _uints(string memory key) private view returns (uint256[] memory out) {
        string[] memory s = vm.parseJsonStringArray(json, key);
        out = new uint256[](s.length);
        for (uint256 i = 0; i < s.length; i++) {
            out[i] = vm.parseUint(s[i]);
        }
    }

    function _uint(string memory key) private view returns (uint256) {
        return vm.parseUint(vm.parseJsonString(json, key));
    }

    function test_modulus() public view {
        vm.assertEq(Poseidon2.R, _uint(".modulus"), "modulus");
    }

    function test_permute_vectors() public view {
        uint256 n;
        for (; vm.keyExistsJson(json, _key("permute", n, "in")); n++) {
            uint256[] memory input = _uints(_key("permute", n, "in"));
            uint256[] memory want = _uints(_key("permute", n, "out"));
            (uint256 s0, uint256 s1) = h.permute(input[0], input[1]);
            vm.assertEq(s0, want[0], string.concat("permute[", vm.toString(n), "][0]"));
            vm.assertEq(s1, want[1], string.concat("permute[", vm.toString(n), "][1]"));
        }
        vm.assertLe(8, n, "permute vectors read");
    }

    function test_compress_vectors() public view {
        uint256 n;
        for (; vm.keyExistsJson(json, _key("compress", n, "left")); n++) {
            uint256 got = h.compress(_uint(_key("compress", n, "left")), _uint(_key("compress", n, "right")));
            vm.assertEq(got, _uint(_key("compress", n, "out")), string.concat("compress[", vm.toString(n), "]"));
        }
        vm.assertLe(8, n, "compress vectors read");
    }

    function test_hashMD_vectors() public view {
        uint256 n;
        for (; vm.keyExistsJson(json, _key("hashMD", n, "out")); n++) {
            uint256 got = h.hashMD(_uints(_key("hashMD", n, "in")));
            vm.assertEq(got, _uint(_key("hashMD", n, "out")), string.concat("hashMD[", vm.toString(n), "]"));
        }
        vm.assertLe(6, n, "hashMD vectors read");
    }
}
