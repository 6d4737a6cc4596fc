import { CustosError } from "../errors/index.ts";
import type { ConsentRegistryClient } from "../ledger/index.ts";
import type { ConsentState } from "./ConsentChange.ts";
import type { SubjectInput } from "./subjectKey.ts";

/**
 * Reads one subject's current record from the ConsentRegistry (status "none" if unknown), at
 * the custodian whose records the index holds.
 */
export type ReadConsentState = (
  subject: `0x${string}`,
  signal?: AbortSignal,
) => Promise<ConsentState>;

/**
 * The `readContract` of a spot check over a custodian-scoped ConsentRegistry client: reads
 * `consentOf` of the record (client's custodian, subject), i.e. of the same custodian whose
 * events the index was synced from (use the client given to `createRegistryEventSource`).
 *
 * @throws CustosError (from the returned function) the codes of `consentOf`
 *   (`LEDGER_UNAVAILABLE`, …); a spot check reports them as `CONSENT_SPOT_CHECK_READ_FAILED`.
 * @example
 * ```ts
 * const registry = createConsentRegistryClient({ address, runner: provider, custodian: 1 });
 * const report = await index.spotCheck({ size: 100, random }, registryConsentReader(registry));
 * ```
 */
export function registryConsentReader(
  client: Pick<ConsentRegistryClient, "consentOf">,
): ReadConsentState {
  return async (subject, signal) => {
    signal?.throwIfAborted();
    const c = await client.consentOf(subject);
    return {
      status: c.status,
      purposes: c.purposes,
      categories: c.categories,
      validFrom: c.validFrom,
      validUntil: c.validUntil,
      version: c.version,
      custodian: c.custodian,
    };
  };
}

/** What to spot-check. */
export interface SpotCheckSample {
  /** How many indexed subjects to draw at random (all of them if the index holds fewer). */
  readonly size: number;
  /** Uniform randomness in [0, 1), injected so that a check can be replayed. */
  readonly random: () => number;
  /**
   * Extra subjects to check, e.g. drawn from the hospital's patient list: sampling only the
   * index cannot find subjects the index is missing.
   */
  readonly subjects?: readonly SubjectInput[];
  /** Contract reads in flight at once (default 8). */
  readonly concurrency?: number;
  /** Aborts the check; the returned promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * How the index and the contract disagree on a subject.
 *
 * - `MISSING_IN_INDEX`: the contract has a record, the index none.
 * - `MISSING_ON_CHAIN`: the index has a record the contract does not know.
 * - `INDEX_BEHIND`: the contract's version is newer (expected briefly while syncing).
 * - `INDEX_AHEAD`: the index's version is newer than the contract's (read an old block?).
 * - `DIVERGED`: same version, different fields: a decoding or sync bug.
 */
export type SpotCheckMismatchKind =
  | "MISSING_IN_INDEX"
  | "MISSING_ON_CHAIN"
  | "INDEX_BEHIND"
  | "INDEX_AHEAD"
  | "DIVERGED";

/** One disagreement found by a spot check. */
export interface SpotCheckMismatch {
  /** The subject's pseudonym (a keyed hash, but still keep it out of logs). */
  readonly subject: `0x${string}`;
  readonly kind: SpotCheckMismatchKind;
  /** Fields that differ (for `DIVERGED`). */
  readonly fields: readonly (keyof ConsentState)[];
  readonly index: ConsentState | undefined;
  readonly contract: ConsentState;
}

/** Outcome of a spot check. */
export interface SpotCheckReport {
  /** Subjects compared. */
  readonly checked: number;
  /** Subjects on which index and contract agree. */
  readonly matched: number;
  readonly mismatches: readonly SpotCheckMismatch[];
}

/** What a spot check needs from the index. */
export interface SpotCheckTarget {
  readonly size: number;
  /** Subjects of the given ascending ranks in the index's order. */
  subjectsAtRanks(ranks: readonly number[]): `0x${string}`[];
  getRecord(subject: SubjectInput): ConsentState | undefined;
  toHex(subject: SubjectInput): `0x${string}` | undefined;
}

const COMPARED_FIELDS = [
  "status",
  "purposes",
  "categories",
  "validFrom",
  "validUntil",
  "custodian",
] as const satisfies readonly (keyof ConsentState)[];

function badSample(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", message, { details: { field } });
}

function drawSubjects(target: SpotCheckTarget, sample: SpotCheckSample): `0x${string}`[] {
  if (!Number.isSafeInteger(sample.size) || sample.size < 0) {
    throw badSample("sample.size", "sample size must be a non-negative integer");
  }
  const drawn = new Set<number>();
  const size = Math.min(sample.size, target.size);
  while (drawn.size < size) {
    const r = sample.random();
    if (typeof r !== "number" || !(r >= 0 && r < 1)) {
      throw badSample("sample.random", "random() must return a number in [0, 1)");
    }
    // Collisions probe to the next free rank, so a poor random source (even a constant one)
    // still terminates after `size` draws instead of looping for ever.
    let rank = Math.floor(r * target.size);
    while (drawn.has(rank)) rank = (rank + 1) % target.size;
    drawn.add(rank);
  }
  const subjects = target.subjectsAtRanks([...drawn].sort((a, b) => a - b));
  (sample.subjects ?? []).forEach((subject, i) => {
    const hex = target.toHex(subject);
    if (hex === undefined) {
      throw badSample(`sample.subjects[${i}]`, "subject is not a bytes32 pseudonym");
    }
    subjects.push(hex);
  });
  return subjects;
}

function isRecord(value: unknown): value is ConsentState {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    (r.status === "none" || r.status === "active" || r.status === "revoked") &&
    ["purposes", "categories", "validFrom", "validUntil", "version", "custodian"].every(
      (field) => typeof r[field] === "number",
    )
  );
}

function compare(
  subject: `0x${string}`,
  index: ConsentState | undefined,
  contract: ConsentState,
): SpotCheckMismatch | undefined {
  const mismatch = (kind: SpotCheckMismatchKind, fields: (keyof ConsentState)[] = []) => ({
    subject,
    kind,
    fields,
    index,
    contract,
  });
  if (contract.status === "none")
    return index === undefined ? undefined : mismatch("MISSING_ON_CHAIN");
  if (index === undefined) return mismatch("MISSING_IN_INDEX");
  if (contract.version > index.version) return mismatch("INDEX_BEHIND");
  if (contract.version < index.version) return mismatch("INDEX_AHEAD");
  const fields = COMPARED_FIELDS.filter((field) => index[field] !== contract[field]);
  return fields.length === 0 ? undefined : mismatch("DIVERGED", fields);
}

/**
 * Compares a random sample of the index with the contract's records.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a malformed sample,
 *   `CONSENT_SPOT_CHECK_READ_FAILED` when `readContract` fails or returns a malformed record.
 *
 * @example
 * ```ts
 * const report = await spotCheckIndex(target, { size: 100, random: Math.random }, readRecord);
 * ```
 */
export async function spotCheckIndex(
  target: SpotCheckTarget,
  sample: SpotCheckSample,
  readContract: ReadConsentState,
): Promise<SpotCheckReport> {
  const subjects = drawSubjects(target, sample);
  const concurrency = sample.concurrency ?? 8;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw badSample("sample.concurrency", "concurrency must be a positive integer");
  }
  const signal = sample.signal;
  // Kept by sample position so the report's order does not depend on read timing.
  const results: (SpotCheckMismatch | undefined)[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < subjects.length) {
      signal?.throwIfAborted();
      const position = next++;
      const subject = subjects[position] as `0x${string}`;
      let contract: unknown;
      try {
        contract = await readContract(subject, signal);
      } catch (cause) {
        signal?.throwIfAborted();
        throw new CustosError("CONSENT_SPOT_CHECK_READ_FAILED", "reading a consent record failed", {
          cause,
        });
      }
      if (!isRecord(contract)) {
        throw new CustosError(
          "CONSENT_SPOT_CHECK_READ_FAILED",
          "readContract returned a malformed record",
          { details: { field: "record" } },
        );
      }
      // Read the index after the contract answered: the closest moment to the chain read.
      results[position] = compare(subject, target.getRecord(subject), contract);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, subjects.length) }, worker));
  signal?.throwIfAborted();
  const mismatches = results.filter((m): m is SpotCheckMismatch => m !== undefined);
  return { checked: subjects.length, matched: subjects.length - mismatches.length, mismatches };
}
