/**
 * The constraints of the IHE BALP 1.1 profiles the export claims, written out from the
 * profiles' FSH sources (github.com/IHE/ITI.BasicAudit, input/fsh: PatientCreate.fsh,
 * PatientUpdate.fsh, PatientDelete.fsh, PatientQuery.fsh, Disclose.fsh) independently of the
 * export code: fixed codes, slices (discriminated by `type`) and their cardinalities.
 */

export type BalpName =
  | "Create"
  | "PatientCreate"
  | "Update"
  | "PatientUpdate"
  | "Delete"
  | "Query"
  | "PrivacyDisclosure.Source";

const DCM = "http://dicom.nema.org/resources/ontology/DCM";
const V3 = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
const ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
const RESTFUL = "http://hl7.org/fhir/restful-interaction";
const SCT = "http://snomed.info/sct";

export const balpUrl = (name: BalpName): string =>
  `https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.${name}`;

type Code = readonly [system: string, code: string];

interface Coding {
  readonly system?: string;
  readonly code?: string;
}
interface Agent {
  readonly type?: { readonly coding?: readonly Coding[] };
  readonly who?: unknown;
  readonly network?: unknown;
  readonly media?: unknown;
  readonly requestor?: unknown;
}
interface Entity {
  readonly type?: Coding;
  readonly role?: Coding;
  readonly what?: { readonly type?: string };
  readonly query?: unknown;
  readonly detail?: unknown;
  readonly lifecycle?: unknown;
}
/** An AuditEvent as JSON, every element optional: the checks say what is missing. */
export interface AuditEventJson {
  readonly meta?: { readonly profile?: readonly string[] };
  readonly modifierExtension?: unknown;
  readonly type?: Coding;
  readonly subtype?: readonly Coding[];
  readonly action?: string;
  readonly recorded?: string;
  readonly outcome?: string;
  readonly agent?: readonly Agent[];
  readonly source?: { readonly observer?: unknown };
  readonly entity?: readonly Entity[];
}

const is = (coding: Coding | undefined, [system, code]: Code): boolean =>
  coding?.system === system && coding?.code === code;
const conceptHas = (concept: Agent["type"], code: Code): boolean =>
  (concept?.coding ?? []).some((c) => is(c, code));
const conceptIn = (concept: Agent["type"], codes: readonly Code[]): boolean =>
  codes.some((code) => conceptHas(concept, code));

/** The RESTful patterns: their subtype, action, client and server agent types. */
const rest = {
  Create: {
    subtypes: [[RESTFUL, "create"]],
    action: "C",
    client: [DCM, "110153"],
    server: [DCM, "110152"],
  },
  Update: {
    subtypes: [
      [RESTFUL, "update"],
      [RESTFUL, "patch"],
    ],
    action: "U",
    client: [DCM, "110153"],
    server: [DCM, "110152"],
  },
  Delete: {
    subtypes: [[RESTFUL, "delete"]],
    action: "D",
    client: [DCM, "110150"],
    server: ["http://terminology.hl7.org/CodeSystem/provenance-participant-type", "custodian"],
  },
  Query: {
    subtypes: [
      [RESTFUL, "search"],
      [RESTFUL, "search-type"],
      [RESTFUL, "search-system"],
    ],
    action: "E",
    client: [DCM, "110153"],
    server: [DCM, "110152"],
  },
} as const satisfies Record<
  string,
  { subtypes: readonly Code[]; action: string; client: Code; server: Code }
>;

/** ValueSet DataSources: the user of a Create, Update or Delete. */
const dataSources: readonly Code[] = [
  [V3, "AUT"],
  [V3, "INF"],
  [V3, "CST"],
];
/** ValueSet RestObjectRoles: the data entity's role. */
const restObjectRoles: readonly Code[] = [
  [OBJECT_ROLE, "4"],
  [OBJECT_ROLE, "3"],
  [OBJECT_ROLE, "20"],
];

function patientSlice(event: AuditEventJson, out: string[]): void {
  const entities = event.entity ?? [];
  if (entities.length < 2) out.push("entity: fewer than 2");
  const patients = entities.filter((e) => is(e.type, [ENTITY_TYPE, "1"]));
  if (patients.length !== 1) out.push(`entity[patient]: ${patients.length} (want 1)`);
  for (const p of patients) {
    if (!is(p.role, [OBJECT_ROLE, "1"])) out.push("entity[patient].role is not Patient");
    if (p.what === undefined) out.push("entity[patient].what missing");
    else if (p.what.type !== "Patient") out.push("entity[patient].what is not a Patient reference");
  }
}

function restViolations(
  event: AuditEventJson,
  name: keyof typeof rest,
  user: readonly Code[],
  out: string[],
): void {
  const spec = rest[name];
  if (!is(event.type, ["http://terminology.hl7.org/CodeSystem/audit-event-type", "rest"])) {
    out.push("type is not rest");
  }
  const subtypes = (event.subtype ?? []).filter((c) =>
    spec.subtypes.some((code: Code) => is(c, code)),
  );
  if (subtypes.length !== 1) out.push(`subtype: ${subtypes.length} ${name} codes (want 1)`);
  if (event.action !== spec.action) out.push(`action ${event.action} (want ${spec.action})`);
  const agents = event.agent ?? [];
  if (agents.length < 2) out.push("agent: fewer than 2");
  for (const [slice, code] of [
    ["client", spec.client],
    ["server", spec.server],
  ] as const) {
    const matching = agents.filter((a) => conceptHas(a.type, code));
    if (matching.length !== 1) out.push(`agent[${slice}]: ${matching.length} (want 1)`);
    for (const a of matching) {
      if (a.who === undefined) out.push(`agent[${slice}].who missing`);
      if (a.network === undefined) out.push(`agent[${slice}].network missing`);
      if (a.media !== undefined) out.push(`agent[${slice}].media present`);
    }
  }
  const users = agents.filter((a) => conceptIn(a.type, user));
  if (users.length > 1) out.push(`agent[user]: ${users.length} (want at most 1)`);
  for (const u of users) {
    if (u.requestor !== true) out.push("agent[user].requestor is not true");
    if (u.who === undefined) out.push("agent[user].who missing");
    if (u.network !== undefined) out.push("agent[user].network present");
  }
  const entities = event.entity ?? [];
  if (entities.length < 1) out.push("entity: none");
  const objects = entities.filter((e) => is(e.type, [ENTITY_TYPE, "2"]));
  if (objects.length !== 1) out.push(`entity[data|query]: ${objects.length} (want 1)`);
  for (const o of objects) {
    if (name === "Query") {
      if (!is(o.role, [OBJECT_ROLE, "24"])) out.push("entity[query].role is not Query");
      if (typeof o.query !== "string") out.push("entity[query].query missing");
      if (o.what !== undefined) out.push("entity[query].what present");
      if (o.detail !== undefined) out.push("entity[query].detail present");
      if (o.lifecycle !== undefined) out.push("entity[query].lifecycle present");
    } else {
      if (!restObjectRoles.some((code) => is(o.role, code))) {
        out.push("entity[data].role outside RestObjectRoles");
      }
      if (o.what === undefined) out.push("entity[data].what missing");
    }
  }
}

function disclosureViolations(event: AuditEventJson, out: string[]): void {
  if (event.modifierExtension !== undefined) out.push("modifierExtension present");
  if (!is(event.type, [DCM, "110106"])) out.push("type is not Export");
  if (event.action !== "R") out.push(`action ${event.action} (want R)`);
  const disclose = (event.subtype ?? []).filter((c) =>
    is(c, ["http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle", "disclose"]),
  );
  if (disclose.length !== 1) out.push(`subtype[disclosure]: ${disclose.length} (want 1)`);
  if (event.outcome === undefined) out.push("outcome missing");
  const agents = event.agent ?? [];
  if (agents.length < 2) out.push("agent: fewer than 2");
  const slice = (label: string, code: Code, min: number, network: boolean) => {
    const matching = agents.filter((a) => conceptHas(a.type, code));
    if (matching.length < min || matching.length > 1) {
      out.push(`agent[${label}]: ${matching.length}`);
    }
    for (const a of matching) {
      if (a.who === undefined) out.push(`agent[${label}].who missing`);
      if (network && a.network === undefined) out.push(`agent[${label}].network missing`);
    }
    return matching;
  };
  const [source] = slice("source", [DCM, "110153"], 1, true);
  slice("recipient", [DCM, "110152"], 1, true);
  slice("custodian", [SCT, "159541003"], 0, false);
  slice("authorizer", [SCT, "429577009"], 0, false);
  // Invariant val-audit-source: the source agent is the recorder of the event.
  if (
    source !== undefined &&
    JSON.stringify(source.who) !== JSON.stringify(event.source?.observer)
  ) {
    out.push("agent[source].who is not source.observer");
  }
  patientSlice(event, out);
}

/**
 * What `event` breaks of BALP profile `name`, empty when it conforms. With `failure`, the
 * event records a failure: it must follow the pattern except the outcome, which BALP fixes to
 * success, and so must not claim the profile.
 */
export function balpViolations(event: AuditEventJson, name: BalpName, failure = false): string[] {
  const out: string[] = [];
  if (event.recorded === undefined) out.push("recorded missing");
  for (const a of event.agent ?? []) {
    if (typeof a.requestor !== "boolean") out.push("agent.requestor missing");
  }
  const claimed = event.meta?.profile ?? [];
  if (failure) {
    if (event.outcome === "0") out.push("a failure with outcome 0");
    if (claimed.length > 0) out.push(`a failure claims ${claimed.join(", ")}`);
  } else {
    if (!claimed.includes(balpUrl(name))) out.push(`meta.profile lacks ${balpUrl(name)}`);
    if (name !== "PrivacyDisclosure.Source" && event.outcome !== "0") {
      out.push(`outcome ${event.outcome} (want 0)`);
    }
  }
  if (name === "PrivacyDisclosure.Source") {
    disclosureViolations(event, out);
    return out;
  }
  const patient = name.startsWith("Patient");
  const base = (patient ? name.slice("Patient".length) : name) as keyof typeof rest;
  restViolations(event, base, base === "Query" ? [[V3, "IRCP"]] : dataSources, out);
  if (patient) patientSlice(event, out);
  return out;
}
