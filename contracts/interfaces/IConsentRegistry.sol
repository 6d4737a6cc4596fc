// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title IConsentRegistry
 * @notice Types, events, errors and read API of the consent registry: per subject (a keyed
 * pseudonym, never a raw identifier) the current consent, who may change it, and whether it
 * permits a given use at a given time. AccessLedger and the SDK depend on this interface only.
 *
 * A record is keyed by (custodian, subject): the custodian hospital's organisation id and the
 * pseudonym that hospital derived with its own secret key. No hospital can write under another
 * hospital's id, so no hospital can take (squat) another hospital's patient.
 */
interface IConsentRegistry {
    /// @notice Lifecycle of a subject's consent. `None`: never granted.
    enum Status {
        None,
        Active,
        Revoked
    }

    /**
     * @notice The terms a grant or an update sets.
     * @param purposes Permission and condition bits (ConsentCodes): at least one permission bit,
     * no undefined bit.
     * @param categories Data category bits (ConsentCodes): non-empty, within ALL_CATEGORIES.
     * @param validFrom First second (unix time) the consent applies.
     * @param validUntil First second it no longer applies; 0 = open-ended, else > validFrom.
     */
    struct Terms {
        uint32 purposes;
        uint32 categories;
        uint40 validFrom;
        uint40 validUntil;
    }

    /**
     * @notice A subject's current consent record, as stored in one slot.
     * @param purposes Permission and condition bits (ConsentCodes).
     * @param categories Data category bits (ConsentCodes).
     * @param validFrom First second (unix time) the consent applies.
     * @param validUntil First second it no longer applies; 0 = open-ended.
     * @param status None, Active or Revoked.
     * @param version Number of changes so far (grant, update and revocation each add one).
     * @param custodian Organisation id of the hospital holding the subject's record (0 = none).
     * @param nonce Number of changes of any kind so far (consent, patient key, delegates,
     * signature invalidations): every EIP-712 signature commits to it, so any change invalidates
     * every signature made before it.
     */
    struct Consent {
        uint32 purposes;
        uint32 categories;
        uint40 validFrom;
        uint40 validUntil;
        Status status;
        uint32 version;
        uint32 custodian;
        uint32 nonce;
    }

    /**
     * @notice A consent was granted (first grant, or a new grant after a revocation).
     * @param subject The subject's pseudonym.
     * @param custodian The custodian hospital's organisation id.
     * @param actor The recorder, patient key or delegate that made the change (the signer for
     * signed calls, not the relayer).
     * @param version The record's new version.
     * @param purposes Granted purpose and condition bits.
     * @param categories Granted data category bits.
     * @param validFrom First second the consent applies.
     * @param validUntil First second it no longer applies (0 = open-ended).
     * @param documentHash Canonical hash of the off-chain consent document (FHIR Consent).
     */
    event ConsentGranted(
        bytes32 indexed subject,
        uint32 indexed custodian,
        address indexed actor,
        uint32 version,
        uint32 purposes,
        uint32 categories,
        uint40 validFrom,
        uint40 validUntil,
        bytes32 documentHash
    );

    /**
     * @notice The terms of an active consent were changed.
     * @param subject The subject's pseudonym.
     * @param custodian The custodian hospital's organisation id.
     * @param actor The recorder, patient key or delegate that made the change.
     * @param version The record's new version.
     * @param purposes New purpose and condition bits.
     * @param categories New data category bits.
     * @param validFrom New first second the consent applies.
     * @param validUntil New first second it no longer applies (0 = open-ended).
     * @param documentHash Canonical hash of the off-chain consent document (FHIR Consent).
     */
    event ConsentUpdated(
        bytes32 indexed subject,
        uint32 indexed custodian,
        address indexed actor,
        uint32 version,
        uint32 purposes,
        uint32 categories,
        uint40 validFrom,
        uint40 validUntil,
        bytes32 documentHash
    );

    /**
     * @notice An active consent was revoked; it permits nothing from this block on.
     * @param subject The subject's pseudonym.
     * @param custodian The custodian hospital's organisation id.
     * @param actor The recorder, patient key or delegate that made the change.
     * @param version The record's new version.
     * @param documentHash Canonical hash of the off-chain revocation document.
     */
    event ConsentRevoked(
        bytes32 indexed subject,
        uint32 indexed custodian,
        address indexed actor,
        uint32 version,
        bytes32 documentHash
    );

    /**
     * @notice The key the patient signs with was registered, replaced or removed.
     * @param subject The subject's pseudonym.
     * @param custodian The custodian hospital's organisation id.
     * @param key The new patient key (address(0) = removed).
     * @param actor The custodian's recorder (or the consortium, on a transfer) that made the change.
     * @param previousKey The key it replaces (address(0) = none).
     */
    event PatientKeyChanged(
        bytes32 indexed subject,
        uint32 indexed custodian,
        address indexed key,
        address actor,
        address previousKey
    );

    /**
     * @notice `delegate` may now act for the subject (guardian, legal representative).
     * @param subject The subject's pseudonym.
     * @param custodian The custodian hospital's organisation id.
     * @param delegate The delegate's account.
     * @param actor The recorder or patient key that added it.
     */
    event DelegateAdded(bytes32 indexed subject, uint32 indexed custodian, address indexed delegate, address actor);

    /**
     * @notice `delegate` may no longer act for the subject.
     * @param subject The subject's pseudonym.
     * @param custodian The custodian hospital's organisation id.
     * @param delegate The delegate's account.
     * @param actor The recorder or patient key that removed it.
     */
    event DelegateRemoved(bytes32 indexed subject, uint32 indexed custodian, address indexed delegate, address actor);

    /**
     * @notice Every signature made for the subject so far was invalidated (its nonce moved on)
     * without another change.
     * @param subject The subject's pseudonym.
     * @param custodian The custodian hospital's organisation id.
     * @param actor The recorder, patient key or delegate that invalidated them.
     * @param nonce The subject's new nonce.
     */
    event SignaturesInvalidated(bytes32 indexed subject, uint32 indexed custodian, address indexed actor, uint32 nonce);

    /**
     * @notice Governance moved an active consent to another custodian: the old record was
     * revoked ({ConsentRevoked}) and the new one granted on the same terms ({ConsentGranted},
     * version 1), with the patient key carried over; delegates are not.
     * @param fromSubject The subject's pseudonym at the old custodian.
     * @param fromCustodian The old custodian's organisation id.
     * @param toCustodian The new custodian's organisation id.
     * @param toSubject The subject's pseudonym at the new custodian.
     */
    event SubjectTransferred(
        bytes32 indexed fromSubject,
        uint32 indexed fromCustodian,
        uint32 indexed toCustodian,
        bytes32 toSubject
    );

    /**
     * @notice Governance asked to move a subject that could not be moved; the rest of the
     * transfer went on.
     * @param reason Selector of the error a single move would have raised (e.g.
     * ConsentRegistryNotActive.selector).
     */
    event SubjectTransferSkipped(
        bytes32 indexed fromSubject,
        uint32 indexed fromCustodian,
        uint32 indexed toCustodian,
        bytes32 toSubject,
        bytes4 reason
    );

    /// @notice The consortium address given to the constructor is zero.
    error ConsentRegistryZeroConsortium();

    /// @notice The subject key is zero.
    error ConsentRegistryZeroSubject();

    /// @notice The consent document hash is zero (every change must point to its document).
    error ConsentRegistryZeroDocumentHash(bytes32 subject);

    /// @notice `purposes` has no permission bit or an undefined bit.
    error ConsentRegistryInvalidPurposes(uint32 purposes);

    /// @notice `categories` is empty or has a bit outside ConsentCodes.ALL_CATEGORIES.
    error ConsentRegistryInvalidCategories(uint32 categories);

    /// @notice `validUntil` is neither 0 nor after `validFrom`.
    error ConsentRegistryInvalidValidity(uint40 validFrom, uint40 validUntil);

    /// @notice `account` is not a consent recorder of hospital `custodian`.
    error ConsentRegistryNotRecorder(uint32 custodian, address account);

    /// @notice Only the Consortium contract (an executed governance proposal) may do this.
    error ConsentRegistryNotConsortium(address account);

    /// @notice `custodian` is not an active hospital.
    error ConsentRegistryNotHospital(uint32 custodian);

    /// @notice `account` may not make this change to `subject`.
    error ConsentRegistryUnauthorised(bytes32 subject, address account);

    /// @notice `subject` has never been granted at this custodian.
    error ConsentRegistryUnknownSubject(bytes32 subject);

    /// @notice A transfer's target record already exists (`subject` at the new custodian).
    error ConsentRegistryTargetExists(bytes32 subject);

    /// @notice A grant was made while `subject`'s consent (at `version`) is active: use update.
    error ConsentRegistryAlreadyActive(bytes32 subject, uint32 version);

    /// @notice A batch grant named `subject`, whose consent is revoked: only a single grant may
    /// re-grant it, so a bulk reload cannot undo a revocation.
    error ConsentRegistryRevokedInBatch(bytes32 subject, uint32 version);

    /// @notice An update or revocation was made while `subject`'s consent is not active.
    error ConsentRegistryNotActive(bytes32 subject, Status status);

    /// @notice The patient key of `subject` is already `key`.
    error ConsentRegistryPatientKeyUnchanged(bytes32 subject, address key);

    /// @notice The delegate address is zero.
    error ConsentRegistryZeroDelegate(bytes32 subject);

    /// @notice `delegate` already has (or already lacks) the delegation being set.
    error ConsentRegistryDelegateUnchanged(bytes32 subject, address delegate, bool allowed);

    /// @notice The signature's deadline has passed.
    error ConsentRegistryExpiredSignature(uint256 deadline);

    /// @notice The signature is malformed (length, `s` or `v` out of range, no signer).
    error ConsentRegistryInvalidSignature();

    /// @notice The signature commits to nonce `signed` but the subject is at `current`: the
    /// record changed since it was signed (or the signature was used or invalidated).
    error ConsentRegistryStaleSignature(bytes32 subject, uint32 current, uint32 signed);

    /// @notice A batch is empty or its arrays differ in length.
    error ConsentRegistryInvalidBatch(uint256 subjects, uint256 documentHashes);

    /**
     * @notice Item `index` (`subject`) of a batch was rejected; the whole batch reverted.
     * @param reason Selector of the error a single call would have raised for this item
     * (e.g. ConsentRegistryAlreadyActive.selector).
     */
    error ConsentRegistryBatchItemRejected(uint256 index, bytes32 subject, bytes4 reason);

    /// @notice The current consent record of `subject` at `custodian` (all zero if never granted).
    function consentOf(uint32 custodian, bytes32 subject) external view returns (Consent memory);

    /**
     * @notice Whether `subject`'s current consent at `custodian` permits a `use` (one permission
     * bit plus the attested condition bits) of data `categories` at unix time `timestamp`.
     */
    function isPermitted(uint32 custodian, bytes32 subject, uint32 use, uint32 categories, uint64 timestamp)
        external
        view
        returns (bool);

    /// @notice The key the patient signs with (address(0) if none).
    function patientKeyOf(uint32 custodian, bytes32 subject) external view returns (address);

    /// @notice Whether `account` is a registered delegate of `subject`.
    function isDelegate(uint32 custodian, bytes32 subject, address account) external view returns (bool);

    /// @notice The nonce the next signature for `subject` must commit to (see {Consent}).
    function nonceOf(uint32 custodian, bytes32 subject) external view returns (uint32);
}
