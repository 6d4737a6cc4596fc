import type { ConsentImportFailure } from "./ConsentImportFailure.ts";
import type { ConsentImportFormat } from "./consentImportFormat.ts";
import { LandedLines } from "./LandedLines.ts";
import { readConsentImportRows } from "./readConsentImportRows.ts";
import {
  type ConsentImportReport,
  type ConsentImportScan,
  type RunConsentImportOptions,
  runConsentImport,
} from "./runConsentImport.ts";

/** Options of {@link planConsentImport}. */
export interface PlanConsentImportOptions {
  /**
   * Opens the import file's text from its start, e.g. `() => createReadStream(file)`; called
   * once to plan and once more by `run`, so it must give the same text each time.
   */
  readonly open: () => AsyncIterable<string | Uint8Array>;
  readonly format: ConsentImportFormat;
  /** Lines landed by earlier runs, from the checkpoint (`--resume`); their rows are skipped. */
  readonly landed?: LandedLines;
}

/** A validated import, ready to send. */
export interface ConsentImportPlan {
  /** Data rows in the file, valid or not. */
  readonly rows: number;
  /** Valid rows an earlier run landed. */
  readonly skipped: number;
  /** Valid rows to send. */
  readonly pending: number;
  /** The rows that failed validation, in line order. */
  readonly invalid: readonly ConsentImportFailure[];
  /** Lines landed so far; `run` adds to it. */
  readonly landed: LandedLines;
  /**
   * Sends the pending rows (a second pass over the file) and resolves to the report; call it
   * once.
   *
   * @throws CustosError what `batchGrant` throws before it sends anything, e.g.
   *   `LEDGER_UNAVAILABLE`; rows landed until then are in the checkpoint.
   */
  run(options: RunConsentImportOptions): Promise<ConsentImportReport>;
}

/**
 * Plans a bulk consent import: reads and validates the whole file as it streams (see
 * `readConsentImportRows`), so the rows to send are counted (for progress) and every invalid
 * row is known with its line before anything goes to the chain. `run` then streams the file
 * again and grants the pending rows through `batchGrant` in windows of rows, each sent in
 * chunks under the gas cap, with checkpoints, progress and an interrupt.
 *
 * @throws CustosError `CONSENT_IMPORT_INVALID` (`details.field` `"header"`) for a CSV without a
 *   header naming `subject` and `documentHash`; whatever `open`'s text throws.
 * @example
 * ```ts
 * const plan = await planConsentImport({ open: () => createReadStream(file), format: "csv" });
 * const report = await plan.run({
 *   registry,
 *   terms: parseConsentTerms('{"purposes":"GRU","categories":"CONDITIONS"}'),
 *   onCheckpoint: (text) => writeFile(`${file}.progress.json`, text),
 * });
 * report.failed; // [{ line: 3, reason: "CONSENT_IMPORT_INVALID", problem: "…" }, …]
 * ```
 */
export async function planConsentImport(
  options: PlanConsentImportOptions,
): Promise<ConsentImportPlan> {
  const landed = options.landed ?? new LandedLines();
  const invalid: ConsentImportFailure[] = [];
  let rows = 0;
  let skipped = 0;
  let pending = 0;
  for await (const items of readConsentImportRows(options.open(), options.format)) {
    rows += items.length;
    for (const item of items) {
      if (!("entry" in item)) invalid.push(item);
      else if (landed.has(item.line)) skipped++;
      else pending++;
    }
  }
  const scan: ConsentImportScan = { ...options, rows, skipped, pending, invalid, landed };
  return {
    rows,
    skipped,
    pending,
    invalid,
    landed,
    run: (runOptions) => runConsentImport(scan, runOptions),
  };
}
