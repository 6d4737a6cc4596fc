// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsentRegistry} from "../interfaces/IConsentRegistry.sol";

/// @notice A consent record packed into one 256-bit word (one storage slot).
type PackedConsent is uint256;

/**
 * @title ConsentPacking
 * @notice Packs a consent record into one word and reads it back. Bit layout, low to high:
 * purposes [0,32), categories [32,64), validFrom [64,104), validUntil [104,144),
 * status [144,152), version [152,184), custodian [184,216), nonce [216,248); bits 248..255
 * are zero.
 * @dev Hand packing rather than a storage struct so that every write is exactly one SSTORE
 * with no read-modify-write of neighbouring fields, and the hot paths (status, version,
 * custodian) read one field with a shift and a mask instead of decoding the whole record.
 */
library ConsentPacking {
    /// @dev Bit offset of each field above purposes (which starts at bit 0).
    uint256 private constant _CATEGORIES = 32;
    uint256 private constant _VALID_FROM = 64;
    uint256 private constant _VALID_UNTIL = 104;
    uint256 private constant _STATUS = 144;
    uint256 private constant _VERSION = 152;
    uint256 private constant _CUSTODIAN = 184;
    uint256 private constant _NONCE = 216;

    /// @notice Packs the eight fields of a record.
    function pack(
        uint32 purposes,
        uint32 categories,
        uint40 validFrom,
        uint40 validUntil,
        IConsentRegistry.Status status_,
        uint32 version_,
        uint32 custodian_,
        uint32 nonce_
    ) internal pure returns (PackedConsent) {
        return PackedConsent.wrap(
            uint256(purposes) | (uint256(categories) << _CATEGORIES) | (uint256(validFrom) << _VALID_FROM)
                | (uint256(validUntil) << _VALID_UNTIL) | (uint256(uint8(status_)) << _STATUS)
                | (uint256(version_) << _VERSION) | (uint256(custodian_) << _CUSTODIAN) | (uint256(nonce_) << _NONCE)
        );
    }

    /// @notice `packed` with status Revoked, version `version_` and nonce `nonce_`, other fields
    /// unchanged.
    function revoked(PackedConsent packed, uint32 version_, uint32 nonce_) internal pure returns (PackedConsent) {
        uint256 w = PackedConsent.unwrap(packed) & ~(uint256(type(uint40).max) << _STATUS)
            & ~(uint256(type(uint32).max) << _NONCE);
        return PackedConsent.wrap(
            w | (uint256(uint8(IConsentRegistry.Status.Revoked)) << _STATUS) | (uint256(version_) << _VERSION)
                | (uint256(nonce_) << _NONCE)
        );
    }

    /// @notice `packed` with its nonce set to `nonce_`, other fields unchanged.
    function withNonce(PackedConsent packed, uint32 nonce_) internal pure returns (PackedConsent) {
        uint256 w = PackedConsent.unwrap(packed) & ~(uint256(type(uint32).max) << _NONCE);
        return PackedConsent.wrap(w | (uint256(nonce_) << _NONCE));
    }

    /// @notice Unpacks a record into its struct form.
    function unpack(PackedConsent packed) internal pure returns (IConsentRegistry.Consent memory c) {
        uint256 w = PackedConsent.unwrap(packed);
        c.purposes = uint32(w);
        c.categories = uint32(w >> _CATEGORIES);
        c.validFrom = uint40(w >> _VALID_FROM);
        c.validUntil = uint40(w >> _VALID_UNTIL);
        c.status = IConsentRegistry.Status(uint8(w >> _STATUS));
        c.version = uint32(w >> _VERSION);
        c.custodian = uint32(w >> _CUSTODIAN);
        c.nonce = uint32(w >> _NONCE);
    }

    /// @notice The record's status.
    function status(PackedConsent packed) internal pure returns (IConsentRegistry.Status) {
        return IConsentRegistry.Status(uint8(PackedConsent.unwrap(packed) >> _STATUS));
    }

    /// @notice The record's version.
    function version(PackedConsent packed) internal pure returns (uint32) {
        return uint32(PackedConsent.unwrap(packed) >> _VERSION);
    }

    /// @notice The record's signature nonce.
    function nonce(PackedConsent packed) internal pure returns (uint32) {
        return uint32(PackedConsent.unwrap(packed) >> _NONCE);
    }

    /// @notice The record's custodian organisation id.
    function custodian(PackedConsent packed) internal pure returns (uint32) {
        return uint32(PackedConsent.unwrap(packed) >> _CUSTODIAN);
    }
}
