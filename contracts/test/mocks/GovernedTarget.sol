// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title GovernedTarget
 * @notice Test double of a contract exposing a governance-only setter guarded by
 * `msg.sender == consortium`, the pattern Consortium's Call proposals serve. Never deployed
 * outside tests.
 */
contract GovernedTarget {
    address private immutable _consortium;
    uint256 private _value;

    /// @notice `value` was stored by the consortium.
    event GovernedTargetValueSet(uint256 value);

    /// @notice `caller` is not the consortium.
    error GovernedTargetNotConsortium(address caller);
    /// @notice `value` is refused (0 is refused, to test failing calls).
    error GovernedTargetRejected(uint256 value);

    /// @param consortium The only address allowed to call `setValue`.
    constructor(address consortium) {
        _consortium = consortium;
    }

    /// @notice Stores a non-zero `value`; only the consortium may.
    function setValue(uint256 value_) external {
        if (msg.sender != _consortium) revert GovernedTargetNotConsortium(msg.sender);
        if (value_ == 0) revert GovernedTargetRejected(value_);
        _value = value_;
        emit GovernedTargetValueSet(value_);
    }

    /// @notice The stored value.
    function value() external view returns (uint256) {
        return _value;
    }
}
