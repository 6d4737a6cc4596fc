import {
  type DataCategory,
  dataCategories,
  type PurposeLabel,
  purposeCodes,
} from "../consent/index.ts";

const purposesByBit: readonly (readonly [number, PurposeLabel])[] = (
  Object.keys(purposeCodes) as PurposeLabel[]
)
  .map((label) => [purposeCodes[label].bit, label] as const)
  .sort((a, b) => a[0] - b[0]);

const categoriesByBit: readonly (readonly [number, DataCategory])[] = (
  Object.keys(dataCategories) as DataCategory[]
)
  .map((name) => [dataCategories[name].bit, name] as const)
  .sort((a, b) => a[0] - b[0]);

/**
 * The DUO label of a single purpose bit (AccessLedger's indexed `purpose`), or null when the
 * value is not exactly one bit of the vocabulary.
 *
 * @example
 * ```ts
 * purposeLabelOf(1 << 2); // "HMB"
 * ```
 */
export function purposeLabelOf(bit: number): PurposeLabel | null {
  return purposesByBit.find(([b]) => b === bit)?.[1] ?? null;
}

/**
 * The DUO labels of a purposes word, permissions and conditions together, in bit order.
 * Bits outside the vocabulary are left out (the raw word stays beside the labels); unlike
 * `decodePurposes`, this never throws, because an audit shows what the chain holds.
 *
 * @example
 * ```ts
 * purposeLabelsOf((1 << 2) | (1 << 8)); // ["HMB", "NCU"]
 * ```
 */
export function purposeLabelsOf(word: number): PurposeLabel[] {
  return purposesByBit.filter(([bit]) => (word & bit) !== 0).map(([, label]) => label);
}

/**
 * The data category names of a categories word, in bit order; unknown bits are left out.
 *
 * @example
 * ```ts
 * categoryNamesOf(0b101); // ["DEMOGRAPHICS", "CONDITIONS"]
 * ```
 */
export function categoryNamesOf(word: number): DataCategory[] {
  return categoriesByBit.filter(([bit]) => (word & bit) !== 0).map(([, name]) => name);
}
