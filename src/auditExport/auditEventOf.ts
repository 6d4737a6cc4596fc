import type {
  AuditEntry,
  QueryDeclinedEntry,
  QuerySummary,
  ResultRecordedEntry,
  SubjectRef,
} from "../audit/index.ts";
import { canonicalJson } from "../canonical/index.ts";
import { CustosError } from "../errors/index.ts";
import type { ConsortiumRole, Hex } from "../ledger/index.ts";
import {
  type AuditExportContext,
  type CheckedAuditExportContext,
  checkAuditExportContext,
} from "./AuditExportContext.ts";
import {
  accountAgent,
  auditEventId,
  checkLocation,
  contractAgent,
  fieldDetails,
  locationEntity,
  organisationAgent,
  organisationRef,
  patientEntity,
  purposeOfEvent,
  recordedAt,
  senderAgent,
  sourceOf,
} from "./auditEventParts.ts";
import { auditIdentifierSystems as systems } from "./auditIdentifierSystems.ts";
import { auditCodes, type BalpProfile, balpProfiles } from "./balpVocabulary.ts";
import { checkAuditEntry } from "./checkAuditEntry.ts";
import type {
  FhirAuditEvent,
  FhirAuditEventAgent,
  FhirAuditEventEntity,
  FhirReference,
} from "./FhirAuditEvent.ts";

/** A RESTful pattern (BALP Create, Update, Delete, and their Patient variants). */
interface RestPlan {
  readonly interaction: "Create" | "Update" | "Delete";
  /** What was created, updated or deleted: the data entity. */
  readonly record: FhirReference;
  /** The account that acted, or "sender" when the event names none. */
  readonly client: Hex | "sender";
  /** The organisation the account acted for, when the event names it. */
  readonly user?: { readonly orgId: number; readonly role: Exclude<ConsortiumRole, "none"> };
  /** The consent record, for the Patient variants. */
  readonly subject?: SubjectRef;
  /** The query's DUO purpose bit. */
  readonly purpose?: number;
  /** Why it failed: the pattern is followed, the profile (which fixes success) not claimed. */
  readonly failure?: string;
}

const actions = { Create: "C", Update: "U", Delete: "D" } as const;
const patientProfiles = {
  Create: "PatientCreate",
  Update: "PatientUpdate",
  Delete: "PatientDelete",
} as const;
const subtypes = {
  Create: auditCodes.create,
  Update: auditCodes.update,
  Delete: auditCodes.delete,
} as const;

function contractAddress(entry: AuditEntry, context: CheckedAuditExportContext): Hex {
  const { contracts } = context;
  if (entry.contract === "AccessLedger") return contracts.accessLedger;
  if (entry.contract === "ConsentRegistry") return contracts.consentRegistry;
  return contracts.consortium;
}

function restEvent(
  entry: AuditEntry,
  context: CheckedAuditExportContext,
  plan: RestPlan,
): FhirAuditEvent {
  const { chainId } = context;
  const removal = plan.interaction === "Delete";
  // BALP's Delete names the client an Application and the server the record's Custodian.
  const clientType = removal ? auditCodes.application : auditCodes.sourceRole;
  const serverType = removal ? auditCodes.custodian : auditCodes.destinationRole;
  // The requestor is the organisation when the event names it, otherwise the account.
  const accountRequests = plan.user === undefined;
  const agent: FhirAuditEventAgent[] = [
    plan.client === "sender"
      ? senderAgent(clientType, entry.at, chainId, accountRequests)
      : accountAgent(clientType, plan.client, chainId, accountRequests),
    contractAgent(serverType, entry.contract, contractAddress(entry, context), chainId),
  ];
  if (plan.user !== undefined) {
    agent.push(
      organisationAgent(auditCodes.author, plan.user.orgId, plan.user.role, chainId, true),
    );
  }
  const details = fieldDetails(entry.fields);
  const entity: FhirAuditEventEntity[] = [
    {
      what: plan.record,
      type: auditCodes.systemObject,
      role: auditCodes.domainResource,
      ...(details.length === 0 ? {} : { detail: details }),
    },
  ];
  if (plan.subject !== undefined) {
    // The custodian hospital keeps the consent record: named beside the server contract.
    agent.push(
      organisationAgent(auditCodes.custodian, plan.subject.custodian, "hospital", chainId, false),
    );
    entity.push(patientEntity(plan.subject.custodian, plan.subject.subject));
  }
  entity.push(locationEntity(entry, chainId));
  const profile: BalpProfile =
    plan.subject === undefined ? plan.interaction : patientProfiles[plan.interaction];
  return {
    resourceType: "AuditEvent",
    id: auditEventId(chainId, entry.at),
    ...(plan.failure === undefined ? { meta: { profile: [balpProfiles[profile]] } } : {}),
    type: auditCodes.rest,
    subtype: [subtypes[plan.interaction]],
    action: actions[plan.interaction],
    recorded: recordedAt(entry.at),
    outcome: plan.failure === undefined ? "0" : "4",
    ...(plan.failure === undefined ? {} : { outcomeDesc: plan.failure }),
    ...(plan.purpose === undefined ? {} : { purposeOfEvent: purposeOfEvent(plan.purpose) }),
    agent,
    source: sourceOf(context),
    entity,
  };
}

/** The summary of `queryId` from the context, when it knows it. */
function summaryOf(queryId: string, context: CheckedAuditExportContext): QuerySummary | undefined {
  const summary = context.querySummary?.(queryId);
  return summary?.queryId === queryId ? summary : undefined;
}

/**
 * The summary a result or decline needs.
 *
 * @throws CustosError `AUDIT_EXPORT_QUERY_UNKNOWN` when the context has none.
 * @example
 * ```ts
 * requiredSummary(entry.fields.queryId, context).researcher;
 * ```
 */
export function requiredSummary(queryId: string, context: CheckedAuditExportContext): QuerySummary {
  const summary = summaryOf(queryId, context);
  if (summary === undefined) {
    throw new CustosError(
      "AUDIT_EXPORT_QUERY_UNKNOWN",
      `the export context has no summary of query ${queryId}`,
      { details: { queryId } },
    );
  }
  return summary;
}

/**
 * A query as the data entity or a related entity.
 *
 * @example
 * ```ts
 * queryRef("7", 1337); // { identifier: { system: "urn:custos:query:1337", value: "7" } }
 * ```
 */
export function queryRef(queryId: string, chainId: number): FhirReference {
  return { identifier: { system: systems.query(chainId), value: queryId } };
}

/** base64 of a string's UTF-8 bytes, without Buffer (the module stays browser-safe). */
function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A result or decline as BALP's Query pattern ("Execute"): the researcher's query (client,
 * Source Role ID) run by the hospital (server, Destination Role ID: its recorder account) for
 * the researcher organisation (user, information recipient), the hospital named custodian.
 * Results are aggregates, not patient specific, so no patient entity: BALP's Query, not
 * PatientQuery or PrivacyDisclosure.Source, both of which need exactly one patient.
 */
function queryEvent(
  entry: ResultRecordedEntry | QueryDeclinedEntry,
  context: CheckedAuditExportContext,
): FhirAuditEvent {
  const { chainId } = context;
  const { queryId, hospitalId, researcherOrg, recorder } = entry.fields;
  const summary = requiredSummary(queryId, context);
  // The request as the ledger holds it: QuerySubmitted's arguments (the spec only by hash).
  const request = canonicalJson({
    queryId,
    researcherOrg: summary.researcherOrg,
    purpose: summary.purpose,
    researcher: summary.researcher,
    specHash: summary.specHash,
    use: summary.use,
    categories: summary.categories,
    targets: summary.targets,
    approvalRef: summary.approvalRef,
    expiry: summary.expiry,
  });
  const declined = entry.event === "QueryDeclined";
  const outcomeDesc = declined
    ? `declined by hospital ${hospitalId}: ${entry.fields.reason ?? "unknown reason"} (code ${entry.fields.reasonCode})`
    : undefined;
  return {
    resourceType: "AuditEvent",
    id: auditEventId(chainId, entry.at),
    ...(declined ? {} : { meta: { profile: [balpProfiles.Query] } }),
    type: auditCodes.rest,
    // A released result is a disclosure of aggregates: BALP leaves the subtypes open for it.
    subtype: declined ? [auditCodes.searchSystem] : [auditCodes.searchSystem, auditCodes.disclose],
    action: "E",
    recorded: recordedAt(entry.at),
    outcome: declined ? "4" : "0",
    ...(outcomeDesc === undefined ? {} : { outcomeDesc }),
    purposeOfEvent: purposeOfEvent(summary.purpose),
    agent: [
      accountAgent(auditCodes.sourceRole, summary.researcher, chainId, false),
      accountAgent(auditCodes.destinationRole, recorder, chainId, false),
      organisationAgent(
        auditCodes.informationRecipient,
        researcherOrg,
        "researcher",
        chainId,
        true,
      ),
      organisationAgent(auditCodes.custodian, hospitalId, "hospital", chainId, false),
    ],
    source: sourceOf(context),
    entity: [
      {
        type: auditCodes.systemObject,
        role: auditCodes.query,
        description: request,
        query: base64(request),
      },
      // BALP's query entity holds no identifier and no details: the query record does.
      {
        what: queryRef(queryId, chainId),
        type: auditCodes.other,
        role: auditCodes.domainResource,
        detail: fieldDetails(entry.fields),
      },
      locationEntity(entry, chainId),
    ],
  };
}

function planOf(entry: AuditEntry, context: CheckedAuditExportContext): RestPlan {
  const { chainId, contracts } = context;
  const contractRef = (name: AuditEntry["contract"], address: Hex): FhirReference => ({
    identifier: { system: systems.contract(chainId), value: address },
    display: name,
  });
  const client = entry.actor ?? "sender";
  switch (entry.event) {
    case "QuerySubmitted": {
      const { queryId, researcherOrg, purpose } = entry.fields;
      return {
        interaction: "Create",
        record: queryRef(queryId, chainId),
        client,
        user: { orgId: researcherOrg, role: "researcher" },
        purpose,
      };
    }
    case "QueryApproved": {
      const { queryId, reviewBoardOrg } = entry.fields;
      const purpose = summaryOf(queryId, context)?.purpose;
      return {
        interaction: "Update",
        record: queryRef(queryId, chainId),
        client,
        user: { orgId: reviewBoardOrg, role: "reviewBoard" },
        ...(purpose === undefined ? {} : { purpose }),
      };
    }
    case "QueryClosed": {
      // Anyone may close a query once answered or expired: the closer's organisation is unknown.
      const { queryId } = entry.fields;
      const purpose = summaryOf(queryId, context)?.purpose;
      return {
        interaction: "Update",
        record: queryRef(queryId, chainId),
        client,
        ...(purpose === undefined ? {} : { purpose }),
      };
    }
    case "BudgetLimitSet": {
      const { researcherOrg, hospitalId } = entry.fields;
      return {
        interaction: "Update",
        record: {
          identifier: { system: systems.budget(chainId), value: `${researcherOrg}-${hospitalId}` },
        },
        client,
        user: { orgId: hospitalId, role: "hospital" },
      };
    }
    case "SiteTrailAnchored": {
      // The hospital's trail is one record whose head moves with each anchor (an Update);
      // the sequence and head are the details a regulator checks the trail file against.
      const { hospitalId } = entry.fields;
      return {
        interaction: "Update",
        record: {
          identifier: { system: systems.siteTrail(chainId), value: String(hospitalId) },
        },
        client,
        user: { orgId: hospitalId, role: "hospital" },
      };
    }
    case "ConsentGranted":
    case "ConsentUpdated":
    case "ConsentRevoked":
    case "PatientKeyChanged":
    case "DelegateAdded":
    case "DelegateRemoved":
    case "SignaturesInvalidated": {
      // The actor is a recorder, the patient's key, a delegate or (in a transfer) the
      // Consortium: the event does not say for which organisation it acted.
      const { custodian, subject } = entry.fields;
      return {
        interaction: entry.event === "ConsentGranted" ? "Create" : "Update",
        record: {
          type: "Consent",
          identifier: { system: systems.consent(chainId, custodian), value: subject },
        },
        client,
        subject: { custodian, subject },
      };
    }
    case "SubjectTransferred":
    case "SubjectTransferSkipped": {
      // Only the Consortium contract, executing a passed proposal, moves subjects. The record
      // moved is the patient's; its new pseudonym (same patient) stays a detail.
      const { fromCustodian, fromSubject } = entry.fields;
      const skipped = entry.event === "SubjectTransferSkipped";
      return {
        interaction: "Update",
        record: {
          type: "Consent",
          identifier: { system: systems.consent(chainId, fromCustodian), value: fromSubject },
        },
        client: contracts.consortium,
        subject: { custodian: fromCustodian, subject: fromSubject },
        ...(skipped
          ? {
              failure: `transfer skipped: ${entry.fields.reasonName ?? `error ${entry.fields.reason}`}`,
            }
          : {}),
      };
    }
    case "RequiredApprovalsChanged":
      return {
        interaction: "Update",
        record: contractRef("AccessLedger", contracts.accessLedger),
        client,
      };
    case "EIP712DomainChanged":
      return {
        interaction: "Update",
        record: contractRef("ConsentRegistry", contracts.consentRegistry),
        client,
      };
    case "GovernanceParametersChanged":
      return {
        interaction: "Update",
        record: contractRef("Consortium", contracts.consortium),
        client,
      };
    case "OrganisationAdded":
    case "OrganisationRemoved":
    case "RoleChanged":
    case "MetadataUpdated":
    case "AccountAdded":
    case "AccountRemoved":
      return {
        interaction:
          entry.event === "OrganisationAdded"
            ? "Create"
            : entry.event === "OrganisationRemoved"
              ? "Delete"
              : "Update",
        record: organisationRef(entry.fields.orgId, chainId),
        client,
      };
    case "RecorderAdded":
    case "RecorderRemoved":
    case "ValidatorChanged":
      return {
        interaction: "Update",
        record: organisationRef(entry.fields.hospitalId, chainId),
        client,
      };
    case "ValidatorSetScheduled":
      return {
        interaction: "Update",
        record: {
          identifier: { system: systems.validatorSet(chainId), value: entry.fields.fromBlock },
        },
        client,
      };
    case "ProposalCreated":
    case "Voted":
      return {
        interaction: entry.event === "ProposalCreated" ? "Create" : "Update",
        record: {
          identifier: { system: systems.proposal(chainId), value: entry.fields.proposalId },
        },
        client,
        user: { orgId: entry.fields.hospitalId, role: "hospital" },
      };
    case "ProposalExecuted":
    case "ProposalCancelled":
      return {
        interaction: "Update",
        record: {
          identifier: { system: systems.proposal(chainId), value: entry.fields.proposalId },
        },
        client,
      };
    default:
      throw new Error(`unmapped event ${(entry as AuditEntry).event}`);
  }
}

/**
 * {@link auditEventOf} with a checked context (a bundle checks it once).
 *
 * @example
 * ```ts
 * const checked = checkAuditExportContext(context);
 * const events = entries.map((entry) => auditEventOfChecked(entry, checked));
 * ```
 */
export function auditEventOfChecked(
  entry: AuditEntry,
  context: CheckedAuditExportContext,
): FhirAuditEvent {
  checkAuditEntry(entry);
  checkLocation(entry.at);
  if (entry.event === "ResultRecorded" || entry.event === "QueryDeclined") {
    return queryEvent(entry, context);
  }
  return restEvent(entry, context, planOf(entry, context));
}

/**
 * The FHIR R4 AuditEvent of an audit entry, after the IHE Basic Audit Log Patterns (BALP):
 * query submissions, governance and ε limits as Create / Update / Delete of the record they
 * change; consent-record events as PatientCreate / PatientUpdate with the subject named by
 * its pseudonym only; results and declines as Query ("Execute"), aggregates released to the
 * researcher organisation. Every event carries its block time (`recorded`), the observing
 * node (`source`), the acting account and the chain location (an entity whose details give
 * block, block hash, transaction and log index); its id is a version 5 UUID of the chain id,
 * block hash and log index, so the same entry always gives the same bytes. Failures
 * (declines, skipped transfers) follow the pattern with outcome 4 and do not claim the
 * profile, which fixes success. docs/audit.md, "Exports", lists the mapping per event.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` (a malformed entry or context),
 *   `AUDIT_EXPORT_QUERY_UNKNOWN` (a result or decline whose query summary the context lacks).
 * @example
 * ```ts
 * const event = auditEventOf(entry, {
 *   chainId: 1337,
 *   observer: "0xValidatorAddress",
 *   contracts: genesis.contracts,
 *   querySummary: (id) => summaries.get(id),
 * });
 * event.meta?.profile; // ["https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientCreate"]
 * ```
 */
export function auditEventOf(entry: AuditEntry, context: AuditExportContext): FhirAuditEvent {
  return auditEventOfChecked(entry, checkAuditExportContext(context));
}
