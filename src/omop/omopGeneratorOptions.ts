import { CustosError } from "../errors/index.ts";

/** What a synthetic OMOP data set is made from; equal options give byte-identical files. */
export interface OmopGeneratorOptions {
  /** Persons in all hospitals together, at least `hospitals`. */
  readonly persons: number;
  /** Hospitals, 1 to 64; persons are split between them as evenly as possible. */
  readonly hospitals: number;
  /** Seed of every random draw, a non-negative safe integer (default 1). */
  readonly seed?: number;
  /** Share of persons who consent, in [0, 1] (default 0.8). */
  readonly consentRate?: number;
  /** Share of consenting persons who later revoke, in [0, 1] (default 0.05). */
  readonly revocationRate?: number;
  /**
   * The data set's "today", `YYYY-MM-DD` (default 2024-12-31): ages, observation periods and
   * the source release date count from it, never from the clock.
   */
  readonly referenceDate?: string;
}

/** Defaults of {@link OmopGeneratorOptions}. */
export const defaultOmopGeneratorOptions = {
  seed: 1,
  consentRate: 0.8,
  revocationRate: 0.05,
  referenceDate: "2024-12-31",
} as const satisfies Partial<OmopGeneratorOptions>;

/** Most hospitals one data set may have (the size of a network's validator set). */
export const OMOP_MAX_HOSPITALS = 64;

function invalid(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", message, { details: { field } });
}

/**
 * Checks generator options and fills in the defaults, before anything is generated or written.
 *
 * @throws CustosError `INVALID_ARGUMENT` with `details.field` naming the bad option: persons
 *   not an integer ≥ 1 or fewer than the hospitals, hospitals outside 1–64, a seed that is not
 *   a non-negative safe integer, a rate outside [0, 1], a reference date that is not
 *   `YYYY-MM-DD`.
 * @example
 * ```ts
 * checkOmopGeneratorOptions({ persons: 1000, hospitals: 4 }).consentRate; // 0.8
 * ```
 */
export function checkOmopGeneratorOptions(
  options: OmopGeneratorOptions,
): Required<OmopGeneratorOptions> {
  const { persons, hospitals } = options;
  const seed = options.seed ?? defaultOmopGeneratorOptions.seed;
  const consentRate = options.consentRate ?? defaultOmopGeneratorOptions.consentRate;
  const revocationRate = options.revocationRate ?? defaultOmopGeneratorOptions.revocationRate;
  const referenceDate = options.referenceDate ?? defaultOmopGeneratorOptions.referenceDate;
  if (!Number.isSafeInteger(persons) || persons < 1) {
    throw invalid("persons", "persons must be an integer of at least 1");
  }
  if (!Number.isSafeInteger(hospitals) || hospitals < 1 || hospitals > OMOP_MAX_HOSPITALS) {
    throw invalid("hospitals", `hospitals must be an integer from 1 to ${OMOP_MAX_HOSPITALS}`);
  }
  if (persons < hospitals) {
    throw invalid("persons", `persons (${persons}) must be at least hospitals (${hospitals})`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw invalid("seed", "seed must be a non-negative safe integer");
  }
  for (const [field, rate] of [
    ["consentRate", consentRate],
    ["revocationRate", revocationRate],
  ] as const) {
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      throw invalid(field, `${field} must be a number from 0 to 1`);
    }
  }
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(referenceDate) ||
    Number.isNaN(Date.parse(`${referenceDate}T00:00:00Z`))
  ) {
    throw invalid("referenceDate", "referenceDate must be a YYYY-MM-DD date");
  }
  return { persons, hospitals, seed, consentRate, revocationRate, referenceDate };
}
