import { canonicalHash } from "../canonical/index.ts";
import { isCustosError } from "../errors/index.ts";
import type { ConsentRecord, ConsentStatus, DiseaseCode } from "./ConsentRecord.ts";
import { encodePurposes } from "./ConsentWords.ts";
import {
  type DataCategory,
  dataCategories,
  PERMISSION_MASK,
  type PurposeLabel,
  permitsUse,
  purposeCodes,
} from "./consentCodes.ts";
import {
  fhirSystems,
  omopTableCategory,
  resourceTypeCategories,
  v3PurposeToDuo,
} from "./fhirConsentVocabulary.ts";
import { fhirDateTimeToUnix } from "./fhirDateTime.ts";
import {
  asArray,
  asObject,
  asString,
  checkMembers,
  codeIn,
  type FhirObject,
  fhirError,
  readCoding,
  readConcept,
} from "./fhirPath.ts";
import { validateConsentRecord } from "./validateConsentRecord.ts";

/** A FHIR Reference as handed to the subject pseudonymiser. */
export interface FhirReference {
  readonly reference?: string;
  readonly type?: string;
  readonly identifier?: { readonly system?: string; readonly value?: string };
}

/** Options of {@link consentFromFhir}. */
export interface ConsentFromFhirOptions {
  /**
   * Turns `Consent.patient` into the subject pseudonym (bytes32 hex), e.g. by resolving the
   * reference to the patient's person_id and pseudonymising it. The raw reference never
   * enters the record or an error. Not called when the patient is already given as a
   * Custos subject pseudonym identifier (as `consentToFhir` writes it).
   */
  readonly pseudonymiseSubject: (patient: FhirReference) => `0x${string}`;
}

const RESOURCE_IGNORED = [
  "id",
  "meta",
  "text",
  "language",
  "identifier",
  "sourceAttachment",
  "sourceReference",
];
const RESOURCE_MAPPED = [
  "resourceType",
  "status",
  "scope",
  "category",
  "patient",
  "dateTime",
  "performer",
  "organization",
  "policyRule",
  "provision",
];
const STATUSES: readonly ConsentStatus[] = ["active", "inactive", "rejected"];
const ACTIONS = ["access", "use", "disclose"];
const RECIPIENT_ROLES = ["IRCP", "PRCP"];
const unsupported = (path: string, reason: string) =>
  fhirError("CONSENT_FHIR_UNSUPPORTED", path, reason);

function readReference(value: unknown, path: string): FhirReference {
  const ref = asObject(value, path);
  checkMembers(ref, path, ["reference", "type", "identifier"], ["id", "display"]);
  const out: {
    reference?: string;
    type?: string;
    identifier?: { system?: string; value?: string };
  } = {};
  if (ref.reference !== undefined) out.reference = asString(ref.reference, `${path}.reference`);
  if (ref.type !== undefined) out.type = asString(ref.type, `${path}.type`);
  if (ref.identifier !== undefined) {
    const id = asObject(ref.identifier, `${path}.identifier`);
    checkMembers(
      id,
      `${path}.identifier`,
      ["system", "value"],
      ["id", "use", "type", "period", "assigner"],
    );
    out.identifier = {
      ...(id.system === undefined
        ? {}
        : { system: asString(id.system, `${path}.identifier.system`) }),
      ...(id.value === undefined ? {} : { value: asString(id.value, `${path}.identifier.value`) }),
    };
  }
  if (out.reference === undefined && out.identifier?.value === undefined) {
    throw fhirError("CONSENT_FHIR_INVALID", path, "needs a reference or an identifier value");
  }
  return out;
}

function literalReference(value: unknown, path: string): string {
  const ref = readReference(value, path);
  if (ref.reference === undefined || ref.identifier !== undefined) {
    throw unsupported(path, 'only literal references ("Type/id") are representable');
  }
  return ref.reference;
}

function readSubject(consent: FhirObject, options: ConsentFromFhirOptions): `0x${string}` {
  if (consent.patient === undefined) {
    throw unsupported("Consent.patient", "a consent without a patient cannot be registered");
  }
  const patient = readReference(consent.patient, "Consent.patient");
  if (patient.identifier?.system === fhirSystems.subjectPseudonym) {
    return asString(patient.identifier.value, "Consent.patient.identifier.value") as `0x${string}`;
  }
  return options.pseudonymiseSubject(patient);
}

function readScope(consent: FhirObject): void {
  const codes = readConcept(consent.scope, "Consent.scope");
  if (codeIn(codes, fhirSystems.consentScope, "Consent.scope") !== "research") {
    throw unsupported(
      "Consent.scope",
      "only research consents (consentscope#research) are registered",
    );
  }
}

function readCategories(consent: FhirObject): void {
  asArray(consent.category, "Consent.category").forEach((c, i) => {
    const path = `Consent.category[${i}]`;
    const codes = readConcept(c, path);
    const ok =
      codeIn(codes, fhirSystems.loinc, path) === "59284-0" ||
      codeIn(codes, fhirSystems.consentCategory, path) === "research";
    if (!ok)
      throw unsupported(path, "category must be LOINC 59284-0 or consentcategorycodes#research");
  });
}

function readPolicyRule(consent: FhirObject): void {
  if (consent.policyRule === undefined) return;
  const codes = readConcept(consent.policyRule, "Consent.policyRule");
  if (codeIn(codes, fhirSystems.v3ActCode, "Consent.policyRule") !== "OPTIN") {
    throw unsupported(
      "Consent.policyRule",
      "only opt-in (v3-ActCode#OPTIN) consents are representable",
    );
  }
}

function readDelegates(consent: FhirObject, patient: unknown): `0x${string}`[] {
  if (consent.performer === undefined) return [];
  const self = asObject(patient, "Consent.patient").reference;
  return asArray(consent.performer, "Consent.performer").flatMap((p, i) => {
    const path = `Consent.performer[${i}]`;
    const ref = readReference(p, path);
    // The patient consenting in person is the default the record already means.
    if (ref.reference !== undefined && ref.reference === self && ref.identifier === undefined)
      return [];
    if (ref.identifier?.system === fhirSystems.ethereumAddress && ref.reference === undefined) {
      return [asString(ref.identifier.value, `${path}.identifier.value`) as `0x${string}`];
    }
    throw unsupported(
      path,
      "a performer must be the patient or a delegate's Ethereum address identifier",
    );
  });
}

function readPurposes(provision: FhirObject, path: string): PurposeLabel[] {
  return asArray(provision.purpose, `${path}.purpose`).map((value, i) => {
    const at = `${path}.purpose[${i}]`;
    const { system, code } = readCoding(value, at);
    if (system === fhirSystems.duo) {
      const label = (Object.keys(purposeCodes) as PurposeLabel[]).find(
        (l) => purposeCodes[l].duo === code,
      );
      if (label === undefined) throw unsupported(at, `DUO term ${code} has no Custos purpose bit`);
      return label;
    }
    if (system === fhirSystems.v3ActReason) {
      const label = v3PurposeToDuo[code];
      if (label === undefined)
        throw unsupported(at, `purpose of use ${code} has no exact DUO equivalent`);
      return label;
    }
    throw unsupported(at, "purpose must be a DUO term or an HL7 v3 ActReason purpose of use");
  });
}

function readClasses(provision: FhirObject, path: string): Set<DataCategory> {
  const out = new Set<DataCategory>();
  const tables = new Map<DataCategory, Map<string, string>>();
  asArray(provision.class, `${path}.class`).forEach((value, i) => {
    const at = `${path}.class[${i}]`;
    const { system, code } = readCoding(value, at);
    if (system === fhirSystems.dataCategory && Object.hasOwn(dataCategories, code)) {
      out.add(code as DataCategory);
    } else if (system === fhirSystems.resourceTypes && resourceTypeCategories[code] !== undefined) {
      for (const c of resourceTypeCategories[code] ?? []) out.add(c);
    } else if (system === fhirSystems.omopTable && omopTableCategory[code] !== undefined) {
      const category = omopTableCategory[code] as DataCategory;
      tables.set(category, (tables.get(category) ?? new Map()).set(code, at));
    } else {
      throw unsupported(at, `class ${code} of ${system} has no Custos data category`);
    }
  });
  for (const [category, listed] of tables) {
    const needed = dataCategories[category].tables;
    if (needed.some((t) => !listed.has(t))) {
      const at = [...listed.values()][0] ?? path;
      throw unsupported(
        at,
        `OMOP tables cover part of ${category}; a category needs all of ${needed.join(", ")}`,
      );
    }
    out.add(category);
  }
  return out;
}

function readPeriod(
  provision: FhirObject,
  path: string,
): { validFrom?: number; validUntil?: number } {
  if (provision.period === undefined) return {};
  const period = asObject(provision.period, `${path}.period`);
  checkMembers(period, `${path}.period`, ["start", "end"], ["id"]);
  const out: { validFrom?: number; validUntil?: number } = {};
  if (period.start !== undefined)
    out.validFrom = fhirDateTimeToUnix(period.start, `${path}.period.start`, "start");
  if (period.end !== undefined)
    out.validUntil = fhirDateTimeToUnix(period.end, `${path}.period.end`, "end");
  if (
    out.validFrom !== undefined &&
    out.validUntil !== undefined &&
    out.validFrom > out.validUntil
  ) {
    throw fhirError("CONSENT_FHIR_INVALID", `${path}.period`, "end is before start");
  }
  return out;
}

function readGrantees(provision: FhirObject, path: string): string[] {
  if (provision.actor === undefined) return [];
  return asArray(provision.actor, `${path}.actor`).map((value, i) => {
    const at = `${path}.actor[${i}]`;
    const actor = asObject(value, at);
    checkMembers(actor, at, ["role", "reference"], ["id"]);
    const role = codeIn(
      readConcept(actor.role, `${at}.role`),
      fhirSystems.v3ParticipationType,
      `${at}.role`,
    );
    if (role === undefined || !RECIPIENT_ROLES.includes(role)) {
      throw unsupported(
        `${at}.role`,
        "only recipients (v3-ParticipationType IRCP, PRCP) restrict grantees",
      );
    }
    return literalReference(actor.reference, `${at}.reference`);
  });
}

function readActions(provision: FhirObject, path: string): void {
  if (provision.action === undefined) return;
  asArray(provision.action, `${path}.action`).forEach((value, i) => {
    const at = `${path}.action[${i}]`;
    const action = codeIn(readConcept(value, at), fhirSystems.consentAction, at);
    if (action === undefined || !ACTIONS.includes(action)) {
      throw unsupported(at, "research use covers only the actions access, use and disclose");
    }
  });
}

function readDiseases(provision: FhirObject, path: string): DiseaseCode[] {
  if (provision.extension === undefined) return [];
  return asArray(provision.extension, `${path}.extension`).map((value, i) => {
    const at = `${path}.extension[${i}]`;
    const ext = asObject(value, at);
    if (ext.url !== fhirSystems.duoDiseaseExtension) {
      throw unsupported(at, "unknown extension");
    }
    checkMembers(ext, at, ["url", "valueCoding"], ["id"]);
    return readCoding(ext.valueCoding, `${at}.valueCoding`);
  });
}

interface Terms {
  permissions: Set<PurposeLabel>;
  conditions: Set<PurposeLabel>;
  categories: Set<DataCategory>;
}

const covers = (permissions: Iterable<PurposeLabel>, label: PurposeLabel): boolean =>
  permitsUse(encodePurposes([...permissions]) & PERMISSION_MASK, purposeCodes[label].bit);

/**
 * Applies a deny of purposes nested in the root permit. Removing a listed permission is exact
 * when no other listed permission implies it; denying POA under GRU or NRES is exactly the
 * DUO modifier NPOA; anything else (e.g. HMB denied inside GRU) has no DUO encoding.
 */
function denyPurposes(terms: Terms, denied: readonly PurposeLabel[], path: string): void {
  denied.forEach((label, i) => {
    const at = `${path}.purpose[${i}]`;
    if (purposeCodes[label].kind !== "permission") {
      throw unsupported(at, `denying the modifier ${label} has no meaning`);
    }
    if (!covers(terms.permissions, label)) return;
    const others = [...terms.permissions].filter((p) => p !== label);
    if (!covers(others, label)) {
      terms.permissions.delete(label);
    } else if (label === "POA") {
      terms.permissions.delete("POA");
      terms.conditions.add("NPOA");
    } else {
      throw unsupported(at, `denying ${label} inside a broader permission has no DUO encoding`);
    }
  });
}

/** Applies a deny of data classes, less the classes its nested permits allow again. */
function denyClasses(terms: Terms, deny: FhirObject, path: string): void {
  const denied = readClasses(deny, path);
  const allowedAgain = new Set<DataCategory>();
  if (deny.provision !== undefined) {
    asArray(deny.provision, `${path}.provision`).forEach((value, i) => {
      const at = `${path}.provision[${i}]`;
      const permit = asObject(value, at);
      checkMembers(permit, at, ["type", "class"], ["id"]);
      if (permit.type !== "permit" || permit.class === undefined) {
        throw unsupported(at, "inside a deny only a permit of data classes is representable");
      }
      for (const c of readClasses(permit, at)) {
        if (!denied.has(c))
          throw unsupported(`${at}.class`, "re-permits data its deny does not cover");
        allowedAgain.add(c);
      }
    });
  }
  for (const c of denied) if (!allowedAgain.has(c)) terms.categories.delete(c);
}

function applyDenies(terms: Terms, root: FhirObject): void {
  if (root.provision === undefined) return;
  asArray(root.provision, "Consent.provision.provision").forEach((value, i) => {
    const path = `Consent.provision.provision[${i}]`;
    const deny = asObject(value, path);
    checkMembers(deny, path, ["type", "purpose", "class", "provision"], ["id"]);
    if (deny.type !== "deny") {
      throw unsupported(`${path}.type`, "a provision nested in the permit must be a deny");
    }
    if ((deny.purpose === undefined) === (deny.class === undefined)) {
      throw unsupported(
        path,
        "a nested deny must restrict either purposes or data classes, not both or neither",
      );
    }
    if (deny.purpose !== undefined) {
      if (deny.provision !== undefined) {
        throw unsupported(
          `${path}.provision`,
          "exceptions to a purpose deny are not representable",
        );
      }
      denyPurposes(terms, readPurposes(deny, path), path);
    } else {
      denyClasses(terms, deny, path);
    }
  });
}

/** The element a record field came from, for errors found by the record validator. */
function elementOf(field: string): string {
  const [, name = field, index] = /^(\w+)(?:\[(\d+)\])?$/.exec(field) ?? [];
  const at = (base: string, suffix = "") =>
    index === undefined ? base : `${base}[${index}]${suffix}`;
  switch (name) {
    case "subject":
      return "Consent.patient";
    case "grantees":
      return at("Consent.provision.actor", ".reference");
    case "custodians":
      return at("Consent.organization");
    case "delegates":
      return "Consent.performer";
    case "diseaseCodes":
      return at("Consent.provision.extension", ".valueCoding");
    case "recordedAt":
      return "Consent.dateTime";
    default:
      return "Consent.provision";
  }
}

/**
 * Converts a FHIR R4 Consent into a consent record, or refuses it. Representable: a research
 * consent (scope `research`, opt-in) whose root provision is a permit with purposes (DUO
 * terms or HL7 v3 HRESCH/CLINTRCH/TREAT), data classes (Custos categories, FHIR resource
 * types, whole OMOP categories), a period, recipient actors and DS diseases; nested denies of
 * purposes or of classes (the latter with nested permits of classes) are folded into the
 * bitmaps when DUO can say the same thing. See docs/consent-model.md for every rule. The
 * record's `documentHash` is `canonicalHash(document)`.
 *
 * @throws CustosError `CONSENT_FHIR_INVALID` for malformed documents and
 * `CONSENT_FHIR_UNSUPPORTED` for meaning Custos cannot represent, both with
 * `details.path` (e.g. "Consent.provision.provision[0].data") and `details.reason`.
 * @example
 * ```ts
 * const record = consentFromFhir(JSON.parse(text), {
 *   pseudonymiseSubject: (patient) => pseudonymiser.pseudonymise(resolvePersonId(patient)),
 * });
 * ```
 */
export function consentFromFhir(document: unknown, options: ConsentFromFhirOptions): ConsentRecord {
  const consent = asObject(document, "Consent");
  if (consent.resourceType !== "Consent") {
    throw fhirError("CONSENT_FHIR_INVALID", "Consent.resourceType", 'must be "Consent"');
  }
  checkMembers(consent, "Consent", RESOURCE_MAPPED, RESOURCE_IGNORED);
  const status = asString(consent.status, "Consent.status");
  if (!STATUSES.includes(status as ConsentStatus)) {
    throw unsupported(
      "Consent.status",
      "only active, inactive and rejected consents are registrable",
    );
  }
  readScope(consent);
  readCategories(consent);
  readPolicyRule(consent);
  if (consent.provision === undefined) {
    throw unsupported(
      "Consent.provision",
      "a consent without a provision grants nothing to register",
    );
  }
  const root = asObject(consent.provision, "Consent.provision");
  checkMembers(
    root,
    "Consent.provision",
    ["type", "period", "actor", "action", "purpose", "class", "extension", "provision"],
    ["id"],
  );
  if (root.type !== "permit") {
    throw unsupported("Consent.provision.type", "the root provision must be a permit");
  }
  const purposes =
    root.purpose === undefined
      ? (["NRES"] as PurposeLabel[])
      : readPurposes(root, "Consent.provision");
  const terms: Terms = {
    permissions: new Set(purposes.filter((l) => purposeCodes[l].kind === "permission")),
    conditions: new Set(purposes.filter((l) => purposeCodes[l].kind === "condition")),
    categories:
      root.class === undefined
        ? new Set(Object.keys(dataCategories) as DataCategory[])
        : readClasses(root, "Consent.provision"),
  };
  readActions(root, "Consent.provision");
  const diseaseCodes = readDiseases(root, "Consent.provision");
  if (terms.permissions.has("DS") !== diseaseCodes.length > 0) {
    throw unsupported(
      "Consent.provision",
      "a DS permission needs duo-disease extensions, and only it may have them",
    );
  }
  applyDenies(terms, root);
  if (terms.permissions.size === 0 || terms.categories.size === 0) {
    throw unsupported(
      "Consent.provision.provision",
      "the nested denies leave no purpose or no data category",
    );
  }
  let documentHash: `0x${string}`;
  try {
    documentHash = canonicalHash(document);
  } catch {
    throw fhirError("CONSENT_FHIR_INVALID", "Consent", "is not a JSON document");
  }
  const candidate = {
    subject: readSubject(consent, options),
    status,
    permissions: [...terms.permissions],
    conditions: [...terms.conditions],
    categories: [...terms.categories],
    ...readPeriod(root, "Consent.provision"),
    ...(consent.dateTime === undefined
      ? {}
      : { recordedAt: fhirDateTimeToUnix(consent.dateTime, "Consent.dateTime", "start") }),
    grantees: readGrantees(root, "Consent.provision"),
    custodians:
      consent.organization === undefined
        ? []
        : asArray(consent.organization, "Consent.organization").map((o, i) =>
            literalReference(o, `Consent.organization[${i}]`),
          ),
    delegates: readDelegates(consent, consent.patient),
    diseaseCodes,
    documentHash,
  };
  try {
    return validateConsentRecord(candidate);
  } catch (error) {
    if (!isCustosError(error, "CONSENT_RECORD_INVALID")) throw error;
    throw unsupported(elementOf(String(error.details.field)), error.shortMessage);
  }
}
