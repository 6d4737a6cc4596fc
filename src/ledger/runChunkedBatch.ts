import type { Provider } from "ethers";
import type { Bytes32 } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { Hex } from "./abiValues.ts";
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

/**
 * A chunk that did not land as far as the batch saw: the contract rejected it and none of its
 * entries changed, or, when its error is a transport one (`LEDGER_UNAVAILABLE` after the
 * transaction was sent: the node went away or did not mine it in time), its outcome is
 * unknown and it may still be mined.
 */
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
  /** Called after each chunk lands or fails, in chunk order. */
  readonly onProgress?: (progress: BatchProgress) => void;
  /**
   * Stops before the next chunk; chunks already sent are awaited so their outcomes are known.
   * The result then has `aborted: true` and the unsent entries in `remaining`.
   */
  readonly signal?: AbortSignal;
  /**
   * Gas cap per transaction. The effective cap is the least of this, EIP-7825's 16,777,216
   * and the latest block's gas limit divided evenly among the fewest transactions that fill
   * it (30 M: two of 15 M), so that full chunks pack whole blocks.
   */
  readonly maxGasPerTransaction?: bigint;
  /** Most entries per chunk (default 500). */
  readonly maxChunkSize?: number;
  /** Stop at the first failed chunk instead of going on with the next (default false). */
  readonly stopOnFailure?: boolean;
  /**
   * Blocks' worth of chunks kept in flight: the next chunks are sent, with nonces counted
   * here, while the earlier ones wait to be mined, up to this many blocks' worth at the
   * latest block's gas limit (and at most {@link MAX_TRANSACTIONS_IN_FLIGHT} transactions),
   * so the chain never waits for the sender. In flight starts at one transaction and doubles
   * with each chunk that lands. The first chunk is estimated; after it, as long as no chunk
   * of the batch has failed, chunks are sent without an estimate, sized so that the plan's
   * per-entry gas (the measured maximum plus a margin) fits the cap, which is their gas
   * limit: a node's `eth_estimateGas` executes a chunk twice, which tripled the node's work
   * per block and left the sender, waiting on each estimate, unable to fill blocks. A chunk
   * the contract then rejects reverts when mined and is estimated to name the entry; from
   * the first failure on, every chunk is estimated. Unset: one transaction at a time, each
   * estimated and mined before the next is sent.
   */
  readonly blocksInFlight?: number;
}

/** Default chunk size cap of batch operations. */
export const defaultBatchOptions = { maxChunkSize: 500, stopOnFailure: false } as const;

/** EIP-7825 per-transaction gas cap (Osaka), enforced by current Hardhat and clients. */
export const TRANSACTION_GAS_CAP = 16_777_216n;

/**
 * Most transactions one batch keeps in flight, whatever `blocksInFlight` asks: geth's pool
 * keeps 16 executable transactions per account for sure, and Custos' 64.
 */
export const MAX_TRANSACTIONS_IN_FLIGHT = 16;

/** Gas of a batch transaction besides its items: 21,000 base plus calldata and lookups. */
const BATCH_BASE_GAS = 60_000n;

/** How a batch operation estimates, sends and follows one chunk. */
export interface ChunkedBatchPlan {
  readonly provider: Pick<Provider, "getBlock">;
  /** Gas per entry used to size the first chunk (measured gas plus a margin). */
  readonly gasPerItem: bigint;
  /** The chunk's gas on the latest state; throws the decoded revert of a rejected chunk. */
  estimate(entries: readonly BatchEntry[]): Promise<bigint>;
  /** The sender's next nonce, counting its transactions waiting in the pool. */
  nextNonce(): Promise<number>;
  /** Signs and sends the chunk's transaction; resolves to its hash once the node has it. */
  submit(entries: readonly BatchEntry[], gasLimit: bigint, nonce: number): Promise<Hex>;
  /**
   * The transaction's result once mined; rejects with the decoded error of a reverted one
   * or `LEDGER_UNAVAILABLE` when it is not mined in time.
   */
  mined(hash: Hex): Promise<TransactionResult<ConsentRegistryEvent>>;
}

function failureStopsBatch(error: CustosError): boolean {
  return (
    error.code === "LEDGER_UNAVAILABLE" ||
    error.code === "LEDGER_TRANSACTION_REJECTED" ||
    error.code === "LEDGER_ABORTED"
  );
}

/** The node stopped an estimate at its time limit: a smaller chunk may fit in it. */
function isCallTimeout(error: CustosError): boolean {
  return (
    error.code === "LEDGER_UNAVAILABLE" &&
    (error.details as { reason?: unknown } | undefined)?.reason === "RPC_CALL_TIMEOUT"
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

/** The gas cap of one chunk and the block gas limit it was derived from. */
interface GasCap {
  readonly blockLimit: bigint;
  readonly cap: bigint;
}

async function gasCap(
  provider: Pick<Provider, "getBlock">,
  requested: bigint | undefined,
): Promise<GasCap> {
  let blockLimit: bigint;
  try {
    const block = await provider.getBlock("latest");
    blockLimit = block?.gasLimit ?? TRANSACTION_GAS_CAP;
  } catch (error) {
    throw decodeContractError(error);
  }
  let cap = blockLimit < TRANSACTION_GAS_CAP ? blockLimit : TRANSACTION_GAS_CAP;
  if (requested !== undefined && requested < cap) cap = requested;
  // A block builder skips a transaction whose gas limit exceeds the gas left: two 16.7 M
  // chunks leave a 30 M block 44 % empty, two 15 M ones fill it.
  const perBlock = (blockLimit + cap - 1n) / cap;
  return { blockLimit, cap: perBlock > 0n ? blockLimit / perBlock : cap };
}

function clampSize(size: bigint, max: number): number {
  if (size < 1n) return 1;
  return size > BigInt(max) ? max : Number(size);
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new CustosError("INVALID_ARGUMENT", `${field}: must be a positive integer`, {
      details: { field },
    });
  }
  return value;
}

/** A chunk sent or settled, kept in sending order until it is reported. */
type Attempt = Promise<LandedChunk | FailedChunk>;

/**
 * Sends a batch in chunks that each fit under the gas cap: the first chunk is sized from the
 * plan's per-item gas, every chunk is estimated before sending (and shrunk if the estimate
 * exceeds 90 % of the cap), later chunks are sized from the last estimate. A chunk whose
 * estimate the node stopped at its time limit (a busy node: `LEDGER_UNAVAILABLE` with reason
 * `RPC_CALL_TIMEOUT`) is halved and estimated again, and later chunks stay at most that
 * size. With
 * `blocksInFlight`, chunks are sent with consecutive nonces without waiting for the earlier
 * ones to be mined, and without estimates while the batch runs clean (bounded and sized as
 * the option says); outcomes are reported in chunk order.
 *
 * A chunk the contract rejects (at estimation, or mined and reverted, then estimated again to
 * find the entry) is reported with the entry it named and the batch goes on; landed chunks
 * stay landed. Transport failures and refused transactions stop sending: the chunks already
 * in flight are awaited, the rest is left in `remaining`. After a failed send the nonce is
 * read again, since the node may or may not have taken the transaction.
 *
 * @throws CustosError `INVALID_ARGUMENT` if the entries are empty, `maxChunkSize` or
 * `blocksInFlight` is not a positive integer or a single entry cannot fit under the gas cap
 * (after the chunks in flight have settled and been reported); `LEDGER_UNAVAILABLE` if the
 * block gas limit cannot be read.
 * @example
 * ```ts
 * const result = await runChunkedBatch(entries, plan, { blocksInFlight: 4 });
 * ```
 */
export async function runChunkedBatch(
  entries: readonly BatchEntry[],
  plan: ChunkedBatchPlan,
  options: BatchOptions = {},
): Promise<BatchResult> {
  const maxChunkSize = positiveInteger(
    options.maxChunkSize ?? defaultBatchOptions.maxChunkSize,
    "maxChunkSize",
  );
  const blocksInFlight =
    options.blocksInFlight === undefined
      ? undefined
      : positiveInteger(options.blocksInFlight, "blocksInFlight");
  if (entries.length === 0) {
    throw new CustosError("INVALID_ARGUMENT", "entries: a batch needs at least one entry", {
      details: { field: "entries" },
    });
  }
  const { blockLimit, cap } = await gasCap(plan.provider, options.maxGasPerTransaction);
  // Estimates are exact on the state they ran on; the headroom absorbs state changes between
  // estimate and inclusion (another recorder's transaction in the same block).
  const target = (cap * 9n) / 10n;
  if (target < BATCH_BASE_GAS + plan.gasPerItem) {
    throw new CustosError("INVALID_ARGUMENT", "maxGasPerTransaction: too small for one entry", {
      details: { field: "maxGasPerTransaction", cap: cap.toString() },
    });
  }
  let size = clampSize((target - BATCH_BASE_GAS) / plan.gasPerItem, maxChunkSize);
  // Unestimated chunks: the plan's per-entry gas has its margin over the measured maximum,
  // so a chunk filling the cap with it cannot run out of gas.
  const unestimatedSize = clampSize((cap - BATCH_BASE_GAS) / plan.gasPerItem, maxChunkSize);
  let estimated = false;
  // Lowered when the node's time limit stopped an estimate (a busy node): later chunks stay
  // small enough to be estimated in time.
  let ceiling = maxChunkSize;
  let failedOnce = false;
  const landed: LandedChunk[] = [];
  const failed: FailedChunk[] = [];
  let landedEntries = 0;
  let failedEntries = 0;
  let next = 0;
  let chunks = 0;
  let nonce: number | undefined;
  // Slow start: one transaction until a chunk has landed, then double per landed chunk.
  let window = 1;
  let limit = 1;
  let stopped: "aborted" | "failed" | undefined;
  let aborted = false;
  let thrown: CustosError | undefined;
  const inFlight: Attempt[] = [];

  const failedChunk = (
    index: number,
    start: number,
    chunkEntries: readonly BatchEntry[],
    error: CustosError,
  ): FailedChunk => {
    const rejected = rejectedEntry(error, start, chunkEntries);
    return {
      outcome: "failed",
      index,
      start,
      entries: chunkEntries,
      error,
      ...(rejected === undefined ? {} : { rejected }),
    };
  };

  /** A mined transaction's outcome; a reverted one is estimated again to name the entry. */
  const follow = async (
    index: number,
    start: number,
    chunkEntries: readonly BatchEntry[],
    hash: Hex,
  ): Attempt => {
    try {
      const transaction = await plan.mined(hash);
      return { outcome: "landed", index, start, entries: chunkEntries, transaction };
    } catch (caught) {
      let error = decodeContractError(caught);
      if (error.code === "LEDGER_CONTRACT_REVERTED") {
        error = await plan.estimate(chunkEntries).then(
          () => error,
          (again: unknown) => {
            const named = decodeContractError(again);
            return rejectedEntry(named, start, chunkEntries) === undefined ? error : named;
          },
        );
      }
      return failedChunk(index, start, chunkEntries, error);
    }
  };

  /** Estimates, sizes and sends the next chunk; its outcome joins `inFlight`. */
  const sendNext = async (): Promise<void> => {
    const index = chunks++;
    const start = next;
    const unestimated = blocksInFlight !== undefined && estimated && !failedOnce;
    let chunkEntries = entries.slice(start, start + (unestimated ? unestimatedSize : size));
    next = start + chunkEntries.length;
    /** Estimates the chunk, halving it while the node's time limit stops the estimate. */
    const estimateChunk = async (): Promise<bigint> => {
      for (;;) {
        try {
          return await plan.estimate(chunkEntries);
        } catch (caught) {
          const error = decodeContractError(caught);
          if (!isCallTimeout(error) || chunkEntries.length === 1) throw error;
          ceiling = Math.ceil(chunkEntries.length / 2);
          chunkEntries = entries.slice(start, start + ceiling);
          next = start + chunkEntries.length;
        }
      }
    };
    try {
      let gasLimit = cap;
      if (!unestimated) {
        let estimate = await estimateChunk();
        while (estimate > target) {
          if (chunkEntries.length === 1) {
            throw new CustosError("INVALID_ARGUMENT", "one entry exceeds the gas cap", {
              details: { field: "maxGasPerTransaction", estimate: estimate.toString() },
            });
          }
          size = clampSize((BigInt(chunkEntries.length) * target) / estimate, ceiling);
          chunkEntries = entries.slice(start, start + size);
          next = start + chunkEntries.length;
          estimate = await estimateChunk();
        }
        estimated = true;
        size = clampSize((BigInt(chunkEntries.length) * target) / estimate, ceiling);
        const withMargin = (estimate * 12n) / 10n;
        if (withMargin < cap) gasLimit = withMargin;
      }
      if (blocksInFlight !== undefined) {
        const perBlock = Number(blockLimit / gasLimit);
        limit = Math.min(MAX_TRANSACTIONS_IN_FLIGHT, blocksInFlight * Math.max(1, perBlock));
      }
      // One at a time, the nonce is read for each chunk, as ethers would: another sender
      // using the same key between two chunks is then no problem.
      if (blocksInFlight === undefined) nonce = undefined;
      nonce ??= await plan.nextNonce();
      const hash = await plan.submit(chunkEntries, gasLimit, nonce).catch((error: unknown) => {
        nonce = undefined;
        throw error;
      });
      nonce++;
      inFlight.push(follow(index, start, chunkEntries, hash));
    } catch (caught) {
      const error = decodeContractError(caught);
      if (error.code === "INVALID_ARGUMENT") {
        thrown = error;
        stopped = "failed";
        return;
      }
      failedOnce = true;
      if (failureStopsBatch(error) || options.stopOnFailure === true) stopped = "failed";
      if (error.code === "LEDGER_ABORTED") aborted = true;
      inFlight.push(Promise.resolve(failedChunk(index, start, chunkEntries, error)));
    }
  };

  const settleOldest = async (): Promise<void> => {
    const outcome = await (inFlight.shift() as Attempt);
    if (outcome.outcome === "landed") {
      landed.push(outcome);
      landedEntries += outcome.entries.length;
      window = Math.min(limit, window * 2);
    } else {
      failedOnce = true;
      failed.push(outcome);
      failedEntries += outcome.entries.length;
      if (failureStopsBatch(outcome.error) || options.stopOnFailure === true) {
        stopped ??= "failed";
        if (outcome.error.code === "LEDGER_ABORTED") aborted = true;
      }
    }
    options.onProgress?.({ total: entries.length, landedEntries, failedEntries, chunk: outcome });
  };

  for (;;) {
    while (stopped === undefined && next < entries.length && inFlight.length < window) {
      if (options.signal?.aborted === true) {
        stopped = "aborted";
        aborted = true;
        break;
      }
      await sendNext();
    }
    if (inFlight.length === 0) break;
    await settleOldest();
  }
  if (thrown !== undefined) throw thrown;
  return {
    total: entries.length,
    landed,
    failed,
    remaining: entries.slice(next),
    aborted,
  };
}
