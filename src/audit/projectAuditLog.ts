import type { EventFragment } from "ethers";
import type { VerifiedLog } from "../auditProof/index.ts";
import { CustosError } from "../errors/index.ts";
import { declineReasonName } from "../federation/index.ts";
import {
  consortiumRoles,
  type Hex,
  type LedgerContractName,
  ledgerContracts,
  type ProposalKind,
  proposalKinds,
} from "../ledger/index.ts";
import type { AuditArea, AuditEntry, AuditEventName } from "./AuditEntry.ts";
import { categoryNamesOf, purposeLabelOf, purposeLabelsOf } from "./codeLabels.ts";
import { type AuditFields, type AuditJson, decodeAuditFields } from "./decodeAuditFields.ts";
import { type AuditContracts, decodeProposalAction } from "./decodeProposalAction.ts";

/**
 * A log with where it is on chain: what eth_getLogs returns plus the block's timestamp, what
 * the node reads from its stored receipts, or what an offline proof verified (the same shape
 * as `VerifiedLog`, so a proven event projects as it is). Hex in each case.
 */
export type AuditLog = VerifiedLog;

/** How an event becomes an entry besides its decoded arguments. */
interface EventShape {
  readonly area: AuditArea;
  /** The argument naming the acting account. */
  readonly actor?: string;
  /** Final fields from the decoded arguments: enums named, labels added after them. */
  readonly fields?: (fields: AuditFields, contracts: AuditContracts) => AuditFields;
}

function enumName(names: readonly string[], value: AuditJson): string {
  const name = names[value as number];
  if (name === undefined) throw new RangeError(`enum value ${String(value)} is out of range`);
  return name;
}

const consentTerms = (fields: AuditFields): AuditFields => ({
  ...fields,
  purposeLabels: purposeLabelsOf(fields.purposes as number),
  categoryNames: categoryNamesOf(fields.categories as number),
});

const organisationRole = (fields: AuditFields): AuditFields => ({
  ...fields,
  role: enumName(consortiumRoles, fields.role as AuditJson),
});

/** Every event of the three contracts, by name: a test keeps this in step with the ABIs. */
const eventShapes: { readonly [E in AuditEventName]: EventShape } = {
  QuerySubmitted: {
    area: "query",
    actor: "researcher",
    fields: (f) => ({
      ...f,
      purposeLabel: purposeLabelOf(f.purpose as number),
      useLabels: purposeLabelsOf(f.use as number),
      categoryNames: categoryNamesOf(f.categories as number),
    }),
  },
  QueryApproved: { area: "query", actor: "approver" },
  ResultRecorded: { area: "query", actor: "recorder" },
  QueryDeclined: {
    area: "query",
    actor: "recorder",
    fields: (f) => ({ ...f, reason: declineReasonName(f.reasonCode as number) }),
  },
  QueryClosed: { area: "query", actor: "closedBy" },
  BudgetLimitSet: { area: "budget", actor: "setter" },
  RequiredApprovalsChanged: { area: "governance" },
  SiteTrailAnchored: { area: "siteTrail", actor: "recorder" },
  ConsentGranted: { area: "consent", actor: "actor", fields: consentTerms },
  ConsentUpdated: { area: "consent", actor: "actor", fields: consentTerms },
  ConsentRevoked: { area: "consent", actor: "actor" },
  PatientKeyChanged: { area: "consent", actor: "actor" },
  DelegateAdded: { area: "consent", actor: "actor" },
  DelegateRemoved: { area: "consent", actor: "actor" },
  SignaturesInvalidated: { area: "consent", actor: "actor" },
  // Transfers are made by governance through the Consortium contract: no account acts.
  SubjectTransferred: { area: "consent" },
  SubjectTransferSkipped: {
    area: "consent",
    fields: (f) => ({
      ...f,
      reasonName: ledgerContracts.ConsentRegistry.iface.getError(f.reason as string)?.name ?? null,
    }),
  },
  EIP712DomainChanged: { area: "governance" },
  OrganisationAdded: { area: "governance", fields: organisationRole },
  OrganisationRemoved: { area: "governance" },
  RoleChanged: {
    area: "governance",
    fields: (f) => ({
      ...f,
      previousRole: enumName(consortiumRoles, f.previousRole as AuditJson),
      newRole: enumName(consortiumRoles, f.newRole as AuditJson),
    }),
  },
  MetadataUpdated: { area: "governance" },
  AccountAdded: { area: "governance" },
  AccountRemoved: { area: "governance" },
  RecorderAdded: { area: "governance" },
  RecorderRemoved: { area: "governance" },
  ValidatorChanged: { area: "governance" },
  ValidatorSetScheduled: { area: "governance" },
  ProposalCreated: {
    area: "governance",
    actor: "proposer",
    fields: (f, contracts) => {
      const kind = enumName(proposalKinds, f.kind as AuditJson) as ProposalKind;
      return {
        ...f,
        kind,
        action: decodeProposalAction(kind, f.payload as string, contracts) as AuditJson,
      };
    },
  },
  Voted: { area: "governance", actor: "voter" },
  ProposalExecuted: { area: "governance", actor: "executor" },
  ProposalCancelled: { area: "governance", actor: "canceller" },
  GovernanceParametersChanged: { area: "governance" },
};

/** Each contract's events by topic 0. */
const eventsByTopic: Readonly<Record<LedgerContractName, ReadonlyMap<string, EventFragment>>> = {
  AccessLedger: topicMap("AccessLedger"),
  ConsentRegistry: topicMap("ConsentRegistry"),
  Consortium: topicMap("Consortium"),
};

function topicMap(name: LedgerContractName): ReadonlyMap<string, EventFragment> {
  const map = new Map<string, EventFragment>();
  ledgerContracts[name].iface.forEachEvent((fragment) => {
    map.set(fragment.topicHash.toLowerCase(), fragment);
  });
  return map;
}

function contractOf(address: string, contracts: AuditContracts): LedgerContractName | null {
  const lower = address.toLowerCase();
  if (lower === contracts.consentRegistry.toLowerCase()) return "ConsentRegistry";
  if (lower === contracts.accessLedger.toLowerCase()) return "AccessLedger";
  if (lower === contracts.consortium.toLowerCase()) return "Consortium";
  return null;
}

function undecodable(
  contract: LedgerContractName,
  log: AuditLog,
  reason: string,
  cause?: unknown,
): CustosError {
  return new CustosError(
    "AUDIT_EVENT_UNDECODABLE",
    `a ${contract} log at block ${log.blockNumber}, log ${log.logIndex} does not decode: ${reason}`,
    {
      details: {
        contract,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
        topic0: log.topics[0] ?? null,
        reason,
      },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/**
 * Projects one log into the audit model: the entry of a Custos contract's event (which
 * contract, area, location, acting account and JSON-safe fields; see {@link AuditEntry}),
 * or null for a log of any other contract. Pure and deterministic: the same log always
 * gives an entry that serialises to the same JSON, so an index built from it can be rebuilt
 * byte for byte.
 *
 * @throws CustosError `AUDIT_EVENT_UNDECODABLE` when a log of a Custos contract is none of
 *   its events or is not their canonical ABI encoding.
 * @example
 * ```ts
 * const entry = projectAuditLog({ ...log, blockTimestamp: block.timestamp, logIndex: log.index }, genesis.contracts);
 * if (entry?.event === "ResultRecorded") console.log(entry.fields.result.epsilon);
 * ```
 */
export function projectAuditLog(log: AuditLog, contracts: AuditContracts): AuditEntry | null {
  const contract = contractOf(log.address, contracts);
  if (contract === null) return null;
  const fragment = eventsByTopic[contract].get((log.topics[0] ?? "").toLowerCase());
  if (fragment === undefined) throw undecodable(contract, log, "unknown event");
  const shape = eventShapes[fragment.name as AuditEventName] as EventShape | undefined;
  if (shape === undefined)
    throw undecodable(contract, log, `event ${fragment.name} is not modelled`);
  let fields: AuditFields;
  try {
    const decoded = decodeAuditFields(
      ledgerContracts[contract].iface,
      fragment,
      log.topics,
      log.data,
    );
    fields = shape.fields === undefined ? decoded : shape.fields(decoded, contracts);
  } catch (cause) {
    throw undecodable(contract, log, cause instanceof Error ? cause.message : String(cause), cause);
  }
  const entry = {
    event: fragment.name,
    contract,
    area: shape.area,
    at: {
      blockNumber: log.blockNumber,
      blockHash: log.blockHash.toLowerCase() as Hex,
      blockTimestamp: log.blockTimestamp,
      txHash: log.transactionHash.toLowerCase() as Hex,
      txIndex: log.transactionIndex,
      logIndex: log.logIndex,
    },
    actor: shape.actor === undefined ? null : (fields[shape.actor] as Hex),
    fields,
  };
  return entry as AuditEntry;
}
