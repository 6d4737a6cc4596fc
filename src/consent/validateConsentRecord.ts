import { CustosError } from "../errors/index.ts";
import {
  type ConsentRecord,
  type ConsentStatus,
  consentStatuses,
  type DiseaseCode,
} from "./ConsentRecord.ts";
import {
  type DataCategory,
  dataCategories,
  type PurposeLabel,
  purposeCodes,
} from "./consentCodes.ts";

/** Latest time a record holds: 9999-12-31T23:59:59Z, the end of what FHIR dates express. */
export const MAX_CONSENT_TIME = 253_402_300_799;

/** Grantee references: literal FHIR references to the kinds of recipient a study has. */
const GRANTEE =
  /^(Organization|Practitioner|PractitionerRole|CareTeam|ResearchStudy)\/[A-Za-z0-9\-.]{1,64}$/;
const CUSTODIAN = /^Organization\/[A-Za-z0-9\-.]{1,64}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const FIELDS = new Set([
  "subject",
  "status",
  "permissions",
  "conditions",
  "categories",
  "validFrom",
  "validUntil",
  "recordedAt",
  "grantees",
  "custodians",
  "delegates",
  "diseaseCodes",
  "documentHash",
]);

function invalid(field: string, problem: string): never {
  throw new CustosError("CONSENT_RECORD_INVALID", `${field}: ${problem}`, {
    details: { field, problem },
  });
}

function list(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) invalid(field, "must be an array");
  return value;
}

function uniqueStrings(value: unknown, field: string, pattern: RegExp, lower = false): string[] {
  const out = list(value, field).map((item, i) => {
    if (typeof item !== "string" || !pattern.test(item)) invalid(`${field}[${i}]`, "malformed");
    return lower ? item.toLowerCase() : item;
  });
  const sorted = [...new Set(out)].sort();
  if (sorted.length !== out.length) invalid(field, "has duplicates");
  return sorted;
}

function labels(value: unknown, field: string, kind: "permission" | "condition"): PurposeLabel[] {
  const out = list(value, field).map((item, i) => {
    if (typeof item !== "string" || !Object.hasOwn(purposeCodes, item)) {
      invalid(`${field}[${i}]`, "is not a DUO label known to Custos");
    }
    if (purposeCodes[item as PurposeLabel].kind !== kind)
      invalid(`${field}[${i}]`, `is not a ${kind}`);
    return item as PurposeLabel;
  });
  if (new Set(out).size !== out.length) invalid(field, "has duplicates");
  return out.sort((a, b) => purposeCodes[a].bit - purposeCodes[b].bit);
}

function categories(value: unknown): DataCategory[] {
  const out = list(value, "categories").map((item, i) => {
    if (typeof item !== "string" || !Object.hasOwn(dataCategories, item)) {
      invalid(`categories[${i}]`, "is not a data category");
    }
    return item as DataCategory;
  });
  if (new Set(out).size !== out.length) invalid("categories", "has duplicates");
  return out.sort((a, b) => dataCategories[a].bit - dataCategories[b].bit);
}

function time(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (
    !Number.isSafeInteger(value) ||
    (value as number) < 0 ||
    (value as number) > MAX_CONSENT_TIME
  ) {
    invalid(field, "must be unix seconds from 0 to 253402300799");
  }
  return value as number;
}

function diseases(value: unknown): DiseaseCode[] {
  const out = list(value, "diseaseCodes").map((item, i) => {
    const d = item as Partial<Record<string, unknown>>;
    if (
      typeof item !== "object" ||
      item === null ||
      Object.keys(item).some((k) => k !== "system" && k !== "code") ||
      typeof d.system !== "string" ||
      !/^\S{1,200}$/.test(d.system) ||
      typeof d.code !== "string" ||
      !/^\S{1,64}$/.test(d.code)
    ) {
      invalid(`diseaseCodes[${i}]`, "must be { system, code } without white space");
    }
    return { system: d.system, code: d.code };
  });
  const key = (d: DiseaseCode) => `${d.system}\u0000${d.code}`;
  if (new Set(out.map(key)).size !== out.length) invalid("diseaseCodes", "has duplicates");
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Checks an untrusted value (e.g. parsed JSON) against the consent record rules and returns
 * it in canonical form: hex lower-cased, lists de-duplicated and ordered. Rules: at least one
 * permission and one category; DS permitted exactly when disease codes are given; times are
 * unix seconds with `validFrom ≤ validUntil`; no unknown fields.
 *
 * @throws CustosError `CONSENT_RECORD_INVALID` naming the field (`details.field`) and the
 * problem; it never echoes the value.
 * @example
 * ```ts
 * const record = validateConsentRecord(JSON.parse(text));
 * ```
 */
export function validateConsentRecord(value: unknown): ConsentRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    invalid("$", "must be an object");
  }
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r))
    if (!FIELDS.has(key)) invalid(key, "is not a consent record field");
  if (typeof r.subject !== "string" || !BYTES32.test(r.subject))
    invalid("subject", "must be bytes32 hex");
  if (!consentStatuses.includes(r.status as ConsentStatus)) {
    invalid("status", `must be one of ${consentStatuses.join(", ")}`);
  }
  if (typeof r.documentHash !== "string" || !BYTES32.test(r.documentHash)) {
    invalid("documentHash", "must be bytes32 hex");
  }
  const permissions = labels(r.permissions, "permissions", "permission");
  if (permissions.length === 0) invalid("permissions", "must name at least one DUO permission");
  const cats = categories(r.categories);
  if (cats.length === 0) invalid("categories", "must name at least one data category");
  const diseaseCodes = diseases(r.diseaseCodes);
  if (permissions.includes("DS") !== diseaseCodes.length > 0) {
    invalid("diseaseCodes", "must be given exactly when DS is permitted");
  }
  const validFrom = time(r.validFrom, "validFrom");
  const validUntil = time(r.validUntil, "validUntil");
  const recordedAt = time(r.recordedAt, "recordedAt");
  if (validFrom !== undefined && validUntil !== undefined && validFrom > validUntil) {
    invalid("validUntil", "is before validFrom");
  }
  return {
    subject: r.subject.toLowerCase() as `0x${string}`,
    status: r.status as ConsentStatus,
    permissions,
    conditions: labels(r.conditions, "conditions", "condition"),
    categories: cats,
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(recordedAt === undefined ? {} : { recordedAt }),
    grantees: uniqueStrings(r.grantees, "grantees", GRANTEE),
    custodians: uniqueStrings(r.custodians, "custodians", CUSTODIAN),
    delegates: uniqueStrings(r.delegates, "delegates", ADDRESS, true) as `0x${string}`[],
    diseaseCodes,
    documentHash: r.documentHash.toLowerCase() as `0x${string}`,
  };
}
