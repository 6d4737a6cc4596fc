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
    uint256 private constant PATIENT_PK = 0xA11CE;
    uint256 private constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    bytes32 private constant SUBJECT = keccak256("subject");
    bytes32 private constant REVOKE_TYPEHASH =
        keccak256("Revoke(bytes32 subject,bytes32 documentHash,uint256 nonce,uint256 deadline)");
    bytes32 private constant GRANT_TYPEHASH = keccak256(
        "Grant(bytes32 subject,uint32 purposes,uint32 categories,uint40 validFrom,uint40 validUntil,bytes32 documentHash,uint256 nonce,uint256 deadline)"
    );

    MockConsortium private consortium;
    ConsentRegistry private registry;

    /// @dev The reference model of one subject's record.
    struct Model {
        IConsentRegistry.Status status;
        uint32 version;
        uint32 purposes;
        uint32 categories;
        uint40 validFrom;
        uint40 validUntil;
    }

    function setUp() public {
        vm.warp(1_800_000_000);
        consortium = new MockConsortium();
        consortium.setMember(address(this), HOSPITAL, IConsortium.Role.Hospital);
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
        uint32 custodian
    ) public pure {
        IConsentRegistry.Status status = IConsentRegistry.Status(bound(statusSeed, 0, 2));
        PackedConsent p =
            ConsentPacking.pack(purposes, categories, validFrom, validUntil, status, version, custodian);
        IConsentRegistry.Consent memory c = p.unpack();
        assertEq(c.purposes, purposes, "purposes");
        assertEq(c.categories, categories, "categories");
        assertEq(c.validFrom, validFrom, "validFrom");
        assertEq(c.validUntil, validUntil, "validUntil");
        assertEq(uint8(c.status), uint8(status), "status");
        assertEq(c.version, version, "version");
        assertEq(c.custodian, custodian, "custodian");
        assertEq(uint8(p.status()), uint8(status), "status()");
        assertEq(p.version(), version, "version()");
        assertEq(p.custodian(), custodian, "custodian()");
        assertEq(PackedConsent.unwrap(p) >> 216, 0, "high bits clear");
    }

    function testFuzz_packedUpdatesTouchOnlyTheirFields(
        uint32 purposes,
        uint32 categories,
        uint40 validFrom,
        uint40 validUntil,
        uint32 version,
        uint32 custodian,
        uint32 newVersion,
        uint32 newCustodian
    ) public pure {
        PackedConsent p = ConsentPacking.pack(
            purposes, categories, validFrom, validUntil, IConsentRegistry.Status.Active, version, custodian
        );
        PackedConsent stamped = p.withVersionAndCustodian(newVersion, newCustodian);
        assertEq(
            PackedConsent.unwrap(stamped),
            PackedConsent.unwrap(
                ConsentPacking.pack(
                    purposes,
                    categories,
                    validFrom,
                    validUntil,
                    IConsentRegistry.Status.Active,
                    newVersion,
                    newCustodian
                )
            ),
            "withVersionAndCustodian"
        );
        PackedConsent revoked = p.revoked(newVersion);
        assertEq(
            PackedConsent.unwrap(revoked),
            PackedConsent.unwrap(
                ConsentPacking.pack(
                    purposes,
                    categories,
                    validFrom,
                    validUntil,
                    IConsentRegistry.Status.Revoked,
                    newVersion,
                    custodian
                )
            ),
            "revoked"
        );
    }

    // ---------------------------------------------------------------- revoke wins

    /// @dev Each byte of `ops` is one operation: bits 0-1 the kind (grant, update, revoke,
    /// time passes), bit 2 the actor (recorder or patient key), bits 3-5 the purpose, bit 6 open-ended.
    function testFuzz_revokeWinsAgainstReferenceModel(bytes calldata ops) public {
        address patient = vm.addr(PATIENT_PK);
        Model memory m;
        uint256 count = ops.length < 48 ? ops.length : 48;
        for (uint256 i; i < count; ++i) {
            uint8 op = uint8(ops[i]);
            uint8 kind = op & 3;
            if (kind == 3) {
                vm.warp(block.timestamp + 1 + uint256(op >> 2) * 1 hours);
            } else {
                IConsentRegistry.Terms memory t = _termsOf(op);
                bytes32 doc = keccak256(abi.encode(i, op));
                if (m.version > 0 && (op & 4) != 0) vm.prank(patient);
                bool ok;
                if (kind == 0) {
                    (ok,) = address(registry).call(abi.encodeCall(ConsentRegistry.grant, (SUBJECT, t, doc)));
                    assertTrue(ok == (m.status != IConsentRegistry.Status.Active), "grant iff not active");
                } else if (kind == 1) {
                    (ok,) = address(registry).call(abi.encodeCall(ConsentRegistry.update, (SUBJECT, t, doc)));
                    assertTrue(ok == (m.status == IConsentRegistry.Status.Active), "update iff active");
                } else {
                    (ok,) = address(registry).call(abi.encodeCall(ConsentRegistry.revoke, (SUBJECT, doc)));
                    assertTrue(ok == (m.status == IConsentRegistry.Status.Active), "revoke iff active");
                }
                if (ok) {
                    if (m.version == 0) registry.setPatientKey(SUBJECT, patient);
                    m.version += 1;
                    if (kind == 2) {
                        m.status = IConsentRegistry.Status.Revoked;
                    } else {
                        m.status = IConsentRegistry.Status.Active;
                        (m.purposes, m.categories, m.validFrom, m.validUntil) =
                            (t.purposes, t.categories, t.validFrom, t.validUntil);
                    }
                }
            }
            _assertMatches(m);
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
        registry.batchGrant(subjects, t, documents);
        ConsentRegistry single = new ConsentRegistry(consortium);
        for (uint256 i; i < n; ++i) {
            single.grant(subjects[i], t, documents[i]);
            assertEq(
                keccak256(abi.encode(registry.consentOf(subjects[i]))),
                keccak256(abi.encode(single.consentOf(subjects[i]))),
                "record"
            );
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
            registry.grant(subjects[bad], t, documents[bad]);
            reason = IConsentRegistry.ConsentRegistryAlreadyActive.selector;
        } else if (kind == 3) {
            registry.grant(subjects[bad], t, documents[bad]);
            registry.revoke(subjects[bad], documents[bad]);
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
        registry.batchGrant(subjects, t, documents);
        // Nothing was written: the items before the bad one are still unknown.
        for (uint256 i; i < bad; ++i) assertEq(registry.consentOf(subjects[i]).version, 0, "rolled back");
    }

    // ---------------------------------------------------------------- EIP-712

    function testFuzz_signatureReplayRejected(uint256 privateKey, bytes32 documentHash) public {
        privateKey = bound(privateKey, 1, SECP256K1_N - 1);
        vm.assume(documentHash != 0);
        address patient = vm.addr(privateKey);
        IConsentRegistry.Terms memory t = _termsOf(0);
        registry.grant(SUBJECT, t, documentHash);
        registry.setPatientKey(SUBJECT, patient);

        bytes memory revokeSig = _sign(
            privateKey, keccak256(abi.encode(REVOKE_TYPEHASH, SUBJECT, documentHash, uint256(0), block.timestamp))
        );
        registry.revokeBySig(SUBJECT, documentHash, 0, block.timestamp, revokeSig);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentRegistryInvalidNonce.selector, patient, 1));
        registry.revokeBySig(SUBJECT, documentHash, 0, block.timestamp, revokeSig);

        bytes memory grantSig = _sign(
            privateKey,
            keccak256(
                abi.encode(
                    GRANT_TYPEHASH,
                    SUBJECT,
                    t.purposes,
                    t.categories,
                    t.validFrom,
                    t.validUntil,
                    documentHash,
                    uint256(1),
                    block.timestamp
                )
            )
        );
        registry.grantBySig(SUBJECT, t, documentHash, 1, block.timestamp, grantSig);
        assertEq(registry.consentOf(SUBJECT).version, 3, "re-granted");
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentRegistryInvalidNonce.selector, patient, 2));
        registry.grantBySig(SUBJECT, t, documentHash, 1, block.timestamp, grantSig);
        assertEq(registry.nonces(patient), 2, "two nonces used");
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
        IConsentRegistry.Consent memory c = registry.consentOf(SUBJECT);
        assertEq(uint8(c.status), uint8(m.status), "status");
        assertEq(c.version, m.version, "version");
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
            registry.isPermitted(SUBJECT, use, m.categories, uint64(block.timestamp))
                == (m.status == IConsentRegistry.Status.Active && inWindow),
            "isPermitted matches model (revoked never permits)"
        );
        if (m.status == IConsentRegistry.Status.Revoked) {
            assertTrue(!registry.isPermitted(SUBJECT, use, m.categories, m.validFrom), "revoked permits the past");
        }
    }

    function _sign(uint256 privateKey, bytes32 structHash) private view returns (bytes memory) {
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", registry.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }
}
