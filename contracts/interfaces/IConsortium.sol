// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IConsortium
 * @notice Read API of the consortium's membership, used by ConsentRegistry and AccessLedger
 * for authorisation and by the node for transaction admission and the validator set.
 * @dev Organisation id 0 means "no organisation". Every account belongs to at most one
 * organisation, in one capacity: an admin account (manages the organisation, votes, acts for
 * it) or, for hospitals, a consent recorder (records consents and query responses, nothing
 * else). An inactive (removed) organisation's accounts, and retired accounts, lose every right
 * at once.
 */
interface IConsortium {
    /// @notice The role an organisation holds in the network.
    enum Role {
        None,
        Hospital,
        Regulator,
        Researcher,
        ReviewBoard
    }

    /// @notice The organisation `account` acts for (0 if none, retired, or if it was removed).
    function organisationOf(address account) external view returns (uint32 orgId);

    /// @notice The role of organisation `orgId` (Role.None if unknown or removed).
    function roleOf(uint32 orgId) external view returns (Role);

    /// @notice Number of active organisations holding `role`.
    function roleCount(Role role) external view returns (uint32);

    /// @notice Whether `account` acts for an active organisation holding `role`.
    function hasRole(Role role, address account) external view returns (bool);

    /// @notice Whether `account` is an admin account of the active organisation `orgId`.
    function isAdmin(uint32 orgId, address account) external view returns (bool);

    /// @notice Whether `account` is a consent recorder of the active hospital `hospitalId`.
    function isRecorder(uint32 hospitalId, address account) external view returns (bool);

    /// @notice Whether `account` may send transactions (acts for an active organisation).
    function isMember(address account) external view returns (bool);

    /// @notice The validator set in force now.
    function validators() external view returns (address[] memory);

    /// @notice The validator set in force at block `blockNumber` (a change executed at block H
    /// takes effect at H + 2, so the node can read the set for the next height in advance).
    function validatorsAt(uint256 blockNumber) external view returns (address[] memory);
}
