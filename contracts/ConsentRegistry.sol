// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IConsentRegistry} from "./interfaces/IConsentRegistry.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {ConsentCodes} from "./libraries/ConsentCodes.sol";
import {ConsentPacking, PackedConsent} from "./libraries/ConsentPacking.sol";

/**
 * @title ConsentRegistry
 * @notice Patients' consent to research use of their data: per subject (a keyed pseudonym,
 * never a raw identifier) the current consent in one storage slot, and who may change it.
 *
 * Who may do what (`custodian` = the hospital holding the subject's record):
 *
 * | action                                 | custodian's recorders | patient key | delegate |
 * |----------------------------------------|-----------------------|-------------|----------|
 * | first grant of a subject               | any hospital's (1)    | no          | no       |
 * | grant after revocation, update, revoke | yes                   | yes         | yes      |
 * | batchGrant, batchRevoke                | yes (1)               | no          | no       |
 * | set / replace / remove patient key     | yes                   | no          | no       |
 * | add / remove delegates                 | yes                   | yes         | no       |
 *
 * (1) A recorder of any active hospital may create a subject; its hospital becomes the
 * custodian for good. batchGrant creates new subjects the same way, and only new ones: it
 * rejects a revoked subject, so a bulk reload can never silently undo a revocation.
 *
 * The patient key and delegates act either directly (they send the transaction) or by an
 * EIP-712 signature relayed by anyone (`...BySig`); a signature is accepted from any account
 * that could make the change directly (a recorder's signature works too). Signature checks
 * are ECDSA only (no ERC-1271 contract signers).
 *
 * Rules the consent index relies on:
 * - Every change (grant, update, revocation) increments the subject's version by one, so
 *   versions are strictly increasing and gap-free per subject and (subject, version) names
 *   exactly one event. This mirrors FHIR, where revoking a Consent is a new resource version.
 * - Revocation wins: a revoked consent permits nothing from the revocation's block on and can
 *   never be updated back to active; only a new grant (a new consent document) reactivates it.
 * - `isPermitted` answers from the current record only; questions about the past are answered
 *   from the events.
 *
 * Audit: every event carries the acting account as an indexed `actor` (the signer for signed
 * calls). `tx.origin`/the transaction sender cannot serve: for relayed signatures it is the
 * relayer, and a recorder acting through a contract account (multisig) is not the sender
 * either; recovering the signer would mean re-decoding calldata and re-running ecrecover. The
 * topic costs 375 gas per event (about 1.3 % of a batch grant item) and makes "everything this
 * recorder changed" one log filter. The actor's capacity (recorder, patient key, delegate) is
 * not logged: it follows from the key and delegate events and the consortium at that block,
 * checked in the same order as the contract (recorder, then patient key, then delegate).
 *
 * EIP-712 domain: name "Custos ConsentRegistry", version "1", this chain and address. Types:
 * - `Grant(bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint256 nonce,uint256 deadline)`
 * - `Update(bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint256 nonce,uint256 deadline)`
 * - `Revoke(bytes32 subject,bytes32 documentHash,uint256 nonce,uint256 deadline)`
 * - `SetDelegate(bytes32 subject,address delegate,bool allowed,uint256 nonce,uint256 deadline)`
 * Nonces are sequential per signer (signing another message with the same nonce cancels a
 * pending one); the deadline is the last valid second.
 */
contract ConsentRegistry is IConsentRegistry, EIP712 {
    using ConsentPacking for PackedConsent;

    /// @dev EIP-712 type hashes of the signed operations (type strings in the contract NatSpec).
    bytes32 private constant _GRANT_TYPEHASH = keccak256(
        "Grant(bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _UPDATE_TYPEHASH = keccak256(
        "Update(bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _REVOKE_TYPEHASH =
        keccak256("Revoke(bytes32 subject,bytes32 documentHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant _SET_DELEGATE_TYPEHASH =
        keccak256("SetDelegate(bytes32 subject,address delegate,bool allowed,uint256 nonce,uint256 deadline)");

    /// @dev Membership: who records consent for which hospital.
    IConsortium private immutable _consortium;

    /// @dev Per subject, the current consent record in one slot.
    mapping(bytes32 subject => PackedConsent) private _consents;
    /// @dev Per subject, the key the patient signs with (address(0) = none).
    mapping(bytes32 subject => address) private _patientKeys;
    /// @dev Per subject, the accounts that may act for the patient.
    mapping(bytes32 subject => mapping(address account => bool)) private _delegates;
    /// @dev Per signer, the next EIP-712 nonce.
    mapping(address signer => uint256) private _nonces;

    /// @param consortium_ The membership contract that says who is a hospital's recorder.
    constructor(IConsortium consortium_) EIP712("Custos ConsentRegistry", "1") {
        if (address(consortium_) == address(0)) revert ConsentRegistryZeroConsortium();
        _consortium = consortium_;
    }

    // ------------------------------------------------------------------ consent changes

    /**
     * @notice Grants `subject` a consent on `terms`: a first grant, or a new grant after a
     * revocation (version + 1). A first grant must come from a recorder, whose hospital becomes
     * the custodian; later grants from the custodian's recorders, the patient key or a delegate.
     * @param subject The subject's pseudonym.
     * @param terms Purposes, categories and validity window.
     * @param documentHash Canonical hash of the signed consent document.
     */
    function grant(bytes32 subject, Terms calldata terms, bytes32 documentHash) external {
        _grant(subject, terms, documentHash, msg.sender);
    }

    /**
     * @notice {grant} by the patient key or a delegate's EIP-712 `Grant` signature, sent by anyone.
     * @param nonce The signer's next nonce (see {nonces}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function grantBySig(
        bytes32 subject,
        Terms calldata terms,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(_GRANT_TYPEHASH, subject, terms, documentHash, nonce, deadline));
        _grant(subject, terms, documentHash, _useSignature(structHash, nonce, deadline, signature));
    }

    /**
     * @notice Changes the terms of `subject`'s active consent (version + 1). By the custodian's
     * recorders, the patient key or a delegate.
     * @param subject The subject's pseudonym.
     * @param terms The new purposes, categories and validity window.
     * @param documentHash Canonical hash of the amended consent document.
     */
    function update(bytes32 subject, Terms calldata terms, bytes32 documentHash) external {
        _update(subject, terms, documentHash, msg.sender);
    }

    /**
     * @notice {update} by the patient key or a delegate's EIP-712 `Update` signature, sent by anyone.
     * @param nonce The signer's next nonce (see {nonces}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function updateBySig(
        bytes32 subject,
        Terms calldata terms,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(_UPDATE_TYPEHASH, subject, terms, documentHash, nonce, deadline));
        _update(subject, terms, documentHash, _useSignature(structHash, nonce, deadline, signature));
    }

    /**
     * @notice Revokes `subject`'s active consent from this block on (version + 1). By the
     * custodian's recorders, the patient key or a delegate.
     * @param subject The subject's pseudonym.
     * @param documentHash Canonical hash of the revocation document.
     */
    function revoke(bytes32 subject, bytes32 documentHash) external {
        _revoke(subject, documentHash, msg.sender);
    }

    /**
     * @notice {revoke} by the patient key or a delegate's EIP-712 `Revoke` signature, sent by anyone.
     * @param nonce The signer's next nonce (see {nonces}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function revokeBySig(
        bytes32 subject,
        bytes32 documentHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(_REVOKE_TYPEHASH, subject, documentHash, nonce, deadline));
        _revoke(subject, documentHash, _useSignature(structHash, nonce, deadline, signature));
    }

    /**
     * @notice Bulk load: grants every subject in `subjects` the same `terms`, each with its own
     * document hash, as {grant} would. Only recorders; new subjects get the caller's hospital as
     * custodian. Atomic: one bad item reverts the whole batch with
     * {ConsentRegistryBatchItemRejected} naming its index, subject and reason.
     * @param subjects The subjects' pseudonyms.
     * @param terms The shared purposes, categories and validity window.
     * @param documentHashes Per subject, the canonical hash of its consent document.
     */
    function batchGrant(bytes32[] calldata subjects, Terms calldata terms, bytes32[] calldata documentHashes)
        external
    {
        uint256 n = subjects.length;
        if (n == 0 || n != documentHashes.length) revert ConsentRegistryInvalidBatch(n, documentHashes.length);
        _checkTerms(terms);
        uint32 organisation = _recorderOrganisation(msg.sender);
        (uint256 index, bytes4 reason) = _grantNewSubjects(subjects, documentHashes, terms, organisation);
        if (reason != 0) _reject(index, subjects[index], reason);
    }

    /**
     * @notice Revokes every subject in `subjects`, each with its own revocation document hash,
     * as {revoke} would. Only the custodian's recorders. Atomic: one bad item reverts the whole
     * batch with {ConsentRegistryBatchItemRejected} naming its index, subject and reason.
     * @param subjects The subjects' pseudonyms.
     * @param documentHashes Per subject, the canonical hash of its revocation document.
     */
    function batchRevoke(bytes32[] calldata subjects, bytes32[] calldata documentHashes) external {
        uint256 n = subjects.length;
        if (n == 0 || n != documentHashes.length) revert ConsentRegistryInvalidBatch(n, documentHashes.length);
        uint32 checked;
        for (uint256 i; i < n; ++i) {
            bytes32 subject = subjects[i];
            bytes32 documentHash = documentHashes[i];
            if (documentHash == 0) _reject(i, subject, ConsentRegistryZeroDocumentHash.selector);
            PackedConsent current = _consents[subject];
            if (current.status() != Status.Active) _reject(i, subject, ConsentRegistryNotActive.selector);
            uint32 custodian = current.custodian();
            if (custodian != checked) {
                if (!_consortium.isRecorder(custodian, msg.sender)) {
                    _reject(i, subject, ConsentRegistryUnauthorised.selector);
                }
                checked = custodian;
            }
            uint32 version = current.version() + 1;
            _consents[subject] = current.revoked(version);
            emit ConsentRevoked(subject, custodian, msg.sender, version, documentHash);
        }
    }

    // ------------------------------------------------------------------ keys and delegates

    /**
     * @notice Registers, replaces or (with address(0)) removes the key `subject`'s patient signs
     * with. Only the custodian's recorders, after identifying the patient off chain.
     * @param subject The subject's pseudonym (must have been granted once).
     * @param key The patient's new key, or address(0).
     */
    function setPatientKey(bytes32 subject, address key) external {
        uint32 custodian = _consents[subject].custodian();
        if (custodian == 0) revert ConsentRegistryUnknownSubject(subject);
        if (!_consortium.isRecorder(custodian, msg.sender)) revert ConsentRegistryUnauthorised(subject, msg.sender);
        address previous = _patientKeys[subject];
        if (previous == key) revert ConsentRegistryPatientKeyUnchanged(subject, key);
        _patientKeys[subject] = key;
        emit PatientKeyChanged(subject, key, msg.sender, previous);
    }

    /**
     * @notice Adds (`allowed`) or removes a delegate (guardian, legal representative) who may
     * grant, update and revoke for `subject`. By the custodian's recorders or the patient key.
     * @param subject The subject's pseudonym (must have been granted once).
     * @param delegate The delegate's account.
     * @param allowed True to add, false to remove.
     */
    function setDelegate(bytes32 subject, address delegate, bool allowed) external {
        _setDelegate(subject, delegate, allowed, msg.sender);
    }

    /**
     * @notice {setDelegate} by the patient key's EIP-712 `SetDelegate` signature, sent by anyone.
     * @param nonce The signer's next nonce (see {nonces}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function setDelegateBySig(
        bytes32 subject,
        address delegate,
        bool allowed,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash =
            keccak256(abi.encode(_SET_DELEGATE_TYPEHASH, subject, delegate, allowed, nonce, deadline));
        _setDelegate(subject, delegate, allowed, _useSignature(structHash, nonce, deadline, signature));
    }

    // ------------------------------------------------------------------ views

    /// @notice The membership contract consulted for recorders.
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @inheritdoc IConsentRegistry
    function consentOf(bytes32 subject) external view returns (Consent memory) {
        return _consents[subject].unpack();
    }

    /**
     * @inheritdoc IConsentRegistry
     * @dev True iff the consent is Active, validFrom <= timestamp,
     * (validUntil == 0 or timestamp < validUntil),
     * ConsentCodes.permits(purposes, use) and ConsentCodes.coversCategories(categories, categories).
     */
    function isPermitted(bytes32 subject, uint32 use, uint32 categories, uint64 timestamp) external view returns (bool) {
        Consent memory c = _consents[subject].unpack();
        return c.status == Status.Active && c.validFrom <= timestamp
            && (c.validUntil == 0 || timestamp < c.validUntil)
            && ConsentCodes.permits(c.purposes, use) && ConsentCodes.coversCategories(c.categories, categories);
    }

    /// @notice The next nonce `signer` must sign with.
    function nonces(address signer) external view returns (uint256) {
        return _nonces[signer];
    }

    /// @inheritdoc IConsentRegistry
    function patientKeyOf(bytes32 subject) external view returns (address) {
        return _patientKeys[subject];
    }

    /// @inheritdoc IConsentRegistry
    function isDelegate(bytes32 subject, address account) external view returns (bool) {
        return _delegates[subject][account];
    }

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ internals

    /// @dev {grant} by `actor` (the sender or the recovered signer).
    function _grant(bytes32 subject, Terms calldata terms, bytes32 documentHash, address actor) private {
        _checkChange(subject, documentHash);
        _checkTerms(terms);
        PackedConsent current = _consents[subject];
        if (current.status() == Status.Active) revert ConsentRegistryAlreadyActive(subject, current.version());
        uint32 custodian = current.custodian();
        if (custodian == 0) custodian = _recorderOrganisation(actor);
        else _authorise(subject, custodian, actor);
        uint32 version = current.version() + 1;
        _consents[subject] = ConsentPacking.pack(
            terms.purposes, terms.categories, terms.validFrom, terms.validUntil, Status.Active, version, custodian
        );
        emit ConsentGranted(
            subject,
            custodian,
            actor,
            version,
            terms.purposes,
            terms.categories,
            terms.validFrom,
            terms.validUntil,
            documentHash
        );
    }

    /**
     * @dev The items of {batchGrant}: each subject gets a version-1 record of `terms` with
     * `custodian` and one {ConsentGranted} event, exactly as {grant} gives a new subject. Stops
     * at the first rejected item and returns its index and the selector of the single-call
     * error (reason 0: all granted); the caller reverts, undoing the earlier items.
     *
     * Assembly because a node executes this loop for millions of consents in a bulk load:
     * compiled Solidity spends ~430 EVM steps per item (calldata array access checks, the
     * packing library, event ABI encoding), this loop ~55 with the same state changes and
     * events. What is the same for every item is computed once: the record word (only the
     * subject's slot differs) and the event data (only the document hash differs).
     */
    function _grantNewSubjects(
        bytes32[] calldata subjects,
        bytes32[] calldata documentHashes,
        Terms calldata terms,
        uint32 custodian
    ) private returns (uint256 index, bytes4 reason) {
        uint256 record = PackedConsent.unwrap(
            ConsentPacking.pack(
                terms.purposes, terms.categories, terms.validFrom, terms.validUntil, Status.Active, 1, custodian
            )
        );
        // Event data (ABI-encoded non-indexed fields): version, purposes, categories, validFrom,
        // validUntil, documentHash; in free memory, which stays unallocated.
        uint256 data;
        {
            uint256 purposes = terms.purposes;
            uint256 categories = terms.categories;
            uint256 validFrom = terms.validFrom;
            uint256 validUntil = terms.validUntil;
            assembly ("memory-safe") {
                data := mload(0x40)
                mstore(data, 1)
                mstore(add(data, 0x20), purposes)
                mstore(add(data, 0x40), categories)
                mstore(add(data, 0x60), validFrom)
                mstore(add(data, 0x80), validUntil)
            }
        }
        bytes32 granted = ConsentGranted.selector;
        // 0: all granted; 1 zero subject, 2 zero document hash, 3 already active, 4 revoked.
        uint256 failure;
        assembly ("memory-safe") {
            let documentAt := add(data, 0xa0)
            let consents := _consents.slot
            // The ABI decoder has checked that both arrays lie within the calldata.
            for { let i := 0 } lt(i, subjects.length) { i := add(i, 1) } {
                let subject := calldataload(add(subjects.offset, shl(5, i)))
                let documentHash := calldataload(add(documentHashes.offset, shl(5, i)))
                if iszero(subject) {
                    index := i
                    failure := 1
                    break
                }
                if iszero(documentHash) {
                    index := i
                    failure := 2
                    break
                }
                // _consents[subject]: keccak256(subject ‖ slot of the mapping).
                mstore(0x00, subject)
                mstore(0x20, consents)
                let slot := keccak256(0x00, 0x40)
                // Status byte at bit 144 (ConsentPacking): 0 None, 1 Active, 2 Revoked.
                let status := and(shr(144, sload(slot)), 0xff)
                if status {
                    index := i
                    failure := add(2, status)
                    break
                }
                sstore(slot, record)
                mstore(documentAt, documentHash)
                log4(data, 0xc0, granted, subject, custodian, caller())
            }
        }
        if (failure == 1) reason = ConsentRegistryZeroSubject.selector;
        else if (failure == 2) reason = ConsentRegistryZeroDocumentHash.selector;
        else if (failure == 3) reason = ConsentRegistryAlreadyActive.selector;
        // A bulk load must never undo a patient's revocation: re-granting is a deliberate,
        // single-subject act (grant), so batches only create subjects.
        else if (failure == 4) reason = ConsentRegistryRevokedInBatch.selector;
    }

    /// @dev {update} by `actor` (the sender or the recovered signer).
    function _update(bytes32 subject, Terms calldata terms, bytes32 documentHash, address actor) private {
        _checkChange(subject, documentHash);
        _checkTerms(terms);
        PackedConsent current = _consents[subject];
        if (current.status() != Status.Active) revert ConsentRegistryNotActive(subject, current.status());
        uint32 custodian = current.custodian();
        _authorise(subject, custodian, actor);
        uint32 version = current.version() + 1;
        _consents[subject] = ConsentPacking.pack(
            terms.purposes, terms.categories, terms.validFrom, terms.validUntil, Status.Active, version, custodian
        );
        emit ConsentUpdated(
            subject,
            custodian,
            actor,
            version,
            terms.purposes,
            terms.categories,
            terms.validFrom,
            terms.validUntil,
            documentHash
        );
    }

    /// @dev {revoke} by `actor` (the sender or the recovered signer).
    function _revoke(bytes32 subject, bytes32 documentHash, address actor) private {
        _checkChange(subject, documentHash);
        PackedConsent current = _consents[subject];
        if (current.status() != Status.Active) revert ConsentRegistryNotActive(subject, current.status());
        uint32 custodian = current.custodian();
        _authorise(subject, custodian, actor);
        uint32 version = current.version() + 1;
        _consents[subject] = current.revoked(version);
        emit ConsentRevoked(subject, custodian, actor, version, documentHash);
    }

    /// @dev {setDelegate} by `actor` (the sender or the recovered signer).
    function _setDelegate(bytes32 subject, address delegate, bool allowed, address actor) private {
        uint32 custodian = _consents[subject].custodian();
        if (custodian == 0) revert ConsentRegistryUnknownSubject(subject);
        if (delegate == address(0)) revert ConsentRegistryZeroDelegate(subject);
        if (_patientKeys[subject] != actor && !_consortium.isRecorder(custodian, actor)) {
            revert ConsentRegistryUnauthorised(subject, actor);
        }
        if (_delegates[subject][delegate] == allowed) {
            revert ConsentRegistryDelegateUnchanged(subject, delegate, allowed);
        }
        _delegates[subject][delegate] = allowed;
        if (allowed) emit DelegateAdded(subject, delegate, actor);
        else emit DelegateRemoved(subject, delegate, actor);
    }

    /// @dev Reverts unless `account` is a recorder of `custodian`, the patient key or a delegate.
    function _authorise(bytes32 subject, uint32 custodian, address account) private view {
        if (_consortium.isRecorder(custodian, account)) return;
        if (_patientKeys[subject] == account || _delegates[subject][account]) return;
        revert ConsentRegistryUnauthorised(subject, account);
    }

    /// @dev The hospital `account` records consent for; reverts if it is not a recorder.
    function _recorderOrganisation(address account) private view returns (uint32 organisation) {
        organisation = _consortium.organisationOf(account);
        if (organisation == 0 || !_consortium.isRecorder(organisation, account)) {
            revert ConsentRegistryNotRecorder(account);
        }
    }

    /// @dev Checks the deadline, recovers the signer and consumes its nonce.
    function _useSignature(bytes32 structHash, uint256 nonce, uint256 deadline, bytes calldata signature)
        private
        returns (address signer)
    {
        if (block.timestamp > deadline) revert ConsentRegistryExpiredSignature(deadline);
        ECDSA.RecoverError failure;
        (signer, failure,) = ECDSA.tryRecoverCalldata(_hashTypedDataV4(structHash), signature);
        if (failure != ECDSA.RecoverError.NoError) revert ConsentRegistryInvalidSignature();
        uint256 expected = _nonces[signer];
        if (nonce != expected) revert ConsentRegistryInvalidNonce(signer, expected);
        unchecked {
            _nonces[signer] = expected + 1;
        }
    }

    /// @dev Every change names a subject and points to its document.
    function _checkChange(bytes32 subject, bytes32 documentHash) private pure {
        if (subject == 0) revert ConsentRegistryZeroSubject();
        if (documentHash == 0) revert ConsentRegistryZeroDocumentHash(subject);
    }

    /// @dev Purposes: a permission bit and only defined bits; categories: non-empty and defined;
    /// validUntil: 0 or after validFrom.
    function _checkTerms(Terms calldata terms) private pure {
        uint32 purposes = terms.purposes;
        if (
            purposes & ConsentCodes.PERMISSIONS == 0
                || purposes & ~(ConsentCodes.PERMISSIONS | ConsentCodes.CONDITIONS) != 0
        ) revert ConsentRegistryInvalidPurposes(purposes);
        uint32 categories = terms.categories;
        if (categories == 0 || categories & ~ConsentCodes.ALL_CATEGORIES != 0) {
            revert ConsentRegistryInvalidCategories(categories);
        }
        if (terms.validUntil != 0 && terms.validUntil <= terms.validFrom) {
            revert ConsentRegistryInvalidValidity(terms.validFrom, terms.validUntil);
        }
    }

    /// @dev Reverts a batch at item `index` with the selector of the single-call error.
    function _reject(uint256 index, bytes32 subject, bytes4 reason) private pure {
        revert ConsentRegistryBatchItemRejected(index, subject, reason);
    }
}
