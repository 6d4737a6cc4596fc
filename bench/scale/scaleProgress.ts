/**
 * The progress file of bench:scale (`progress.json` in the work directory): everything a
 * restarted run needs to continue where the last one stopped — per phase the consents stored,
 * the transactions that were in flight, the loading time so far, the curve points measured
 * and the runs. It is rewritten (atomically, synchronously) whenever the chain may have
 * moved past it, so a crash, a Ctrl-C or a reboot loses at most the last second of timing.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One transaction of a load that was sent and may or may not have been committed. */
export type InFlightTx = [sender: number, nonce: number, firstSubject: number, size: number];

/**
 * Where a consent load stands, exactly: every transaction the load ever sent is either
 * counted in `stored` (committed) or listed in `inFlight` (sent, outcome unknown).
 */
export interface StreamState {
  /** Consents committed by the load. */
  stored: number;
  /** Each recorder's next nonce on the chain, as last read. */
  nonces: number[];
  /** Number of the next subject to grant: never reused, so subjects stay unique. */
  nextSubject: number;
  inFlight: InFlightTx[];
}

/** One invocation of the benchmark that worked on a phase. */
export interface RunRecord {
  readonly run: number;
  readonly startedAt: string;
  endedAt: string | null;
  /** `running` is only seen in the file while the run lives, or after a crash. */
  ended: "running" | "completed" | "interrupted" | "crashed";
  readonly storedAtStart: number;
  storedAtEnd: number;
  /** Loading time of this run: its first send to its last observed commit. */
  loadSeconds: number;
  /** Process start to serving (a restart restores the node's state first): not loading. */
  readonly startSeconds: number;
  /** CPU seconds of each node process while loading. */
  cpuSeconds: number[];
  readonly loadavgAtStart: number[];
  loadavgAtEnd: number[];
}

/** The load rate over a stretch of the load, as printed. */
export interface SegmentRecord {
  /** Consents stored at the segment's end. */
  readonly stored: number;
  readonly consents: number;
  readonly seconds: number;
  readonly consentsPerSec: number;
  /** Per CPU-second of the node processes together. */
  readonly consentsPerCpuSec: number;
  /**
   * Fewest transactions still in flight right after a commit (0: the next block may have
   * waited for the sender); null when the segment only drained the end of the load.
   */
  readonly minPendingTxs: number | null;
  readonly run: number;
}

/** A batchGrant chunk as the SDK sizes it (gas as decimal strings). */
export interface ChunkRecord {
  readonly size: number;
  readonly gas: string;
  readonly gasLimit: string;
  readonly cap: string;
}

/** What the chain said about its blocks when the load started. */
export interface ChainFacts {
  readonly blockGasLimit: number;
  readonly blockPeriodSeconds: number;
  /** Transactions kept in flight: blocksInFlight × ⌈block gas limit / transaction gas limit⌉. */
  readonly maxInFlight: number;
}

/** Progress of a consent load through one chain (solo node or network). */
export interface StreamProgress {
  status: "loading" | "loaded" | "complete";
  chunk: ChunkRecord | null;
  chain: ChainFacts | null;
  state: StreamState;
  /** Loading time summed over the runs. */
  loadSeconds: number;
  /** CPU seconds of each node process while loading, summed over the runs. */
  cpuSeconds: number[];
  segments: SegmentRecord[];
  runs: RunRecord[];
}

/** One measured load-curve window. */
export interface CurvePoint {
  /** Consents stored when the window opened (the first commit at or above the point, after a run's warm-up). */
  readonly startStored: number;
  readonly endStored: number;
  readonly seconds: number;
  readonly consentsPerSec: number;
  readonly cpuSeconds: number;
  readonly consentsPerCpuSec: number;
  readonly blocks: number;
  readonly run: number;
  /** The window had been opened by an earlier run that was interrupted before it closed. */
  readonly reopened: boolean;
}

/** Disk use of the stopped solo node (see diskUsage.ts). */
export interface DiskRecord {
  readonly consents: number;
  readonly duBytes: number;
  readonly apparentBytes: number;
  readonly bytesPerConsent: number;
  readonly apparentBytesPerConsent: number;
  /** du of each directory of the data directory (`chain`, `audit`, …); absent in older runs. */
  readonly directories?: Record<
    string,
    { readonly duBytes: number; readonly bytesPerConsent: number }
  >;
  readonly chainDbLogicalBytesPerConsent: number;
  readonly keyspaces: Record<string, KeyspaceRecord>;
  readonly seconds: number;
}

/** Logical size of one keyspace of the chain database. */
export interface KeyspaceRecord {
  readonly prefix: string;
  readonly records: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
  readonly bytesPerConsent: number;
}

/** The solo load (phase `load`). */
export interface LoadProgress extends StreamProgress {
  readonly target: number;
  readonly window: number;
  readonly points: number[];
  /** Loading time when the stored count first reached the target. */
  targetSeconds: number | null;
  curve: Record<string, CurvePoint>;
  /** The window a run had open when it last wrote this file (to flag its re-measurement). */
  openWindow: number | null;
  disk: DiskRecord | null;
}

/** The 4-validator network load (phase `network`). */
export interface NetworkProgress extends StreamProgress {
  readonly consents: number;
  readonly validators: number;
}

/** Grants against EDR (phase `grants`): measured in one go, repeated whole if interrupted. */
export interface GrantsProgress {
  /** Attempts started: each uses its own subject series, the chain keeps earlier ones' grants. */
  attempts: number;
  result: Record<string, unknown> | null;
}

/** The import across a kill -9 (phase `import`): measured in one go, like `grants`. */
export interface ImportProgress {
  /** Attempts started: each imports a file of its own (the chain keeps earlier ones' rows). */
  attempts: number;
  result: Record<string, unknown> | null;
}

/** One `custos consent import` process of the bulk import. */
export interface BulkImportRun {
  readonly stage: "first" | "resumed" | "verify";
  readonly startedAt: string;
  /** Seconds it ran; for a run whose bench died with it, up to the checkpoint's last write. */
  seconds: number | null;
  ended: "running" | "exited" | "killed" | "crashed";
  exitCode?: number | null;
  report?: Record<string, unknown> | null;
}

/**
 * The bulk import (phase `bulkImport`): a file of `rows` rows into an empty chain of its own,
 * with a kill -9 of the node and the importer halfway; resumable across bench runs, since it
 * takes hours (a run that dies with the bench is resumed like the kill -9).
 */
export interface BulkImportProgress {
  readonly rows: number;
  readonly series: string;
  /** Where the import stands: before the kill, after it, verifying, done. */
  stage: "writing" | "first" | "resumed" | "verify" | "complete";
  /** The importer's pid while one runs (a bench killed outright leaves it running). */
  cliPid: number | null;
  killedAtCheckpointLanded: number | null;
  checkpointLandedAfterKill: number | null;
  restartSeconds: number | null;
  runs: BulkImportRun[];
  result: Record<string, unknown> | null;
}

/** The whole progress file. */
export interface ScaleProgress {
  readonly version: 1;
  readonly createdAt: string;
  /** Invocations of the benchmark on this work directory. */
  runs: number;
  load: LoadProgress | null;
  network: NetworkProgress | null;
  grants: GrantsProgress | null;
  /** Absent in files written before the phase existed. */
  import?: ImportProgress | null;
  /** Absent in files written before the phase existed. */
  bulkImport?: BulkImportProgress | null;
}

/** The file name inside the work directory. */
export const PROGRESS_FILE = "progress.json";

/**
 * Reads the progress file of `workDir`, or a fresh progress when there is none. Runs a
 * previous invocation left `running` (it crashed or was killed without a chance to write) are
 * marked `crashed`.
 *
 * @throws Error if the file exists but is not a version-1 progress file.
 * @example
 * ```ts
 * const progress = readProgress("/tmp/scale-work");
 * ```
 */
export function readProgress(workDir: string): ScaleProgress {
  const file = join(workDir, PROGRESS_FILE);
  if (!existsSync(file)) {
    return {
      version: 1,
      createdAt: new Date().toISOString(),
      runs: 0,
      load: null,
      network: null,
      grants: null,
      import: null,
    };
  }
  const progress = JSON.parse(readFileSync(file, "utf8")) as ScaleProgress;
  if (progress.version !== 1) throw new Error(`${file}: not a bench:scale progress file`);
  for (const phase of [progress.load, progress.network]) {
    for (const run of phase?.runs ?? []) if (run.ended === "running") run.ended = "crashed";
  }
  return progress;
}

/**
 * Writes the progress file atomically (a temporary file renamed over it), synchronously so it
 * also works from a signal handler.
 *
 * @example
 * ```ts
 * writeProgress("/tmp/scale-work", progress);
 * ```
 */
export function writeProgress(workDir: string, progress: ScaleProgress): void {
  const file = join(workDir, PROGRESS_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(progress)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * A fresh progress of a consent load.
 *
 * @example
 * ```ts
 * progress.network = { ...newStreamProgress(4), consents: 1_000_000, validators: 4 };
 * ```
 */
export function newStreamProgress(recorders: number): StreamProgress {
  return {
    status: "loading",
    chunk: null,
    chain: null,
    state: { stored: 0, nonces: Array(recorders).fill(0), nextSubject: 0, inFlight: [] },
    loadSeconds: 0,
    cpuSeconds: [],
    segments: [],
    runs: [],
  };
}
