/**
 * The consent vocabulary shared with the contracts: research purposes and DUO use conditions
 * as bits of a 32-bit word, data categories (OMOP CDM tables) as bits of another. Mirrors
 * contracts/libraries/ConsentCodes.sol bit for bit; a test compiles both and compares.
 */

/** One entry of the purpose vocabulary. */
export interface PurposeCode {
  /** DUO short label, e.g. "HMB". */
  readonly label: string;
  /** DUO term id, e.g. "DUO:0000006". */
  readonly duo: string;
  /** Bit in the purposes word. */
  readonly bit: number;
  /** "permission": a research purpose; "condition": a DUO modifier the use must meet. */
  readonly kind: "permission" | "condition";
  /** DUO term name. */
  readonly name: string;
}

/** Permission and condition codes, by DUO label. */
export const purposeCodes = {
  NRES: {
    label: "NRES",
    duo: "DUO:0000004",
    bit: 1 << 0,
    kind: "permission",
    name: "no restriction",
  },
  GRU: {
    label: "GRU",
    duo: "DUO:0000042",
    bit: 1 << 1,
    kind: "permission",
    name: "general research use",
  },
  HMB: {
    label: "HMB",
    duo: "DUO:0000006",
    bit: 1 << 2,
    kind: "permission",
    name: "health or medical or biomedical research",
  },
  DS: {
    label: "DS",
    duo: "DUO:0000007",
    bit: 1 << 3,
    kind: "permission",
    name: "disease specific research",
  },
  POA: {
    label: "POA",
    duo: "DUO:0000011",
    bit: 1 << 4,
    kind: "permission",
    name: "population origins or ancestry research only",
  },
  CC: {
    label: "CC",
    duo: "DUO:0000043",
    bit: 1 << 5,
    kind: "permission",
    name: "clinical care use",
  },
  NCU: {
    label: "NCU",
    duo: "DUO:0000046",
    bit: 1 << 8,
    kind: "condition",
    name: "non-commercial use only",
  },
  NPU: {
    label: "NPU",
    duo: "DUO:0000045",
    bit: 1 << 9,
    kind: "condition",
    name: "not-for-profit organisation use only",
  },
  IRB: {
    label: "IRB",
    duo: "DUO:0000021",
    bit: 1 << 10,
    kind: "condition",
    name: "ethics approval required",
  },
  GSO: {
    label: "GSO",
    duo: "DUO:0000016",
    bit: 1 << 11,
    kind: "condition",
    name: "genetic studies only",
  },
  NMDS: {
    label: "NMDS",
    duo: "DUO:0000015",
    bit: 1 << 12,
    kind: "condition",
    name: "no general methods research",
  },
  NPOA: {
    label: "NPOA",
    duo: "DUO:0000044",
    bit: 1 << 13,
    kind: "condition",
    name: "population origins or ancestry research prohibited",
  },
  PUB: {
    label: "PUB",
    duo: "DUO:0000019",
    bit: 1 << 14,
    kind: "condition",
    name: "publication required",
  },
  COL: {
    label: "COL",
    duo: "DUO:0000020",
    bit: 1 << 15,
    kind: "condition",
    name: "collaboration required",
  },
  RTN: {
    label: "RTN",
    duo: "DUO:0000029",
    bit: 1 << 16,
    kind: "condition",
    name: "return to database or resource",
  },
  MOR: {
    label: "MOR",
    duo: "DUO:0000024",
    bit: 1 << 17,
    kind: "condition",
    name: "publication moratorium",
  },
  GS: {
    label: "GS",
    duo: "DUO:0000022",
    bit: 1 << 18,
    kind: "condition",
    name: "geographical restriction",
  },
  US: {
    label: "US",
    duo: "DUO:0000026",
    bit: 1 << 19,
    kind: "condition",
    name: "user specific restriction",
  },
  PS: {
    label: "PS",
    duo: "DUO:0000027",
    bit: 1 << 20,
    kind: "condition",
    name: "project specific restriction",
  },
  IS: {
    label: "IS",
    duo: "DUO:0000028",
    bit: 1 << 21,
    kind: "condition",
    name: "institution specific restriction",
  },
} as const satisfies Record<string, PurposeCode>;

/** A DUO label known to Custos. */
export type PurposeLabel = keyof typeof purposeCodes;

/** Data categories (bits of the categories word) and the OMOP CDM tables each covers. */
export const dataCategories = {
  DEMOGRAPHICS: { bit: 1 << 0, tables: ["PERSON", "LOCATION", "DEATH"] },
  VISITS: { bit: 1 << 1, tables: ["VISIT_OCCURRENCE", "VISIT_DETAIL", "OBSERVATION_PERIOD"] },
  CONDITIONS: { bit: 1 << 2, tables: ["CONDITION_OCCURRENCE", "CONDITION_ERA"] },
  DRUGS: { bit: 1 << 3, tables: ["DRUG_EXPOSURE", "DRUG_ERA", "DOSE_ERA"] },
  MEASUREMENTS: { bit: 1 << 4, tables: ["MEASUREMENT"] },
  PROCEDURES: { bit: 1 << 5, tables: ["PROCEDURE_OCCURRENCE"] },
  OBSERVATIONS: { bit: 1 << 6, tables: ["OBSERVATION"] },
  DEVICES: { bit: 1 << 7, tables: ["DEVICE_EXPOSURE"] },
  NOTES: { bit: 1 << 8, tables: ["NOTE", "NOTE_NLP"] },
  SPECIMENS: { bit: 1 << 9, tables: ["SPECIMEN"] },
  GENOMICS: { bit: 1 << 10, tables: [] },
  IMAGING: { bit: 1 << 11, tables: [] },
  LIFELOG: { bit: 1 << 12, tables: [] },
  COSTS: { bit: 1 << 13, tables: ["COST", "PAYER_PLAN_PERIOD"] },
} as const satisfies Record<string, { bit: number; tables: readonly string[] }>;

/** A data category name. */
export type DataCategory = keyof typeof dataCategories;

const P = purposeCodes;

/** Mask of all permission bits. */
export const PERMISSION_MASK = P.NRES.bit | P.GRU.bit | P.HMB.bit | P.DS.bit | P.POA.bit | P.CC.bit;

/** Mask of all condition bits. */
export const CONDITION_MASK = Object.values(purposeCodes)
  .filter((c) => c.kind === "condition")
  .reduce((mask, c) => mask | c.bit, 0);

/** Mask of all defined category bits. */
export const ALL_CATEGORIES_MASK = (1 << 14) - 1;

/** The one permission bit of a well-formed use word, or 0 if the word is malformed. */
function permissionOf(use: number): number {
  const purpose = use & PERMISSION_MASK;
  if (purpose === 0 || (purpose & (purpose - 1)) !== 0) return 0;
  return (use & ~(PERMISSION_MASK | CONDITION_MASK)) === 0 ? purpose : 0;
}

/**
 * The consent purpose bits, any one of which covers the purpose of a use word under the DUO
 * hierarchy (NRES, the purpose itself and its ancestors); 0 if the use word is malformed.
 * With {@link unmetConditionsOf} it reduces {@link permitsUse} to two AND operations per
 * consent, so a cohort filter computes both once per request.
 *
 * @example
 * ```ts
 * coveringPurposesOf(purposeCodes.DS.bit); // NRES | GRU | HMB | DS
 * ```
 */
export function coveringPurposesOf(use: number): number {
  switch (permissionOf(use)) {
    case P.NRES.bit:
      return P.NRES.bit;
    case P.GRU.bit:
      return P.NRES.bit | P.GRU.bit;
    case P.HMB.bit:
      return P.NRES.bit | P.GRU.bit | P.HMB.bit;
    case P.DS.bit:
      return P.NRES.bit | P.GRU.bit | P.HMB.bit | P.DS.bit;
    case P.POA.bit:
      return P.NRES.bit | P.GRU.bit | P.POA.bit;
    case P.CC.bit:
      return P.NRES.bit | P.CC.bit;
    default:
      return 0;
  }
}

/**
 * The consent conditions a use word does not attest (NPOA is met by any purpose but POA): a
 * consent carrying any of them does not permit the use.
 *
 * @example
 * ```ts
 * (unmetConditionsOf(purposeCodes.DS.bit) & purposeCodes.NCU.bit) !== 0; // true
 * ```
 */
export function unmetConditionsOf(use: number): number {
  const met =
    (use & CONDITION_MASK & ~P.NPOA.bit) | ((use & PERMISSION_MASK) === P.POA.bit ? 0 : P.NPOA.bit);
  return CONDITION_MASK & ~met;
}

/**
 * Whether a consent's purposes word permits a request's use word — the same rule as
 * `ConsentCodes.permits` on chain: exactly one permission bit in `use`, covered by the
 * consent after the DUO hierarchy (NRES ⊇ all; GRU ⊇ HMB ⊇ DS; GRU ⊇ POA), and every
 * condition of the consent attested by the request (NPOA is met by any purpose but POA).
 *
 * @example
 * ```ts
 * const consent = purposeCodes.HMB.bit | purposeCodes.NCU.bit;
 * permitsUse(consent, purposeCodes.DS.bit | purposeCodes.NCU.bit); // true
 * permitsUse(consent, purposeCodes.DS.bit); // false: non-commercial use not attested
 * ```
 */
export function permitsUse(consentPurposes: number, use: number): boolean {
  return (
    (consentPurposes & coveringPurposesOf(use)) !== 0 &&
    (consentPurposes & unmetConditionsOf(use)) === 0
  );
}

/**
 * Whether every requested category is consented (an empty request is never covered).
 *
 * @example
 * ```ts
 * coversCategories(dataCategories.DRUGS.bit | dataCategories.CONDITIONS.bit, dataCategories.DRUGS.bit); // true
 * ```
 */
export function coversCategories(consented: number, requested: number): boolean {
  return requested !== 0 && (requested & ~consented) === 0;
}
