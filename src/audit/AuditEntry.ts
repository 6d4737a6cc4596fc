import type { DataCategory, PurposeLabel } from "../consent/index.ts";
import type { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../contracts/index.ts";
import type { DeclineReason } from "../federation/index.ts";
import type {
  AbiParameter,
  ConsortiumRole,
  Hex,
  LedgerContractName,
  ProposalKind,
} from "../ledger/index.ts";
import type { ProposalAction } from "./decodeProposalAction.ts";

/** Integer types that always fit a JavaScript number (≤ 48 bits); wider ones are decimal strings. */
type SmallInteger = `uint${8 | 16 | 24 | 32 | 40 | 48}` | `int${8 | 16 | 24 | 32 | 40 | 48}`;

/**
 * The JSON form of a Solidity elementary type in the audit model: integers of at most 48
 * bits are numbers, wider ones decimal strings (a uint64 query id or ε may exceed 2^53),
 * addresses EIP-55 checksummed, bytes lowercase hex.
 */
export type JsonAbiPrimitive<T extends string> = T extends "bool"
  ? boolean
  : T extends SmallInteger
    ? number
    : T extends `uint${string}` | `int${string}`
      ? string
      : T extends "string"
        ? string
        : Hex;

/** The JSON form of one ABI parameter (arrays, tuples and elementary types). */
export type JsonAbiValue<P> = P extends { readonly type: `${infer Inner}[]` }
  ? readonly JsonAbiValue<{
      readonly type: Inner;
      readonly components: P extends { readonly components: infer C } ? C : never;
    }>[]
  : P extends {
        readonly type: "tuple";
        readonly components: infer C extends readonly AbiParameter[];
      }
    ? JsonAbiStruct<C>
    : P extends { readonly type: infer T extends string }
      ? JsonAbiPrimitive<T>
      : unknown;

/** An object with one JSON-safe property per named ABI parameter. */
export type JsonAbiStruct<C extends readonly AbiParameter[]> = {
  readonly [K in C[number] as K["name"]]: JsonAbiValue<K>;
};

type AbiEvent<Name extends string> = {
  readonly type: "event";
  readonly name: Name;
  readonly inputs: readonly AbiParameter[];
};

/** The JSON form of the arguments of event `Name` of a generated ABI. */
type EventArgs<Abi extends readonly unknown[], Name extends string> = JsonAbiStruct<
  Extract<Abi[number], AbiEvent<Name>>["inputs"]
>;
type LedgerArgs<Name extends string> = EventArgs<typeof accessLedgerAbi, Name>;
type RegistryArgs<Name extends string> = EventArgs<typeof consentRegistryAbi, Name>;
type ConsortiumArgs<Name extends string> = EventArgs<typeof consortiumAbi, Name>;

/** The contract an audit entry comes from. */
export type AuditContract = LedgerContractName;

/**
 * What an entry is about: a research query's lifecycle, an ε budget limit, a consent
 * record (ConsentRegistry), governance (Consortium, and AccessLedger's approval threshold,
 * which only governance changes), or a hospital's site trail (the anchor of the off-chain
 * log its data service keeps of refusals, failures, policy changes and manual releases).
 */
export type AuditArea = "query" | "budget" | "consent" | "governance" | "siteTrail";

/** Where an event is on chain. */
export interface AuditLocation {
  readonly blockNumber: number;
  readonly blockHash: Hex;
  /** Unix seconds of the block. */
  readonly blockTimestamp: number;
  readonly txHash: Hex;
  /** Position of the transaction in its block. */
  readonly txIndex: number;
  /** Position of the log among all logs of its block. */
  readonly logIndex: number;
}

/**
 * One chain event in the audit model. `fields` are the event's arguments by name, in ABI
 * order, JSON-safe ({@link JsonAbiValue}), with enums as names and a few derived labels
 * after them; `actor` is the account the event names as acting (the researcher, approver,
 * recorder, setter, consent actor, voter, proposer, executor, canceller), null for events
 * without one.
 */
export interface AuditEntryOf<C extends AuditContract, E extends string, A extends AuditArea, F> {
  readonly event: E;
  readonly contract: C;
  readonly area: A;
  readonly at: AuditLocation;
  readonly actor: Hex | null;
  readonly fields: F;
}

/** Labels of a query's `use` word and categories. */
interface QueryUseLabels {
  /** DUO label of the purpose bit (null for a bit Custos does not know). */
  readonly purposeLabel: PurposeLabel | null;
  /** DUO labels of `use`: the permission, then the attested conditions, in bit order. */
  readonly useLabels: readonly PurposeLabel[];
  readonly categoryNames: readonly DataCategory[];
}

/** Labels of a consent's purposes and categories words. */
interface ConsentTermLabels {
  /** DUO labels of `purposes`, in bit order. */
  readonly purposeLabels: readonly PurposeLabel[];
  readonly categoryNames: readonly DataCategory[];
}

/** AccessLedger QuerySubmitted: a researcher submitted a query. */
export type QuerySubmittedEntry = AuditEntryOf<
  "AccessLedger",
  "QuerySubmitted",
  "query",
  LedgerArgs<"QuerySubmitted"> & QueryUseLabels
>;
/** AccessLedger QueryApproved: a review board approved a query. */
export type QueryApprovedEntry = AuditEntryOf<
  "AccessLedger",
  "QueryApproved",
  "query",
  LedgerArgs<"QueryApproved">
>;
/** AccessLedger ResultRecorded: a hospital recorded its result (and was charged its ε). */
export type ResultRecordedEntry = AuditEntryOf<
  "AccessLedger",
  "ResultRecorded",
  "query",
  LedgerArgs<"ResultRecorded">
>;
/** AccessLedger QueryDeclined: a hospital declined a query. */
export type QueryDeclinedEntry = AuditEntryOf<
  "AccessLedger",
  "QueryDeclined",
  "query",
  LedgerArgs<"QueryDeclined"> & {
    /** Name of the reason code in the network's decline vocabulary (null: not one of them). */
    readonly reason: DeclineReason | null;
  }
>;
/** AccessLedger QueryClosed. */
export type QueryClosedEntry = AuditEntryOf<
  "AccessLedger",
  "QueryClosed",
  "query",
  LedgerArgs<"QueryClosed">
>;
/** AccessLedger BudgetLimitSet: a hospital set a researcher organisation's ε limit. */
export type BudgetLimitSetEntry = AuditEntryOf<
  "AccessLedger",
  "BudgetLimitSet",
  "budget",
  LedgerArgs<"BudgetLimitSet">
>;
/** AccessLedger RequiredApprovalsChanged (through governance). */
export type RequiredApprovalsChangedEntry = AuditEntryOf<
  "AccessLedger",
  "RequiredApprovalsChanged",
  "governance",
  LedgerArgs<"RequiredApprovalsChanged">
>;

/**
 * AccessLedger SiteTrailAnchored: a hospital's recorder anchored the head of its data
 * service's site trail (the hash of trail entry `sequence`).
 */
export type SiteTrailAnchoredEntry = AuditEntryOf<
  "AccessLedger",
  "SiteTrailAnchored",
  "siteTrail",
  LedgerArgs<"SiteTrailAnchored">
>;

/** ConsentRegistry ConsentGranted: a first grant or a re-grant (single or batch). */
export type ConsentGrantedEntry = AuditEntryOf<
  "ConsentRegistry",
  "ConsentGranted",
  "consent",
  RegistryArgs<"ConsentGranted"> & ConsentTermLabels
>;
/** ConsentRegistry ConsentUpdated. */
export type ConsentUpdatedEntry = AuditEntryOf<
  "ConsentRegistry",
  "ConsentUpdated",
  "consent",
  RegistryArgs<"ConsentUpdated"> & ConsentTermLabels
>;
/** ConsentRegistry ConsentRevoked. */
export type ConsentRevokedEntry = AuditEntryOf<
  "ConsentRegistry",
  "ConsentRevoked",
  "consent",
  RegistryArgs<"ConsentRevoked">
>;
/** ConsentRegistry PatientKeyChanged. */
export type PatientKeyChangedEntry = AuditEntryOf<
  "ConsentRegistry",
  "PatientKeyChanged",
  "consent",
  RegistryArgs<"PatientKeyChanged">
>;
/** ConsentRegistry DelegateAdded. */
export type DelegateAddedEntry = AuditEntryOf<
  "ConsentRegistry",
  "DelegateAdded",
  "consent",
  RegistryArgs<"DelegateAdded">
>;
/** ConsentRegistry DelegateRemoved. */
export type DelegateRemovedEntry = AuditEntryOf<
  "ConsentRegistry",
  "DelegateRemoved",
  "consent",
  RegistryArgs<"DelegateRemoved">
>;
/** ConsentRegistry SignaturesInvalidated. */
export type SignaturesInvalidatedEntry = AuditEntryOf<
  "ConsentRegistry",
  "SignaturesInvalidated",
  "consent",
  RegistryArgs<"SignaturesInvalidated">
>;
/** ConsentRegistry SubjectTransferred (governance moved a subject to another custodian). */
export type SubjectTransferredEntry = AuditEntryOf<
  "ConsentRegistry",
  "SubjectTransferred",
  "consent",
  RegistryArgs<"SubjectTransferred">
>;
/**
 * ConsentRegistry EIP712DomainChanged (ERC-5267): declared through OpenZeppelin's EIP712,
 * never emitted, since the registry's signing domain is fixed; modelled so that a log of it
 * would still be shown.
 */
export type EIP712DomainChangedEntry = AuditEntryOf<
  "ConsentRegistry",
  "EIP712DomainChanged",
  "governance",
  RegistryArgs<"EIP712DomainChanged">
>;
/** ConsentRegistry SubjectTransferSkipped. */
export type SubjectTransferSkippedEntry = AuditEntryOf<
  "ConsentRegistry",
  "SubjectTransferSkipped",
  "consent",
  RegistryArgs<"SubjectTransferSkipped"> & {
    /** Name of the ConsentRegistry error `reason` selects (null: not one of its errors). */
    readonly reasonName: string | null;
  }
>;

/** Consortium OrganisationAdded. */
export type OrganisationAddedEntry = AuditEntryOf<
  "Consortium",
  "OrganisationAdded",
  "governance",
  Omit<ConsortiumArgs<"OrganisationAdded">, "role"> & { readonly role: ConsortiumRole }
>;
/** Consortium OrganisationRemoved. */
export type OrganisationRemovedEntry = AuditEntryOf<
  "Consortium",
  "OrganisationRemoved",
  "governance",
  ConsortiumArgs<"OrganisationRemoved">
>;
/** Consortium RoleChanged. */
export type RoleChangedEntry = AuditEntryOf<
  "Consortium",
  "RoleChanged",
  "governance",
  Omit<ConsortiumArgs<"RoleChanged">, "previousRole" | "newRole"> & {
    readonly previousRole: ConsortiumRole;
    readonly newRole: ConsortiumRole;
  }
>;
/** Consortium MetadataUpdated. */
export type MetadataUpdatedEntry = AuditEntryOf<
  "Consortium",
  "MetadataUpdated",
  "governance",
  ConsortiumArgs<"MetadataUpdated">
>;
/** Consortium AccountAdded. */
export type AccountAddedEntry = AuditEntryOf<
  "Consortium",
  "AccountAdded",
  "governance",
  ConsortiumArgs<"AccountAdded">
>;
/** Consortium AccountRemoved. */
export type AccountRemovedEntry = AuditEntryOf<
  "Consortium",
  "AccountRemoved",
  "governance",
  ConsortiumArgs<"AccountRemoved">
>;
/** Consortium RecorderAdded. */
export type RecorderAddedEntry = AuditEntryOf<
  "Consortium",
  "RecorderAdded",
  "governance",
  ConsortiumArgs<"RecorderAdded">
>;
/** Consortium RecorderRemoved. */
export type RecorderRemovedEntry = AuditEntryOf<
  "Consortium",
  "RecorderRemoved",
  "governance",
  ConsortiumArgs<"RecorderRemoved">
>;
/** Consortium ValidatorChanged. */
export type ValidatorChangedEntry = AuditEntryOf<
  "Consortium",
  "ValidatorChanged",
  "governance",
  ConsortiumArgs<"ValidatorChanged">
>;
/** Consortium ValidatorSetScheduled. */
export type ValidatorSetScheduledEntry = AuditEntryOf<
  "Consortium",
  "ValidatorSetScheduled",
  "governance",
  ConsortiumArgs<"ValidatorSetScheduled">
>;
/** Consortium ProposalCreated, with its payload decoded. */
export type ProposalCreatedEntry = AuditEntryOf<
  "Consortium",
  "ProposalCreated",
  "governance",
  Omit<ConsortiumArgs<"ProposalCreated">, "kind"> & {
    readonly kind: ProposalKind;
    /** What the proposal does, decoded from `payload` (null when it does not decode). */
    readonly action: ProposalAction | null;
  }
>;
/** Consortium Voted. */
export type VotedEntry = AuditEntryOf<"Consortium", "Voted", "governance", ConsortiumArgs<"Voted">>;
/** Consortium ProposalExecuted. */
export type ProposalExecutedEntry = AuditEntryOf<
  "Consortium",
  "ProposalExecuted",
  "governance",
  ConsortiumArgs<"ProposalExecuted">
>;
/** Consortium ProposalCancelled. */
export type ProposalCancelledEntry = AuditEntryOf<
  "Consortium",
  "ProposalCancelled",
  "governance",
  ConsortiumArgs<"ProposalCancelled">
>;
/** Consortium GovernanceParametersChanged. */
export type GovernanceParametersChangedEntry = AuditEntryOf<
  "Consortium",
  "GovernanceParametersChanged",
  "governance",
  ConsortiumArgs<"GovernanceParametersChanged">
>;

/** An entry of a query's lifecycle (the query's trail). */
export type QueryAuditEntry =
  | QuerySubmittedEntry
  | QueryApprovedEntry
  | ResultRecordedEntry
  | QueryDeclinedEntry
  | QueryClosedEntry;

/** An entry of ConsentRegistry. */
export type ConsentAuditEntry =
  | ConsentGrantedEntry
  | ConsentUpdatedEntry
  | ConsentRevokedEntry
  | PatientKeyChangedEntry
  | DelegateAddedEntry
  | DelegateRemovedEntry
  | SignaturesInvalidatedEntry
  | SubjectTransferredEntry
  | SubjectTransferSkippedEntry;

/** A governance entry: Consortium's events and AccessLedger's approval threshold. */
export type GovernanceAuditEntry =
  | RequiredApprovalsChangedEntry
  | EIP712DomainChangedEntry
  | OrganisationAddedEntry
  | OrganisationRemovedEntry
  | RoleChangedEntry
  | MetadataUpdatedEntry
  | AccountAddedEntry
  | AccountRemovedEntry
  | RecorderAddedEntry
  | RecorderRemovedEntry
  | ValidatorChangedEntry
  | ValidatorSetScheduledEntry
  | ProposalCreatedEntry
  | VotedEntry
  | ProposalExecutedEntry
  | ProposalCancelledEntry
  | GovernanceParametersChangedEntry;

/** One chain event of a Custos contract in the audit model, discriminated by `event`. */
export type AuditEntry =
  | QueryAuditEntry
  | BudgetLimitSetEntry
  | SiteTrailAnchoredEntry
  | ConsentAuditEntry
  | GovernanceAuditEntry;

/** The name of an event the audit model covers. */
export type AuditEventName = AuditEntry["event"];
