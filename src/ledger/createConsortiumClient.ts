import { ZeroAddress } from "ethers";
import type { Bytes32 } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { Hex } from "./abiValues.ts";
import type { ConsortiumEvent } from "./LedgerEvent.ts";
import { ledgerContracts } from "./ledgerContracts.ts";
import { bindLedgerContract, type LedgerClientOptions } from "./ledgerHandle.ts";
import {
  callLedgerView,
  sendLedgerTransaction,
  type TransactionOptions,
  type TransactionResult,
} from "./ledgerTransaction.ts";
import { type IdPageOptions, readIdPages } from "./readIdPages.ts";
import { type EventPageOptions, readLedgerEvents } from "./readLedgerEvents.ts";

/** Options of {@link createConsortiumClient}. */
export type ConsortiumClientOptions = LedgerClientOptions;

/** Organisation roles, indexed as Consortium's `Role` enum. */
export const consortiumRoles = [
  "none",
  "hospital",
  "regulator",
  "researcher",
  "reviewBoard",
] as const;
/** An organisation role ("none" for no or a removed organisation). */
export type ConsortiumRole = (typeof consortiumRoles)[number];

/** Capacities of an address's binding, indexed as Consortium's `Capacity` enum. */
export const consortiumCapacities = ["none", "admin", "recorder", "retired"] as const;
/**
 * How an address is bound to an organisation: "none" (never bound), "admin" (manages the
 * organisation, governs, acts for it in AccessLedger), "recorder" (records consents and query
 * responses for a hospital, nothing else) or "retired" (taken out with removeAccount /
 * removeRecorder, or its organisation was removed: no rights, and never bound again).
 */
export type ConsortiumCapacity = (typeof consortiumCapacities)[number];

/** An address's binding as Consortium reports it (also after retirement or removal). */
export interface ConsortiumBinding {
  /** The organisation it is or was bound to (0 = never bound). */
  readonly orgId: number;
  readonly capacity: ConsortiumCapacity;
}

/** Proposal kinds, indexed as Consortium's `ProposalKind` enum. */
export const proposalKinds = [
  "addOrganisation",
  "removeOrganisation",
  "changeRole",
  "setValidator",
  "call",
] as const;
/** What a proposal does when executed. */
export type ProposalKind = (typeof proposalKinds)[number];

/** Proposal states, indexed as Consortium's `ProposalState` enum. */
export const proposalStates = ["pending", "open", "expired", "executed", "cancelled"] as const;
/** A proposal's lifecycle state in the latest block. */
export type ProposalState = (typeof proposalStates)[number];

/** An organisation as Consortium reports it (also after removal). */
export interface ConsortiumOrganisation {
  readonly id: number;
  /** Last role held, also after removal. */
  readonly role: ConsortiumRole;
  readonly active: boolean;
  readonly metadata: Bytes32;
  /** Hospital's validator address, null for other roles. */
  readonly validator: Hex | null;
  /** Admin accounts (retired ones left out). */
  readonly accountCount: number;
  /** Consent recorders (retired ones left out). */
  readonly recorderCount: number;
}

/** An organisation to register by proposal. */
export interface OrganisationInput {
  readonly role: Exclude<ConsortiumRole, "none">;
  /** keccak-256 of the off-chain description. */
  readonly metadata: Bytes32;
  /** Admin accounts (at least one); never-bound addresses. */
  readonly accounts: readonly string[];
  /**
   * Hospitals only: consent recorders, never-bound addresses that must not be among
   * `accounts` (a recorder is not an admin account).
   */
  readonly recorders?: readonly string[];
  /** Hospitals only. */
  readonly validator?: string;
}

/** A proposal as Consortium reports it. */
export interface ConsortiumProposal {
  readonly id: bigint;
  readonly kind: ProposalKind;
  readonly state: ProposalState;
  /** The proposing hospital. */
  readonly hospitalId: number;
  readonly proposer: Hex;
  readonly createdBlock: bigint;
  readonly executableFrom: bigint;
  readonly expiresAt: bigint;
  /** Votes of hospitals still active. */
  readonly votes: number;
  /** ABI-encoded payload (see Consortium's ProposalKind). */
  readonly payload: Hex;
}

/** Transaction result of a Consortium call. */
export type ConsortiumTransaction = TransactionResult<ConsortiumEvent>;
/** Transaction result of a proposal, with the new proposal's id. */
export type ProposalTransaction = ConsortiumTransaction & { readonly proposalId: bigint };

/** Typed access to a deployed Consortium. */
export interface ConsortiumClient {
  /** The contract's address. */
  readonly address: Hex;
  /** Organisation ids issued (active or removed); ids are 1..count. */
  organisationCount(): Promise<number>;
  /** Organisation `orgId`, also after removal. */
  organisation(orgId: number): Promise<ConsortiumOrganisation>;
  /** Organisations fromId..organisationCount (removed ones included), a page at a time. */
  organisations(options?: IdPageOptions): AsyncGenerator<ConsortiumOrganisation, void>;
  /** Admin accounts of an organisation (unordered; retired ones left out). */
  accountsOf(orgId: number): Promise<Hex[]>;
  /** Consent recorders of a hospital (unordered; retired ones left out). */
  recordersOf(orgId: number): Promise<Hex[]>;
  /** The active organisation `account` acts for, as admin or recorder (0 = none or retired). */
  organisationOf(account: string): Promise<number>;
  /** Role of an active organisation ("none" if removed or unknown). */
  roleOf(orgId: number): Promise<ConsortiumRole>;
  /** Number of active organisations holding `role`. */
  roleCount(role: Exclude<ConsortiumRole, "none">): Promise<number>;
  /** Whether `account` acts (as admin or recorder) for an active organisation with `role`. */
  hasRole(role: Exclude<ConsortiumRole, "none">, account: string): Promise<boolean>;
  /** Whether `account` acts (as admin or recorder) for an active organisation. */
  isMember(account: string): Promise<boolean>;
  /** Whether `account` is an admin account of the active organisation `orgId`. */
  isAdmin(orgId: number, account: string): Promise<boolean>;
  /** Whether `account` is a consent recorder of active hospital `hospitalId`. */
  isRecorder(hospitalId: number, account: string): Promise<boolean>;
  /** The organisation and capacity `account` is or was bound in. */
  bindingOf(account: string): Promise<ConsortiumBinding>;
  /** Validator set in force at the latest block, sorted by address. */
  validators(): Promise<Hex[]>;
  /** Validator set in force at `blockNumber`. */
  validatorsAt(blockNumber: number | bigint): Promise<Hex[]>;
  /** Number of active hospitals. */
  hospitalCount(): Promise<number>;
  /** Blocks between a new proposal and its earliest execution. */
  executionDelay(): Promise<bigint>;
  /** Blocks a new proposal stays open. */
  votingPeriod(): Promise<bigint>;
  /** Proposals made; ids are 1..count. */
  proposalCount(): Promise<bigint>;
  /** Proposal `proposalId` with its state in the latest block. */
  proposal(proposalId: bigint | number): Promise<ConsortiumProposal>;
  /** Proposals fromId..proposalCount, a page at a time. */
  proposals(options?: IdPageOptions): AsyncGenerator<ConsortiumProposal, void>;
  /** State of a proposal in the latest block. */
  proposalState(proposalId: bigint | number): Promise<ProposalState>;
  /** Hospitals that voted for a proposal, in vote order. */
  votersOf(proposalId: bigint | number): Promise<number[]>;
  /** Whether a hospital voted for a proposal. */
  hasVoted(proposalId: bigint | number, hospitalId: number): Promise<boolean>;
  /** Adds a never-bound address as an admin account of the caller's organisation (admins only). */
  addAccount(account: string, options?: TransactionOptions): Promise<ConsortiumTransaction>;
  /** Retires an admin account (never the last) of the caller's organisation for good. */
  removeAccount(account: string, options?: TransactionOptions): Promise<ConsortiumTransaction>;
  /** Makes a never-bound address a consent recorder of the caller's hospital (admins only). */
  addRecorder(account: string, options?: TransactionOptions): Promise<ConsortiumTransaction>;
  /** Retires a consent recorder of the caller's hospital for good. */
  removeRecorder(account: string, options?: TransactionOptions): Promise<ConsortiumTransaction>;
  /** Replaces the caller's organisation's metadata hash (admins only). */
  setMetadata(metadata: Bytes32, options?: TransactionOptions): Promise<ConsortiumTransaction>;
  /** Proposes to register an organisation; the caller's hospital (an admin) votes yes. */
  proposeAddOrganisation(
    organisation: OrganisationInput,
    options?: TransactionOptions,
  ): Promise<ProposalTransaction>;
  /** Proposes to remove an organisation. */
  proposeRemoveOrganisation(
    orgId: number,
    options?: TransactionOptions,
  ): Promise<ProposalTransaction>;
  /** Proposes a non-hospital role change. */
  proposeChangeRole(
    orgId: number,
    role: Exclude<ConsortiumRole, "none" | "hospital">,
    options?: TransactionOptions,
  ): Promise<ProposalTransaction>;
  /** Proposes a hospital's new validator address. */
  proposeSetValidator(
    hospitalId: number,
    validator: string,
    options?: TransactionOptions,
  ): Promise<ProposalTransaction>;
  /** Proposes a call into a governance-only setter (e.g. AccessLedger.setRequiredApprovals). */
  proposeCall(
    target: string,
    data: Hex,
    options?: TransactionOptions,
  ): Promise<ProposalTransaction>;
  /** Votes for a proposal for the caller's hospital (admins only, not recorders). */
  vote(proposalId: bigint | number, options?: TransactionOptions): Promise<ConsortiumTransaction>;
  /** Executes a proposal with a majority after its delay (anyone). */
  execute(
    proposalId: bigint | number,
    options?: TransactionOptions,
  ): Promise<ConsortiumTransaction>;
  /** Cancels an open proposal of the caller's hospital. */
  cancel(proposalId: bigint | number, options?: TransactionOptions): Promise<ConsortiumTransaction>;
  /** The consortium's events over a block range, paged, in chain order. */
  consortiumEvents(options?: EventPageOptions): AsyncGenerator<ConsortiumEvent, void>;
}

function enumName<T>(names: readonly T[], value: number, field: string): T {
  const name = names[value];
  if (name === undefined) {
    throw new CustosError("LEDGER_BAD_RESPONSE", `unknown ${field}`, {
      details: { field, value: String(value) },
    });
  }
  return name;
}

function roleNumber(role: ConsortiumRole): number {
  return consortiumRoles.indexOf(role);
}

const consortiumEventNames = [
  "OrganisationAdded",
  "OrganisationRemoved",
  "RoleChanged",
  "MetadataUpdated",
  "AccountAdded",
  "AccountRemoved",
  "RecorderAdded",
  "RecorderRemoved",
  "ValidatorChanged",
  "ValidatorSetScheduled",
  "ProposalCreated",
  "Voted",
  "ProposalExecuted",
  "ProposalCancelled",
  "GovernanceParametersChanged",
] as const satisfies readonly ConsortiumEvent["name"][];

/**
 * A typed client over a deployed Consortium: membership reads, paged organisation and
 * proposal lists, self-management, governance proposals and paged event reading.
 *
 * An address is bound once, in one capacity: an admin account manages its organisation,
 * proposes, votes and cancels; a recorder (hospitals only) records and nothing else, so every
 * write here needs an admin (`MEMBERSHIP_DENIED` with ConsortiumNotAdmin /
 * ConsortiumNotHospitalAdmin otherwise). Removed accounts and recorders are retired for good.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a malformed address or a runner without provider.
 * Methods throw `MEMBERSHIP_DENIED`, `LEDGER_NOT_FOUND`, `LEDGER_CONFLICT`,
 * `LEDGER_INVALID_INPUT`, `LEDGER_CONTRACT_REVERTED` (a governance call that failed, inner
 * error in details.reason), `LEDGER_UNAVAILABLE`, `LEDGER_ABORTED`.
 * @example
 * ```ts
 * const consortium = createConsortiumClient({ address, runner: hospitalAdmin });
 * const { proposalId } = await consortium.proposeRemoveOrganisation(5);
 * await consortium.bindingOf(recorderAddress); // { orgId: 1, capacity: "recorder" }
 * ```
 */
export function createConsortiumClient(options: ConsortiumClientOptions): ConsortiumClient {
  const bound = bindLedgerContract(ledgerContracts.Consortium, options);
  const fns = ledgerContracts.Consortium.functions;

  const propose = async (sent: Promise<ConsortiumTransaction>): Promise<ProposalTransaction> => {
    const tx = await sent;
    const created = tx.events.find((e) => e.name === "ProposalCreated");
    if (created?.name !== "ProposalCreated") {
      throw new CustosError("LEDGER_BAD_RESPONSE", "receipt lacks ProposalCreated", {
        details: { hash: tx.hash },
      });
    }
    return { ...tx, proposalId: created.args.proposalId };
  };

  const organisation = async (orgId: number): Promise<ConsortiumOrganisation> => {
    const o = await callLedgerView(bound, fns.organisation, [orgId]);
    return {
      id: orgId,
      role: enumName(consortiumRoles, o.role, "role"),
      active: o.active,
      metadata: o.metadata,
      validator: o.validator === ZeroAddress ? null : o.validator,
      accountCount: Number(o.accountCount),
      recorderCount: Number(o.recorderCount),
    };
  };
  const organisationCount = (): Promise<number> => callLedgerView(bound, fns.organisationCount, []);

  const proposal = async (proposalId: bigint | number): Promise<ConsortiumProposal> => {
    const p = await callLedgerView(bound, fns.proposal, [proposalId]);
    return {
      id: BigInt(proposalId),
      kind: enumName(proposalKinds, p.kind, "proposal kind"),
      state: enumName(proposalStates, p.state, "proposal state"),
      hospitalId: p.hospitalId,
      proposer: p.proposer,
      createdBlock: p.createdBlock,
      executableFrom: p.executableFrom,
      expiresAt: p.expiresAt,
      votes: p.votes,
      payload: p.payload,
    };
  };
  const proposalCount = (): Promise<bigint> => callLedgerView(bound, fns.proposalCount, []);

  return {
    address: bound.address,
    organisationCount,
    organisation,
    organisations: (pageOptions = {}) =>
      readIdPages(
        async () => BigInt(await organisationCount()),
        (id) => organisation(Number(id)),
        pageOptions,
      ),
    accountsOf: async (orgId) => [...(await callLedgerView(bound, fns.accountsOf, [orgId]))],
    recordersOf: async (orgId) => [...(await callLedgerView(bound, fns.recordersOf, [orgId]))],
    organisationOf: (account) => callLedgerView(bound, fns.organisationOf, [account]),
    roleOf: async (orgId) =>
      enumName(consortiumRoles, await callLedgerView(bound, fns.roleOf, [orgId]), "role"),
    roleCount: (role) => callLedgerView(bound, fns.roleCount, [roleNumber(role)]),
    hasRole: (role, account) => callLedgerView(bound, fns.hasRole, [roleNumber(role), account]),
    isMember: (account) => callLedgerView(bound, fns.isMember, [account]),
    isAdmin: (orgId, account) => callLedgerView(bound, fns.isAdmin, [orgId, account]),
    isRecorder: (hospitalId, account) =>
      callLedgerView(bound, fns.isRecorder, [hospitalId, account]),
    bindingOf: async (account) => {
      const { orgId, capacity } = await callLedgerView(bound, fns.bindingOf, [account]);
      return { orgId, capacity: enumName(consortiumCapacities, capacity, "capacity") };
    },
    validators: async () => [...(await callLedgerView(bound, fns.validators, []))],
    validatorsAt: async (blockNumber) => [
      ...(await callLedgerView(bound, fns.validatorsAt, [blockNumber])),
    ],
    hospitalCount: () => callLedgerView(bound, fns.hospitalCount, []),
    executionDelay: () => callLedgerView(bound, fns.executionDelay, []),
    votingPeriod: () => callLedgerView(bound, fns.votingPeriod, []),
    proposalCount,
    proposal,
    proposals: (pageOptions = {}) => readIdPages(proposalCount, proposal, pageOptions),
    proposalState: async (proposalId) =>
      enumName(
        proposalStates,
        await callLedgerView(bound, fns.proposalState, [proposalId]),
        "proposal state",
      ),
    votersOf: async (proposalId) => [...(await callLedgerView(bound, fns.votersOf, [proposalId]))],
    hasVoted: (proposalId, hospitalId) =>
      callLedgerView(bound, fns.hasVoted, [proposalId, hospitalId]),
    addAccount: (account, txOptions) =>
      sendLedgerTransaction(bound, fns.addAccount, [account], txOptions),
    removeAccount: (account, txOptions) =>
      sendLedgerTransaction(bound, fns.removeAccount, [account], txOptions),
    addRecorder: (account, txOptions) =>
      sendLedgerTransaction(bound, fns.addRecorder, [account], txOptions),
    removeRecorder: (account, txOptions) =>
      sendLedgerTransaction(bound, fns.removeRecorder, [account], txOptions),
    setMetadata: (metadata, txOptions) =>
      sendLedgerTransaction(bound, fns.setMetadata, [metadata], txOptions),
    proposeAddOrganisation: (org, txOptions) =>
      propose(
        sendLedgerTransaction(
          bound,
          fns.proposeAddOrganisation,
          [
            {
              role: roleNumber(org.role),
              metadata: org.metadata,
              accounts: org.accounts,
              recorders: org.recorders ?? [],
              validator: org.validator ?? ZeroAddress,
            },
          ],
          txOptions,
        ),
      ),
    proposeRemoveOrganisation: (orgId, txOptions) =>
      propose(sendLedgerTransaction(bound, fns.proposeRemoveOrganisation, [orgId], txOptions)),
    proposeChangeRole: (orgId, role, txOptions) =>
      propose(
        sendLedgerTransaction(bound, fns.proposeChangeRole, [orgId, roleNumber(role)], txOptions),
      ),
    proposeSetValidator: (hospitalId, validator, txOptions) =>
      propose(
        sendLedgerTransaction(bound, fns.proposeSetValidator, [hospitalId, validator], txOptions),
      ),
    proposeCall: (target, data, txOptions) =>
      propose(sendLedgerTransaction(bound, fns.proposeCall, [target, data], txOptions)),
    vote: (proposalId, txOptions) =>
      sendLedgerTransaction(bound, fns.vote, [proposalId], txOptions),
    execute: (proposalId, txOptions) =>
      sendLedgerTransaction(bound, fns.execute, [proposalId], txOptions),
    cancel: (proposalId, txOptions) =>
      sendLedgerTransaction(bound, fns.cancel, [proposalId], txOptions),
    consortiumEvents: (eventOptions = {}) =>
      readLedgerEvents<ConsortiumEvent>(
        {
          provider: bound.provider,
          address: bound.address,
          abi: bound.abi,
          eventNames: consortiumEventNames,
        },
        eventOptions,
      ),
  };
}
