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
 * @notice Patients' consent to research use of their data: per subject the current consent in
 * one storage slot, and who may change it.
 *
 * Records are keyed by (custodian, subject): the custodian is the hospital (organisation id)
 * holding the patient's record, the subject the pseudonym that hospital derives with its own
 * secret key. Only the custodian's recorders create records under its id, so no hospital can
 * take another hospital's patient, and one hospital's batch can never collide with another's.
 *
 * Who may do what for a record of `custodian`:
 *
 * | action                                   | custodian's recorders | patient key | delegate |
 * |------------------------------------------|-----------------------|-------------|----------|
 * | first grant                              | yes                   | no          | no       |
 * | grant after revocation, update, revoke   | yes                   | yes         | yes      |
 * | batchGrant (new only), batchRevoke       | yes                   | no          | no       |
 * | set / replace / remove patient key       | yes                   | no          | no       |
 * | add / remove delegates                   | yes                   | yes         | no       |
 * | invalidate pending signatures            | yes                   | yes         | yes      |
 * | move to another custodian                | governance only (transferSubjects)          |
 *
 * The patient key and delegates act either directly (they send the transaction) or by an
 * EIP-712 signature relayed by anyone (`...BySig`); a signature is accepted from any account
 * that could make the change directly. Signature checks are ECDSA only (no ERC-1271).
 *
 * Signatures and nonces. Every record has a nonce: the number of changes of any kind made to it
 * (grant, update, revocation, patient key, delegate, invalidation, transfer). Every signed
 * message commits to the nonce the record had when it was signed and is accepted only while the
 * record still has it. So a signature is used at most once, and any change of the record -
 * above all a revocation - invalidates every signature made before it: a Grant or Update signed
 * earlier and held back can never resurrect or broaden a consent that was revoked or narrowed
 * since, even when it is relayed in the same block right after the revocation. A patient or
 * delegate who wants to withdraw a signature they gave away, without changing anything else,
 * moves the nonce on with {invalidateSignatures} (or its signed form), in any state of the
 * record. Nonces are per record, not per signer: a withheld signature for one subject never
 * blocks a signer's signatures for other subjects.
 *
 * Rules the consent index relies on:
 * - Every consent change (grant, update, revocation) increments the record's version by one, so
 *   versions are strictly increasing and gap-free per record and (custodian, subject, version)
 *   names exactly one event. This mirrors FHIR, where revoking a Consent is a new version.
 * - Revocation wins: a revoked consent permits nothing from the revocation's block on and can
 *   never be updated back to active; only a new grant (a new consent document) reactivates it,
 *   and never one signed before the revocation.
 * - `isPermitted` answers from the current record only; questions about the past are answered
 *   from the events.
 *
 * Audit: every event carries the acting account as `actor` (the signer for signed calls, the
 * Consortium contract for transfers). `tx.origin`/the sender cannot serve: for relayed
 * signatures it is the relayer.
 *
 * EIP-712 domain: name "Custos ConsentRegistry", version "2", this chain and address. Types:
 * - `Grant(uint32 custodian,bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint32 nonce,uint256 deadline)`
 * - `Update(uint32 custodian,bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint32 nonce,uint256 deadline)`
 * - `Revoke(uint32 custodian,bytes32 subject,bytes32 documentHash,uint32 nonce,uint256 deadline)`
 * - `SetDelegate(uint32 custodian,bytes32 subject,address delegate,bool allowed,uint32 nonce,uint256 deadline)`
 * - `InvalidateSignatures(uint32 custodian,bytes32 subject,uint32 nonce,uint256 deadline)`
 * The deadline is the last valid second.
 */
contract ConsentRegistry is IConsentRegistry, EIP712 {
    using ConsentPacking for PackedConsent;

    /// @dev EIP-712 type hashes of the signed operations (type strings in the contract NatSpec).
    bytes32 private constant _GRANT_TYPEHASH = keccak256(
        "Grant(uint32 custodian,bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint32 nonce,uint256 deadline)"
    );
    bytes32 private constant _UPDATE_TYPEHASH = keccak256(
        "Update(uint32 custodian,bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint32 nonce,uint256 deadline)"
    );
    bytes32 private constant _REVOKE_TYPEHASH = keccak256(
        "Revoke(uint32 custodian,bytes32 subject,bytes32 documentHash,uint32 nonce,uint256 deadline)"
    );
    bytes32 private constant _SET_DELEGATE_TYPEHASH = keccak256(
        "SetDelegate(uint32 custodian,bytes32 subject,address delegate,bool allowed,uint32 nonce,uint256 deadline)"
    );
    bytes32 private constant _INVALIDATE_TYPEHASH =
        keccak256("InvalidateSignatures(uint32 custodian,bytes32 subject,uint32 nonce,uint256 deadline)");

    /// @dev Membership: who records consent for which hospital; the governance caller.
    IConsortium private immutable _consortium;

    /// @dev Per custodian and subject, the current consent record in one slot.
    mapping(uint32 custodian => mapping(bytes32 subject => PackedConsent)) private _consents;
    /// @dev Per record, the key the patient signs with (address(0) = none).
    mapping(uint32 custodian => mapping(bytes32 subject => address)) private _patientKeys;
    /// @dev Per record, the accounts that may act for the patient.
    mapping(uint32 custodian => mapping(bytes32 subject => mapping(address account => bool))) private _delegates;

    /// @param consortium_ The membership contract that says who is a hospital's recorder.
    constructor(IConsortium consortium_) EIP712("Custos ConsentRegistry", "2") {
        if (address(consortium_) == address(0)) revert ConsentRegistryZeroConsortium();
        _consortium = consortium_;
    }

    // ------------------------------------------------------------------ consent changes

    /**
     * @notice Grants `subject` at `custodian` a consent on `terms`: a first grant (by the
     * custodian's recorders only), or a new grant after a revocation (by its recorders, the
     * patient key or a delegate). Version + 1.
     * @param custodian The custodian hospital's organisation id.
     * @param subject The subject's pseudonym (derived with the custodian's key).
     * @param terms Purposes, categories and validity window.
     * @param documentHash Canonical hash of the signed consent document.
     */
    function grant(uint32 custodian, bytes32 subject, Terms calldata terms, bytes32 documentHash) external {
        _grant(custodian, subject, terms, documentHash, msg.sender);
    }

    /**
     * @notice {grant} by the patient key or a delegate's EIP-712 `Grant` signature, sent by anyone.
     * @param nonce The record's nonce the signature commits to (see {nonceOf}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function grantBySig(
        uint32 custodian,
        bytes32 subject,
        Terms calldata terms,
        bytes32 documentHash,
        uint32 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash =
            keccak256(abi.encode(_GRANT_TYPEHASH, custodian, subject, terms, documentHash, nonce, deadline));
        _grant(custodian, subject, terms, documentHash, _signer(custodian, subject, structHash, nonce, deadline, signature));
    }

    /**
     * @notice Changes the terms of an active consent (version + 1). By the custodian's
     * recorders, the patient key or a delegate.
     * @param custodian The custodian hospital's organisation id.
     * @param subject The subject's pseudonym.
     * @param terms The new purposes, categories and validity window.
     * @param documentHash Canonical hash of the amended consent document.
     */
    function update(uint32 custodian, bytes32 subject, Terms calldata terms, bytes32 documentHash) external {
        _update(custodian, subject, terms, documentHash, msg.sender);
    }

    /**
     * @notice {update} by the patient key or a delegate's EIP-712 `Update` signature, sent by anyone.
     * @param nonce The record's nonce the signature commits to (see {nonceOf}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function updateBySig(
        uint32 custodian,
        bytes32 subject,
        Terms calldata terms,
        bytes32 documentHash,
        uint32 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash =
            keccak256(abi.encode(_UPDATE_TYPEHASH, custodian, subject, terms, documentHash, nonce, deadline));
        _update(custodian, subject, terms, documentHash, _signer(custodian, subject, structHash, nonce, deadline, signature));
    }

    /**
     * @notice Revokes an active consent from this block on (version + 1). By the custodian's
     * recorders, the patient key or a delegate.
     * @param custodian The custodian hospital's organisation id.
     * @param subject The subject's pseudonym.
     * @param documentHash Canonical hash of the revocation document.
     */
    function revoke(uint32 custodian, bytes32 subject, bytes32 documentHash) external {
        _revoke(custodian, subject, documentHash, msg.sender);
    }

    /**
     * @notice {revoke} by the patient key or a delegate's EIP-712 `Revoke` signature, sent by anyone.
     * @param nonce The record's nonce the signature commits to (see {nonceOf}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function revokeBySig(
        uint32 custodian,
        bytes32 subject,
        bytes32 documentHash,
        uint32 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(_REVOKE_TYPEHASH, custodian, subject, documentHash, nonce, deadline));
        _revoke(custodian, subject, documentHash, _signer(custodian, subject, structHash, nonce, deadline, signature));
    }

    /**
     * @notice Bulk load: grants every subject in `subjects` (new records of `custodian`) the same
     * `terms`, each with its own document hash, as {grant} would. Only the custodian's recorders.
     * Atomic: one bad item reverts the whole batch with {ConsentRegistryBatchItemRejected} naming
     * its index, subject and reason. Other hospitals cannot write under `custodian`, so only the
     * custodian's own data can make an item fail.
     * @param custodian The custodian hospital's organisation id.
     * @param subjects The subjects' pseudonyms.
     * @param terms The shared purposes, categories and validity window.
     * @param documentHashes Per subject, the canonical hash of its consent document.
     */
    function batchGrant(
        uint32 custodian,
        bytes32[] calldata subjects,
        Terms calldata terms,
        bytes32[] calldata documentHashes
    ) external {
        uint256 n = subjects.length;
        if (n == 0 || n != documentHashes.length) revert ConsentRegistryInvalidBatch(n, documentHashes.length);
        _checkTerms(terms);
        _checkRecorder(custodian, msg.sender);
        (uint256 index, bytes4 reason) = _grantNewSubjects(subjects, documentHashes, terms, custodian);
        if (reason != 0) _reject(index, subjects[index], reason);
    }

    /**
     * @notice Revokes every subject in `subjects` at `custodian`, each with its own revocation
     * document hash, as {revoke} would. Only the custodian's recorders. Atomic: one bad item
     * reverts the whole batch with {ConsentRegistryBatchItemRejected}.
     * @param custodian The custodian hospital's organisation id.
     * @param subjects The subjects' pseudonyms.
     * @param documentHashes Per subject, the canonical hash of its revocation document.
     */
    function batchRevoke(uint32 custodian, bytes32[] calldata subjects, bytes32[] calldata documentHashes) external {
        uint256 n = subjects.length;
        if (n == 0 || n != documentHashes.length) revert ConsentRegistryInvalidBatch(n, documentHashes.length);
        _checkRecorder(custodian, msg.sender);
        mapping(bytes32 => PackedConsent) storage records = _consents[custodian];
        for (uint256 i; i < n; ++i) {
            bytes32 subject = subjects[i];
            bytes32 documentHash = documentHashes[i];
            if (documentHash == 0) _reject(i, subject, ConsentRegistryZeroDocumentHash.selector);
            PackedConsent current = records[subject];
            if (current.status() != Status.Active) _reject(i, subject, ConsentRegistryNotActive.selector);
            uint32 version = current.version() + 1;
            records[subject] = current.revoked(version, current.nonce() + 1);
            emit ConsentRevoked(subject, custodian, msg.sender, version, documentHash);
        }
    }

    /**
     * @notice Moves active consents to another custodian, e.g. for patients who changed hospital
     * or whose hospital was expelled. Only the Consortium contract, i.e. an executed Call
     * proposal voted by the hospitals. Per item, the record (`fromCustodian`,
     * `fromSubjects[i]`) is revoked and (`toCustodian`, `toSubjects[i]`) granted on the same
     * terms as version 1 with the patient key carried over (delegates are not: the new
     * custodian registers them again). An item that cannot move (not active any more, a zero
     * pseudonym, or a target record that exists) is skipped with {SubjectTransferSkipped}, so a
     * patient's revocation between proposal and execution never blocks the others.
     * @param fromCustodian The old custodian (may be a removed hospital).
     * @param toCustodian The new custodian: an active hospital.
     * @param fromSubjects The pseudonyms at the old custodian.
     * @param toSubjects The pseudonyms the new custodian derived for the same patients.
     * @param documentHash Hash of the transfer decision (the governance record).
     */
    function transferSubjects(
        uint32 fromCustodian,
        uint32 toCustodian,
        bytes32[] calldata fromSubjects,
        bytes32[] calldata toSubjects,
        bytes32 documentHash
    ) external {
        if (msg.sender != address(_consortium)) revert ConsentRegistryNotConsortium(msg.sender);
        uint256 n = fromSubjects.length;
        if (n == 0 || n != toSubjects.length) revert ConsentRegistryInvalidBatch(n, toSubjects.length);
        if (documentHash == 0) revert ConsentRegistryZeroDocumentHash(fromSubjects[0]);
        if (_consortium.roleOf(toCustodian) != IConsortium.Role.Hospital) revert ConsentRegistryNotHospital(toCustodian);
        for (uint256 i; i < n; ++i) {
            _transfer(fromCustodian, toCustodian, fromSubjects[i], toSubjects[i], documentHash);
        }
    }

    // ------------------------------------------------------------------ keys, delegates, nonces

    /**
     * @notice Registers, replaces or (with address(0)) removes the key `subject`'s patient signs
     * with. Only the custodian's recorders, after identifying the patient off chain.
     * @param custodian The custodian hospital's organisation id.
     * @param subject The subject's pseudonym (must have been granted once).
     * @param key The patient's new key, or address(0).
     */
    function setPatientKey(uint32 custodian, bytes32 subject, address key) external {
        PackedConsent current = _known(custodian, subject);
        _checkRecorder(custodian, msg.sender);
        address previous = _patientKeys[custodian][subject];
        if (previous == key) revert ConsentRegistryPatientKeyUnchanged(subject, key);
        _patientKeys[custodian][subject] = key;
        _consents[custodian][subject] = current.withNonce(current.nonce() + 1);
        emit PatientKeyChanged(subject, custodian, key, msg.sender, previous);
    }

    /**
     * @notice Adds (`allowed`) or removes a delegate (guardian, legal representative) who may
     * grant, update and revoke for `subject`. By the custodian's recorders or the patient key.
     * @param custodian The custodian hospital's organisation id.
     * @param subject The subject's pseudonym (must have been granted once).
     * @param delegate The delegate's account.
     * @param allowed True to add, false to remove.
     */
    function setDelegate(uint32 custodian, bytes32 subject, address delegate, bool allowed) external {
        _setDelegate(custodian, subject, delegate, allowed, msg.sender);
    }

    /**
     * @notice {setDelegate} by the patient key's EIP-712 `SetDelegate` signature, sent by anyone.
     * @param nonce The record's nonce the signature commits to (see {nonceOf}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function setDelegateBySig(
        uint32 custodian,
        bytes32 subject,
        address delegate,
        bool allowed,
        uint32 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash =
            keccak256(abi.encode(_SET_DELEGATE_TYPEHASH, custodian, subject, delegate, allowed, nonce, deadline));
        _setDelegate(custodian, subject, delegate, allowed, _signer(custodian, subject, structHash, nonce, deadline, signature));
    }

    /**
     * @notice Invalidates every signature made so far for `subject` (moves its nonce on) without
     * changing anything else, in any state of the record: how a patient or delegate withdraws a
     * signature given to a relayer. By the custodian's recorders, the patient key or a delegate.
     * @param custodian The custodian hospital's organisation id.
     * @param subject The subject's pseudonym (must have been granted once).
     */
    function invalidateSignatures(uint32 custodian, bytes32 subject) external {
        _invalidate(custodian, subject, msg.sender);
    }

    /**
     * @notice {invalidateSignatures} by an EIP-712 `InvalidateSignatures` signature, sent by
     * anyone (a patient key need not hold funds or be a member to withdraw its signatures).
     * @param nonce The record's nonce the signature commits to (see {nonceOf}).
     * @param deadline Last second the signature is valid.
     * @param signature 65-byte ECDSA signature over the typed data.
     */
    function invalidateSignaturesBySig(
        uint32 custodian,
        bytes32 subject,
        uint32 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(_INVALIDATE_TYPEHASH, custodian, subject, nonce, deadline));
        _invalidate(custodian, subject, _signer(custodian, subject, structHash, nonce, deadline, signature));
    }

    // ------------------------------------------------------------------ views

    /// @notice The membership contract consulted for recorders; also the governance caller.
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @inheritdoc IConsentRegistry
    function consentOf(uint32 custodian, bytes32 subject) external view returns (Consent memory) {
        return _consents[custodian][subject].unpack();
    }

    /**
     * @inheritdoc IConsentRegistry
     * @dev True iff the consent is Active, validFrom <= timestamp,
     * (validUntil == 0 or timestamp < validUntil),
     * ConsentCodes.permits(purposes, use) and ConsentCodes.coversCategories(categories, categories).
     */
    function isPermitted(uint32 custodian, bytes32 subject, uint32 use, uint32 categories, uint64 timestamp)
        external
        view
        returns (bool)
    {
        Consent memory c = _consents[custodian][subject].unpack();
        return c.status == Status.Active && c.validFrom <= timestamp
            && (c.validUntil == 0 || timestamp < c.validUntil)
            && ConsentCodes.permits(c.purposes, use) && ConsentCodes.coversCategories(c.categories, categories);
    }

    /// @inheritdoc IConsentRegistry
    function nonceOf(uint32 custodian, bytes32 subject) external view returns (uint32) {
        return _consents[custodian][subject].nonce();
    }

    /// @inheritdoc IConsentRegistry
    function patientKeyOf(uint32 custodian, bytes32 subject) external view returns (address) {
        return _patientKeys[custodian][subject];
    }

    /// @inheritdoc IConsentRegistry
    function isDelegate(uint32 custodian, bytes32 subject, address account) external view returns (bool) {
        return _delegates[custodian][subject][account];
    }

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------ internals

    /// @dev {grant} by `actor` (the sender or the recovered signer).
    function _grant(uint32 custodian, bytes32 subject, Terms calldata terms, bytes32 documentHash, address actor)
        private
    {
        _checkChange(subject, documentHash);
        _checkTerms(terms);
        PackedConsent current = _consents[custodian][subject];
        Status status = current.status();
        if (status == Status.Active) revert ConsentRegistryAlreadyActive(subject, current.version());
        if (status == Status.None) _checkRecorder(custodian, actor);
        else _authorise(custodian, subject, actor);
        uint32 version = current.version() + 1;
        _consents[custodian][subject] = ConsentPacking.pack(
            terms.purposes,
            terms.categories,
            terms.validFrom,
            terms.validUntil,
            Status.Active,
            version,
            custodian,
            current.nonce() + 1
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
     * @dev The items of {batchGrant}: each subject gets a version-1 record of `terms` (nonce 1)
     * and one {ConsentGranted} event, exactly as {grant} gives a new subject. Stops at the first
     * rejected item and returns its index and the selector of the single-call error (reason 0:
     * all granted); the caller reverts, undoing the earlier items.
     *
     * Assembly because a node executes this loop for millions of consents in a bulk load:
     * compiled Solidity spends ~430 EVM steps per item (calldata array access checks, the
     * packing library, event ABI encoding), this loop ~55 with the same state changes and
     * events. What is the same for every item is computed once: the record word, the
     * custodian's inner mapping slot and the event data (only the document hash differs).
     * The event data lives in memory allocated through the free-memory pointer, so both blocks
     * are memory-safe in the strict sense and stay correct under the via-IR pipeline.
     */
    function _grantNewSubjects(
        bytes32[] calldata subjects,
        bytes32[] calldata documentHashes,
        Terms calldata terms,
        uint32 custodian
    ) private returns (uint256 index, bytes4 reason) {
        uint256 record = PackedConsent.unwrap(
            ConsentPacking.pack(
                terms.purposes, terms.categories, terms.validFrom, terms.validUntil, Status.Active, 1, custodian, 1
            )
        );
        // Event data (ABI-encoded non-indexed fields): version, purposes, categories, validFrom,
        // validUntil, documentHash: six words, allocated.
        uint256 data;
        {
            uint256 purposes = terms.purposes;
            uint256 categories = terms.categories;
            uint256 validFrom = terms.validFrom;
            uint256 validUntil = terms.validUntil;
            assembly ("memory-safe") {
                data := mload(0x40)
                mstore(0x40, add(data, 0xc0))
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
            // _consents[custodian]: keccak256(custodian ‖ slot of the outer mapping), once.
            mstore(0x00, custodian)
            mstore(0x20, _consents.slot)
            let records := keccak256(0x00, 0x40)
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
                // _consents[custodian][subject]: keccak256(subject ‖ records).
                mstore(0x00, subject)
                mstore(0x20, records)
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
    function _update(uint32 custodian, bytes32 subject, Terms calldata terms, bytes32 documentHash, address actor)
        private
    {
        _checkChange(subject, documentHash);
        _checkTerms(terms);
        PackedConsent current = _consents[custodian][subject];
        if (current.status() != Status.Active) revert ConsentRegistryNotActive(subject, current.status());
        _authorise(custodian, subject, actor);
        uint32 version = current.version() + 1;
        _consents[custodian][subject] = ConsentPacking.pack(
            terms.purposes,
            terms.categories,
            terms.validFrom,
            terms.validUntil,
            Status.Active,
            version,
            custodian,
            current.nonce() + 1
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
    function _revoke(uint32 custodian, bytes32 subject, bytes32 documentHash, address actor) private {
        _checkChange(subject, documentHash);
        PackedConsent current = _consents[custodian][subject];
        if (current.status() != Status.Active) revert ConsentRegistryNotActive(subject, current.status());
        _authorise(custodian, subject, actor);
        uint32 version = current.version() + 1;
        _consents[custodian][subject] = current.revoked(version, current.nonce() + 1);
        emit ConsentRevoked(subject, custodian, actor, version, documentHash);
    }

    /// @dev One item of {transferSubjects}; skips (with an event) what cannot move.
    function _transfer(
        uint32 fromCustodian,
        uint32 toCustodian,
        bytes32 fromSubject,
        bytes32 toSubject,
        bytes32 documentHash
    ) private {
        PackedConsent current = _consents[fromCustodian][fromSubject];
        bytes4 skip;
        if (current.status() != Status.Active) skip = ConsentRegistryNotActive.selector;
        else if (toSubject == 0) skip = ConsentRegistryZeroSubject.selector;
        else if (_consents[toCustodian][toSubject].status() != Status.None) skip = ConsentRegistryTargetExists.selector;
        if (skip != 0) {
            emit SubjectTransferSkipped(fromSubject, fromCustodian, toCustodian, toSubject, skip);
            return;
        }
        address actor = msg.sender;
        uint32 version = current.version() + 1;
        _consents[fromCustodian][fromSubject] = current.revoked(version, current.nonce() + 1);
        emit ConsentRevoked(fromSubject, fromCustodian, actor, version, documentHash);
        Consent memory c = current.unpack();
        _consents[toCustodian][toSubject] = ConsentPacking.pack(
            c.purposes, c.categories, c.validFrom, c.validUntil, Status.Active, 1, toCustodian, 1
        );
        emit ConsentGranted(
            toSubject, toCustodian, actor, 1, c.purposes, c.categories, c.validFrom, c.validUntil, documentHash
        );
        address key = _patientKeys[fromCustodian][fromSubject];
        if (key != address(0)) {
            _patientKeys[toCustodian][toSubject] = key;
            emit PatientKeyChanged(toSubject, toCustodian, key, actor, address(0));
        }
        emit SubjectTransferred(fromSubject, fromCustodian, toCustodian, toSubject);
    }

    /// @dev {setDelegate} by `actor` (the sender or the recovered signer).
    function _setDelegate(uint32 custodian, bytes32 subject, address delegate, bool allowed, address actor) private {
        PackedConsent current = _known(custodian, subject);
        if (delegate == address(0)) revert ConsentRegistryZeroDelegate(subject);
        if (_patientKeys[custodian][subject] != actor && !_consortium.isRecorder(custodian, actor)) {
            revert ConsentRegistryUnauthorised(subject, actor);
        }
        mapping(address => bool) storage delegates = _delegates[custodian][subject];
        if (delegates[delegate] == allowed) revert ConsentRegistryDelegateUnchanged(subject, delegate, allowed);
        delegates[delegate] = allowed;
        _consents[custodian][subject] = current.withNonce(current.nonce() + 1);
        if (allowed) emit DelegateAdded(subject, custodian, delegate, actor);
        else emit DelegateRemoved(subject, custodian, delegate, actor);
    }

    /// @dev {invalidateSignatures} by `actor` (the sender or the recovered signer).
    function _invalidate(uint32 custodian, bytes32 subject, address actor) private {
        PackedConsent current = _known(custodian, subject);
        _authorise(custodian, subject, actor);
        uint32 nonce = current.nonce() + 1;
        _consents[custodian][subject] = current.withNonce(nonce);
        emit SignaturesInvalidated(subject, custodian, actor, nonce);
    }

    /// @dev The record of a subject granted at least once, else ConsentRegistryUnknownSubject.
    function _known(uint32 custodian, bytes32 subject) private view returns (PackedConsent current) {
        current = _consents[custodian][subject];
        if (current.status() == Status.None) revert ConsentRegistryUnknownSubject(subject);
    }

    /// @dev Reverts unless `account` is a recorder of `custodian`, the patient key or a delegate.
    function _authorise(uint32 custodian, bytes32 subject, address account) private view {
        if (_consortium.isRecorder(custodian, account)) return;
        if (_patientKeys[custodian][subject] == account || _delegates[custodian][subject][account]) return;
        revert ConsentRegistryUnauthorised(subject, account);
    }

    /// @dev Reverts unless `account` is a consent recorder of the active hospital `custodian`.
    function _checkRecorder(uint32 custodian, address account) private view {
        if (!_consortium.isRecorder(custodian, account)) revert ConsentRegistryNotRecorder(custodian, account);
    }

    /**
     * @dev Checks the deadline and that the signature commits to the record's current nonce,
     * then recovers the signer. The caller's change moves the nonce on, so the signature cannot
     * be used again.
     */
    function _signer(
        uint32 custodian,
        bytes32 subject,
        bytes32 structHash,
        uint32 nonce,
        uint256 deadline,
        bytes calldata signature
    ) private view returns (address signer) {
        if (block.timestamp > deadline) revert ConsentRegistryExpiredSignature(deadline);
        uint32 current = _consents[custodian][subject].nonce();
        if (nonce != current) revert ConsentRegistryStaleSignature(subject, current, nonce);
        ECDSA.RecoverError failure;
        (signer, failure,) = ECDSA.tryRecoverCalldata(_hashTypedDataV4(structHash), signature);
        if (failure != ECDSA.RecoverError.NoError) revert ConsentRegistryInvalidSignature();
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
