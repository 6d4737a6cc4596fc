// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessLedger} from "../AccessLedger.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {ConsentCodes} from "../libraries/ConsentCodes.sol";
import {MockConsortium} from "./mocks/MockConsortium.sol";
import {CustosTest} from "./utils/Vm.sol";

contract AccessLedgerTest is CustosTest {
    uint32 private constant RESEARCHER_ORG = 21;
    uint32 private constant OTHER_RESEARCHER_ORG = 22;
    uint32 private constant BOARD = 31;
    uint32 private constant FIRST_HOSPITAL = 100;
    uint256 private constant HOSPITALS = 64;

    address private constant RESEARCHER = address(0xA21);
    address private constant OTHER_RESEARCHER = address(0xA22);
    address private constant BOARD_ACCOUNT = address(0xB31);

    MockConsortium private c;
    AccessLedger private ledger;

    function setUp() public {
        c = new MockConsortium();
        c.setMember(RESEARCHER, RESEARCHER_ORG, IConsortium.Role.Researcher);
        c.setMember(OTHER_RESEARCHER, OTHER_RESEARCHER_ORG, IConsortium.Role.Researcher);
        c.setMember(BOARD_ACCOUNT, BOARD, IConsortium.Role.ReviewBoard);
        ledger = new AccessLedger(c, 1);
        for (uint32 i; i < HOSPITALS; ++i) {
            uint32 h = FIRST_HOSPITAL + i;
            c.setMember(_recorder(h), h, IConsortium.Role.Hospital);
            c.setRecorder(h, _recorder(h), true);
        }
    }

    // ------------------------------------------------------------------ budget

    /// Random sequences of limit changes and charges across two researcher organisations and
    /// two hospitals, checked against a reference model: a charge succeeds exactly when it fits
    /// in the remaining budget, a successful charge never leaves spent above the limit, and
    /// the ledger's (limit, spent) always equals the model's.
    function testFuzz_budgetNeverExceedsCap(uint256 seed) public {
        uint64[4] memory limits;
        uint64[4] memory spent;
        for (uint256 step; step < 12; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 pair = (r >> 8) % 4;
            uint32 researcherOrg = pair < 2 ? RESEARCHER_ORG : OTHER_RESEARCHER_ORG;
            uint32 hospital = FIRST_HOSPITAL + uint32(pair % 2);
            if (r % 3 == 0) {
                uint64 limit = uint64((r >> 16) % 5_000_001);
                vm.prank(_recorder(hospital));
                ledger.setBudgetLimit(hospital, researcherOrg, limit);
                limits[pair] = limit;
            } else {
                // Small ε often, zero sometimes, over the whole budget now and then.
                uint64 epsilon = uint64((r >> 16) % 4 == 0 ? 0 : (r >> 32) % 2_500_001);
                uint64 queryId = _approvedQuery(
                    pair < 2 ? RESEARCHER : OTHER_RESEARCHER,
                    _one(hospital)
                );
                uint64 remaining = limits[pair] > spent[pair] ? limits[pair] - spent[pair] : 0;
                if (epsilon > remaining) {
                    vm.expectRevert(
                        abi.encodeWithSelector(
                            AccessLedger.AccessLedgerBudgetExceeded.selector,
                            researcherOrg,
                            hospital,
                            epsilon,
                            remaining
                        )
                    );
                } else {
                    spent[pair] += epsilon;
                }
                vm.prank(_recorder(hospital));
                ledger.recordResult(queryId, hospital, _result(epsilon));
                if (epsilon != 0 && epsilon <= remaining) {
                    assertTrue(spent[pair] <= limits[pair], "charge exceeded the cap");
                }
            }
            for (uint256 p; p < 4; ++p) {
                (uint64 limit, uint64 used) = ledger.budget(
                    p < 2 ? RESEARCHER_ORG : OTHER_RESEARCHER_ORG,
                    FIRST_HOSPITAL + uint32(p % 2)
                );
                assertEq(limit, limits[p], "limit");
                assertEq(used, spent[p], "spent");
            }
        }
    }

    // ------------------------------------------------------------------ responses

    /// Whatever order recorders answer in, each target answers at most once and the query's
    /// response count equals the number of distinct targets that answered.
    function testFuzz_eachHospitalRespondsAtMostOnce(uint256 seed, uint8 targetCount) public {
        uint256 n = bound(targetCount, 1, 12);
        uint32[] memory targets = new uint32[](n);
        for (uint256 i; i < n; ++i) targets[i] = FIRST_HOSPITAL + uint32(n - 1 - i);
        uint64 queryId = _approvedQuery(RESEARCHER, targets);
        bool[] memory answered = new bool[](n);
        bool[] memory declined = new bool[](n);
        uint256 answers;
        for (uint256 step; step < 20; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 i = r % n;
            uint32 hospital = targets[i];
            if (answered[i]) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        AccessLedger.AccessLedgerAlreadyResponded.selector,
                        queryId,
                        hospital
                    )
                );
            } else {
                answered[i] = true;
                declined[i] = (r >> 8) % 2 == 0;
                ++answers;
            }
            vm.prank(_recorder(hospital));
            if ((r >> 8) % 2 == 0) ledger.declineQuery(queryId, hospital, uint16(r >> 16));
            else ledger.recordResult(queryId, hospital, _result(0));
            assertEq(ledger.query(queryId).responseCount, answers, "response count");
        }
        for (uint256 i; i < n; ++i) {
            AccessLedger.ResponseStatus expected = !answered[i]
                ? AccessLedger.ResponseStatus.None
                : declined[i]
                    ? AccessLedger.ResponseStatus.Declined
                    : AccessLedger.ResponseStatus.Recorded;
            assertTrue(ledger.responseOf(queryId, targets[i]).status == expected, "status");
        }
    }

    // ------------------------------------------------------------------ ids

    /// Ids are 1, 2, 3, … in submission order; rejected submissions consume none.
    function testFuzz_queryIdsSequential(uint8 count, uint256 failureMask) public {
        uint256 n = bound(count, 1, 24);
        uint64 expected;
        for (uint256 i; i < n; ++i) {
            if ((failureMask >> i) & 1 == 1) {
                vm.expectRevert(
                    abi.encodeWithSelector(AccessLedger.AccessLedgerInvalidUse.selector, uint32(0))
                );
                vm.prank(RESEARCHER);
                ledger.submitQuery(
                    keccak256("spec"),
                    0,
                    1,
                    _one(FIRST_HOSPITAL),
                    keccak256("irb"),
                    uint40(block.timestamp + 1)
                );
            } else {
                ++expected;
                assertEq(_submit(RESEARCHER, _one(FIRST_HOSPITAL)), expected, "id");
            }
            assertEq(ledger.queryCount(), expected, "count");
        }
    }

    // ------------------------------------------------------------------ validation

    /// A use word is accepted exactly when it holds one permission bit and only defined bits.
    function testFuzz_useValidation(uint32 use) public {
        uint32 purpose = use & ConsentCodes.PERMISSIONS;
        bool valid = purpose != 0 &&
            purpose & (purpose - 1) == 0 &&
            use & ~(ConsentCodes.PERMISSIONS | ConsentCodes.CONDITIONS) == 0;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(AccessLedger.AccessLedgerInvalidUse.selector, use));
        }
        vm.prank(RESEARCHER);
        ledger.submitQuery(
            keccak256("spec"),
            use,
            ConsentCodes.DEMOGRAPHICS,
            _one(FIRST_HOSPITAL),
            keccak256("irb"),
            uint40(block.timestamp + 1)
        );
        assertEq(ledger.queryCount(), valid ? 1 : 0, "stored iff valid");
        if (valid) assertEq(ledger.query(1).use, use, "use stored");
    }

    /// Categories are accepted exactly when non-empty and within the defined bits.
    function testFuzz_categoriesValidation(uint32 categories) public {
        bool valid = categories != 0 && categories & ~ConsentCodes.ALL_CATEGORIES == 0;
        if (!valid) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    AccessLedger.AccessLedgerInvalidCategories.selector,
                    categories
                )
            );
        }
        vm.prank(RESEARCHER);
        ledger.submitQuery(
            keccak256("spec"),
            ConsentCodes.GRU,
            categories,
            _one(FIRST_HOSPITAL),
            keccak256("irb"),
            uint40(block.timestamp + 1)
        );
        assertEq(ledger.queryCount(), valid ? 1 : 0, "stored iff valid");
    }

    /// The expiry is accepted exactly when it is after the block's time.
    function testFuzz_expiryValidation(uint40 expiry, uint40 time) public {
        vm.warp(time);
        bool valid = expiry > time;
        if (!valid) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    AccessLedger.AccessLedgerInvalidExpiry.selector,
                    expiry,
                    uint256(time)
                )
            );
        }
        vm.prank(RESEARCHER);
        ledger.submitQuery(
            keccak256("spec"),
            ConsentCodes.GRU,
            ConsentCodes.DEMOGRAPHICS,
            _one(FIRST_HOSPITAL),
            keccak256("irb"),
            expiry
        );
        assertEq(ledger.queryCount(), valid ? 1 : 0, "stored iff valid");
    }

    /// Target lists of 1..64 distinct hospitals are stored in order; an empty or oversized
    /// list, or one repeating a hospital, is rejected with the matching error.
    function testFuzz_targetValidation(uint8 count, uint256 seed, bool duplicate) public {
        uint256 n = bound(count, 0, HOSPITALS + 2);
        uint32[] memory targets = new uint32[](n);
        for (uint256 i; i < n; ++i) {
            // A rotation of the hospital ids keeps entries distinct.
            targets[i] = FIRST_HOSPITAL + uint32((i + (seed % HOSPITALS)) % HOSPITALS);
        }
        if (n > HOSPITALS) targets[n - 1] = 9_999;
        bool dup = duplicate && n >= 2 && n <= HOSPITALS;
        uint32 repeated;
        if (dup) {
            uint256 a = seed % n;
            uint256 b = (a + 1 + ((seed >> 8) % (n - 1))) % n;
            (a, b) = a < b ? (a, b) : (b, a);
            targets[b] = targets[a];
            repeated = targets[a];
        }
        if (n == 0 || n > HOSPITALS) {
            vm.expectRevert(
                abi.encodeWithSelector(AccessLedger.AccessLedgerInvalidTargetCount.selector, n)
            );
        } else if (dup) {
            vm.expectRevert(
                abi.encodeWithSelector(AccessLedger.AccessLedgerDuplicateTarget.selector, repeated)
            );
        }
        vm.prank(RESEARCHER);
        ledger.submitQuery(
            keccak256("spec"),
            ConsentCodes.GRU,
            ConsentCodes.DEMOGRAPHICS,
            targets,
            keccak256("irb"),
            uint40(block.timestamp + 1)
        );
        if (n != 0 && n <= HOSPITALS && !dup) {
            uint32[] memory stored = ledger.targetsOf(1);
            assertEq(stored.length, n, "length");
            for (uint256 i; i < n; ++i) assertEq(stored[i], targets[i], "target");
        } else {
            assertEq(ledger.queryCount(), 0, "nothing stored");
        }
    }

    /// Repeats are reported at their first recurrence, exactly as a quadratic scan would, even
    /// when every id lands in the same bucket of the contract's probe table (ids 8 apart).
    function testFuzz_duplicateDetectionWithCollidingIds(uint256 seed, uint8 count) public {
        uint256 n = bound(count, 1, 12);
        uint32[] memory targets = new uint32[](n);
        uint32 repeated;
        for (uint256 i; i < n; ++i) {
            targets[i] = FIRST_HOSPITAL + 8 * uint32(uint256(keccak256(abi.encode(seed, i))) % 8);
            for (uint256 k; k < i && repeated == 0; ++k) {
                if (targets[k] == targets[i]) repeated = targets[i];
            }
        }
        if (repeated != 0) {
            vm.expectRevert(
                abi.encodeWithSelector(AccessLedger.AccessLedgerDuplicateTarget.selector, repeated)
            );
        }
        vm.prank(RESEARCHER);
        ledger.submitQuery(
            keccak256("spec"),
            ConsentCodes.GRU,
            ConsentCodes.DEMOGRAPHICS,
            targets,
            keccak256("irb"),
            uint40(block.timestamp + 1)
        );
        if (repeated == 0) {
            uint32[] memory stored = ledger.targetsOf(1);
            for (uint256 i; i < n; ++i) assertEq(stored[i], targets[i], "target");
        }
    }

    /// A recorded result always matches itself and never a result differing in any field.
    function testFuzz_resultCommitment(bytes32 resultHash, bytes32 root, bytes32 report) public {
        vm.assume(resultHash != 0 && root != 0 && report != 0);
        uint64 queryId = _approvedQuery(RESEARCHER, _one(FIRST_HOSPITAL));
        AccessLedger.Result memory result = _result(0);
        result.resultHash = resultHash;
        result.consentRoot = root;
        result.disclosureReportHash = report;
        vm.prank(_recorder(FIRST_HOSPITAL));
        ledger.recordResult(queryId, FIRST_HOSPITAL, result);
        assertTrue(ledger.matchesResult(queryId, FIRST_HOSPITAL, result), "matches");
        result.consentRoot = bytes32(uint256(root) ^ 1);
        assertTrue(!ledger.matchesResult(queryId, FIRST_HOSPITAL, result), "root differs");
    }

    /// A consent snapshot is accepted exactly when it is from a final block at or after the
    /// query's submission: never a stale one from before it, never the unfinished block.
    function testFuzz_consentBlockWithinSubmissionAndNow(uint8 startSeed, uint8 waitSeed, uint64 consentBlock) public {
        vm.roll(10 + uint256(startSeed));
        uint64 queryId = _submit(RESEARCHER, _one(FIRST_HOSPITAL));
        uint64 submitted = uint64(block.number);
        vm.prank(BOARD_ACCOUNT);
        ledger.approveQuery(queryId);
        vm.roll(block.number + bound(waitSeed, 0, 20));
        consentBlock = uint64(bound(consentBlock, 0, block.number + 3));
        AccessLedger.Result memory result = _result(0);
        result.consentBlock = consentBlock;
        if (consentBlock < submitted || consentBlock >= block.number) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    AccessLedger.AccessLedgerInvalidConsentBlock.selector, queryId, consentBlock, submitted, block.number
                )
            );
        }
        vm.prank(_recorder(FIRST_HOSPITAL));
        ledger.recordResult(queryId, FIRST_HOSPITAL, result);
        assertEq(ledger.query(queryId).submittedBlock, submitted, "submitted block stored");
    }

    // ------------------------------------------------------------------ site trails

    /// Random anchors by random callers: an anchor lands exactly when its caller is the
    /// hospital's recorder, its head is non-zero and its sequence is above the last anchored
    /// one; the stored head is always the last accepted anchor, whatever was refused since.
    function testFuzz_siteTrailSequenceStrictlyIncreases(uint256 seed) public {
        uint64[2] memory anchored;
        bytes32[2] memory heads;
        for (uint256 step; step < 16; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 h = r % 2;
            uint32 hospital = FIRST_HOSPITAL + uint32(h);
            uint64 sequence = uint64((r >> 8) % 12);
            bytes32 head = (r >> 16) % 8 == 0 ? bytes32(0) : keccak256(abi.encode(r));
            // Mostly the hospital's own recorder; now and then the other hospital's.
            address caller = (r >> 24) % 6 == 0
                ? _recorder(FIRST_HOSPITAL + uint32(1 - h))
                : _recorder(hospital);
            if (caller != _recorder(hospital)) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        AccessLedger.AccessLedgerNotRecorder.selector,
                        hospital,
                        caller
                    )
                );
            } else if (head == 0) {
                vm.expectRevert(AccessLedger.AccessLedgerMissingTrailHead.selector);
            } else if (sequence <= anchored[h]) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        AccessLedger.AccessLedgerStaleTrailSequence.selector,
                        hospital,
                        sequence,
                        anchored[h]
                    )
                );
            } else {
                anchored[h] = sequence;
                heads[h] = head;
            }
            vm.prank(caller);
            ledger.anchorSiteTrail(hospital, sequence, head);
            for (uint256 i; i < 2; ++i) {
                AccessLedger.SiteTrailHead memory stored = ledger.siteTrailHead(
                    FIRST_HOSPITAL + uint32(i)
                );
                assertEq(stored.sequence, anchored[i], "sequence");
                assertEq(stored.head, heads[i], "head");
            }
        }
    }

    /// A hospital that lost its role cannot anchor, even through its recorder.
    function test_siteTrailNeedsAnActiveHospital() public {
        vm.prank(_recorder(FIRST_HOSPITAL));
        ledger.anchorSiteTrail(FIRST_HOSPITAL, 1, keccak256("head"));
        c.setRole(FIRST_HOSPITAL, IConsortium.Role.None);
        vm.expectRevert(
            abi.encodeWithSelector(
                AccessLedger.AccessLedgerNotRecorder.selector,
                FIRST_HOSPITAL,
                _recorder(FIRST_HOSPITAL)
            )
        );
        vm.prank(_recorder(FIRST_HOSPITAL));
        ledger.anchorSiteTrail(FIRST_HOSPITAL, 2, keccak256("head 2"));
        assertEq(ledger.siteTrailHead(FIRST_HOSPITAL).sequence, 1, "unchanged");
    }

    // ------------------------------------------------------------------ helpers

    function _recorder(uint32 hospital) private pure returns (address) {
        return address(uint160(0xC0000 + hospital));
    }

    function _one(uint32 hospital) private pure returns (uint32[] memory targets) {
        targets = new uint32[](1);
        targets[0] = hospital;
    }

    function _submit(address researcher, uint32[] memory targets) private returns (uint64) {
        vm.prank(researcher);
        return
            ledger.submitQuery(
                keccak256("spec"),
                ConsentCodes.HMB | ConsentCodes.IRB,
                ConsentCodes.DEMOGRAPHICS | ConsentCodes.DRUGS,
                targets,
                keccak256("irb"),
                uint40(block.timestamp + 1 days)
            );
    }

    function _approvedQuery(address researcher, uint32[] memory targets) private returns (uint64) {
        uint64 queryId = _submit(researcher, targets);
        vm.prank(BOARD_ACCOUNT);
        ledger.approveQuery(queryId);
        // Results snapshot a final block at or after the submission: move one block on.
        vm.roll(block.number + 1);
        return queryId;
    }

    function _result(uint64 epsilon) private view returns (AccessLedger.Result memory) {
        return
            AccessLedger.Result({
                resultHash: keccak256("result"),
                consentBlock: uint64(block.number - 1),
                consentRoot: keccak256("root"),
                subjectCount: 100,
                disclosureReportHash: keccak256("report"),
                epsilon: epsilon
            });
    }
}
