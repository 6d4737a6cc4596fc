import type { Bytes32 } from "../consent/index.ts";
import { consentEventToChange, createConsentIndex } from "../consentIndex/index.ts";
import { CustosError } from "../errors/index.ts";
import type { ConsentRegistryClient, ConsentTerms } from "../ledger/index.ts";
import { createSeededRandom } from "../omop/index.ts";
import {
  ConsentImportRoot,
  type ImportedConsentRecord,
  importedRecordFields,
} from "./ConsentImportRoot.ts";
import type { ConsentImportFormat } from "./consentImportFormat.ts";
import { readConsentImportRows } from "./readConsentImportRows.ts";
import { readCustodianEvents } from "./readCustodianEvents.ts";

/** Options of {@link verifyConsentImport}. */
export interface VerifyConsentImportOptions {
  /** Opens the import file's text from its start (read twice). */
  readonly open: () => AsyncIterable<string | Uint8Array>;
  readonly format: ConsentImportFormat;
  /** The terms the rows were granted on. */
  readonly terms: ConsentTerms;
  /** The registry client scoped to the custodian hospital the rows were granted at. */
  readonly registry: Pick<ConsentRegistryClient, "custodian" | "consentOf" | "consentEvents">;
  /** Seed of the sample (an unsigned 32-bit integer): the same seed draws the same rows. */
  readonly seed: number;
  /** Rows read back from the contract one by one (default 1,000; 0 for none). */
  readonly sampleSize?: number;
  /** Contract reads in flight at once (default 8). */
  readonly concurrency?: number;
  /**
   * The chain's head block number: with it the custodian's events are read in block ranges
   * sized to their density (see `readCustodianEvents`), which a node's cap on logs per
   * request calls for on blocks full of grants.
   */
  readonly headBlock?: () => Promise<number>;
  /** Called as each phase goes on, with the rows or events done so far. */
  readonly onProgress?: (progress: VerifyProgress) => void;
  readonly signal?: AbortSignal;
}

/** Where a verification stands. */
export interface VerifyProgress {
  readonly phase: "sample" | "events" | "readBack" | "rows";
  readonly done: number;
}

/** Defaults of {@link VerifyConsentImportOptions}. */
export const defaultVerifyConsentImportOptions = { sampleSize: 1_000, concurrency: 8 } as const;

/** What a clean verification checked. */
export interface ConsentImportVerification {
  /** Valid rows of the file: every one compared with the consent index. */
  readonly rows: number;
  /** The custodian's consent events read to build the index. */
  readonly events: number;
  /** Rows read back from the contract (`consentOf`) and their document hash from events. */
  readonly sampled: number;
  readonly seed: number;
  /** The consent-index root over the rows (see `ConsentImportRoot`), equal to the file's. */
  readonly root: `0x${string}`;
}

/** Details of `CONSENT_IMPORT_VERIFY_MISMATCH`: where the chain and the file first differ. */
export type VerifyMismatchDetails = {
  /** The file's line (from 1); absent when only the roots differ. */
  readonly line?: number;
  /** The field that differs (`status`, `purposes`, …, `documentHash`, or `root`). */
  readonly field: string;
  /** Which check found it: the sample read back from the contract, or the consent index. */
  readonly check: "sample" | "index";
  readonly expected: string | number;
  readonly actual: string | number;
};

interface SampledRow {
  readonly line: number;
  readonly subject: Bytes32;
  readonly documentHash: Bytes32;
}

/** Consent events whose document hash is the subject's current document. */
const DOCUMENT_EVENTS = new Set(["ConsentGranted", "ConsentUpdated", "ConsentRevoked"]);

function mismatch(details: VerifyMismatchDetails): CustosError<VerifyMismatchDetails> {
  const where = details.line === undefined ? "" : `line ${details.line}: `;
  return new CustosError<VerifyMismatchDetails>(
    "CONSENT_IMPORT_VERIFY_MISMATCH",
    `${where}${details.field} on chain is ${details.actual}, the file says ${details.expected} (${details.check} check)`,
    { details },
  );
}

/** The first field where `actual` differs from `expected`, if any. */
function firstDifference(
  line: number,
  check: VerifyMismatchDetails["check"],
  expected: ImportedConsentRecord,
  actual: ImportedConsentRecord,
): CustosError | undefined {
  for (const field of importedRecordFields) {
    if (expected[field] !== actual[field]) {
      return mismatch({ line, field, check, expected: expected[field], actual: actual[field] });
    }
  }
  return undefined;
}

const NO_RECORD = (custodian: number): ImportedConsentRecord => ({
  status: "none",
  purposes: 0,
  categories: 0,
  validFrom: 0,
  validUntil: 0,
  custodian,
});

function checkCount(value: number, field: string, least: number): number {
  if (!Number.isSafeInteger(value) || value < least) {
    throw new CustosError("INVALID_ARGUMENT", `${field}: must be an integer ≥ ${least}`, {
      details: { field },
    });
  }
  return value;
}

/**
 * Checks that the chain holds what an import file says, for every valid row of the file
 * (whatever run landed it): each row's subject should have an active consent at the
 * registry client's custodian on the given terms, with the row's document hash.
 *
 * 1. A first pass over the file draws a sample of `sampleSize` valid rows, seeded and
 *    reproducible (reservoir sampling with `seed`).
 * 2. The hospital's consent index is built from the custodian's ConsentRegistry events (as
 *    the data service builds it), noting the current document hash of the sampled subjects.
 * 3. Each sampled row is read back from the contract (`consentOf`) and compared field by field
 *    (status, purposes, categories, validFrom, validUntil, custodian), and its document hash
 *    with the one of the subject's latest consent event.
 * 4. A second pass builds the consent-index root (see `ConsentImportRoot`) over every row
 *    twice — from the file's terms and from the index's records — and compares the roots;
 *    when they differ, the error names the first row whose records differ. (The index side
 *    needs the file's subjects to pick its records, so the roots differ exactly when a row
 *    does: the root is the compact, reproducible commitment a clean pass reports.)
 *
 * Memory: the index (64 bytes a subject, see docs/consent-index.md) and the sample.
 *
 * @throws CustosError `CONSENT_IMPORT_VERIFY_MISMATCH` naming the first mismatching line in
 *   file order, the field, the check and both values (the sample check runs first);
 *   `INVALID_ARGUMENT` for a bad seed, sample size or concurrency; `CONSENT_IMPORT_INVALID` for
 *   a CSV without its header; the ledger client's codes (`LEDGER_UNAVAILABLE`, …).
 * @example
 * ```ts
 * const verified = await verifyConsentImport({ open, format: "csv", terms, registry, seed: 42 });
 * verified.root; // the consent-index root over the file's rows
 * ```
 */
export async function verifyConsentImport(
  options: VerifyConsentImportOptions,
): Promise<ConsentImportVerification> {
  const seed = options.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new CustosError("INVALID_ARGUMENT", "seed: must be an unsigned 32-bit integer", {
      details: { field: "seed" },
    });
  }
  const sampleSize = checkCount(
    options.sampleSize ?? defaultVerifyConsentImportOptions.sampleSize,
    "sampleSize",
    0,
  );
  const concurrency = checkCount(
    options.concurrency ?? defaultVerifyConsentImportOptions.concurrency,
    "concurrency",
    1,
  );
  const { registry, signal, onProgress } = options;
  const custodian = registry.custodian;
  const expected: ImportedConsentRecord = { status: "active", ...options.terms, custodian };

  // 1. The sample (Algorithm R: row k replaces a random one of the reservoir with odds n/k).
  const random = createSeededRandom(`custos/consent-import/verify/${seed}`);
  const sample: SampledRow[] = [];
  let rows = 0;
  for await (const items of readConsentImportRows(options.open(), options.format)) {
    signal?.throwIfAborted();
    for (const item of items) {
      if (!("entry" in item)) continue;
      rows++;
      const row = { line: item.line, ...item.entry };
      if (sample.length < sampleSize) sample.push(row);
      else {
        const at = random.below(rows);
        if (at < sampleSize) sample[at] = row;
      }
    }
    onProgress?.({ phase: "sample", done: rows });
  }
  sample.sort((a, b) => a.line - b.line);

  // 2. The consent index, from the chain's events.
  const index = createConsentIndex({ now: () => 0, expectedSubjects: rows });
  const sampledDocuments = new Map<string, string>(sample.map((row) => [row.subject, ""]));
  let events = 0;
  for await (const event of readCustodianEvents({
    registry,
    ...(options.headBlock === undefined ? {} : { headBlock: options.headBlock }),
    ...(signal === undefined ? {} : { signal }),
  })) {
    events++;
    const mapped = consentEventToChange(event, (subject) => index.getRecord(subject));
    if (mapped !== undefined) index.apply(mapped.change);
    const args: Readonly<Record<string, unknown>> = event.args;
    const subject = String(args.subject).toLowerCase();
    if (DOCUMENT_EVENTS.has(event.name) && sampledDocuments.has(subject)) {
      sampledDocuments.set(subject, String(args.documentHash).toLowerCase());
    }
    if (events % 10_000 === 0) onProgress?.({ phase: "events", done: events });
  }
  onProgress?.({ phase: "events", done: events });

  // 3. The sample, read back from the contract.
  const found: { readonly line: number; readonly error: CustosError }[] = [];
  let next = 0;
  let read = 0;
  const readBack = async (): Promise<void> => {
    for (let i = next++; i < sample.length; i = next++) {
      signal?.throwIfAborted();
      const row = sample[i] as SampledRow;
      const onChain = await registry.consentOf(row.subject);
      const difference =
        firstDifference(row.line, "sample", expected, onChain) ??
        (sampledDocuments.get(row.subject) === row.documentHash
          ? undefined
          : mismatch({
              line: row.line,
              field: "documentHash",
              check: "sample",
              expected: row.documentHash,
              actual: sampledDocuments.get(row.subject) || "none",
            }));
      if (difference !== undefined) found.push({ line: row.line, error: difference });
      onProgress?.({ phase: "readBack", done: ++read });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sample.length) }, readBack));
  const firstFound = found.sort((a, b) => a.line - b.line)[0];
  if (firstFound !== undefined) throw firstFound.error;

  // 4. Both roots over every row; where they differ, the first row that makes them differ.
  const fromFile = new ConsentImportRoot();
  const fromIndex = new ConsentImportRoot();
  let firstDifferent: CustosError | undefined;
  for await (const items of readConsentImportRows(options.open(), options.format)) {
    signal?.throwIfAborted();
    for (const item of items) {
      if (!("entry" in item)) continue;
      const subject = item.entry.subject;
      const state = index.getRecord(subject);
      const actual: ImportedConsentRecord =
        state === undefined
          ? NO_RECORD(custodian)
          : {
              status: state.status,
              purposes: state.purposes,
              categories: state.categories,
              validFrom: state.validFrom,
              validUntil: state.validUntil,
              custodian: state.custodian,
            };
      firstDifferent ??= firstDifference(item.line, "index", expected, actual);
      fromFile.add(subject, expected);
      fromIndex.add(subject, actual);
    }
    onProgress?.({ phase: "rows", done: fromFile.count });
  }
  const root = fromFile.root();
  const indexRoot = fromIndex.root();
  if (root !== indexRoot) {
    throw (
      firstDifferent ??
      mismatch({ field: "root", check: "index", expected: root, actual: indexRoot })
    );
  }
  return { rows: fromFile.count, events, sampled: sample.length, seed, root };
}
