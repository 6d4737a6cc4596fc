import type { Bytes32 } from "../consent/index.ts";
import type { BatchProgress, ConsentRegistryClient, ConsentTerms } from "../ledger/index.ts";
import { CheckpointWriter } from "./CheckpointWriter.ts";
import type { ConsentImportFailure } from "./ConsentImportFailure.ts";
import type { ConsentImportRow } from "./ConsentImportRow.ts";
import type { ConsentImportFormat } from "./consentImportFormat.ts";
import { grantsSince } from "./grantsSince.ts";
import type { LandedLines } from "./LandedLines.ts";
import { readConsentImportRows } from "./readConsentImportRows.ts";

/** Where an import stands, after each chunk sent. */
export interface ConsentImportProgress {
  /** Rows landed in this run so far. */
  readonly landed: number;
  /** Rows of this run the chain refused or that were never sent, so far. */
  readonly failed: number;
  /** Rows this run sends (valid rows not landed before). */
  readonly total: number;
}

/** Options of `ConsentImportPlan.run`. */
export interface RunConsentImportOptions {
  /**
   * The registry client the rows are granted through (scoped to the custodian hospital); its
   * events are read back when a resumed run recovers rows (see `headBlock`).
   */
  readonly registry: Pick<ConsentRegistryClient, "batchGrant" | "consentEvents">;
  /**
   * The chain's head block number, read before each window is sent and kept in the
   * checkpoint (`LandedLines.sentAfterBlock`). A run resumed from that checkpoint reads the
   * custodian's grants since that block and records the rows an interrupted run landed
   * without seeing them land (its node or the importer killed) instead of sending them again,
   * which the contract would refuse as `CONSENT_ALREADY_ACTIVE`. Without it no block is kept.
   */
  readonly headBlock?: () => Promise<number>;
  /** The terms every row is granted on (see `parseConsentTerms`). */
  readonly terms: ConsentTerms;
  /** Called after each chunk lands or fails. */
  readonly onProgress?: (progress: ConsentImportProgress) => void;
  /**
   * Called with the checkpoint's new text (`LandedLines.toCheckpoint`) as chunks land: one
   * call at a time, at most one per `checkpointIntervalMs` (see `CheckpointWriter`), and once
   * more with the final state before `run` settles.
   */
  readonly onCheckpoint?: (checkpoint: string) => Promise<void>;
  /**
   * Stops the import after the transactions in flight; the report then says `interrupted`
   * and where to go on from.
   */
  readonly signal?: AbortSignal;
  /** Rows handed to one `batchGrant` call, which sends them in chunks under the gas cap. */
  readonly windowRows?: number;
  /**
   * Blocks' worth of `batchGrant` chunks kept in flight (see `BatchOptions.blocksInFlight`);
   * unset: one transaction at a time.
   */
  readonly blocksInFlight?: number;
  /** Least time between two checkpoint writes, in milliseconds. */
  readonly checkpointIntervalMs?: number;
  /** Milliseconds clock of the checkpoint writes (default `performance.now`). */
  readonly clock?: () => number;
}

/** Defaults of {@link RunConsentImportOptions}. */
export const defaultRunConsentImportOptions = {
  // A batchGrant call ends with its last chunks draining and the next starts again at one
  // transaction in flight: about two blocks' worth lost a window, of ~54 full blocks here.
  windowRows: 50_000,
  checkpointIntervalMs: 1_000,
} as const;

/**
 * The codes on which `batchGrant` stops, leaving the rest of its batch unsent: the chain
 * stopped answering or accepting transactions, so the following windows are not sent either.
 */
const STOPPING_CODES: ReadonlySet<string> = new Set([
  "LEDGER_UNAVAILABLE",
  "LEDGER_TRANSACTION_REJECTED",
]);

/** The outcome of an import run. */
export interface ConsentImportReport {
  /** Data rows in the file, valid or not (blank lines and the CSV header not counted). */
  readonly rows: number;
  /** Valid rows skipped because an earlier run landed them. */
  readonly skipped: number;
  /** Rows landed in this run. */
  readonly landed: number;
  /**
   * Rows an earlier, interrupted run landed without recording them, found in the chain's
   * grants after the checkpoint's `sentAfterBlock` on the same terms and document hash:
   * recorded as landed, not sent again.
   */
  readonly recovered: number;
  /** Every row that failed, in line order: invalid ones and those the chain refused. */
  readonly failed: readonly ConsentImportFailure[];
  /** Whether the signal stopped the run. */
  readonly interrupted: boolean;
  /** Valid rows neither landed (in any run) nor failed: what a resumed run would send. */
  readonly notLanded: number;
  /** The first line of those rows, when there is one. */
  readonly firstNotLanded?: number;
  /** Lines landed in all runs, this one included. */
  readonly landedInAll: number;
}

/** What `planConsentImport` found, which the sending pass builds on. */
export interface ConsentImportScan {
  readonly open: () => AsyncIterable<string | Uint8Array>;
  readonly format: ConsentImportFormat;
  readonly rows: number;
  readonly skipped: number;
  readonly pending: number;
  readonly invalid: readonly ConsentImportFailure[];
  readonly landed: LandedLines;
}

/**
 * The sending pass of an import: reads the file again (first recording as landed the rows an
 * interrupted run landed unseen, found in the chain's grants after the checkpoint's
 * `sentAfterBlock`), hands its pending rows to `batchGrant` a window at a time, and
 * re-sends the innocent rows of a chunk the contract rejected for one row, so every failed
 * row is reported with its own code. Once the chain stops answering, the rows not sent yet,
 * in this window and the next ones, are reported as `NOT_ATTEMPTED`.
 *
 * @throws CustosError what `batchGrant` throws before sending (e.g. `LEDGER_UNAVAILABLE` when
 *   the block gas limit cannot be read); the checkpoint then holds what landed before.
 * @example
 * ```ts
 * const report = await runConsentImport(scan, { registry, terms });
 * ```
 */
export async function runConsentImport(
  scan: ConsentImportScan,
  options: RunConsentImportOptions,
): Promise<ConsentImportReport> {
  const windowRows = options.windowRows ?? defaultRunConsentImportOptions.windowRows;
  const landed = scan.landed;
  const failed: ConsentImportFailure[] = [...scan.invalid];
  let landedNow = 0;
  let recovered = 0;
  let refused = 0;
  let stopped = false;
  let interrupted = false;
  let firstNotLanded: number | undefined;
  const onCheckpoint = options.onCheckpoint;
  const checkpoint =
    onCheckpoint === undefined
      ? undefined
      : new CheckpointWriter({
          write: onCheckpoint,
          text: () => landed.toCheckpoint(),
          clock: options.clock ?? (() => performance.now()),
          minIntervalMs:
            options.checkpointIntervalMs ?? defaultRunConsentImportOptions.checkpointIntervalMs,
        });

  const refuse = (row: ConsentImportRow, reason: string) => {
    failed.push({ line: row.line, reason, subject: row.entry.subject });
    refused++;
  };

  const send = async (rows: readonly ConsentImportRow[]) => {
    let pending = rows;
    while (pending.length > 0) {
      if (stopped) {
        for (const row of pending) refuse(row, "NOT_ATTEMPTED");
        return;
      }
      const round = pending;
      const onProgress = (progress: BatchProgress) => {
        const chunk = progress.chunk;
        if (chunk.outcome === "landed") {
          for (let i = 0; i < chunk.entries.length; i++) {
            landed.add((round[chunk.start + i] as ConsentImportRow).line);
          }
          landedNow += chunk.entries.length;
          checkpoint?.changed();
        }
        options.onProgress?.({
          landed: landedNow,
          failed: refused,
          total: scan.pending - recovered,
        });
      };
      const result = await options.registry.batchGrant(
        round.map((row) => row.entry),
        options.terms,
        {
          onProgress,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.blocksInFlight === undefined
            ? {}
            : { blocksInFlight: options.blocksInFlight }),
        },
      );
      // A chunk the contract rejected for one row fails whole: its other rows go again.
      const retry: ConsentImportRow[] = [];
      for (const chunk of result.failed) {
        for (let i = 0; i < chunk.entries.length; i++) {
          const position = chunk.start + i;
          const row = round[position] as ConsentImportRow;
          if (chunk.rejected === undefined || chunk.rejected.entryIndex === position) {
            refuse(row, chunk.error.code);
          } else {
            retry.push(row);
          }
        }
      }
      const unsent = new Set(result.remaining);
      const notSent = round.filter((row) => unsent.has(row.entry));
      if (result.aborted) {
        interrupted = true;
        // A loop, not Math.min(...lines): a window holds more rows than a call takes arguments.
        for (const row of [...retry, ...notSent]) {
          if (firstNotLanded === undefined || row.line < firstNotLanded) firstNotLanded = row.line;
        }
        return;
      }
      for (const row of notSent) refuse(row, "NOT_ATTEMPTED");
      if (result.failed.some((chunk) => STOPPING_CODES.has(chunk.error.code))) stopped = true;
      pending = retry;
    }
  };

  const { headBlock } = options;
  // Every row of earlier windows has landed or been refused when a window is sent, so the
  // head read before it bounds where any row not recorded yet can land.
  const sendWindow = async (rows: readonly ConsentImportRow[]) => {
    if (headBlock !== undefined && !stopped) {
      landed.sentAfterBlock = await headBlock();
      checkpoint?.changed();
    }
    await send(rows);
  };

  try {
    const unrecorded =
      landed.sentAfterBlock === undefined || scan.pending === 0
        ? new Map<Bytes32, Bytes32>()
        : await grantsSince({
            registry: options.registry,
            afterBlock: landed.sentAfterBlock,
            terms: options.terms,
            ...(headBlock === undefined ? {} : { headBlock }),
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          });
    let window: ConsentImportRow[] = [];
    // After an interrupt the file is read on only as far as the first row not landed.
    for await (const items of readConsentImportRows(scan.open(), scan.format)) {
      for (const item of items) {
        if (!("entry" in item) || landed.has(item.line)) continue;
        if (unrecorded.get(item.entry.subject) === item.entry.documentHash) {
          landed.add(item.line);
          recovered++;
          checkpoint?.changed();
          continue;
        }
        if (interrupted) {
          firstNotLanded ??= item.line;
          break;
        }
        window.push(item);
        if (window.length < windowRows) continue;
        await sendWindow(window);
        window = [];
      }
      if (firstNotLanded !== undefined) break;
    }
    if (!interrupted && window.length > 0) await sendWindow(window);
  } catch (error) {
    // The error wins over a checkpoint write that fails with it.
    await checkpoint?.flush().catch(() => undefined);
    throw error;
  }
  await checkpoint?.flush();
  failed.sort((a, b) => a.line - b.line);
  return {
    rows: scan.rows,
    skipped: scan.skipped,
    landed: landedNow,
    recovered,
    failed,
    interrupted,
    notLanded: Math.max(0, scan.pending - landedNow - recovered - refused),
    ...(firstNotLanded === undefined ? {} : { firstNotLanded }),
    landedInAll: landed.count,
  };
}
