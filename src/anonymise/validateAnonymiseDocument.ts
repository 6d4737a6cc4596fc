import { CustosError } from "../errors/index.ts";
import type { SearchStrategy, UtilityMetric } from "./AnonymiseConfig.ts";
import type { KMapPopulationModel, PrivacyModel } from "./PrivacyModel.ts";
import { type SafeHarborIdentifier, safeHarborIdentifierClasses } from "./safeHarborProfile.ts";

/** A hierarchy in a configuration document: an ARX CSV file or a built-in generator. */
export type HierarchyDocument =
  /** ARX format (one row per value, level 0 first); `separator` defaults to `;`. */
  | { readonly file: string; readonly separator?: string }
  /** {@link intervalHierarchy} over the column's values. */
  | { readonly type: "interval"; readonly widths: readonly number[] }
  /** {@link maskingHierarchy} over the column's values. */
  | { readonly type: "masking"; readonly from?: "start" | "end"; readonly maskChar?: string }
  /** {@link dateHierarchy} over the column's values. */
  | { readonly type: "date" }
  /** Each value, then `*`. */
  | { readonly type: "flat" };

/** One column in a configuration document. */
export type AttributeDocument =
  | { readonly role: "identifier" | "sensitive" | "insensitive" }
  | {
      readonly role: "quasi-identifier";
      readonly hierarchy: HierarchyDocument;
      readonly minLevel?: number;
      readonly maxLevel?: number;
      readonly split?: "range" | "hierarchy";
    }
  /** A HIPAA Safe Harbor identifier class (needs the `safe-harbor` profile). */
  | { readonly safeHarbor: SafeHarborIdentifier };

/**
 * k-map against a population table in a document: the population is a CSV file (a path,
 * or `{"file", "separator"}` with `,` by default) with the quasi-identifier columns.
 */
export interface KMapPopulationDocument {
  readonly type: "k-map";
  readonly k: number;
  readonly population: { readonly file: string; readonly separator?: string };
}

/** A privacy model in a document: as the engine's, but a k-map population is a file. */
export type PrivacyModelDocument =
  | Exclude<PrivacyModel, KMapPopulationModel>
  | KMapPopulationDocument;

/** A profile a document may apply. */
export type ProfileName = "safe-harbor" | "research-extract";

/**
 * An anonymisation configuration as a JSON document (what `custos anonymise --config`
 * reads): file references are paths, resolved by the caller.
 */
export interface AnonymiseDocument {
  /** Profiles applied in this order: Safe Harbor's rules, then the research-extract policy. */
  readonly profile: readonly ProfileName[];
  readonly attributes: Readonly<Record<string, AttributeDocument>>;
  /** Required unless a profile supplies the models. */
  readonly models?: readonly PrivacyModelDocument[];
  readonly suppressionLimit?: number;
  readonly metric?: UtilityMetric;
  readonly search?: SearchStrategy;
  /** Research-extract profile: minimum class size (≥ 11). */
  readonly k?: number;
  readonly safeHarbor?: {
    readonly referenceYear?: number;
    /** CSV file with the header `zip3,population`. */
    readonly zip3Populations?: string;
  };
}

type Json = Record<string, unknown>;

function invalid(field: string, rule: string): never {
  throw new CustosError("ANONYMISE_CONFIG_INVALID", `config: ${field} ${rule}`, {
    details: { field },
  });
}

function object(value: unknown, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    invalid(field, "must be an object");
  }
  return value as Json;
}

function only(value: Json, field: string, keys: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) invalid(`${field}.${key}`, "is not a known field");
  }
}

function oneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T {
  if (typeof value !== "string" || !options.includes(value as T)) {
    invalid(field, `must be one of ${options.map((o) => `"${o}"`).join(", ")}`);
  }
  return value as T;
}

function number(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) invalid(field, "must be a number");
  return value;
}

function string(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") invalid(field, "must be a non-empty string");
  return value;
}

function optional<T>(value: Json, key: string, read: (v: unknown) => T): { [k: string]: T } {
  return value[key] === undefined ? {} : { [key]: read(value[key]) };
}

function hierarchy(value: unknown, field: string): HierarchyDocument {
  if (typeof value === "string") return { file: string(value, field) };
  const spec = object(value, field);
  if (spec.file !== undefined) {
    only(spec, field, ["file", "separator"]);
    return {
      file: string(spec.file, `${field}.file`),
      ...optional(spec, "separator", (v) => string(v, `${field}.separator`)),
    };
  }
  const type = oneOf(spec.type, `${field}.type`, ["interval", "masking", "date", "flat"] as const);
  switch (type) {
    case "interval": {
      only(spec, field, ["type", "widths"]);
      if (!Array.isArray(spec.widths) || spec.widths.length === 0) {
        invalid(`${field}.widths`, "must be a non-empty array of numbers");
      }
      return {
        type,
        widths: spec.widths.map((w: unknown, i: number) => number(w, `${field}.widths[${i}]`)),
      };
    }
    case "masking":
      only(spec, field, ["type", "from", "maskChar"]);
      return {
        type,
        ...optional(spec, "from", (v) => oneOf(v, `${field}.from`, ["start", "end"] as const)),
        ...optional(spec, "maskChar", (v) => string(v, `${field}.maskChar`)),
      };
    default:
      only(spec, field, ["type"]);
      return { type };
  }
}

function attribute(value: unknown, field: string): AttributeDocument {
  const spec = object(value, field);
  if (spec.safeHarbor !== undefined) {
    only(spec, field, ["safeHarbor"]);
    const classes = Object.keys(safeHarborIdentifierClasses) as SafeHarborIdentifier[];
    return { safeHarbor: oneOf(spec.safeHarbor, `${field}.safeHarbor`, classes) };
  }
  const role = oneOf(spec.role, `${field}.role`, [
    "identifier",
    "quasi-identifier",
    "sensitive",
    "insensitive",
  ] as const);
  if (role !== "quasi-identifier") {
    only(spec, field, ["role"]);
    return { role };
  }
  only(spec, field, ["role", "hierarchy", "minLevel", "maxLevel", "split"]);
  if (spec.hierarchy === undefined) invalid(`${field}.hierarchy`, "is required");
  return {
    role,
    hierarchy: hierarchy(spec.hierarchy, `${field}.hierarchy`),
    ...optional(spec, "minLevel", (v) => number(v, `${field}.minLevel`)),
    ...optional(spec, "maxLevel", (v) => number(v, `${field}.maxLevel`)),
    ...optional(spec, "split", (v) => oneOf(v, `${field}.split`, ["range", "hierarchy"] as const)),
  };
}

const modelFields: Record<
  Exclude<PrivacyModel["type"], "k-map">,
  Record<string, "number" | "string" | "order">
> = {
  "k-anonymity": { k: "number" },
  "distinct-l-diversity": { attribute: "string", l: "number" },
  "entropy-l-diversity": { attribute: "string", l: "number" },
  "recursive-cl-diversity": { attribute: "string", c: "number", l: "number" },
  "t-closeness": { attribute: "string", t: "number", distance: "string", order: "order" },
  "average-risk": { threshold: "number" },
};

const kMapFields = [
  "k",
  "population",
  "estimator",
  "significanceLevel",
  "populationSize",
  "samplingFraction",
] as const;

/** A k-map model: a population file, or an estimator with the population's size. */
function kMapModel(spec: Json, field: string): PrivacyModelDocument {
  only(spec, field, ["type", ...kMapFields]);
  if ((spec.population === undefined) === (spec.estimator === undefined)) {
    invalid(`${field}.population`, 'or "estimator" is required, not both');
  }
  const base = { type: "k-map" as const, k: number(spec.k, `${field}.k`) };
  if (spec.population !== undefined) {
    return { ...base, population: population(spec.population, `${field}.population`) };
  }
  return {
    ...base,
    estimator: oneOf(spec.estimator, `${field}.estimator`, [
      "poisson",
      "zero-truncated-poisson",
    ] as const),
    significanceLevel: number(spec.significanceLevel, `${field}.significanceLevel`),
    ...optional(spec, "populationSize", (v) => number(v, `${field}.populationSize`)),
    ...optional(spec, "samplingFraction", (v) => number(v, `${field}.samplingFraction`)),
  };
}

function population(value: unknown, field: string): KMapPopulationDocument["population"] {
  if (typeof value === "string") return { file: string(value, field) };
  const spec = object(value, field);
  only(spec, field, ["file", "separator"]);
  return {
    file: string(spec.file, `${field}.file`),
    ...optional(spec, "separator", (v) => string(v, `${field}.separator`)),
  };
}

function model(value: unknown, field: string): PrivacyModelDocument {
  const spec = object(value, field);
  const type = oneOf(spec.type, `${field}.type`, [
    ...(Object.keys(modelFields) as Exclude<PrivacyModel["type"], "k-map">[]),
    "k-map",
  ]);
  if (type === "k-map") return kMapModel(spec, field);
  const fields = modelFields[type];
  only(spec, field, ["type", ...Object.keys(fields)]);
  for (const [key, kind] of Object.entries(fields)) {
    const v = spec[key];
    if (kind === "order") {
      if (v !== undefined && (!Array.isArray(v) || !v.every((x) => typeof x === "string"))) {
        invalid(`${field}.${key}`, "must be an array of strings");
      }
    } else if (kind === "number") number(v, `${field}.${key}`);
    else string(v, `${field}.${key}`);
  }
  return spec as unknown as PrivacyModelDocument;
}

/**
 * Validates an anonymisation configuration document (parsed JSON), field by field: unknown
 * fields, wrong types and unknown names are refused. Semantic checks that need the table
 * (columns, levels, model parameters) are the engine's.
 *
 * @throws ANONYMISE_CONFIG_INVALID naming the field (e.g. `attributes.age.hierarchy.widths[1]`).
 * @example
 * ```ts
 * const document = validateAnonymiseDocument(JSON.parse(text));
 * ```
 */
export function validateAnonymiseDocument(value: unknown): AnonymiseDocument {
  const doc = object(value, "config");
  only(doc, "config", [
    "profile",
    "attributes",
    "models",
    "suppressionLimit",
    "metric",
    "search",
    "k",
    "safeHarbor",
  ]);
  const profiles = ["safe-harbor", "research-extract"] as const;
  const rawProfile = doc.profile === undefined ? [] : doc.profile;
  const profile = (Array.isArray(rawProfile) ? rawProfile : [rawProfile]).map((p, i) =>
    oneOf(p, Array.isArray(rawProfile) ? `profile[${i}]` : "profile", profiles),
  );
  const attributes: Record<string, AttributeDocument> = {};
  for (const [name, spec] of Object.entries(object(doc.attributes, "attributes"))) {
    attributes[name] = attribute(spec, `attributes.${name}`);
    if ("safeHarbor" in attributes[name] && !profile.includes("safe-harbor")) {
      invalid(`attributes.${name}.safeHarbor`, 'needs "profile": "safe-harbor"');
    }
  }
  let models: PrivacyModelDocument[] | undefined;
  if (doc.models !== undefined) {
    if (!Array.isArray(doc.models)) invalid("models", "must be an array");
    models = doc.models.map((m: unknown, i: number) => model(m, `models[${i}]`));
  } else if (profile.length === 0) invalid("models", "is required without a profile");
  if (doc.k !== undefined && !profile.includes("research-extract")) {
    invalid("k", 'needs "profile": "research-extract"');
  }
  let safeHarbor: AnonymiseDocument["safeHarbor"];
  if (doc.safeHarbor !== undefined) {
    const spec = object(doc.safeHarbor, "safeHarbor");
    only(spec, "safeHarbor", ["referenceYear", "zip3Populations"]);
    safeHarbor = {
      ...optional(spec, "referenceYear", (v) => number(v, "safeHarbor.referenceYear")),
      ...optional(spec, "zip3Populations", (v) => string(v, "safeHarbor.zip3Populations")),
    };
  }
  return {
    profile,
    attributes,
    ...(models === undefined ? {} : { models }),
    ...optional(doc, "suppressionLimit", (v) => number(v, "suppressionLimit")),
    ...optional(doc, "metric", (v) =>
      oneOf(v, "metric", ["loss", "entropy", "discernibility", "precision"] as const),
    ),
    ...optional(doc, "search", (v) =>
      oneOf(v, "search", ["optimal", "exhaustive", "mondrian"] as const),
    ),
    ...optional(doc, "k", (v) => number(v, "k")),
    ...(safeHarbor === undefined ? {} : { safeHarbor }),
  };
}

/**
 * The files a document references, with the field naming each (for I/O errors): hierarchy
 * files, k-map population tables and the ZIP3 population table.
 *
 * @throws never.
 * @example
 * ```ts
 * for (const { path, field } of documentFiles(document)) files.set(path, await read(path, field));
 * ```
 */
export function documentFiles(
  document: AnonymiseDocument,
): { readonly path: string; readonly field: string }[] {
  const files: { path: string; field: string }[] = [];
  for (const [name, spec] of Object.entries(document.attributes)) {
    if ("role" in spec && spec.role === "quasi-identifier" && "file" in spec.hierarchy) {
      files.push({ path: spec.hierarchy.file, field: `attributes.${name}.hierarchy.file` });
    }
  }
  document.models?.forEach((m, i) => {
    if (m.type === "k-map" && "population" in m) {
      files.push({ path: m.population.file, field: `models[${i}].population.file` });
    }
  });
  const zip3 = document.safeHarbor?.zip3Populations;
  if (zip3 !== undefined) files.push({ path: zip3, field: "safeHarbor.zip3Populations" });
  return files;
}
