// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortium} from "../../interfaces/IConsortium.sol";

/**
 * @title MockConsortium
 * @notice Test double of IConsortium with free setters, so ConsentRegistry and AccessLedger
 * can be tested in isolation from governance. Never deployed outside tests.
 */
contract MockConsortium is IConsortium {
    mapping(address account => uint32) private _orgOf;
    mapping(uint32 orgId => Role) private _roles;
    mapping(uint32 orgId => mapping(address => bool)) private _recorders;
    mapping(uint32 orgId => mapping(address => bool)) private _admins;
    mapping(Role role => uint32) private _roleCounts;
    address[] private _validators;

    /// @notice Puts `account` in organisation `orgId` with role `role` (Role.None removes it).
    /// An account put in an organisation this way is one of its admin accounts.
    function setMember(address account, uint32 orgId, Role role) external {
        _orgOf[account] = orgId;
        _admins[orgId][account] = true;
        _setRole(orgId, role);
    }

    /// @notice Sets the role of `orgId` (Role.None deactivates it).
    function setRole(uint32 orgId, Role role) external {
        _setRole(orgId, role);
    }

    /// @notice Makes `account` an admin account of `orgId` or not.
    function setAdmin(uint32 orgId, address account, bool on) external {
        _admins[orgId][account] = on;
    }

    /// @notice Makes `account` a recorder of `hospitalId` or not.
    function setRecorder(uint32 hospitalId, address account, bool on) external {
        _recorders[hospitalId][account] = on;
    }

    /// @notice Calls `target` with `data` as this contract, as an executed governance Call
    /// proposal of the real Consortium would; bubbles up a revert unchanged.
    function forward(address target, bytes calldata data) external {
        (bool ok, bytes memory returned) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
    }

    /// @notice Replaces the validator set.
    function setValidators(address[] calldata set) external {
        _validators = set;
    }

    /// @inheritdoc IConsortium
    function organisationOf(address account) external view returns (uint32) {
        uint32 id = _orgOf[account];
        return _roles[id] == Role.None ? 0 : id;
    }

    /// @inheritdoc IConsortium
    function roleOf(uint32 orgId) external view returns (Role) {
        return _roles[orgId];
    }

    /// @inheritdoc IConsortium
    function hasRole(Role role, address account) external view returns (bool) {
        uint32 id = _orgOf[account];
        return id != 0 && role != Role.None && _roles[id] == role;
    }

    /// @inheritdoc IConsortium
    function roleCount(Role role) external view returns (uint32) {
        return role == Role.None ? 0 : _roleCounts[role];
    }

    /// @inheritdoc IConsortium
    function isAdmin(uint32 orgId, address account) external view returns (bool) {
        return _roles[orgId] != Role.None && _admins[orgId][account];
    }

    /// @inheritdoc IConsortium
    function isRecorder(uint32 hospitalId, address account) external view returns (bool) {
        return _roles[hospitalId] == Role.Hospital && _recorders[hospitalId][account];
    }

    /// @inheritdoc IConsortium
    function isMember(address account) external view returns (bool) {
        uint32 id = _orgOf[account];
        return id != 0 && _roles[id] != Role.None;
    }

    /// @inheritdoc IConsortium
    function validators() external view returns (address[] memory) {
        return _validators;
    }

    /// @inheritdoc IConsortium
    function validatorsAt(uint256) external view returns (address[] memory) {
        return _validators;
    }

    function _setRole(uint32 orgId, Role role) private {
        Role previous = _roles[orgId];
        if (previous == role) return;
        if (previous != Role.None) --_roleCounts[previous];
        if (role != Role.None) ++_roleCounts[role];
        _roles[orgId] = role;
    }
}
