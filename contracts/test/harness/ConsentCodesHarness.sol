// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ConsentCodes} from "../../libraries/ConsentCodes.sol";

/// @notice Exposes ConsentCodes to TypeScript tests, which compare it with the TS mirror.
contract ConsentCodesHarness {
    /// @notice Raised by `fail`, to test the revert decoding helper.
    error ConsentCodesHarnessFailed(uint256 value);

    /// @notice ConsentCodes.permits.
    function permits(uint32 consentPurposes, uint32 use) external pure returns (bool) {
        return ConsentCodes.permits(consentPurposes, use);
    }

    /// @notice ConsentCodes.coversCategories.
    function coversCategories(uint32 consented, uint32 requested) external pure returns (bool) {
        return ConsentCodes.coversCategories(consented, requested);
    }

    /// @notice The masks, in the order PERMISSIONS, CONDITIONS, ALL_CATEGORIES.
    function masks() external pure returns (uint32, uint32, uint32) {
        return (ConsentCodes.PERMISSIONS, ConsentCodes.CONDITIONS, ConsentCodes.ALL_CATEGORIES);
    }

    /// @notice Always reverts with `value`.
    function fail(uint256 value) external pure {
        revert ConsentCodesHarnessFailed(value);
    }
}
