// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortium} from "./interfaces/IConsortium.sol";
import {ConsentCodes} from "./libraries/ConsentCodes.sol";

/**
 * @title AccessLedger
 * @notice The lifecycle of research queries across the network's hospitals: a researcher
 * submits a query (hash of its canonical spec, purpose and attested conditions, data
 * categories, target hospitals, review-board approval reference, expiry), review boards
 * approve it, each target hospital records a result (hashes and consent snapshot) or declines,
 * and the query is closed. The differential-privacy budget (ε) each researcher organisation
 * spends at each hospital is accounted for and capped here, and each hospital anchors the head
 * of its data service's site trail (what it refused, failed and released by hand off chain).
 *
 * @dev Nothing personal is stored: documents and result sets are referenced by hash, the
 * consenting subject set by a Merkle root, subject counts are already rounded by the hospital.
 * Storage layout: a query is four slots (header; terms with the submission block and the first
 * four targets; spec hash; approval reference) plus one slot per further eight targets. A response is one slot of
 * scalars plus one slot committing to the result's three hashes (see {resultDigest}); the
 * hashes themselves are in the {ResultRecorded} event.
 */
contract AccessLedger {
    /// @notice The state of a query. Expiry is not a state: it is read from `expiry`.
    enum QueryStatus {
        Submitted,
        Approved,
        Closed
    }

    /// @notice A target hospital's answer to a query.
    enum ResponseStatus {
        None,
        Recorded,
        Declined
    }

    /**
     * @notice What a hospital records when it answers a query.
     * @dev `resultHash`: hash of the released result set. `consentBlock`: block of the
     * consent snapshot the hospital filtered on. `consentRoot`: Merkle root of the consenting
     * subject set (keyed pseudonyms). `subjectCount`: number of subjects, rounded.
     * `disclosureReportHash`: hash of the disclosure-control report. `epsilon`: ε spent, fixed
     * point with 1e6 = 1.0 (0 when no differential privacy was applied).
     */
    struct Result {
        bytes32 resultHash;
        uint64 consentBlock;
        bytes32 consentRoot;
        uint32 subjectCount;
        bytes32 disclosureReportHash;
        uint64 epsilon;
    }

    /**
     * @notice A query as returned by {query}.
     * @dev `researcher`: submitting account; `researcherOrg`: its organisation; `expiry`: unix
     * seconds from which the query accepts no approval or response; `approvals`: review-board
     * organisations that approved; `targetCount`/`responseCount`: target hospitals and how many
     * answered; `use`: DUO purpose bit and attested condition bits; `categories`: data category
     * bitmap; `submittedBlock`: block of the submission (the earliest consent snapshot a result
     * may use); `specHash`: keccak-256 of the RFC 8785 canonical query spec; `approvalRef`: hash
     * of the review-board approval document.
     */
    struct Query {
        address researcher;
        uint32 researcherOrg;
        uint40 expiry;
        QueryStatus status;
        uint8 approvals;
        uint8 targetCount;
        uint32 use;
        uint32 categories;
        uint8 responseCount;
        uint64 submittedBlock;
        bytes32 specHash;
        bytes32 approvalRef;
    }

    /**
     * @notice A target hospital's response as returned by {responseOf}.
     * @dev `reasonCode` is set for a decline; `subjectCount`, `consentBlock`, `epsilon` and
     * `resultDigest` (see {resultDigest}) for a recorded result; `respondedAt` (unix seconds)
     * for both.
     */
    struct Response {
        ResponseStatus status;
        uint16 reasonCode;
        uint32 subjectCount;
        uint64 consentBlock;
        uint64 epsilon;
        uint40 respondedAt;
        bytes32 resultDigest;
    }

    /**
     * @notice The latest anchor of a hospital's site trail, as returned by {siteTrailHead}.
     * @dev `sequence`: the trail entry the head is the hash of (0 before the first anchor);
     * `anchoredAt`: unix seconds of the anchoring block; `head`: that entry's hash.
     */
    struct SiteTrailHead {
        uint64 sequence;
        uint40 anchoredAt;
        bytes32 head;
    }

    /// @notice The ε budget of one researcher organisation at one hospital (1e6 = 1.0 ε).
    struct Budget {
        uint64 limit;
        uint64 spent;
    }

    /**
     * @dev Storage form of a query. Slot 0: researcher … targetCount (32 bytes). Slot 1: use,
     * categories, responseCount, the submission block and the first four target ids packed in
     * `headTargets` (30 bytes). Slots 2 and 3: the two hashes.
     */
    struct QueryRecord {
        address researcher;
        uint32 researcherOrg;
        uint40 expiry;
        QueryStatus status;
        uint8 approvals;
        uint8 targetCount;
        uint32 use;
        uint32 categories;
        uint8 responseCount;
        uint40 submittedBlock;
        uint128 headTargets;
        bytes32 specHash;
        bytes32 approvalRef;
    }

    /// @notice Most target hospitals one query may name.
    uint256 public constant MAX_TARGETS = 64;

    /// @dev Target ids held in the query's second slot; the rest go eight to a word.
    uint256 private constant _HEAD_TARGETS = 4;
    uint256 private constant _TARGETS_PER_WORD = 8;

    /// @dev Membership and roles; also the governance caller of {setRequiredApprovals}.
    IConsortium private immutable _consortium;

    /// @dev Packed in one slot: submitQuery bumps the counter of a slot that is never zero.
    uint64 private _queryCount;
    uint8 private _requiredApprovals;

    /// @dev Queries by id (1 … _queryCount).
    mapping(uint64 queryId => QueryRecord) private _queries;
    /// @dev Targets after the first four, eight 32-bit ids per word, lowest bits first.
    mapping(uint64 queryId => mapping(uint256 word => uint256)) private _moreTargets;
    /// @dev Which review-board organisations approved which query.
    mapping(uint64 queryId => mapping(uint32 reviewBoardOrg => bool)) private _approvedBy;
    /// @dev Each target hospital's response to each query.
    mapping(uint64 queryId => mapping(uint32 hospitalId => Response)) private _responses;
    /// @dev ε budgets, one slot per researcher organisation × hospital.
    mapping(uint32 researcherOrg => mapping(uint32 hospitalId => Budget)) private _budgets;
    /// @dev The latest site-trail anchor of each hospital: two slots (sequence and time; head).
    mapping(uint32 hospitalId => SiteTrailHead) private _siteTrails;

    /// @notice A query was submitted.
    /// @param purpose The single DUO permission bit of `use`, indexed for audit by purpose.
    event QuerySubmitted(
        uint64 indexed queryId,
        uint32 indexed researcherOrg,
        uint32 indexed purpose,
        address researcher,
        bytes32 specHash,
        uint32 use,
        uint32 categories,
        uint32[] targets,
        bytes32 approvalRef,
        uint40 expiry
    );

    /// @notice A review-board organisation approved a query.
    /// @param approvals Approvals so far, this one included.
    /// @param approved Whether this approval made the query Approved.
    event QueryApproved(
        uint64 indexed queryId,
        uint32 indexed reviewBoardOrg,
        address indexed approver,
        uint8 approvals,
        bool approved
    );

    /// @notice A target hospital recorded its result for a query (ε charged to the budget).
    event ResultRecorded(
        uint64 indexed queryId,
        uint32 indexed hospitalId,
        uint32 indexed researcherOrg,
        address recorder,
        Result result
    );

    /// @notice A target hospital declined a query.
    /// @param reasonCode Reason from the network's off-chain decline vocabulary.
    event QueryDeclined(
        uint64 indexed queryId,
        uint32 indexed hospitalId,
        uint32 indexed researcherOrg,
        address recorder,
        uint16 reasonCode
    );

    /// @notice A query was closed.
    /// @param responseCount Target hospitals that had answered when it closed.
    event QueryClosed(
        uint64 indexed queryId,
        uint32 indexed researcherOrg,
        address indexed closedBy,
        uint8 responseCount
    );

    /// @notice A hospital set the ε limit of a researcher organisation.
    /// @param spent ε already spent, which may exceed a lowered limit.
    event BudgetLimitSet(
        uint32 indexed researcherOrg,
        uint32 indexed hospitalId,
        address indexed setter,
        uint64 limit,
        uint64 spent
    );

    /// @notice The number of review-board approvals a query needs changed.
    event RequiredApprovalsChanged(uint8 previous, uint8 current);

    /**
     * @notice A hospital anchored the head of its site trail: the hash-chained log its data
     * service keeps off chain of denied and failed requests, site-policy changes and manual
     * releases.
     * @param sequence The trail entry whose hash `head` is; strictly increasing per hospital.
     * @param head That entry's hash (SHA-256 over its canonical JSON, which chains the earlier
     * entries through their hashes).
     */
    event SiteTrailAnchored(
        uint32 indexed hospitalId,
        address recorder,
        uint64 sequence,
        bytes32 head
    );

    /// @notice The consortium address is zero.
    error AccessLedgerInvalidConsortium(address consortium);
    /// @notice `value` is not a valid approval threshold: it must be at least 1 and at most the
    /// number of active review boards (`reviewBoards`), or no query could ever be approved.
    error AccessLedgerInvalidRequiredApprovals(uint8 value, uint32 reviewBoards);
    /// @notice Only the Consortium contract (through governance) may do this.
    error AccessLedgerNotConsortium(address account);
    /// @notice `account` is not in an active researcher organisation.
    error AccessLedgerNotResearcher(address account);
    /// @notice `account` is not in an active review-board organisation.
    error AccessLedgerNotReviewBoard(address account);
    /// @notice `account` is not a recorder of the active hospital `hospitalId`.
    error AccessLedgerNotRecorder(uint32 hospitalId, address account);
    /// @notice `account` is not an admin account of the active hospital `hospitalId`.
    error AccessLedgerNotHospitalAdmin(uint32 hospitalId, address account);
    /// @notice `orgId` is not an active researcher organisation.
    error AccessLedgerNotResearcherOrganisation(uint32 orgId);
    /// @notice The query spec hash is zero.
    error AccessLedgerMissingSpecHash();
    /// @notice The review-board approval reference is zero.
    error AccessLedgerMissingApprovalReference();
    /// @notice `use` is not exactly one DUO permission bit plus defined condition bits.
    error AccessLedgerInvalidUse(uint32 use);
    /// @notice `categories` is empty or holds undefined bits.
    error AccessLedgerInvalidCategories(uint32 categories);
    /// @notice The number of target hospitals is 0 or above {MAX_TARGETS}.
    error AccessLedgerInvalidTargetCount(uint256 count);
    /// @notice `hospitalId` is named twice among the targets.
    error AccessLedgerDuplicateTarget(uint32 hospitalId);
    /// @notice `hospitalId` is not an active hospital organisation.
    error AccessLedgerNotHospital(uint32 hospitalId);
    /// @notice `expiry` is not after the current block's time `currentTime`.
    error AccessLedgerInvalidExpiry(uint40 expiry, uint256 currentTime);
    /// @notice No query has id `queryId`.
    error AccessLedgerUnknownQuery(uint64 queryId);
    /// @notice The query is in `status`, which does not allow this.
    error AccessLedgerUnexpectedStatus(uint64 queryId, QueryStatus status);
    /// @notice The query expired at `expiry`.
    error AccessLedgerQueryExpired(uint64 queryId, uint40 expiry);
    /// @notice Review-board organisation `reviewBoardOrg` already approved the query.
    error AccessLedgerAlreadyApproved(uint64 queryId, uint32 reviewBoardOrg);
    /// @notice `hospitalId` is not a target of the query.
    error AccessLedgerNotTarget(uint64 queryId, uint32 hospitalId);
    /// @notice `hospitalId` already answered the query.
    error AccessLedgerAlreadyResponded(uint64 queryId, uint32 hospitalId);
    /// @notice The consent snapshot block is not in [submittedBlock, currentBlock): a snapshot
    /// from before the query (stale: it may predate revocations) or not yet final.
    error AccessLedgerInvalidConsentBlock(
        uint64 queryId,
        uint64 consentBlock,
        uint64 submittedBlock,
        uint256 currentBlock
    );
    /// @notice The query's researcher organisation `researcherOrg` was removed or no longer
    /// holds the researcher role: its queries are not approved, answered or charged any more.
    error AccessLedgerResearcherNotActive(uint64 queryId, uint32 researcherOrg);
    /// @notice Review board `reviewBoardOrg` is the query's own organisation.
    error AccessLedgerSelfApproval(uint64 queryId, uint32 reviewBoardOrg);
    /// @notice The result's hash, consent root or disclosure report hash is zero.
    error AccessLedgerIncompleteResult();
    /// @notice Charging `requested` ε would exceed the budget (`remaining` is what is left).
    error AccessLedgerBudgetExceeded(
        uint32 researcherOrg,
        uint32 hospitalId,
        uint64 requested,
        uint64 remaining
    );
    /// @notice `account` may not close the query yet (not the researcher organisation, some
    /// targets have not answered and the query has not expired).
    error AccessLedgerCloseNotAllowed(uint64 queryId, address account);
    /// @notice `sequence` is not after `anchored`, the hospital's latest anchored trail entry:
    /// an anchor never goes back or repeats, so a rewritten trail cannot re-anchor over an
    /// earlier head.
    error AccessLedgerStaleTrailSequence(uint32 hospitalId, uint64 sequence, uint64 anchored);
    /// @notice The site-trail head is zero.
    error AccessLedgerMissingTrailHead();

    /**
     * @param consortium_ The membership contract; also the only caller of
     * {setRequiredApprovals}.
     * @param requiredApprovals_ Review-board approvals a query needs (1 to the number of active
     * review boards).
     */
    constructor(IConsortium consortium_, uint8 requiredApprovals_) {
        if (address(consortium_) == address(0)) revert AccessLedgerInvalidConsortium(address(0));
        _consortium = consortium_;
        _setRequiredApprovals(requiredApprovals_);
    }

    // ---------------------------------------------------------------- governance

    /**
     * @notice Sets the number of review-board approvals a query needs.
     * @dev Only the Consortium contract, executing a passed proposal. At most the number of
     * active review boards now (if boards are removed later, governance lowers it; until then
     * queries wait, never pass with fewer approvals). Applies to each approval given from now
     * on; a pending query is not promoted by a lowered threshold until its next approval.
     */
    function setRequiredApprovals(uint8 requiredApprovals_) external {
        if (msg.sender != address(_consortium)) revert AccessLedgerNotConsortium(msg.sender);
        _setRequiredApprovals(requiredApprovals_);
    }

    // ---------------------------------------------------------------- queries

    /**
     * @notice Submits a research query; the caller must be in an active researcher
     * organisation.
     * @param specHash keccak-256 of the RFC 8785 canonical query spec.
     * @param use Exactly one DUO permission bit (the purpose) plus the condition bits attested.
     * @param categories Non-empty bitmap of the data categories read.
     * @param targets Distinct active hospital organisation ids, 1 to {MAX_TARGETS}.
     * @param approvalRef Hash of the review board's approval document.
     * @param expiry Unix seconds after the current block's time.
     * @return queryId The new query's id (sequential from 1).
     */
    function submitQuery(
        bytes32 specHash,
        uint32 use,
        uint32 categories,
        uint32[] calldata targets,
        bytes32 approvalRef,
        uint40 expiry
    ) external returns (uint64 queryId) {
        if (!_consortium.hasRole(IConsortium.Role.Researcher, msg.sender)) {
            revert AccessLedgerNotResearcher(msg.sender);
        }
        _checkTerms(specHash, use, categories, approvalRef, expiry);
        queryId = ++_queryCount;
        uint32 researcherOrg = _consortium.organisationOf(msg.sender);
        // _storeTargets validates the targets (count, repeats, roles) and reverts on a count
        // above MAX_TARGETS, so the uint8 narrowing of targetCount never takes effect wrongly.
        // Calling it inside the literal is ~2k gas cheaper than through a local.
        _queries[queryId] = QueryRecord({
            researcher: msg.sender,
            researcherOrg: researcherOrg,
            expiry: expiry,
            status: QueryStatus.Submitted,
            approvals: 0,
            targetCount: uint8(targets.length),
            use: use,
            categories: categories,
            responseCount: 0,
            submittedBlock: uint40(block.number),
            headTargets: _storeTargets(queryId, targets),
            specHash: specHash,
            approvalRef: approvalRef
        });
        emit QuerySubmitted(
            queryId,
            researcherOrg,
            use & ConsentCodes.PERMISSIONS,
            msg.sender,
            specHash,
            use,
            categories,
            targets,
            approvalRef,
            expiry
        );
    }

    /**
     * @notice Records the approval of the caller's review-board organisation; the query becomes
     * Approved when approvals reach {requiredApprovals}.
     * @dev One approval per review-board organisation; only while Submitted and unexpired, never
     * by the query's own organisation, and only while that organisation still holds the
     * researcher role.
     */
    function approveQuery(uint64 queryId) external {
        IConsortium consortium_ = _consortium;
        if (!consortium_.hasRole(IConsortium.Role.ReviewBoard, msg.sender)) {
            revert AccessLedgerNotReviewBoard(msg.sender);
        }
        QueryRecord storage q = _existing(queryId);
        QueryStatus status = q.status;
        if (status != QueryStatus.Submitted) revert AccessLedgerUnexpectedStatus(queryId, status);
        uint40 expiry = q.expiry;
        if (block.timestamp >= expiry) revert AccessLedgerQueryExpired(queryId, expiry);
        uint32 board = consortium_.organisationOf(msg.sender);
        uint32 researcherOrg = q.researcherOrg;
        if (board == researcherOrg) revert AccessLedgerSelfApproval(queryId, board);
        _checkResearcher(queryId, researcherOrg);
        if (_approvedBy[queryId][board]) revert AccessLedgerAlreadyApproved(queryId, board);

        _approvedBy[queryId][board] = true;
        // Cannot overflow: approvals only grow while below the uint8 threshold.
        uint8 approvals = q.approvals + 1;
        bool approved = approvals >= _requiredApprovals;
        q.approvals = approvals;
        if (approved) q.status = QueryStatus.Approved;
        emit QueryApproved(queryId, board, msg.sender, approvals, approved);
    }

    /**
     * @notice Records hospital `hospitalId`'s result for an Approved, unexpired query and
     * charges `result.epsilon` to the researcher organisation's budget at that hospital.
     * @dev The caller must be a recorder of `hospitalId`, a target that has not answered yet,
     * and the researcher organisation must still hold its role. The consent snapshot must be
     * from a final block at or after the submission: submittedBlock <= consentBlock <
     * block.number, so a snapshot older than the query (which may miss revocations) is refused.
     * The three hashes may not be zero. Stores the scalars and {resultDigest}; the full result
     * is in the event.
     * @param result The result; `result.epsilon` must fit in the remaining budget (see
     * {budget}); ε 0 is always accepted.
     */
    function recordResult(uint64 queryId, uint32 hospitalId, Result calldata result) external {
        QueryRecord storage q = _respondable(queryId, hospitalId);
        uint64 submittedBlock = q.submittedBlock;
        if (result.consentBlock < submittedBlock || result.consentBlock >= block.number) {
            revert AccessLedgerInvalidConsentBlock(queryId, result.consentBlock, submittedBlock, block.number);
        }
        if (
            result.resultHash == 0 || result.consentRoot == 0 || result.disclosureReportHash == 0
        ) revert AccessLedgerIncompleteResult();
        uint32 researcherOrg = q.researcherOrg;
        uint64 epsilon = result.epsilon;
        if (epsilon != 0) _charge(researcherOrg, hospitalId, epsilon);

        _responses[queryId][hospitalId] = Response({
            status: ResponseStatus.Recorded,
            reasonCode: 0,
            subjectCount: result.subjectCount,
            consentBlock: result.consentBlock,
            epsilon: epsilon,
            respondedAt: uint40(block.timestamp),
            resultDigest: resultDigest(result)
        });
        ++q.responseCount;
        emit ResultRecorded(queryId, hospitalId, researcherOrg, msg.sender, result);
    }

    /**
     * @notice Records that hospital `hospitalId` declines an Approved, unexpired query.
     * @dev The caller must be a recorder of `hospitalId`, a target that has not answered yet.
     * @param reasonCode Reason from the network's off-chain decline vocabulary.
     */
    function declineQuery(uint64 queryId, uint32 hospitalId, uint16 reasonCode) external {
        QueryRecord storage q = _respondable(queryId, hospitalId);
        Response storage r = _responses[queryId][hospitalId];
        r.status = ResponseStatus.Declined;
        r.reasonCode = reasonCode;
        r.respondedAt = uint40(block.timestamp);
        ++q.responseCount;
        emit QueryDeclined(queryId, hospitalId, q.researcherOrg, msg.sender, reasonCode);
    }

    /**
     * @notice Closes a query: by an account of the submitting researcher organisation at any
     * time, by anyone once every target answered or the query expired.
     */
    function closeQuery(uint64 queryId) external {
        QueryRecord storage q = _existing(queryId);
        if (q.status == QueryStatus.Closed) {
            revert AccessLedgerUnexpectedStatus(queryId, QueryStatus.Closed);
        }
        uint32 researcherOrg = q.researcherOrg;
        uint8 responseCount = q.responseCount;
        if (
            responseCount < q.targetCount &&
            block.timestamp < q.expiry &&
            _consortium.organisationOf(msg.sender) != researcherOrg
        ) revert AccessLedgerCloseNotAllowed(queryId, msg.sender);
        q.status = QueryStatus.Closed;
        emit QueryClosed(queryId, researcherOrg, msg.sender, responseCount);
    }

    // ---------------------------------------------------------------- privacy budget

    /**
     * @notice Sets the ε limit of researcher organisation `researcherOrg` at hospital
     * `hospitalId` (1e6 = 1.0 ε); the caller must be an admin account of that hospital (not a
     * recorder).
     * @dev A limit below what is already spent leaves nothing to spend; it never refunds.
     * Until a hospital sets a limit, the limit is 0: only ε-free results can be recorded.
     * @param limit Total ε the organisation may spend at the hospital, spent ε included.
     */
    function setBudgetLimit(uint32 hospitalId, uint32 researcherOrg, uint64 limit) external {
        IConsortium consortium_ = _consortium;
        if (
            !consortium_.isAdmin(hospitalId, msg.sender) ||
            consortium_.roleOf(hospitalId) != IConsortium.Role.Hospital
        ) revert AccessLedgerNotHospitalAdmin(hospitalId, msg.sender);
        if (consortium_.roleOf(researcherOrg) != IConsortium.Role.Researcher) {
            revert AccessLedgerNotResearcherOrganisation(researcherOrg);
        }
        Budget storage b = _budgets[researcherOrg][hospitalId];
        b.limit = limit;
        emit BudgetLimitSet(researcherOrg, hospitalId, msg.sender, limit, b.spent);
    }

    // ---------------------------------------------------------------- site trails

    /**
     * @notice Anchors the head of hospital `hospitalId`'s site trail: the hash of its entry
     * `sequence`. The caller must be a recorder of the active hospital (as for
     * {recordResult}); `sequence` must be above the hospital's latest anchored one and `head`
     * non-zero. A regulator checks the hospital's off-chain trail against these anchors.
     */
    function anchorSiteTrail(uint32 hospitalId, uint64 sequence, bytes32 head) external {
        if (!_consortium.isRecorder(hospitalId, msg.sender)) {
            revert AccessLedgerNotRecorder(hospitalId, msg.sender);
        }
        if (head == 0) revert AccessLedgerMissingTrailHead();
        SiteTrailHead storage t = _siteTrails[hospitalId];
        uint64 anchored = t.sequence;
        if (sequence <= anchored) {
            revert AccessLedgerStaleTrailSequence(hospitalId, sequence, anchored);
        }
        t.sequence = sequence;
        t.anchoredAt = uint40(block.timestamp);
        t.head = head;
        emit SiteTrailAnchored(hospitalId, msg.sender, sequence, head);
    }

    // ---------------------------------------------------------------- views

    /// @notice The membership contract.
    function consortium() external view returns (IConsortium) {
        return _consortium;
    }

    /// @notice Review-board approvals a query needs.
    function requiredApprovals() external view returns (uint8) {
        return _requiredApprovals;
    }

    /// @notice Number of queries submitted; also the id of the latest.
    function queryCount() external view returns (uint64) {
        return _queryCount;
    }

    /// @notice Query `queryId`.
    function query(uint64 queryId) external view returns (Query memory) {
        QueryRecord storage q = _existing(queryId);
        return
            Query({
                researcher: q.researcher,
                researcherOrg: q.researcherOrg,
                expiry: q.expiry,
                status: q.status,
                approvals: q.approvals,
                targetCount: q.targetCount,
                use: q.use,
                categories: q.categories,
                responseCount: q.responseCount,
                submittedBlock: q.submittedBlock,
                specHash: q.specHash,
                approvalRef: q.approvalRef
            });
    }

    /// @notice The target hospitals of query `queryId`, in submission order.
    function targetsOf(uint64 queryId) external view returns (uint32[] memory targets) {
        QueryRecord storage q = _existing(queryId);
        uint256 count = q.targetCount;
        uint256 head = q.headTargets;
        targets = new uint32[](count);
        uint256 word;
        for (uint256 i; i < count; ++i) {
            if (i < _HEAD_TARGETS) {
                targets[i] = uint32(head >> (32 * i));
            } else {
                uint256 j = i - _HEAD_TARGETS;
                if (j % _TARGETS_PER_WORD == 0) word = _moreTargets[queryId][j / _TARGETS_PER_WORD];
                targets[i] = uint32(word >> (32 * (j % _TARGETS_PER_WORD)));
            }
        }
    }

    /// @notice Hospital `hospitalId`'s response to query `queryId` (status None if none).
    function responseOf(uint64 queryId, uint32 hospitalId) external view returns (Response memory) {
        _existing(queryId);
        return _responses[queryId][hospitalId];
    }

    /// @notice Whether review-board organisation `reviewBoardOrg` approved query `queryId`.
    function hasApproved(uint64 queryId, uint32 reviewBoardOrg) external view returns (bool) {
        _existing(queryId);
        return _approvedBy[queryId][reviewBoardOrg];
    }

    /// @notice The ε limit and spend of `researcherOrg` at `hospitalId` (1e6 = 1.0 ε).
    function budget(
        uint32 researcherOrg,
        uint32 hospitalId
    ) external view returns (uint64 limit, uint64 spent) {
        Budget storage b = _budgets[researcherOrg][hospitalId];
        return (b.limit, b.spent);
    }

    /// @notice The latest site-trail anchor of `hospitalId` (sequence 0: none yet).
    function siteTrailHead(uint32 hospitalId) external view returns (SiteTrailHead memory) {
        return _siteTrails[hospitalId];
    }

    /**
     * @notice Whether `result` is exactly what hospital `hospitalId` recorded for `queryId`,
     * so a researcher or auditor can check a result received off chain.
     */
    function matchesResult(
        uint64 queryId,
        uint32 hospitalId,
        Result calldata result
    ) external view returns (bool) {
        Response storage r = _responses[queryId][hospitalId];
        return
            r.status == ResponseStatus.Recorded &&
            r.resultDigest == resultDigest(result) &&
            r.consentBlock == result.consentBlock &&
            r.subjectCount == result.subjectCount &&
            r.epsilon == result.epsilon;
    }

    /**
     * @notice The commitment stored for a result's three hashes:
     * keccak256(abi.encode(resultHash, consentRoot, disclosureReportHash)).
     * @dev One slot instead of three; the hashes are in the {ResultRecorded} event.
     */
    function resultDigest(Result calldata result) public pure returns (bytes32) {
        return
            keccak256(
                abi.encode(result.resultHash, result.consentRoot, result.disclosureReportHash)
            );
    }

    // ---------------------------------------------------------------- internals

    /// @dev Validates a submission's scalar fields, in the order they revert.
    function _checkTerms(
        bytes32 specHash,
        uint32 use,
        uint32 categories,
        bytes32 approvalRef,
        uint40 expiry
    ) private view {
        if (specHash == 0) revert AccessLedgerMissingSpecHash();
        if (approvalRef == 0) revert AccessLedgerMissingApprovalReference();
        uint32 purpose = use & ConsentCodes.PERMISSIONS;
        if (
            purpose == 0 ||
            purpose & (purpose - 1) != 0 ||
            use & ~(ConsentCodes.PERMISSIONS | ConsentCodes.CONDITIONS) != 0
        ) revert AccessLedgerInvalidUse(use);
        if (categories == 0 || categories & ~ConsentCodes.ALL_CATEGORIES != 0) {
            revert AccessLedgerInvalidCategories(categories);
        }
        if (expiry <= block.timestamp) revert AccessLedgerInvalidExpiry(expiry, block.timestamp);
    }

    /// @dev Sets the approval threshold (1 to the active review boards) and announces it.
    function _setRequiredApprovals(uint8 value) private {
        uint32 boards = _consortium.roleCount(IConsortium.Role.ReviewBoard);
        if (value == 0 || value > boards) revert AccessLedgerInvalidRequiredApprovals(value, boards);
        uint8 previous = _requiredApprovals;
        _requiredApprovals = value;
        emit RequiredApprovalsChanged(previous, value);
    }

    /// @dev Validates the targets and writes all but the first four; returns those four packed.
    function _storeTargets(
        uint64 queryId,
        uint32[] calldata targets
    ) private returns (uint128 headTargets) {
        uint256 count = targets.length;
        if (count == 0 || count > MAX_TARGETS) revert AccessLedgerInvalidTargetCount(count);
        uint256 word;
        // Repeats are found in linear time with an open-addressing table in memory, sized to a
        // power of two at least twice the count so it stays at most half full. Id 0 is never a
        // hospital (rejected below), so 0 marks a free entry.
        uint256 mask = 7;
        while (mask < 2 * count - 1) mask = (mask << 1) | 1;
        uint32[] memory seen = new uint32[](mask + 1);
        for (uint256 i; i < count; ++i) {
            uint32 id = targets[i];
            uint256 probe = id & mask;
            while (seen[probe] != 0) {
                if (seen[probe] == id) revert AccessLedgerDuplicateTarget(id);
                probe = (probe + 1) & mask;
            }
            seen[probe] = id;
            if (id == 0 || _consortium.roleOf(id) != IConsortium.Role.Hospital) {
                revert AccessLedgerNotHospital(id);
            }
            if (i < _HEAD_TARGETS) {
                headTargets |= uint128(uint256(id) << (32 * i));
            } else {
                uint256 j = i - _HEAD_TARGETS;
                uint256 slotIndex = j % _TARGETS_PER_WORD;
                word |= uint256(id) << (32 * slotIndex);
                if (slotIndex == _TARGETS_PER_WORD - 1 || i == count - 1) {
                    _moreTargets[queryId][j / _TARGETS_PER_WORD] = word;
                    word = 0;
                }
            }
        }
    }

    /// @dev Whether `hospitalId` is among the `count` targets of `queryId` (linear scan: at
    /// most four ids in the already-loaded slot plus one word per further eight).
    function _isTarget(
        uint64 queryId,
        uint256 head,
        uint256 count,
        uint32 hospitalId
    ) private view returns (bool) {
        uint256 word;
        for (uint256 i; i < count; ++i) {
            uint32 id;
            if (i < _HEAD_TARGETS) {
                id = uint32(head >> (32 * i));
            } else {
                uint256 j = i - _HEAD_TARGETS;
                if (j % _TARGETS_PER_WORD == 0) word = _moreTargets[queryId][j / _TARGETS_PER_WORD];
                id = uint32(word >> (32 * (j % _TARGETS_PER_WORD)));
            }
            if (id == hospitalId) return true;
        }
        return false;
    }

    /// @dev The stored query `queryId`; reverts if no such query was submitted.
    function _existing(uint64 queryId) private view returns (QueryRecord storage) {
        if (queryId == 0 || queryId > _queryCount) revert AccessLedgerUnknownQuery(queryId);
        return _queries[queryId];
    }

    /// @dev The checks shared by recordResult and declineQuery, in the order they revert.
    function _respondable(
        uint64 queryId,
        uint32 hospitalId
    ) private view returns (QueryRecord storage q) {
        if (!_consortium.isRecorder(hospitalId, msg.sender)) {
            revert AccessLedgerNotRecorder(hospitalId, msg.sender);
        }
        q = _existing(queryId);
        QueryStatus status = q.status;
        if (status != QueryStatus.Approved) revert AccessLedgerUnexpectedStatus(queryId, status);
        uint40 expiry = q.expiry;
        if (block.timestamp >= expiry) revert AccessLedgerQueryExpired(queryId, expiry);
        if (!_isTarget(queryId, q.headTargets, q.targetCount, hospitalId)) {
            revert AccessLedgerNotTarget(queryId, hospitalId);
        }
        if (_responses[queryId][hospitalId].status != ResponseStatus.None) {
            revert AccessLedgerAlreadyResponded(queryId, hospitalId);
        }
        _checkResearcher(queryId, q.researcherOrg);
    }

    /// @dev Reverts unless the query's organisation still holds the researcher role.
    function _checkResearcher(uint64 queryId, uint32 researcherOrg) private view {
        if (_consortium.roleOf(researcherOrg) != IConsortium.Role.Researcher) {
            revert AccessLedgerResearcherNotActive(queryId, researcherOrg);
        }
    }

    /// @dev Adds `epsilon` to the spend if it fits in what the limit leaves.
    function _charge(uint32 researcherOrg, uint32 hospitalId, uint64 epsilon) private {
        Budget storage b = _budgets[researcherOrg][hospitalId];
        uint64 limit = b.limit;
        uint64 spent = b.spent;
        uint64 remaining = limit > spent ? limit - spent : 0;
        if (epsilon > remaining) {
            revert AccessLedgerBudgetExceeded(researcherOrg, hospitalId, epsilon, remaining);
        }
        b.spent = spent + epsilon;
    }
}
