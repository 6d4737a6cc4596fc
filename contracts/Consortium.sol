// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title Consortium
 * @notice Membership and governance of the hospital network: organisations (hospitals,
 * regulators, researchers, review boards), their accounts and consent recorders, the validator
 * set the nodes run consensus with, and hospital-voted proposals that change all of these or
 * call other contracts' governance-only setters.
 *
 * @dev Rules, in one place:
 *
 * Organisations. Ids are sequential from 1 (0 = none) and never reused. An organisation holds a
 * role, an active flag, a metadata hash (keccak-256 of an off-chain description; nothing
 * personal on chain), a set of accounts and, for hospitals, a set of recorders and one validator
 * address. Removal is permanent: the record stays readable for audit (`organisation(id)` shows
 * `active == false` and the last role, accounts, recorders and validator) but every read of the
 * IConsortium API answers 0 / Role.None / false for it at once.
 *
 * Accounts. An address is bound to at most one organisation, once, in one capacity:
 * - an admin account (`accounts` in OrganisationInit, `addAccount`) manages its organisation,
 *   proposes and votes for a hospital, and acts for the organisation in AccessLedger (submits
 *   and approves queries, sets ε limits);
 * - a consent recorder (hospitals only; `recorders`, `addRecorder`) records consents and query
 *   responses and nothing else: it can neither manage accounts nor govern, so a stolen recorder
 *   hot key cannot take over its hospital.
 * The two sets are disjoint. A binding is for good: an account taken out (`removeAccount`,
 * `removeRecorder`) is retired, and so are the accounts of a removed organisation. A retired
 * address loses every right and can never join any organisation again, so a key that acted for
 * one organisation never later acts for another (a hospital facing expulsion cannot park a key
 * in a friendly organisation).
 *
 * Self-management without a vote. Any admin account of an active organisation may, for its own
 * organisation only: add a fresh admin account (`addAccount`), retire an admin account
 * (`removeAccount`, itself included, never the last one), update the metadata hash
 * (`setMetadata`) and, for hospitals, add a fresh recorder (`addRecorder`) or retire one
 * (`removeRecorder`).
 *
 * Validators. Every active hospital has exactly one non-zero validator address, distinct from
 * every other active hospital's (it need not be a member account). The validator set is the
 * validators of the active hospitals sorted by ascending address, at most MAX_HOSPITALS long:
 * each change copies the whole set into a new checkpoint (gas linear in the set's size, ~1.2 M
 * at 40 validators), which the cap keeps within a block. A change executed at block H
 * is in force from block H + 2 (VALIDATOR_SET_DELAY): the node reads the next height's set in
 * advance. Checkpoints (fromBlock, set) record the history; the bootstrap set is in force from
 * block 0. The set is never empty: the last hospital cannot be removed, and hospitals only join
 * and leave through AddOrganisation / RemoveOrganisation (ChangeRole never moves an
 * organisation into or out of the hospital role).
 *
 * Governance. An admin account of an active hospital proposes (its hospital votes yes at once);
 * other hospitals vote yes with `vote` (one vote per hospital, not per account; no "no" votes:
 * absent is no). A proposal created at block B can be executed by anyone in blocks
 * [B + executionDelay, B + votingPeriod] when the votes of hospitals that are still active
 * exceed half of the active hospitals at execution time. So a lone hospital governs alone, and
 * with two hospitals nothing passes without both: neither can expel the other (docs/contracts.md
 * says why). It executes once; the proposing
 * hospital may cancel it while it is open. Votes are accepted until B + votingPeriod. Every
 * proposal is validated against the current state when proposed and again when executed, with
 * the same custom errors. The delay and period are snapshotted per proposal and changed only by
 * governance (a Call proposal to `setGovernanceParameters` on this contract).
 *
 * Bootstrap. The constructor registers the initial organisations and the initial validator set
 * without any external call, so the node can produce genesis state by running it.
 */
contract Consortium is IConsortium {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice What a proposal does when executed.
    /// @dev Payload encodings (abi.encode): AddOrganisation `(OrganisationInit)`;
    /// RemoveOrganisation `(uint32 orgId)`; ChangeRole `(uint32 orgId, Role newRole)`;
    /// SetValidator `(uint32 hospitalId, address validator)`; Call `(address target, bytes data)`.
    enum ProposalKind {
        AddOrganisation,
        RemoveOrganisation,
        ChangeRole,
        SetValidator,
        Call
    }

    /// @notice Lifecycle of a proposal.
    /// @dev Pending: voting open, execution delay not over. Open: voting open and executable
    /// with a majority. Expired: past its expiry without execution. Executed and Cancelled are
    /// final.
    enum ProposalState {
        Pending,
        Open,
        Expired,
        Executed,
        Cancelled
    }

    /// @notice An organisation to register (constructor and AddOrganisation proposals).
    /// @dev `accounts` (the admin accounts) must be non-empty, non-zero, distinct and never
    /// bound. For hospitals `validator` must be non-zero and unused by active hospitals, and
    /// `recorders` non-zero, distinct, never bound and not among `accounts`; other roles must
    /// leave `recorders` empty and `validator` zero.
    struct OrganisationInit {
        Role role;
        bytes32 metadata;
        address[] accounts;
        address[] recorders;
        address validator;
    }

    /// @notice Public view of an organisation.
    /// @dev `role` is the last role held, also after removal; `active` tells whether it counts.
    struct Organisation {
        Role role;
        bool active;
        bytes32 metadata;
        address validator;
        uint256 accountCount;
        uint256 recorderCount;
    }

    /// @notice Public view of a proposal.
    /// @dev `votes` counts only voters that are active hospitals now, i.e. the figure the
    /// majority check would use if executed in this block.
    struct Proposal {
        ProposalKind kind;
        ProposalState state;
        uint32 hospitalId;
        address proposer;
        uint64 createdBlock;
        uint64 executableFrom;
        uint64 expiresAt;
        uint32 votes;
        bytes payload;
    }

    /// @notice A validator set and the first block it is in force.
    struct Checkpoint {
        uint64 fromBlock;
        address[] validators;
    }

    /// @notice The capacity in which an address is bound to an organisation.
    /// @dev None: never bound. Retired: bound once, removed for good.
    enum Capacity {
        None,
        Admin,
        Recorder,
        Retired
    }

    /// @dev Storage of an address's binding (one slot).
    struct Binding {
        uint32 orgId;
        Capacity capacity;
    }

    /// @dev Storage of an organisation; `validator` is set for hospitals only.
    struct OrganisationRecord {
        Role role;
        bool active;
        address validator;
        bytes32 metadata;
        EnumerableSet.AddressSet accounts;
        EnumerableSet.AddressSet recorders;
    }

    /// @dev Storage of a proposal; `voters` lists hospital ids in vote order (for recounting).
    struct ProposalRecord {
        ProposalKind kind;
        bool executed;
        bool cancelled;
        uint32 hospitalId;
        uint64 createdBlock;
        uint64 executableFrom;
        uint64 expiresAt;
        address proposer;
        uint32[] voters;
        bytes payload;
    }

    /// @notice Blocks between the execution of a validator change and the block it applies to.
    uint256 public constant VALIDATOR_SET_DELAY = 2;

    /// @notice Most active hospitals (= validators): bounds the gas of a validator-set change.
    uint256 public constant MAX_HOSPITALS = 64;

    /// @notice Upper bound of `votingPeriod`, so block arithmetic on proposals never overflows.
    uint64 public constant MAX_VOTING_PERIOD = type(uint32).max;

    /// @dev Governance timing snapshotted by new proposals, and the id counters (one slot).
    uint64 private _executionDelay;
    uint64 private _votingPeriod;
    uint32 private _organisationCount;
    /// @dev Proposal ids issued so far (1..count).
    uint256 private _proposalCount;
    /// @dev Organisation records by id; id 0 stays empty (inactive), which makes lookups of
    /// unmapped accounts answer "no organisation" without a branch.
    mapping(uint32 orgId => OrganisationRecord) private _organisations;
    /// @dev Binding of each address, kept when it is retired or its organisation removed.
    mapping(address account => Binding) private _bindings;
    /// @dev Active organisations per role.
    mapping(Role role => uint32) private _roleCounts;
    /// @dev Active hospital of each validator address (cleared when the hospital leaves).
    mapping(address validator => uint32 hospitalId) private _hospitalOfValidator;
    /// @dev Validator-set history, ordered by strictly increasing `fromBlock`; [0] is from block 0.
    Checkpoint[] private _checkpoints;
    /// @dev Proposal records by id.
    mapping(uint256 proposalId => ProposalRecord) private _proposals;
    /// @dev Whether a hospital voted for a proposal.
    mapping(uint256 proposalId => mapping(uint32 hospitalId => bool)) private _hasVoted;

    /// @notice An organisation was registered.
    event OrganisationAdded(uint32 indexed orgId, Role role, bytes32 metadata);
    /// @notice An organisation was removed; its accounts lost every right.
    event OrganisationRemoved(uint32 indexed orgId);
    /// @notice An organisation's role changed.
    event RoleChanged(uint32 indexed orgId, Role previousRole, Role newRole);
    /// @notice An organisation replaced its metadata hash.
    event MetadataUpdated(uint32 indexed orgId, bytes32 metadata);
    /// @notice `account` became an admin account of organisation `orgId`.
    event AccountAdded(uint32 indexed orgId, address indexed account);
    /// @notice Admin account `account` of organisation `orgId` was retired.
    event AccountRemoved(uint32 indexed orgId, address indexed account);
    /// @notice `account` became a consent recorder of hospital `hospitalId`.
    event RecorderAdded(uint32 indexed hospitalId, address indexed account);
    /// @notice Consent recorder `account` of hospital `hospitalId` was retired.
    event RecorderRemoved(uint32 indexed hospitalId, address indexed account);
    /// @notice Hospital `hospitalId`'s validator address changed (previous is 0 when it joined).
    event ValidatorChanged(uint32 indexed hospitalId, address indexed previous, address indexed validator);
    /// @notice The validator set `validators` is in force from block `fromBlock`.
    event ValidatorSetScheduled(uint64 indexed fromBlock, address[] validators);
    /// @notice A proposal was made by `proposer` for hospital `hospitalId`.
    event ProposalCreated(
        uint256 indexed proposalId,
        uint32 indexed hospitalId,
        address indexed proposer,
        ProposalKind kind,
        bytes payload,
        uint64 executableFrom,
        uint64 expiresAt
    );
    /// @notice Hospital `hospitalId` voted for proposal `proposalId` through `voter`.
    event Voted(uint256 indexed proposalId, uint32 indexed hospitalId, address indexed voter);
    /// @notice Proposal `proposalId` was executed by `executor`.
    event ProposalExecuted(uint256 indexed proposalId, address indexed executor);
    /// @notice Proposal `proposalId` was cancelled by `canceller` of the proposing hospital.
    event ProposalCancelled(uint256 indexed proposalId, address indexed canceller);
    /// @notice The governance timing for new proposals changed.
    event GovernanceParametersChanged(uint64 executionDelay, uint64 votingPeriod);

    /// @notice The bootstrap list holds no hospital.
    error ConsortiumNoHospital();
    /// @notice `executionDelay` exceeds `votingPeriod`, or `votingPeriod` is 0 or too large.
    error ConsortiumInvalidGovernanceParameters(uint64 executionDelay, uint64 votingPeriod);
    /// @notice An account or validator address is the zero address.
    error ConsortiumZeroAddress();
    /// @notice Role.None was given where a role is needed.
    error ConsortiumInvalidRole(Role role);
    /// @notice An organisation needs at least one account.
    error ConsortiumNoAccounts();
    /// @notice `account` appears twice in one list.
    error ConsortiumDuplicateAddress(address account);
    /// @notice `account` is bound to `orgId` (as admin or recorder) or was retired from it.
    error ConsortiumAccountTaken(address account, uint32 orgId);
    /// @notice A non-hospital organisation was given recorders or a validator.
    error ConsortiumHospitalOnlyFields(Role role);
    /// @notice Recorder `recorder` is also in the organisation's admin account list.
    error ConsortiumRecorderIsAdmin(address recorder);
    /// @notice Adding a hospital would exceed MAX_HOSPITALS (`max`).
    error ConsortiumTooManyHospitals(uint256 max);
    /// @notice `validator` is the validator of active hospital `hospitalId`.
    error ConsortiumValidatorTaken(address validator, uint32 hospitalId);
    /// @notice No organisation has id `orgId`.
    error ConsortiumUnknownOrganisation(uint32 orgId);
    /// @notice Organisation `orgId` was removed.
    error ConsortiumOrganisationRemoved(uint32 orgId);
    /// @notice Organisation `orgId` is not a hospital.
    error ConsortiumNotHospital(uint32 orgId);
    /// @notice Hospital `hospitalId` is the last one and cannot be removed.
    error ConsortiumLastHospital(uint32 hospitalId);
    /// @notice `from` -> `to` is not an allowed role change of `orgId` (None, unchanged, or hospital).
    error ConsortiumInvalidRoleChange(uint32 orgId, Role from, Role to);
    /// @notice `account` is not an admin account of an active organisation.
    error ConsortiumNotAdmin(address account);
    /// @notice `account` is not an admin account of an active hospital.
    error ConsortiumNotHospitalAdmin(address account);
    /// @notice `account` is not an admin account of organisation `orgId`.
    error ConsortiumNotAccountOf(uint32 orgId, address account);
    /// @notice `account` is the last account of `orgId` and cannot be removed.
    error ConsortiumLastAccount(uint32 orgId, address account);
    /// @notice `account` is not a recorder of `hospitalId`.
    error ConsortiumNotRecorder(uint32 hospitalId, address account);
    /// @notice A Call proposal's `target` has no code.
    error ConsortiumCallTargetNotContract(address target);
    /// @notice The call of proposal `proposalId` to `target` reverted with `reason`.
    error ConsortiumCallFailed(uint256 proposalId, address target, bytes reason);
    /// @notice Only the consortium itself (an executed Call proposal) may do this, not `caller`.
    error ConsortiumOnlyGovernance(address caller);
    /// @notice No proposal has id `proposalId`.
    error ConsortiumUnknownProposal(uint256 proposalId);
    /// @notice Proposal `proposalId` is `state` (Expired, Executed or Cancelled).
    error ConsortiumProposalClosed(uint256 proposalId, ProposalState state);
    /// @notice Proposal `proposalId` cannot be executed before block `executableFrom`.
    error ConsortiumProposalTooEarly(uint256 proposalId, uint64 executableFrom);
    /// @notice Hospital `hospitalId` already voted for `proposalId`.
    error ConsortiumAlreadyVoted(uint256 proposalId, uint32 hospitalId);
    /// @notice Proposal `proposalId` has `votes` counted votes of `hospitals` active hospitals.
    error ConsortiumMajorityNotReached(uint256 proposalId, uint32 votes, uint32 hospitals);
    /// @notice Hospital `hospitalId` did not make proposal `proposalId`.
    error ConsortiumNotProposer(uint256 proposalId, uint32 hospitalId);
    /// @notice There is no checkpoint number `index` (there are `count`).
    error ConsortiumUnknownCheckpoint(uint256 index, uint256 count);

    /// @dev Restricts a function to executed Call proposals targeting this contract.
    modifier onlyGovernance() {
        if (msg.sender != address(this)) revert ConsortiumOnlyGovernance(msg.sender);
        _;
    }

    /**
     * @notice Registers the bootstrap organisations; their hospitals' validators form the set in
     * force from block 0.
     * @param organisations Initial organisations, given ids 1, 2, ... in this order.
     * @param executionDelay_ Blocks after a proposal before it can be executed.
     * @param votingPeriod_ Blocks after a proposal until it expires (>= executionDelay_, > 0).
     */
    constructor(OrganisationInit[] memory organisations, uint64 executionDelay_, uint64 votingPeriod_) {
        _setGovernanceParameters(executionDelay_, votingPeriod_);
        address[] memory set = new address[](0);
        for (uint256 i = 0; i < organisations.length; ++i) {
            _addOrganisation(organisations[i]);
            if (organisations[i].role == Role.Hospital) set = _withValidator(set, organisations[i].validator);
        }
        if (set.length == 0) revert ConsortiumNoHospital();
        _checkpoints.push().validators = set;
        emit ValidatorSetScheduled(0, set);
    }

    // ------------------------------------------------------------------ self-management

    /// @notice Adds the never-bound address `account` as an admin account of the caller's
    /// organisation.
    /// @dev Reverts ConsortiumNotAdmin, ConsortiumZeroAddress, ConsortiumAccountTaken.
    function addAccount(address account) external {
        uint32 orgId = _callerOrganisation();
        _bind(account, orgId, Capacity.Admin);
        _organisations[orgId].accounts.add(account);
        emit AccountAdded(orgId, account);
    }

    /// @notice Retires admin account `account` of the caller's organisation for good.
    /// @dev Reverts ConsortiumNotAdmin, ConsortiumNotAccountOf, ConsortiumLastAccount.
    function removeAccount(address account) external {
        uint32 orgId = _callerOrganisation();
        Binding storage binding = _bindings[account];
        if (binding.orgId != orgId || binding.capacity != Capacity.Admin) revert ConsortiumNotAccountOf(orgId, account);
        OrganisationRecord storage org = _organisations[orgId];
        if (org.accounts.length() == 1) revert ConsortiumLastAccount(orgId, account);
        org.accounts.remove(account);
        binding.capacity = Capacity.Retired;
        emit AccountRemoved(orgId, account);
    }

    /// @notice Makes the never-bound address `account` a consent recorder of the caller's
    /// hospital (a recorder is not an admin account).
    /// @dev Reverts ConsortiumNotAdmin, ConsortiumNotHospital, ConsortiumZeroAddress,
    /// ConsortiumAccountTaken.
    function addRecorder(address account) external {
        uint32 hospitalId = _callerOrganisation();
        OrganisationRecord storage org = _organisations[hospitalId];
        if (org.role != Role.Hospital) revert ConsortiumNotHospital(hospitalId);
        _bind(account, hospitalId, Capacity.Recorder);
        org.recorders.add(account);
        emit RecorderAdded(hospitalId, account);
    }

    /// @notice Retires consent recorder `account` of the caller's hospital for good.
    /// @dev Reverts ConsortiumNotAdmin, ConsortiumNotHospital, ConsortiumNotRecorder.
    function removeRecorder(address account) external {
        uint32 hospitalId = _callerOrganisation();
        OrganisationRecord storage org = _organisations[hospitalId];
        if (org.role != Role.Hospital) revert ConsortiumNotHospital(hospitalId);
        if (!org.recorders.remove(account)) revert ConsortiumNotRecorder(hospitalId, account);
        _bindings[account].capacity = Capacity.Retired;
        emit RecorderRemoved(hospitalId, account);
    }

    /// @notice Replaces the caller's organisation's metadata hash.
    /// @dev Reverts ConsortiumNotAdmin.
    function setMetadata(bytes32 metadata) external {
        uint32 orgId = _callerOrganisation();
        _organisations[orgId].metadata = metadata;
        emit MetadataUpdated(orgId, metadata);
    }

    // ------------------------------------------------------------------ proposals

    /// @notice Proposes to register `init` (see OrganisationInit); the caller's hospital votes yes.
    /// @return proposalId The new proposal's id.
    function proposeAddOrganisation(OrganisationInit memory init) external returns (uint256 proposalId) {
        uint32 hospitalId = _callerHospital();
        _checkNewOrganisation(init);
        return _createProposal(hospitalId, ProposalKind.AddOrganisation, abi.encode(init));
    }

    /// @notice Proposes to remove active organisation `orgId`; the caller's hospital votes yes.
    /// @return proposalId The new proposal's id.
    function proposeRemoveOrganisation(uint32 orgId) external returns (uint256 proposalId) {
        uint32 hospitalId = _callerHospital();
        _checkRemoval(orgId);
        return _createProposal(hospitalId, ProposalKind.RemoveOrganisation, abi.encode(orgId));
    }

    /// @notice Proposes to change the role of non-hospital `orgId` to the non-hospital `newRole`.
    /// @return proposalId The new proposal's id.
    function proposeChangeRole(uint32 orgId, Role newRole) external returns (uint256 proposalId) {
        uint32 hospitalId = _callerHospital();
        _checkRoleChange(orgId, newRole);
        return _createProposal(hospitalId, ProposalKind.ChangeRole, abi.encode(orgId, newRole));
    }

    /// @notice Proposes to replace the validator of hospital `targetHospitalId` by `validator`.
    /// @return proposalId The new proposal's id.
    function proposeSetValidator(uint32 targetHospitalId, address validator) external returns (uint256 proposalId) {
        uint32 hospitalId = _callerHospital();
        _checkSetValidator(targetHospitalId, validator);
        return _createProposal(hospitalId, ProposalKind.SetValidator, abi.encode(targetHospitalId, validator));
    }

    /// @notice Proposes that the consortium call `target` with `data` (for setters guarded by
    /// `msg.sender == consortium`, including this contract's own `setGovernanceParameters`).
    /// @dev The call is not simulated at proposal time (it may depend on earlier proposals);
    /// only `target` having code is checked.
    /// @return proposalId The new proposal's id.
    function proposeCall(address target, bytes calldata data) external returns (uint256 proposalId) {
        uint32 hospitalId = _callerHospital();
        _checkCall(target);
        return _createProposal(hospitalId, ProposalKind.Call, abi.encode(target, data));
    }

    /// @notice Records the caller's hospital's vote for `proposalId`.
    /// @dev Reverts ConsortiumNotHospitalAdmin, ConsortiumUnknownProposal,
    /// ConsortiumProposalClosed, ConsortiumAlreadyVoted.
    function vote(uint256 proposalId) external {
        uint32 hospitalId = _callerHospital();
        ProposalRecord storage p = _openProposal(proposalId);
        if (_hasVoted[proposalId][hospitalId]) revert ConsortiumAlreadyVoted(proposalId, hospitalId);
        _castVote(p, proposalId, hospitalId);
    }

    /// @notice Executes `proposalId` once its delay is over, before expiry, with a strict
    /// majority of the active hospitals; anyone may trigger it.
    /// @dev Reverts ConsortiumUnknownProposal, ConsortiumProposalClosed,
    /// ConsortiumProposalTooEarly, ConsortiumMajorityNotReached, then the kind's own validation
    /// errors (state may have changed since the proposal) or ConsortiumCallFailed.
    function execute(uint256 proposalId) external {
        ProposalRecord storage p = _openProposal(proposalId);
        if (block.number < p.executableFrom) revert ConsortiumProposalTooEarly(proposalId, p.executableFrom);
        uint32 votes = _countVotes(p);
        uint32 hospitals = _roleCounts[Role.Hospital];
        if (uint256(votes) * 2 <= hospitals) revert ConsortiumMajorityNotReached(proposalId, votes, hospitals);
        p.executed = true;
        emit ProposalExecuted(proposalId, msg.sender);
        _apply(proposalId, p.kind, p.payload);
    }

    /// @notice Cancels open proposal `proposalId`; only admin accounts of the proposing hospital
    /// may.
    /// @dev Reverts ConsortiumNotHospitalAdmin, ConsortiumUnknownProposal,
    /// ConsortiumProposalClosed, ConsortiumNotProposer.
    function cancel(uint256 proposalId) external {
        uint32 hospitalId = _callerHospital();
        ProposalRecord storage p = _openProposal(proposalId);
        if (p.hospitalId != hospitalId) revert ConsortiumNotProposer(proposalId, hospitalId);
        p.cancelled = true;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    /// @notice Sets the delay and period snapshotted by proposals made from now on.
    /// @dev Only through an executed Call proposal. Reverts ConsortiumOnlyGovernance,
    /// ConsortiumInvalidGovernanceParameters.
    function setGovernanceParameters(uint64 executionDelay_, uint64 votingPeriod_) external onlyGovernance {
        _setGovernanceParameters(executionDelay_, votingPeriod_);
    }

    // ------------------------------------------------------------------ IConsortium

    /// @inheritdoc IConsortium
    function organisationOf(address account) public view returns (uint32 orgId) {
        Binding storage binding = _bindings[account];
        orgId = binding.orgId;
        if (!_acting(binding) || !_organisations[orgId].active) return 0;
    }

    /// @inheritdoc IConsortium
    function roleOf(uint32 orgId) external view returns (Role) {
        OrganisationRecord storage org = _organisations[orgId];
        return org.active ? org.role : Role.None;
    }

    /// @inheritdoc IConsortium
    function roleCount(Role role) external view returns (uint32) {
        return role == Role.None ? 0 : _roleCounts[role];
    }

    /// @inheritdoc IConsortium
    function hasRole(Role role, address account) external view returns (bool) {
        Binding storage binding = _bindings[account];
        OrganisationRecord storage org = _organisations[binding.orgId];
        return _acting(binding) && org.active && org.role == role;
    }

    /// @inheritdoc IConsortium
    function isAdmin(uint32 orgId, address account) external view returns (bool) {
        Binding storage binding = _bindings[account];
        return orgId != 0 && binding.orgId == orgId && binding.capacity == Capacity.Admin
            && _organisations[orgId].active;
    }

    /// @inheritdoc IConsortium
    function isRecorder(uint32 hospitalId, address account) external view returns (bool) {
        Binding storage binding = _bindings[account];
        if (hospitalId == 0 || binding.orgId != hospitalId || binding.capacity != Capacity.Recorder) return false;
        OrganisationRecord storage org = _organisations[hospitalId];
        return org.active && org.role == Role.Hospital;
    }

    /// @inheritdoc IConsortium
    function isMember(address account) external view returns (bool) {
        Binding storage binding = _bindings[account];
        return _acting(binding) && _organisations[binding.orgId].active;
    }

    /// @inheritdoc IConsortium
    function validators() external view returns (address[] memory) {
        return validatorsAt(block.number);
    }

    /// @inheritdoc IConsortium
    /// @dev Binary search over the checkpoints (latest checked first); sorted by address.
    function validatorsAt(uint256 blockNumber) public view returns (address[] memory) {
        uint256 high = _checkpoints.length;
        if (_checkpoints[high - 1].fromBlock <= blockNumber) return _checkpoints[high - 1].validators;
        uint256 low = 0;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (_checkpoints[mid].fromBlock > blockNumber) high = mid;
            else low = mid + 1;
        }
        return _checkpoints[low - 1].validators;
    }

    // ------------------------------------------------------------------ getters

    /// @notice Organisation `orgId` (also after removal). Reverts ConsortiumUnknownOrganisation.
    function organisation(uint32 orgId) external view returns (Organisation memory) {
        OrganisationRecord storage org = _knownOrganisation(orgId);
        return Organisation({
            role: org.role,
            active: org.active,
            metadata: org.metadata,
            validator: org.validator,
            accountCount: org.accounts.length(),
            recorderCount: org.recorders.length()
        });
    }

    /// @notice Admin accounts of organisation `orgId` (unordered; retired ones left out).
    /// Reverts ConsortiumUnknownOrganisation.
    function accountsOf(uint32 orgId) external view returns (address[] memory) {
        return _knownOrganisation(orgId).accounts.values();
    }

    /// @notice Recorders of organisation `orgId` (unordered; retired ones left out).
    /// Reverts ConsortiumUnknownOrganisation.
    function recordersOf(uint32 orgId) external view returns (address[] memory) {
        return _knownOrganisation(orgId).recorders.values();
    }

    /// @notice Number of organisation ids issued (active or removed); ids are 1..count.
    function organisationCount() external view returns (uint32) {
        return _organisationCount;
    }

    /// @notice Number of active hospitals (= size of the latest validator set).
    function hospitalCount() external view returns (uint32) {
        return _roleCounts[Role.Hospital];
    }

    /// @notice The organisation `account` is (or was) bound to, even if it was removed, and the
    /// capacity it holds now: Capacity.Retired once the address was taken out or its
    /// organisation removed (`accountsOf`/`recordersOf` of a removed organisation still list
    /// which capacity it had).
    function bindingOf(address account) external view returns (uint32 orgId, Capacity capacity) {
        Binding storage binding = _bindings[account];
        orgId = binding.orgId;
        capacity = binding.capacity;
        if (capacity != Capacity.None && !_organisations[orgId].active) capacity = Capacity.Retired;
    }

    /// @notice The active hospital whose validator is `validator` (0 if none).
    function hospitalOfValidator(address validator) external view returns (uint32) {
        return _hospitalOfValidator[validator];
    }

    /// @notice Number of validator-set checkpoints.
    function checkpointCount() external view returns (uint256) {
        return _checkpoints.length;
    }

    /// @notice Validator-set checkpoint number `index` (0 is the bootstrap set, from block 0).
    /// Reverts ConsortiumUnknownCheckpoint.
    function checkpoint(uint256 index) external view returns (Checkpoint memory) {
        uint256 count = _checkpoints.length;
        if (index >= count) revert ConsortiumUnknownCheckpoint(index, count);
        return _checkpoints[index];
    }

    /// @notice Blocks after a proposal before it can be executed (for new proposals).
    function executionDelay() external view returns (uint64) {
        return _executionDelay;
    }

    /// @notice Blocks after a proposal until it expires (for new proposals).
    function votingPeriod() external view returns (uint64) {
        return _votingPeriod;
    }

    /// @notice Number of proposals made; ids are 1..count.
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @notice Proposal `proposalId`. Reverts ConsortiumUnknownProposal.
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        ProposalRecord storage p = _knownProposal(proposalId);
        return Proposal({
            kind: p.kind,
            state: _state(p),
            hospitalId: p.hospitalId,
            proposer: p.proposer,
            createdBlock: p.createdBlock,
            executableFrom: p.executableFrom,
            expiresAt: p.expiresAt,
            votes: _countVotes(p),
            payload: p.payload
        });
    }

    /// @notice State of proposal `proposalId`. Reverts ConsortiumUnknownProposal.
    function proposalState(uint256 proposalId) external view returns (ProposalState) {
        return _state(_knownProposal(proposalId));
    }

    /// @notice Hospitals that voted for `proposalId`, removed ones included, in vote order.
    /// Reverts ConsortiumUnknownProposal.
    function votersOf(uint256 proposalId) external view returns (uint32[] memory) {
        return _knownProposal(proposalId).voters;
    }

    /// @notice Whether hospital `hospitalId` voted for `proposalId`.
    function hasVoted(uint256 proposalId, uint32 hospitalId) external view returns (bool) {
        return _hasVoted[proposalId][hospitalId];
    }

    // ------------------------------------------------------------------ internals

    /// @dev Validates and stores the governance timing.
    function _setGovernanceParameters(uint64 executionDelay_, uint64 votingPeriod_) private {
        if (votingPeriod_ == 0 || votingPeriod_ > MAX_VOTING_PERIOD || executionDelay_ > votingPeriod_) {
            revert ConsortiumInvalidGovernanceParameters(executionDelay_, votingPeriod_);
        }
        _executionDelay = executionDelay_;
        _votingPeriod = votingPeriod_;
        emit GovernanceParametersChanged(executionDelay_, votingPeriod_);
    }

    /// @dev The active organisation the caller is an admin account of, else ConsortiumNotAdmin.
    function _callerOrganisation() private view returns (uint32 orgId) {
        Binding storage binding = _bindings[msg.sender];
        orgId = binding.orgId;
        if (binding.capacity != Capacity.Admin || !_organisations[orgId].active) revert ConsortiumNotAdmin(msg.sender);
    }

    /// @dev The active hospital the caller is an admin account of, else ConsortiumNotHospitalAdmin.
    function _callerHospital() private view returns (uint32 hospitalId) {
        Binding storage binding = _bindings[msg.sender];
        hospitalId = binding.orgId;
        OrganisationRecord storage org = _organisations[hospitalId];
        if (binding.capacity != Capacity.Admin || !org.active || org.role != Role.Hospital) {
            revert ConsortiumNotHospitalAdmin(msg.sender);
        }
    }

    /// @dev Whether `binding` is a live admin or recorder binding (not none, not retired).
    function _acting(Binding storage binding) private view returns (bool) {
        Capacity capacity = binding.capacity;
        return capacity == Capacity.Admin || capacity == Capacity.Recorder;
    }

    /// @dev Record of an issued id, else ConsortiumUnknownOrganisation.
    function _knownOrganisation(uint32 orgId) private view returns (OrganisationRecord storage) {
        if (orgId == 0 || orgId > _organisationCount) revert ConsortiumUnknownOrganisation(orgId);
        return _organisations[orgId];
    }

    /// @dev Record of an active organisation, else ConsortiumUnknownOrganisation or
    /// ConsortiumOrganisationRemoved.
    function _activeOrganisation(uint32 orgId) private view returns (OrganisationRecord storage org) {
        org = _knownOrganisation(orgId);
        if (!org.active) revert ConsortiumOrganisationRemoved(orgId);
    }

    /// @dev Binds the never-bound non-zero `account` to `orgId` in `capacity`.
    function _bind(address account, uint32 orgId, Capacity capacity) private {
        if (account == address(0)) revert ConsortiumZeroAddress();
        Binding storage binding = _bindings[account];
        if (binding.capacity != Capacity.None) revert ConsortiumAccountTaken(account, binding.orgId);
        binding.orgId = orgId;
        binding.capacity = capacity;
    }

    /// @dev Reverts unless `account` is non-zero and was never bound.
    function _checkFresh(address account) private view {
        if (account == address(0)) revert ConsortiumZeroAddress();
        Binding storage binding = _bindings[account];
        if (binding.capacity != Capacity.None) revert ConsortiumAccountTaken(account, binding.orgId);
    }

    /// @dev Every precondition of registering `init` against the current state (see
    /// OrganisationInit); shared by proposal time and execution time.
    function _checkNewOrganisation(OrganisationInit memory init) private view {
        if (init.role == Role.None) revert ConsortiumInvalidRole(init.role);
        address[] memory accounts = init.accounts;
        if (accounts.length == 0) revert ConsortiumNoAccounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            _checkFresh(account);
            if (_indexOf(accounts, account, i) < i) revert ConsortiumDuplicateAddress(account);
        }
        address[] memory recorders = init.recorders;
        if (init.role != Role.Hospital) {
            if (recorders.length != 0 || init.validator != address(0)) revert ConsortiumHospitalOnlyFields(init.role);
            return;
        }
        if (_roleCounts[Role.Hospital] >= MAX_HOSPITALS) revert ConsortiumTooManyHospitals(MAX_HOSPITALS);
        _checkValidatorFree(init.validator);
        for (uint256 i = 0; i < recorders.length; ++i) {
            address recorder = recorders[i];
            _checkFresh(recorder);
            if (_indexOf(accounts, recorder, accounts.length) < accounts.length) {
                revert ConsortiumRecorderIsAdmin(recorder);
            }
            if (_indexOf(recorders, recorder, i) < i) revert ConsortiumDuplicateAddress(recorder);
        }
    }

    /// @dev Index of `value` in `list[0:end]`, or `end` when absent.
    function _indexOf(address[] memory list, address value, uint256 end) private pure returns (uint256 i) {
        while (i < end && list[i] != value) ++i;
    }

    /// @dev Reverts unless `validator` is non-zero and unused by active hospitals.
    function _checkValidatorFree(address validator) private view {
        if (validator == address(0)) revert ConsortiumZeroAddress();
        uint32 holder = _hospitalOfValidator[validator];
        if (holder != 0) revert ConsortiumValidatorTaken(validator, holder);
    }

    /// @dev Registers `init` under the next id; the caller schedules the validator set.
    function _addOrganisation(OrganisationInit memory init) private returns (uint32 orgId) {
        _checkNewOrganisation(init);
        orgId = ++_organisationCount;
        OrganisationRecord storage org = _organisations[orgId];
        org.role = init.role;
        org.active = true;
        org.metadata = init.metadata;
        ++_roleCounts[init.role];
        emit OrganisationAdded(orgId, init.role, init.metadata);
        for (uint256 i = 0; i < init.accounts.length; ++i) {
            _bind(init.accounts[i], orgId, Capacity.Admin);
            org.accounts.add(init.accounts[i]);
            emit AccountAdded(orgId, init.accounts[i]);
        }
        if (init.role != Role.Hospital) return orgId;
        for (uint256 i = 0; i < init.recorders.length; ++i) {
            _bind(init.recorders[i], orgId, Capacity.Recorder);
            org.recorders.add(init.recorders[i]);
            emit RecorderAdded(orgId, init.recorders[i]);
        }
        org.validator = init.validator;
        _hospitalOfValidator[init.validator] = orgId;
        emit ValidatorChanged(orgId, address(0), init.validator);
    }

    /// @dev Preconditions of removing `orgId`.
    function _checkRemoval(uint32 orgId) private view returns (OrganisationRecord storage org) {
        org = _activeOrganisation(orgId);
        if (org.role == Role.Hospital && _roleCounts[Role.Hospital] == 1) revert ConsortiumLastHospital(orgId);
    }

    /// @dev Deactivates `orgId`; a hospital's validator leaves the set at H + 2.
    function _removeOrganisation(uint32 orgId) private {
        OrganisationRecord storage org = _checkRemoval(orgId);
        org.active = false;
        --_roleCounts[org.role];
        emit OrganisationRemoved(orgId);
        if (org.role != Role.Hospital) return;
        delete _hospitalOfValidator[org.validator];
        _scheduleValidatorSet(_withoutValidator(_latestValidators(), org.validator));
    }

    /// @dev Preconditions of changing the role of `orgId`.
    function _checkRoleChange(uint32 orgId, Role newRole) private view returns (OrganisationRecord storage org) {
        org = _activeOrganisation(orgId);
        Role from = org.role;
        if (newRole == Role.None || newRole == from || newRole == Role.Hospital || from == Role.Hospital) {
            revert ConsortiumInvalidRoleChange(orgId, from, newRole);
        }
    }

    /// @dev Changes the role of a non-hospital to another non-hospital role.
    function _changeRole(uint32 orgId, Role newRole) private {
        OrganisationRecord storage org = _checkRoleChange(orgId, newRole);
        Role from = org.role;
        org.role = newRole;
        --_roleCounts[from];
        ++_roleCounts[newRole];
        emit RoleChanged(orgId, from, newRole);
    }

    /// @dev Preconditions of giving hospital `hospitalId` the validator `validator`.
    function _checkSetValidator(uint32 hospitalId, address validator)
        private
        view
        returns (OrganisationRecord storage org)
    {
        org = _activeOrganisation(hospitalId);
        if (org.role != Role.Hospital) revert ConsortiumNotHospital(hospitalId);
        _checkValidatorFree(validator);
    }

    /// @dev Replaces a hospital's validator; the new set is in force at H + 2.
    function _setValidator(uint32 hospitalId, address validator) private {
        OrganisationRecord storage org = _checkSetValidator(hospitalId, validator);
        address previous = org.validator;
        delete _hospitalOfValidator[previous];
        _hospitalOfValidator[validator] = hospitalId;
        org.validator = validator;
        emit ValidatorChanged(hospitalId, previous, validator);
        _scheduleValidatorSet(_withValidator(_withoutValidator(_latestValidators(), previous), validator));
    }

    /// @dev Preconditions of a Call proposal.
    function _checkCall(address target) private view {
        if (target.code.length == 0) revert ConsortiumCallTargetNotContract(target);
    }

    /// @dev Performs a Call proposal, wrapping a revert in ConsortiumCallFailed.
    function _call(uint256 proposalId, address target, bytes memory data) private {
        _checkCall(target);
        (bool ok, bytes memory reason) = target.call(data);
        if (!ok) revert ConsortiumCallFailed(proposalId, target, reason);
    }

    /// @dev Decodes and performs an executed proposal's payload, re-validating it.
    function _apply(uint256 proposalId, ProposalKind kind, bytes memory payload) private {
        if (kind == ProposalKind.AddOrganisation) {
            OrganisationRecord storage org = _organisations[_addOrganisation(abi.decode(payload, (OrganisationInit)))];
            if (org.role == Role.Hospital) _scheduleValidatorSet(_withValidator(_latestValidators(), org.validator));
        } else if (kind == ProposalKind.RemoveOrganisation) {
            _removeOrganisation(abi.decode(payload, (uint32)));
        } else if (kind == ProposalKind.ChangeRole) {
            (uint32 orgId, Role newRole) = abi.decode(payload, (uint32, Role));
            _changeRole(orgId, newRole);
        } else if (kind == ProposalKind.SetValidator) {
            (uint32 hospitalId, address validator) = abi.decode(payload, (uint32, address));
            _setValidator(hospitalId, validator);
        } else {
            (address target, bytes memory data) = abi.decode(payload, (address, bytes));
            _call(proposalId, target, data);
        }
    }

    /// @dev Stores a validated proposal with its timing snapshot and the proposer's vote.
    function _createProposal(uint32 hospitalId, ProposalKind kind, bytes memory payload)
        private
        returns (uint256 proposalId)
    {
        proposalId = ++_proposalCount;
        ProposalRecord storage p = _proposals[proposalId];
        uint64 created = uint64(block.number);
        uint64 executableFrom = created + _executionDelay;
        uint64 expiresAt = created + _votingPeriod;
        p.kind = kind;
        p.hospitalId = hospitalId;
        p.createdBlock = created;
        p.executableFrom = executableFrom;
        p.expiresAt = expiresAt;
        p.proposer = msg.sender;
        p.payload = payload;
        emit ProposalCreated(proposalId, hospitalId, msg.sender, kind, payload, executableFrom, expiresAt);
        _castVote(p, proposalId, hospitalId);
    }

    /// @dev Records `hospitalId`'s vote.
    function _castVote(ProposalRecord storage p, uint256 proposalId, uint32 hospitalId) private {
        _hasVoted[proposalId][hospitalId] = true;
        p.voters.push(hospitalId);
        emit Voted(proposalId, hospitalId, msg.sender);
    }

    /// @dev Record of an issued proposal id, else ConsortiumUnknownProposal.
    function _knownProposal(uint256 proposalId) private view returns (ProposalRecord storage) {
        if (proposalId == 0 || proposalId > _proposalCount) revert ConsortiumUnknownProposal(proposalId);
        return _proposals[proposalId];
    }

    /// @dev Record of a Pending or Open proposal, else ConsortiumUnknownProposal or
    /// ConsortiumProposalClosed.
    function _openProposal(uint256 proposalId) private view returns (ProposalRecord storage p) {
        p = _knownProposal(proposalId);
        ProposalState state = _state(p);
        if (state != ProposalState.Pending && state != ProposalState.Open) {
            revert ConsortiumProposalClosed(proposalId, state);
        }
    }

    /// @dev Lifecycle state of `p` in the current block.
    function _state(ProposalRecord storage p) private view returns (ProposalState) {
        if (p.executed) return ProposalState.Executed;
        if (p.cancelled) return ProposalState.Cancelled;
        if (block.number > p.expiresAt) return ProposalState.Expired;
        if (block.number < p.executableFrom) return ProposalState.Pending;
        return ProposalState.Open;
    }

    /// @dev Votes of hospitals still active: a removed hospital's vote no longer counts.
    function _countVotes(ProposalRecord storage p) private view returns (uint32 votes) {
        uint256 n = p.voters.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_organisations[p.voters[i]].active) ++votes;
        }
    }

    /// @dev The most recently scheduled set (= sorted validators of the active hospitals).
    function _latestValidators() private view returns (address[] memory) {
        return _checkpoints[_checkpoints.length - 1].validators;
    }

    /// @dev Writes `set` as the set in force from block.number + VALIDATOR_SET_DELAY, replacing
    /// a checkpoint already scheduled for that block by an earlier change in the same block.
    function _scheduleValidatorSet(address[] memory set) private {
        uint64 fromBlock = uint64(block.number + VALIDATOR_SET_DELAY);
        Checkpoint storage last = _checkpoints[_checkpoints.length - 1];
        if (last.fromBlock == fromBlock) {
            last.validators = set;
        } else {
            Checkpoint storage next = _checkpoints.push();
            next.fromBlock = fromBlock;
            next.validators = set;
        }
        emit ValidatorSetScheduled(fromBlock, set);
    }

    /// @dev Copy of the sorted `set` with `validator` inserted in order.
    function _withValidator(address[] memory set, address validator) private pure returns (address[] memory out) {
        out = new address[](set.length + 1);
        uint256 j = 0;
        for (uint256 i = 0; i < set.length; ++i) {
            if (j == i && validator < set[i]) out[j++] = validator;
            out[j++] = set[i];
        }
        if (j == set.length) out[j] = validator;
    }

    /// @dev Copy of `set` without `validator` (which it contains).
    function _withoutValidator(address[] memory set, address validator) private pure returns (address[] memory out) {
        out = new address[](set.length - 1);
        uint256 j = 0;
        for (uint256 i = 0; i < set.length; ++i) {
            if (set[i] != validator) out[j++] = set[i];
        }
    }
}
