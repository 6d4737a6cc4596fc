// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ConsentRegistry} from "../ConsentRegistry.sol";
import {IConsentRegistry} from "../interfaces/IConsentRegistry.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {ConsentCodes} from "../libraries/ConsentCodes.sol";
import {ConsentPacking, PackedConsent} from "../libraries/ConsentPacking.sol";
import {MockConsortium} from "./mocks/MockConsortium.sol";
import {CustosTest} from "./utils/Vm.sol";

contract ConsentRegistryTest is CustosTest {
    using ConsentPacking for PackedConsent;

    uint32 private constant HOSPITAL = 7;
    uint32 private constant OTHER_HOSPITAL = 8;
    uint256 private constant PATIENT_PK = 0xA11CE;
    uint256 private constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    bytes32 private constant SUBJECT = keccak256("subject");
    bytes32 private constant REVOKE_TYPEHASH =
        keccak256("Revoke(uint32 custodian,bytes32 subject,bytes32 documentHash,uint32 nonce,uint256 deadline)");
    bytes32 private constant GRANT_TYPEHASH = keccak256(
        "Grant(uint32 custodian,bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint32 nonce,uint256 deadline)"
    );
    bytes32 private constant UPDATE_TYPEHASH = keccak256(
        "Update(uint32 custodian,bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint32 nonce,uint256 deadline)"
    );
    bytes32 private constant INVALIDATE_TYPEHASH =
        keccak256("InvalidateSignatures(uint32 custodian,bytes32 subject,uint32 nonce,uint256 deadline)");

    MockConsortium private consortium;
    ConsentRegistry private registry;

    /// @dev The reference model of one subject's record.
    struct Model {
        IConsentRegistry.Status status;
        uint32 version;
        uint32 nonce;
        uint32 purposes;
        uint32 categories;
        uint40 validFrom;
        uint40 validUntil;
        /// Nonce right after the latest revocation (0: never revoked).
        uint32 revokedAtNonce;
    }

    /// @dev A signature the patient gave away and that may be relayed at any later point.
    struct Pending {
        uint8 kind;
        uint32 nonce;
        IConsentRegistry.Terms terms;
        bytes32 doc;
        bytes signature;
    }

    function setUp() public {
        vm.warp(1_800_000_000);
        consortium = new MockConsortium();
        consortium.setRole(HOSPITAL, IConsortium.Role.Hospital);
        consortium.setRole(OTHER_HOSPITAL, IConsortium.Role.Hospital);
        consortium.setRecorder(HOSPITAL, address(this), true);
        registry = new ConsentRegistry(consortium);
    }

    // ---------------------------------------------------------------- packing

    function testFuzz_packRoundTrip(
        uint32 purposes,
        uint32 categories,
        uint40 validFrom,
        uint40 validUntil,
        uint8 statusSeed,
        uint32 version,
        uint32 custodian,
        uint32 nonce
    ) public pure {
        IConsentRegistry.Status status = IConsentRegistry.Status(bound(statusSeed, 0, 2));
        PackedConsent p =
            ConsentPacking.pack(purposes, categories, validFrom, validUntil, status, version, custodian, nonce);
        IConsentRegistry.Consent memory c = p.unpack();
        assertEq(c.purposes, purposes, "purposes");
        assertEq(c.categories, categories, "categories");
        assertEq(c.validFrom, validFrom, "validFrom");
        assertEq(c.validUntil, validUntil, "validUntil");
        assertEq(uint8(c.status), uint8(status), "status");
        assertEq(c.version, version, "version");
        assertEq(c.custodian, custodian, "custodian");
        assertEq(c.nonce, nonce, "nonce");
        assertEq(uint8(p.status()), uint8(status), "status()");
        assertEq(p.version(), version, "version()");
        assertEq(p.custodian(), custodian, "custodian()");
        assertEq(p.nonce(), nonce, "nonce()");
        assertEq(PackedConsent.unwrap(p) >> 248, 0, "high bits clear");
    }

    function testFuzz_packedUpdatesTouchOnlyTheirFields(
        uint32 purposes,
        uint32 categories,
        uint40 validFrom,
        uint40 validUntil,
        uint32 version,
        uint32 custodian,
        uint32 nonce,
        uint32 newVersion,
        uint32 newNonce
    ) public pure {
        PackedConsent p = ConsentPacking.pack(
            purposes, categories, validFrom, validUntil, IConsentRegistry.Status.Active, version, custodian, nonce
        );
        assertEq(
            PackedConsent.unwrap(p.withNonce(newNonce)),
            PackedConsent.unwrap(
                ConsentPacking.pack(
                    purposes,
                    categories,
                    validFrom,
                    validUntil,
                    IConsentRegistry.Status.Active,
                    version,
                    custodian,
                    newNonce
                )
            ),
            "withNonce"
        );
        assertEq(
            PackedConsent.unwrap(p.revoked(newVersion, newNonce)),
            PackedConsent.unwrap(
                ConsentPacking.pack(
                    purposes,
                    categories,
                    validFrom,
                    validUntil,
                    IConsentRegistry.Status.Revoked,
                    newVersion,
                    custodian,
                    newNonce
                )
            ),
            "revoked"
        );
    }

    // ---------------------------------------------------------------- revoke wins

    /**
     * @dev Each byte of `ops` is one operation on one subject. Bits 0-2 the kind: 0 grant,
     * 1 update, 2 revoke (direct, by the recorder or the patient key: bit 3), 3 time passes,
     * 4 the patient signs a Grant, Update or Revoke (bits 4-5) at the current nonce and gives
     * it away (kept pending), 5 a pending signature (picked by bits 3-7) is relayed, 6 the
     * patient invalidates pending signatures (directly or by signature: bit 3), 7 the recorder
     * replaces and restores the patient key. All of it runs in one block, so every relay after
     * a revocation is a same-block race. Checked after every step against a reference model:
     * the record, isPermitted, and that no signature made before a revocation ever succeeds.
     */
    function testFuzz_revokeWinsAgainstReferenceModel(bytes calldata ops) public {
        address patient = vm.addr(PATIENT_PK);
        Model memory m;
        Pending[] memory pending = new Pending[](16);
        uint256 pendingCount;
        uint256 count = ops.length < 64 ? ops.length : 64;
        for (uint256 i; i < count; ++i) {
            uint8 op = uint8(ops[i]);
            uint8 kind = op & 7;
            if (kind == 3) {
                vm.warp(block.timestamp + 1 + uint256(op >> 3) * 1 hours);
            } else if (kind < 3) {
                _direct(m, kind, op, i, patient);
            } else if (kind == 4) {
                if (m.version == 0) continue;
                pending[pendingCount % pending.length] = _signPending(m, uint8((op >> 4) % 3), op, i);
                ++pendingCount;
            } else if (kind == 5) {
                if (pendingCount == 0) continue;
                uint256 available = pendingCount < pending.length ? pendingCount : pending.length;
                _relay(m, pending[(op >> 3) % available]);
            } else if (kind == 6) {
                if (m.version == 0) continue;
                if ((op & 8) != 0) {
                    vm.prank(patient);
                    registry.invalidateSignatures(HOSPITAL, SUBJECT);
                } else {
                    bytes memory sig = _sign(
                        PATIENT_PK,
                        keccak256(abi.encode(INVALIDATE_TYPEHASH, HOSPITAL, SUBJECT, m.nonce, block.timestamp))
                    );
                    registry.invalidateSignaturesBySig(HOSPITAL, SUBJECT, m.nonce, block.timestamp, sig);
                }
                m.nonce += 1;
            } else {
                if (m.version == 0) continue;
                registry.setPatientKey(HOSPITAL, SUBJECT, address(0xBEEF));
                registry.setPatientKey(HOSPITAL, SUBJECT, patient);
                m.nonce += 2;
            }
            _assertMatches(m);
        }
    }

    /// @dev A direct grant, update or revoke; the first grant also registers the patient key.
    function _direct(Model memory m, uint8 kind, uint8 op, uint256 i, address patient) private {
        IConsentRegistry.Terms memory t = _termsOf(op);
        bytes32 doc = keccak256(abi.encode(i, op));
        if (m.version > 0 && (op & 8) != 0) vm.prank(patient);
        bool ok;
        if (kind == 0) {
            (ok,) = address(registry).call(abi.encodeCall(ConsentRegistry.grant, (HOSPITAL, SUBJECT, t, doc)));
            assertTrue(ok == (m.status != IConsentRegistry.Status.Active), "grant iff not active");
        } else if (kind == 1) {
            (ok,) = address(registry).call(abi.encodeCall(ConsentRegistry.update, (HOSPITAL, SUBJECT, t, doc)));
            assertTrue(ok == (m.status == IConsentRegistry.Status.Active), "update iff active");
        } else {
            (ok,) = address(registry).call(abi.encodeCall(ConsentRegistry.revoke, (HOSPITAL, SUBJECT, doc)));
            assertTrue(ok == (m.status == IConsentRegistry.Status.Active), "revoke iff active");
        }
        if (!ok) return;
        bool first = m.version == 0;
        _apply(m, kind, t);
        if (first) {
            registry.setPatientKey(HOSPITAL, SUBJECT, patient);
            m.nonce += 1;
        }
    }

    /// @dev The patient signs `kind` (0 grant, 1 update, 2 revoke) at the record's nonce now.
    function _signPending(Model memory m, uint8 kind, uint8 op, uint256 i) private view returns (Pending memory p) {
        p.kind = kind;
        p.nonce = m.nonce;
        p.terms = _termsOf(uint8(op ^ 0x5a));
        p.doc = keccak256(abi.encode("pending", i, op));
        bytes32 structHash;
        if (kind == 2) {
            structHash = keccak256(abi.encode(REVOKE_TYPEHASH, HOSPITAL, SUBJECT, p.doc, p.nonce, type(uint256).max));
        } else {
            structHash = keccak256(
                abi.encode(
                    kind == 0 ? GRANT_TYPEHASH : UPDATE_TYPEHASH,
                    HOSPITAL,
                    SUBJECT,
                    p.terms.purposes,
                    p.terms.categories,
                    p.terms.validFrom,
                    p.terms.validUntil,
                    p.doc,
                    p.nonce,
                    type(uint256).max
                )
            );
        }
        p.signature = _sign(PATIENT_PK, structHash);
    }

    /// @dev Relays `p`: it must succeed exactly when the record is still at the signed nonce and
    /// the change fits the state; a stale one reverts with ConsentRegistryStaleSignature.
    function _relay(Model memory m, Pending memory p) private {
        bytes memory call;
        if (p.kind == 0) {
            call = abi.encodeCall(
                ConsentRegistry.grantBySig, (HOSPITAL, SUBJECT, p.terms, p.doc, p.nonce, type(uint256).max, p.signature)
            );
        } else if (p.kind == 1) {
            call = abi.encodeCall(
                ConsentRegistry.updateBySig, (HOSPITAL, SUBJECT, p.terms, p.doc, p.nonce, type(uint256).max, p.signature)
            );
        } else {
            call = abi.encodeCall(
                ConsentRegistry.revokeBySig, (HOSPITAL, SUBJECT, p.doc, p.nonce, type(uint256).max, p.signature)
            );
        }
        (bool ok, bytes memory returned) = address(registry).call(call);
        bool fresh = p.nonce == m.nonce;
        bool fits = p.kind == 0
            ? m.status != IConsentRegistry.Status.Active
            : m.status == IConsentRegistry.Status.Active;
        assertTrue(ok == (fresh && fits), "relay succeeds iff fresh and fitting");
        if (!fresh) {
            assertEq(
                keccak256(returned),
                keccak256(
                    abi.encodeWithSelector(
                        IConsentRegistry.ConsentRegistryStaleSignature.selector, SUBJECT, m.nonce, p.nonce
                    )
                ),
                "stale signature error"
            );
        }
        if (!ok) return;
        assertTrue(p.nonce >= m.revokedAtNonce, "a signature made before a revocation succeeded");
        _apply(m, p.kind, p.terms);
    }

    function _apply(Model memory m, uint8 kind, IConsentRegistry.Terms memory t) private pure {
        m.version += 1;
        m.nonce += 1;
        if (kind == 2) {
            m.status = IConsentRegistry.Status.Revoked;
            m.revokedAtNonce = m.nonce;
        } else {
            m.status = IConsentRegistry.Status.Active;
            (m.purposes, m.categories, m.validFrom, m.validUntil) = (t.purposes, t.categories, t.validFrom, t.validUntil);
        }
    }

    // ---------------------------------------------------------------- batch grant

    /// @dev batchGrant gives every new subject exactly what a single grant gives it: the same
    /// record and the same ConsentGranted event, in order.
    function testFuzz_batchGrantEqualsSingleGrants(uint8 countSeed, uint8 termsSeed, uint256 salt) public {
        uint256 n = bound(countSeed, 1, 24);
        IConsentRegistry.Terms memory t = _termsOf(termsSeed);
        (bytes32[] memory subjects, bytes32[] memory documents) = _batch(n, salt);
        for (uint256 i; i < n; ++i) {
            vm.expectEmit();
            emit IConsentRegistry.ConsentGranted(
                subjects[i], HOSPITAL, address(this), 1, t.purposes, t.categories, t.validFrom, t.validUntil, documents[i]
            );
        }
        registry.batchGrant(HOSPITAL, subjects, t, documents);
        ConsentRegistry single = new ConsentRegistry(consortium);
        for (uint256 i; i < n; ++i) {
            single.grant(HOSPITAL, subjects[i], t, documents[i]);
            assertEq(
                keccak256(abi.encode(registry.consentOf(HOSPITAL, subjects[i]))),
                keccak256(abi.encode(single.consentOf(HOSPITAL, subjects[i]))),
                "record"
            );
        }
    }

    /// @dev Another hospital's records under the same pseudonyms never make a batch fail: keys
    /// are (custodian, subject), so a foreign hospital cannot grief a bulk load.
    function testFuzz_batchGrantUnaffectedByOtherCustodians(uint8 countSeed, uint256 salt) public {
        uint256 n = bound(countSeed, 1, 12);
        IConsentRegistry.Terms memory t = _termsOf(0);
        (bytes32[] memory subjects, bytes32[] memory documents) = _batch(n, salt);
        address squatter = address(0x5A0A7);
        consortium.setRecorder(OTHER_HOSPITAL, squatter, true);
        vm.prank(squatter);
        registry.batchGrant(OTHER_HOSPITAL, subjects, t, documents);
        registry.batchGrant(HOSPITAL, subjects, t, documents);
        for (uint256 i; i < n; ++i) {
            assertEq(registry.consentOf(HOSPITAL, subjects[i]).custodian, HOSPITAL, "own record");
            assertEq(registry.consentOf(OTHER_HOSPITAL, subjects[i]).custodian, OTHER_HOSPITAL, "their record");
        }
    }

    /// @dev The first bad item (zero subject, zero document, active, revoked, or a duplicate
    /// of an earlier item) reverts the whole batch, named by index, subject and reason.
    function testFuzz_batchGrantRejectsTheFirstBadItem(uint8 countSeed, uint8 badSeed, uint8 kindSeed, uint256 salt)
        public
    {
        uint256 n = bound(countSeed, 2, 12);
        uint256 bad = bound(badSeed, 1, n - 1);
        uint256 kind = bound(kindSeed, 0, 4);
        IConsentRegistry.Terms memory t = _termsOf(0);
        (bytes32[] memory subjects, bytes32[] memory documents) = _batch(n, salt);
        bytes4 reason;
        if (kind == 0) {
            subjects[bad] = 0;
            reason = IConsentRegistry.ConsentRegistryZeroSubject.selector;
        } else if (kind == 1) {
            documents[bad] = 0;
            reason = IConsentRegistry.ConsentRegistryZeroDocumentHash.selector;
        } else if (kind == 2) {
            registry.grant(HOSPITAL, subjects[bad], t, documents[bad]);
            reason = IConsentRegistry.ConsentRegistryAlreadyActive.selector;
        } else if (kind == 3) {
            registry.grant(HOSPITAL, subjects[bad], t, documents[bad]);
            registry.revoke(HOSPITAL, subjects[bad], documents[bad]);
            reason = IConsentRegistry.ConsentRegistryRevokedInBatch.selector;
        } else {
            subjects[bad] = subjects[bad - 1];
            reason = IConsentRegistry.ConsentRegistryAlreadyActive.selector;
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                IConsentRegistry.ConsentRegistryBatchItemRejected.selector, bad, subjects[bad], reason
            )
        );
        registry.batchGrant(HOSPITAL, subjects, t, documents);
        // Nothing was written: the items before the bad one are still unknown.
        for (uint256 i; i < bad; ++i) {
            assertEq(registry.consentOf(HOSPITAL, subjects[i]).version, 0, "rolled back");
        }
    }

    // ---------------------------------------------------------------- EIP-712

    function testFuzz_signatureReplayRejected(uint256 privateKey, bytes32 documentHash) public {
        privateKey = bound(privateKey, 1, SECP256K1_N - 1);
        vm.assume(documentHash != 0);
        address patient = vm.addr(privateKey);
        IConsentRegistry.Terms memory t = _termsOf(0);
        registry.grant(HOSPITAL, SUBJECT, t, documentHash);
        registry.setPatientKey(HOSPITAL, SUBJECT, patient);
        uint32 nonce = registry.nonceOf(HOSPITAL, SUBJECT);
        assertEq(nonce, 2, "grant and key set");

        bytes memory revokeSig = _sign(
            privateKey,
            keccak256(abi.encode(REVOKE_TYPEHASH, HOSPITAL, SUBJECT, documentHash, nonce, block.timestamp))
        );
        registry.revokeBySig(HOSPITAL, SUBJECT, documentHash, nonce, block.timestamp, revokeSig);
        vm.expectRevert(
            abi.encodeWithSelector(IConsentRegistry.ConsentRegistryStaleSignature.selector, SUBJECT, 3, nonce)
        );
        registry.revokeBySig(HOSPITAL, SUBJECT, documentHash, nonce, block.timestamp, revokeSig);

        bytes memory grantSig = _sign(
            privateKey,
            keccak256(
                abi.encode(
                    GRANT_TYPEHASH,
                    HOSPITAL,
                    SUBJECT,
                    t.purposes,
                    t.categories,
                    t.validFrom,
                    t.validUntil,
                    documentHash,
                    uint32(3),
                    block.timestamp
                )
            )
        );
        registry.grantBySig(HOSPITAL, SUBJECT, t, documentHash, 3, block.timestamp, grantSig);
        assertEq(registry.consentOf(HOSPITAL, SUBJECT).version, 3, "re-granted");
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentRegistryStaleSignature.selector, SUBJECT, 4, 3));
        registry.grantBySig(HOSPITAL, SUBJECT, t, documentHash, 3, block.timestamp, grantSig);
    }

    // ---------------------------------------------------------------- ConsentCodes

    function testFuzz_nresPermitsEverySinglePurpose(uint8 purposeIndex, uint32 attested) public pure {
        uint32 use = uint32(1 << bound(purposeIndex, 0, 5)) | (attested & ConsentCodes.CONDITIONS);
        assertTrue(ConsentCodes.permits(ConsentCodes.NRES, use), "NRES permits any single purpose");
    }

    function testFuzz_addingAConditionNeverTurnsDenyIntoPermit(uint32 consent, uint32 use, uint8 conditionIndex)
        public
        pure
    {
        uint32 condition = uint32(1 << bound(conditionIndex, 8, 21));
        if (!ConsentCodes.permits(consent, use)) {
            assertTrue(!ConsentCodes.permits(consent | condition, use), "condition turned deny into permit");
        }
    }

    function testFuzz_attestingMoreNeverTurnsPermitIntoDeny(uint32 consent, uint32 use, uint8 conditionIndex)
        public
        pure
    {
        uint32 condition = uint32(1 << bound(conditionIndex, 8, 21));
        if (ConsentCodes.permits(consent, use)) {
            assertTrue(ConsentCodes.permits(consent, use | condition), "attestation turned permit into deny");
        }
    }

    function testFuzz_permitsNeedsExactlyOnePurpose(uint32 consent, uint32 use) public pure {
        uint32 purposes = use & ConsentCodes.PERMISSIONS;
        if (purposes == 0 || (purposes & (purposes - 1)) != 0) {
            assertTrue(!ConsentCodes.permits(consent, use), "zero or several purposes permitted");
        }
    }

    function testFuzz_coversCategoriesIsSubset(uint32 consented, uint32 requested) public pure {
        assertTrue(
            ConsentCodes.coversCategories(consented, requested) == (requested != 0 && requested & consented == requested),
            "subset"
        );
    }

    // ---------------------------------------------------------------- helpers

    function _batch(uint256 n, uint256 salt)
        private
        pure
        returns (bytes32[] memory subjects, bytes32[] memory documents)
    {
        subjects = new bytes32[](n);
        documents = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            subjects[i] = keccak256(abi.encode("subject", salt, i));
            documents[i] = keccak256(abi.encode("document", salt, i));
        }
    }

    function _termsOf(uint8 op) private view returns (IConsentRegistry.Terms memory t) {
        t.purposes = uint32(1 << ((op >> 3) % 6)) | ConsentCodes.NCU;
        t.categories = uint32(op) % ConsentCodes.ALL_CATEGORIES + 1;
        t.validFrom = uint40(block.timestamp - 1 days);
        t.validUntil = (op & 64) != 0 ? 0 : uint40(block.timestamp + 2 days);
    }

    function _assertMatches(Model memory m) private view {
        IConsentRegistry.Consent memory c = registry.consentOf(HOSPITAL, SUBJECT);
        assertEq(uint8(c.status), uint8(m.status), "status");
        assertEq(c.version, m.version, "version");
        assertEq(c.nonce, m.nonce, "nonce");
        if (m.version == 0) return;
        assertEq(c.custodian, HOSPITAL, "custodian");
        assertEq(c.purposes, m.purposes, "purposes");
        assertEq(c.categories, m.categories, "categories");
        assertEq(c.validFrom, m.validFrom, "validFrom");
        assertEq(c.validUntil, m.validUntil, "validUntil");
        uint32 use = (m.purposes & ConsentCodes.PERMISSIONS) | ConsentCodes.NCU;
        bool inWindow =
            m.validFrom <= block.timestamp && (m.validUntil == 0 || block.timestamp < m.validUntil);
        assertTrue(
            registry.isPermitted(HOSPITAL, SUBJECT, use, m.categories, uint64(block.timestamp))
                == (m.status == IConsentRegistry.Status.Active && inWindow),
            "isPermitted matches model (revoked never permits)"
        );
        if (m.status == IConsentRegistry.Status.Revoked) {
            assertTrue(!registry.isPermitted(HOSPITAL, SUBJECT, use, m.categories, m.validFrom), "revoked permits the past");
        }
    }

    function _sign(uint256 privateKey, bytes32 structHash) private view returns (bytes memory) {
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", registry.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }
}
