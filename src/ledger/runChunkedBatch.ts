import type { Provider } from "ethers";
import type { Bytes32 } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { ContractErrorDetails } from "./decodeContractError.ts";
import { decodeContractError } from "./decodeContractError.ts";
import type { ConsentRegistryEvent } from "./LedgerEvent.ts";
import type { TransactionResult } from "./ledgerTransaction.ts";

/** One subject of a batch with the hash of its own consent or revocation document. */
export interface BatchEntry {
  readonly subject: Bytes32;
  readonly documentHash: Bytes32;
}

/** A consecutive slice of the batch sent as one transaction. */
export interface BatchChunk {
  /** Chunk number, from 0, in sending order. */
  readonly index: number;
  /** Position of the chunk's first entry in the batch. */
  readonly start: number;
  readonly entries: readonly BatchEntry[];
}

/** A chunk whose transaction was mined. */
export interface LandedChunk extends BatchChunk {
  readonly outcome: "landed";
  readonly transaction: TransactionResult<ConsentRegistryEvent>;
}

/** A chunk that did not land; none of its entries changed on chain. */
export interface FailedChunk extends BatchChunk {
  readonly outcome: "failed";
  /** Why: the decoded contract error (e.g. `CONSENT_ALREADY_ACTIVE`) or a transport error. */
  readonly error: CustosError;
  /** The entry the contract rejected, when it named one. */
  readonly rejected?: {
    /** Position of the entry in the whole batch. */
    readonly entryIndex: number;
    readonly subject: Bytes32;
    /** The contract error a single call would have raised, e.g. "ConsentRegistryAlreadyActive". */
    readonly reason: string;
  };
}

/** The outcome of a chunked batch: what landed, what failed and what was never tried. */
export interface BatchResult {
  /** Number of entries given. */
  readonly total: number;
  readonly landed: readonly LandedChunk[];
  readonly failed: readonly FailedChunk[];
  /** Entries not attempted (abort, `stopOnFailure`, or the chain became unreachable). */
  readonly remaining: readonly BatchEntry[];
  /** Whether the signal stopped the batch. */
  readonly aborted: boolean;
}

/** Reported after each chunk. */
export interface BatchProgress {
  readonly total: number;
  /** Entries landed so far. */
  readonly landedEntries: number;
  /** Entries in failed chunks so far. */
  readonly failedEntries: number;
  readonly chunk: LandedChunk | FailedChunk;
}

/** Options of `batchGrant` and `batchRevoke`. */
export interface BatchOptions {
  /** Called after each chunk lands or fails. */
  readonly onProgress?: (progress: BatchProgress) => void;
  /**
   * Stops before the next chunk; a chunk already sent is awaited so its outcome is known.
   * The result then has `aborted: true` and the unsent entries in `remaining`.
   */
  readonly signal?: AbortSignal;
  /**
   * Gas cap per transaction. The effective cap is the least of this, the latest block's gas
   * limit and EIP-7825's 16,777,216.
   */
  readonly maxGasPerTransaction?: bigint;
  /** Most entries per chunk (default 500). */
  readonly maxChunkSize?: number;
  /** Stop at the first failed chunk instead of going on with the next (default false). */
  readonly stopOnFailure?: boolean;
}

/** Default chunk size cap of batch operations. */
export const defaultBatchOptions = { maxChunkSize: 500, stopOnFailure: false } as const;

/** EIP-7825 per-transaction gas cap (Osaka), enforced by current Hardhat and clients. */
export const TRANSACTION_GAS_CAP = 16_777_216n;

/** Gas of a batch transaction besides its items: 21,000 base plus calldata and lookups. */
const BATCH_BASE_GAS = 60_000n;

/** How a batch operation estimates and sends one chunk. */
export interface ChunkedBatchPlan {
  readonly provider: Provider;
  /** Gas per entry used to size the first chunk (measured gas plus a margin). */
  readonly gasPerItem: bigint;
  estimate(entries: readonly BatchEntry[]): Promise<bigint>;
  send(
    entries: readonly BatchEntry[],
    gasLimit: bigint,
  ): Promise<TransactionResult<ConsentRegistryEvent>>;
}

function failureStopsBatch(error: CustosError): boolean {
  return (
    error.code === "LEDGER_UNAVAILABLE" ||
    error.code === "LEDGER_TRANSACTION_REJECTED" ||
    error.code === "LEDGER_ABORTED"
  );
}

function rejectedEntry(
  error: CustosError,
  start: number,
  entries: readonly BatchEntry[],
): FailedChunk["rejected"] {
  const details = error.details as Partial<ContractErrorDetails>;
  if (details.error !== "ConsentRegistryBatchItemRejected") return undefined;
  const index = Number(details.args?.index);
  const entry = entries[index];
  if (entry === undefined) return undefined;
  return { entryIndex: start + index, subject: entry.subject, reason: details.reason ?? "" };
}

async function gasCap(provider: Provider, requested: bigint | undefined): Promise<bigint> {
  let blockLimit: bigint;
  try {
    const block = await provider.getBlock("latest");
    blockLimit = block?.gasLimit ?? TRANSACTION_GAS_CAP;
  } catch (error) {
    throw decodeContractError(error);
  }
  let cap = blockLimit < TRANSACTION_GAS_CAP ? blockLimit : TRANSACTION_GAS_CAP;
  if (requested !== undefined && requested < cap) cap = requested;
  return cap;
}

function clampSize(size: bigint, max: number): number {
  if (size < 1n) return 1;
  return size > BigInt(max) ? max : Number(size);
}

/**
 * Sends a batch in chunks that each fit under the gas cap: the first chunk is sized from the
 * plan's per-item gas, every chunk is estimated before sending (and shrunk if the estimate
 * exceeds 90 % of the cap), later chunks are sized from the last estimate. A chunk the
 * contract rejects is reported with the entry it named and the batch goes on; landed chunks
 * stay landed. Transport failures stop the batch, leaving the rest in `remaining`.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the entries are empty, `maxChunkSize` is not a
 * positive integer or a single entry cannot fit under the gas cap; `LEDGER_UNAVAILABLE` if
 * the block gas limit cannot be read.
 * @example
 * ```ts
 * const result = await runChunkedBatch(entries, plan, { maxGasPerTransaction: 1_000_000n });
 * ```
 */
export async function runChunkedBatch(
  entries: readonly BatchEntry[],
  plan: ChunkedBatchPlan,
  options: BatchOptions = {},
): Promise<BatchResult> {
  const maxChunkSize = options.maxChunkSize ?? defaultBatchOptions.maxChunkSize;
  if (!Number.isSafeInteger(maxChunkSize) || maxChunkSize < 1) {
    throw new CustosError("INVALID_ARGUMENT", "maxChunkSize: must be a positive integer", {
      details: { field: "maxChunkSize" },
    });
  }
  if (entries.length === 0) {
    throw new CustosError("INVALID_ARGUMENT", "entries: a batch needs at least one entry", {
      details: { field: "entries" },
    });
  }
  const cap = await gasCap(plan.provider, options.maxGasPerTransaction);
  // Estimates are exact on the state they ran on; the headroom absorbs state changes between
  // estimate and inclusion (another recorder's transaction in the same block).
  const target = (cap * 9n) / 10n;
  if (target < BATCH_BASE_GAS + plan.gasPerItem) {
    throw new CustosError("INVALID_ARGUMENT", "maxGasPerTransaction: too small for one entry", {
      details: { field: "maxGasPerTransaction", cap: cap.toString() },
    });
  }
  let size = clampSize((target - BATCH_BASE_GAS) / plan.gasPerItem, maxChunkSize);
  const landed: LandedChunk[] = [];
  const failed: FailedChunk[] = [];
  let landedEntries = 0;
  let failedEntries = 0;
  let start = 0;
  const report = (chunk: LandedChunk | FailedChunk): void => {
    options.onProgress?.({ total: entries.length, landedEntries, failedEntries, chunk });
  };
  while (start < entries.length) {
    if (options.signal?.aborted === true) {
      return {
        total: entries.length,
        landed,
        failed,
        remaining: entries.slice(start),
        aborted: true,
      };
    }
    const index = landed.length + failed.length;
    let chunkEntries = entries.slice(start, start + size);
    let outcome: LandedChunk | FailedChunk;
    try {
      let estimate = await plan.estimate(chunkEntries);
      while (estimate > target) {
        if (chunkEntries.length === 1) {
          throw new CustosError("INVALID_ARGUMENT", "one entry exceeds the gas cap", {
            details: { field: "maxGasPerTransaction", estimate: estimate.toString() },
          });
        }
        size = clampSize((BigInt(chunkEntries.length) * target) / estimate, maxChunkSize);
        chunkEntries = entries.slice(start, start + size);
        estimate = await plan.estimate(chunkEntries);
      }
      const withMargin = (estimate * 12n) / 10n;
      const transaction = await plan.send(chunkEntries, withMargin < cap ? withMargin : cap);
      size = clampSize((BigInt(chunkEntries.length) * target) / estimate, maxChunkSize);
      landedEntries += chunkEntries.length;
      outcome = { outcome: "landed", index, start, entries: chunkEntries, transaction };
      landed.push(outcome);
    } catch (caught) {
      const error = decodeContractError(caught);
      if (error.code === "INVALID_ARGUMENT") throw error;
      const rejected = rejectedEntry(error, start, chunkEntries);
      failedEntries += chunkEntries.length;
      outcome = {
        outcome: "failed",
        index,
        start,
        entries: chunkEntries,
        error,
        ...(rejected === undefined ? {} : { rejected }),
      };
      failed.push(outcome);
      if (failureStopsBatch(error) || options.stopOnFailure === true) {
        report(outcome);
        return {
          total: entries.length,
          landed,
          failed,
          remaining: entries.slice(start + chunkEntries.length),
          aborted: error.code === "LEDGER_ABORTED",
        };
      }
    }
    report(outcome);
    start += chunkEntries.length;
  }
  return { total: entries.length, landed, failed, remaining: [], aborted: false };
}
