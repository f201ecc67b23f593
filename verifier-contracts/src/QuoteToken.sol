// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title The venue's quote token on a local chain (tests and the demo): an OpenZeppelin ERC-20 with
/// 6 decimals (asset 0 of the venue, quote atoms = token units) and a mint for the deployer.
/// @notice Not for a public chain: on one, Settlement takes an existing stablecoin's address instead.
contract QuoteToken is ERC20 {
    /// @notice The only account allowed to mint (the deployer).
    address public immutable minter;

    error NotMinter(address caller);

    constructor() ERC20("zkmargin test USD", "zUSD") {
        minter = msg.sender;
    }

    /// @notice 6 decimals, as the venue's quote asset.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` atoms (10^-6 token) to `to`. Minter only.
    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }
}
