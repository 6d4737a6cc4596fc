/**
 * The building blocks every exported AuditEvent shares: its id, time and source, the agents
 * (accounts, contracts, organisations), and the entities (the patient by pseudonym, the chain
 * location, the event's fields as details).
 */
import type { AuditEntry, AuditLocation } from "../audit/index.ts";
import { fhirSystems, purposeCodes } from "../consent/index.ts";
import type { ConsortiumRole, Hex } from "../ledger/index.ts";
import type { CheckedAuditExportContext } from "./AuditExportContext.ts";
import { auditIdentifierSystems as systems } from "./auditIdentifierSystems.ts";
import { auditCodes } from "./balpVocabulary.ts";
import { exportInputInvalid } from "./exportInputInvalid.ts";
import type {
  FhirAuditEventAgent,
  FhirAuditEventDetail,
  FhirAuditEventEntity,
  FhirAuditEventSource,
  FhirCodeableConcept,
  FhirCoding,
  FhirReference,
} from "./FhirAuditEvent.ts";
import { AUDIT_EVENT_NAMESPACE, nameBasedUuid } from "./nameBasedUuid.ts";

const HASH = /^0x[0-9a-f]{64}$/;
/** The last second a FHIR instant (year 9999) can hold. */
const MAX_INSTANT_SECONDS = 253_402_300_799;

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * Checks an entry's chain location: the ids and times derived from it must not be garbage.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` naming the field.
 * @example
 * ```ts
 * const at = checkLocation(entry.at);
 * ```
 */
export function checkLocation(at: AuditLocation | undefined): AuditLocation {
  if (typeof at !== "object" || at === null) throw exportInputInvalid("entry.at", "is missing");
  for (const name of ["blockNumber", "txIndex", "logIndex"] as const) {
    if (!isCount(at[name])) {
      throw exportInputInvalid(`entry.at.${name}`, "must be a non-negative safe integer");
    }
  }
  if (!isCount(at.blockTimestamp) || at.blockTimestamp > MAX_INSTANT_SECONDS) {
    throw exportInputInvalid("entry.at.blockTimestamp", "must be unix seconds up to year 9999");
  }
  for (const name of ["blockHash", "txHash"] as const) {
    if (typeof at[name] !== "string" || !HASH.test(at[name])) {
      throw exportInputInvalid(`entry.at.${name}`, "must be 32 bytes of lowercase hex");
    }
  }
  return at;
}

/**
 * The id of the AuditEvent of the log at `at` (plus `suffix`, for several events of one log).
 *
 * @example
 * ```ts
 * auditEventId(1337, entry.at); // "9b2f…-5…": the same for the same log, always
 * ```
 */
export function auditEventId(chainId: number, at: AuditLocation, suffix = ""): string {
  return nameBasedUuid(AUDIT_EVENT_NAMESPACE, `${chainId}/${at.blockHash}/${at.logIndex}${suffix}`);
}

/**
 * The block time as a FHIR instant.
 *
 * @example
 * ```ts
 * recordedAt({ ...at, blockTimestamp: 1_700_000_000 }); // "2023-11-14T22:13:20.000Z"
 * ```
 */
export function recordedAt(at: AuditLocation): string {
  return new Date(at.blockTimestamp * 1000).toISOString();
}

/**
 * The node that observed the chain: an application server on it.
 *
 * @example
 * ```ts
 * sourceOf(context).site; // "eip155:1337"
 * ```
 */
export function sourceOf(context: CheckedAuditExportContext): FhirAuditEventSource {
  return {
    site: `eip155:${context.chainId}`,
    observer: observerOf(context),
    type: [auditCodes.applicationServer],
  };
}

/**
 * The observing node as a reference.
 *
 * @example
 * ```ts
 * observerOf(context).identifier; // { system: "urn:custos:node:1337", value: "node-1" }
 * ```
 */
export function observerOf(context: CheckedAuditExportContext): FhirReference {
  return { identifier: { system: systems.node(context.chainId), value: context.observer } };
}

const concept = (coding: FhirCoding): FhirCodeableConcept => ({ coding: [coding] });

/**
 * An account acting through the chain: its address as the identifier, its CAIP-10 account
 * id as the network address (the chain is the network it reached the contract over).
 *
 * @example
 * ```ts
 * accountAgent(auditCodes.sourceRole, entry.actor, 1337, true).network; // { address: "eip155:1337:0x…", type: "5" }
 * ```
 */
export function accountAgent(
  type: FhirCoding,
  account: Hex,
  chainId: number,
  requestor: boolean,
): FhirAuditEventAgent {
  return {
    type: concept(type),
    who: { identifier: { system: systems.account, value: account } },
    requestor,
    network: { address: `eip155:${chainId}:${account}`, type: "5" },
  };
}

/**
 * A contract: the server of every on-chain interaction.
 *
 * @example
 * ```ts
 * contractAgent(auditCodes.destinationRole, "AccessLedger", contracts.accessLedger, 1337);
 * ```
 */
export function contractAgent(
  type: FhirCoding,
  name: AuditEntry["contract"],
  address: Hex,
  chainId: number,
): FhirAuditEventAgent {
  return {
    type: concept(type),
    who: { identifier: { system: systems.contract(chainId), value: address }, display: name },
    requestor: false,
    network: { address: `eip155:${chainId}:${address}`, type: "5" },
  };
}

/**
 * The sender of an entry's transaction, for events that name no acting account: identified
 * through the transaction (its `from`), reached over the chain.
 *
 * @example
 * ```ts
 * senderAgent(auditCodes.sourceRole, entry.at, 1337, true).who.identifier?.value; // entry.at.txHash
 * ```
 */
export function senderAgent(
  type: FhirCoding,
  at: AuditLocation,
  chainId: number,
  requestor: boolean,
): FhirAuditEventAgent {
  return {
    type: concept(type),
    who: {
      identifier: { system: systems.transaction(chainId), value: at.txHash },
      display: "the sender of the transaction (the event names no account)",
    },
    requestor,
    network: { address: `eip155:${chainId}`, type: "5" },
  };
}

/**
 * An organisation of the consortium as a reference.
 *
 * @example
 * ```ts
 * organisationRef(6, 1337); // { type: "Organization", identifier: { system: "urn:custos:org:1337", value: "6" } }
 * ```
 */
export function organisationRef(orgId: number, chainId: number): FhirReference {
  return {
    type: "Organization",
    identifier: { system: systems.organisation(chainId), value: String(orgId) },
  };
}

/**
 * An organisation of the consortium taking part, with its consortium role.
 *
 * @example
 * ```ts
 * organisationAgent(auditCodes.author, 6, "researcher", 1337, true);
 * ```
 */
export function organisationAgent(
  type: FhirCoding,
  orgId: number,
  role: Exclude<ConsortiumRole, "none">,
  chainId: number,
  requestor: boolean,
): FhirAuditEventAgent {
  return {
    type: concept(type),
    role: [concept({ system: systems.consortiumRole, code: role })],
    who: organisationRef(orgId, chainId),
    requestor,
  };
}

/**
 * A subject as BALP's patient entity: by its pseudonym at its custodian and nothing else —
 * no name, no display, no other identifier, no resolvable reference.
 *
 * @example
 * ```ts
 * patientEntity(1, "0x…").what; // { type: "Patient", identifier: { system: "urn:custos:subject:1", value: "0x…" } }
 * ```
 */
export function patientEntity(custodian: number, subject: Hex): FhirAuditEventEntity {
  return {
    what: { type: "Patient", identifier: { system: systems.subject(custodian), value: subject } },
    type: auditCodes.person,
    role: auditCodes.patient,
  };
}

function flatten(prefix: string, value: unknown, out: FhirAuditEventDetail[]): void {
  if (value === null || value === undefined) return;
  if (typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(`${prefix}.${key}`, inner, out);
    return;
  }
  out.push({
    type: prefix,
    valueString: typeof value === "string" ? value : JSON.stringify(value),
  });
}

/**
 * An entry's fields as entity details, in the model's order: a tuple becomes one detail per
 * member (`result.consentRoot`), a list one JSON array, a null (unknown label) none.
 *
 * @example
 * ```ts
 * fieldDetails({ queryId: "7", targets: [1, 2] }); // [{ type: "queryId", valueString: "7" }, { type: "targets", valueString: "[1,2]" }]
 * ```
 */
export function fieldDetails(fields: AuditEntry["fields"]): FhirAuditEventDetail[] {
  const out: FhirAuditEventDetail[] = [];
  for (const [key, value] of Object.entries(fields)) flatten(key, value, out);
  return out;
}

/**
 * Where the event is on chain, so a proof (`custos audit prove --tx`) matches it: the
 * transaction as the identifier; block, block hash, transaction and log index as details.
 *
 * @example
 * ```ts
 * locationEntity(entry, 1337).name; // "AccessLedger.ResultRecorded"
 * ```
 */
export function locationEntity(entry: AuditEntry, chainId: number): FhirAuditEventEntity {
  const { at } = entry;
  return {
    what: { identifier: { system: systems.transaction(chainId), value: at.txHash } },
    type: auditCodes.other,
    name: `${entry.contract}.${entry.event}`,
    detail: [
      { type: "blockNumber", valueString: String(at.blockNumber) },
      { type: "blockHash", valueString: at.blockHash },
      { type: "blockTimestamp", valueString: String(at.blockTimestamp) },
      { type: "txHash", valueString: at.txHash },
      { type: "txIndex", valueString: String(at.txIndex) },
      { type: "logIndex", valueString: String(at.logIndex) },
    ],
  };
}

const purposesByBit = new Map(Object.values(purposeCodes).map((code) => [code.bit, code]));

/**
 * A query's DUO purpose bit as a purpose of event (text only for a bit Custos does not know).
 *
 * @example
 * ```ts
 * purposeOfEvent(1 << 2)[0]?.text; // "HMB" (coded DUO:0000006)
 * ```
 */
export function purposeOfEvent(bit: number): FhirCodeableConcept[] {
  const code = purposesByBit.get(bit);
  if (code === undefined) return [{ text: `purpose bit ${bit}` }];
  return [
    { coding: [{ system: fhirSystems.duo, code: code.duo, display: code.name }], text: code.label },
  ];
}
