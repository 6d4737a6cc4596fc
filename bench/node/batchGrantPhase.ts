/**
 * Batch grants on the Custos node: ConsentRegistry.batchGrant in chunks sized the way the
 * SDK's client sizes them (src/ledger runChunkedBatch), sent as segments of pre-signed
 * transactions. Each segment is one sustained-throughput measurement; together they produce
 * the ConsentGranted events the eth_getLogs phase queries.
 */
import { bytesToHex } from "@ethereumjs/util";
import { defaultBatchOptions, TRANSACTION_GAS_CAP } from "../../src/ledger/index.ts";
import type { JsonRpc } from "./jsonRpc.ts";
import { type LoadOptions, type LoadResult, runLoad } from "./runLoad.ts";
import { round } from "./stats.ts";
import {
  batchGrantCalldata,
  custodianOf,
  pseudonym,
  type SignedTx,
  type TxSigner,
} from "./workload.ts";

/** Options of {@link runBatchGrantPhase}. */
export interface BatchGrantPhaseOptions {
  readonly rpc: JsonRpc;
  readonly signer: TxSigner;
  readonly registry: string;
  readonly hospitals: number;
  /** Account eth_estimateGas sizes the chunks for: the recorder with sender index 0. */
  readonly estimateFrom: string;
  /** Stop once this many consents are granted. */
  readonly maxConsents: number;
  /**
   * Number of the first subject of {@link BatchGrantPhaseResult.subjectSeries} this phase
   * grants (default 0): a later phase continues where an earlier one stopped, so every
   * subject keeps exactly one ConsentGranted event.
   */
  readonly firstSubject?: number;
  /** Stop starting segments after this many seconds (signing included). */
  readonly budgetSeconds: number;
  /** Target length of one segment once the rate is known. */
  readonly segmentSeconds: number;
  readonly load: Omit<LoadOptions, "timeoutMs">;
}

/** One timed segment. */
export interface BatchSegment extends LoadResult {
  readonly consents: number;
  readonly consentsPerSec: number;
}

/** What the phase did. */
export interface BatchGrantPhaseResult {
  /** Consents per transaction as the SDK client sizes chunks, its gas estimate and limit. */
  readonly sdkChunk: { readonly size: number; readonly gas: number; readonly gasLimit: number };
  /**
   * Set when a transaction of the SDK's size was not included within `probeSeconds`: it was
   * replaced and the phase ran with `chunkSize` instead.
   */
  readonly sdkChunkStalled?: { readonly waitedSeconds: number };
  readonly chunkSize: number;
  readonly gasLimitPerTx: number;
  readonly consents: number;
  readonly segments: readonly BatchSegment[];
  /**
   * The `series` of {@link pseudonym} the subjects were drawn from: numbers
   * firstSubject..firstSubject+consents-1.
   */
  readonly subjectSeries: string;
}

const SUBJECTS = "batch-subject";
/** The {@link pseudonym} series of the subjects {@link chunkCalldata} grants. */
export const batchSubjectSeries = SUBJECTS;
const DOCUMENTS = "batch-document";

/** Batches in the first segment, before any rate is known. */
const FIRST_SEGMENT_TXS = 40;
/** How long the probe transaction of each chunk size may take to be included. */
const PROBE_SECONDS = 15;
/** The chunk size used when the SDK's does not get included: ~3 M gas. */
const FALLBACK_CHUNK = 100;

/** Where eth_estimateGas runs a batch of fresh subjects (a chunk-sizing probe). */
export interface EstimateTarget {
  readonly rpc: JsonRpc;
  readonly registry: string;
  readonly estimateFrom: string;
}

async function estimateChunk(target: EstimateTarget, size: number): Promise<bigint> {
  const subjects = Array.from({ length: size }, (_, i) => pseudonym("estimate-subject", i));
  const documents = Array.from({ length: size }, (_, i) => pseudonym("estimate-document", i));
  const gas = await target.rpc.call<string>("eth_estimateGas", [
    {
      from: target.estimateFrom,
      to: target.registry,
      data: bytesToHex(batchGrantCalldata(custodianOf(0), subjects, documents)),
    },
  ]);
  return BigInt(gas);
}

/**
 * Calldata granting subjects [first, first + size) of {@link batchSubjectSeries} (documents
 * of their own series, same numbers), sent by recorder `sender` for its own hospital.
 *
 * @example
 * ```ts
 * const data = chunkCalldata(0, 1_000, 500); // subjects 1,000..1,499 for custodian 1
 * ```
 */
export function chunkCalldata(sender: number, first: number, size: number): Uint8Array {
  const subjects = Array.from({ length: size }, (_, i) => pseudonym(SUBJECTS, first + i));
  const documents = Array.from({ length: size }, (_, i) => pseudonym(DOCUMENTS, first + i));
  return batchGrantCalldata(custodianOf(sender), subjects, documents);
}

/** A batchGrant chunk sized as the SDK sizes it, for one chain. */
export interface SdkChunk {
  /** Consents per transaction. */
  readonly size: number;
  /** eth_estimateGas of a chunk of `size` fresh subjects. */
  readonly gas: bigint;
  /** The transaction's gas limit: the estimate + 20 %, at most `cap`. */
  readonly gasLimit: bigint;
  /** Per-transaction cap: min(the latest block's gas limit, EIP-7825's 2^24). */
  readonly cap: bigint;
}

/** `gas` + 20 % (ethers-like slack), at most `cap`. */
function limitWithin(gas: bigint, cap: bigint): bigint {
  const withMargin = (gas * 12n) / 10n;
  return withMargin < cap ? withMargin : cap;
}

/**
 * Sizes a batchGrant chunk like the SDK (src/ledger runChunkedBatch): the largest of
 * `maxChunkSize` = 500 consents whose estimate fits under 90 % of min(block gas limit,
 * EIP-7825 cap), gas limit = estimate + 20 %, capped.
 *
 * @throws Error on a failed JSON-RPC call.
 * @example
 * ```ts
 * const chunk = await sdkChunk({ rpc, registry, estimateFrom: recorders[0].address });
 * ```
 */
export async function sdkChunk(target: EstimateTarget): Promise<SdkChunk> {
  const block = await target.rpc.call<{ gasLimit: string }>("eth_getBlockByNumber", [
    "latest",
    false,
  ]);
  const cap =
    BigInt(block.gasLimit) < TRANSACTION_GAS_CAP ? BigInt(block.gasLimit) : TRANSACTION_GAS_CAP;
  // runChunkedBatch's headroom: an estimate must fit under 90 % of the cap.
  const headroom = (cap * 9n) / 10n;
  let size: number = defaultBatchOptions.maxChunkSize;
  let gas = await estimateChunk(target, size);
  while (gas > headroom) {
    size = Math.max(1, Number((BigInt(size) * headroom) / gas));
    gas = await estimateChunk(target, size);
  }
  return { size, gas, gasLimit: limitWithin(gas, cap), cap };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `tx` alone and waits up to `seconds` for a successful receipt; false if none came. */
async function sendAndWait(rpc: JsonRpc, tx: SignedTx, seconds: number): Promise<boolean> {
  await rpc.call("eth_sendRawTransaction", [tx.raw]);
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const receipt = await rpc.call<{ status: string } | null>("eth_getTransactionReceipt", [
      tx.hash,
    ]);
    if (receipt !== null) {
      if (receipt.status !== "0x1") throw new Error(`batchGrant probe failed: ${tx.hash}`);
      return true;
    }
    await sleep(200);
  }
  return false;
}

/**
 * Sizes chunks like the SDK (largest of `maxChunkSize` = 500 whose estimate fits under 90 %
 * of min(block gas limit, EIP-7825 cap); gas limit = estimate + 20 %, capped), checks with
 * one untimed probe transaction that the node includes a chunk of that size, then sends
 * segments until the consent count or the time budget is reached. If the probe is not
 * included in time (a block producer whose per-block gas budget stays below the
 * transaction's gas limit never includes it), the probe is replaced by a
 * {@link FALLBACK_CHUNK}-consent transaction and the phase runs with that size, reporting
 * the stall.
 *
 * @throws Error if neither probe is included, or on any failure of a segment.
 * @example
 * ```ts
 * const batch = await runBatchGrantPhase({ rpc, signer, registry, hospitals: 16, maxConsents: 1e6, ... });
 * ```
 */
export async function runBatchGrantPhase(
  options: BatchGrantPhaseOptions,
): Promise<BatchGrantPhaseResult> {
  const started = performance.now();
  const offset = options.firstSubject ?? 0;
  const { size: sdkSize, gas: sdkGas, gasLimit: sdkGasLimit, cap } = await sdkChunk(options);
  const limitOf = (gas: bigint) => limitWithin(gas, cap);
  console.log(
    `batchGrant: SDK chunk ${sdkSize} consents, estimate ${sdkGas} gas, limit ${sdkGasLimit}`,
  );

  let chunkSize = sdkSize;
  let gasLimit = sdkGasLimit;
  let stalled: { waitedSeconds: number } | undefined;
  const probe = options.signer.sign(
    0,
    options.registry,
    chunkCalldata(0, offset, sdkSize),
    sdkGasLimit,
  );
  if (!(await sendAndWait(options.rpc, probe, PROBE_SECONDS))) {
    const fallbackLimit = limitOf(await estimateChunk(options, FALLBACK_CHUNK));
    console.log(
      `batchGrant: a ${sdkSize}-consent transaction (gas limit ${sdkGasLimit}) was not included ` +
        `in ${PROBE_SECONDS} s; replacing it with ${FALLBACK_CHUNK}-consent chunks ` +
        `(gas limit ${fallbackLimit})`,
    );
    const replacement = options.signer.replace(
      probe,
      options.registry,
      chunkCalldata(probe.sender, offset, FALLBACK_CHUNK),
      fallbackLimit,
    );
    try {
      if (!(await sendAndWait(options.rpc, replacement, 2 * PROBE_SECONDS))) {
        throw new Error(`batchGrant: a ${FALLBACK_CHUNK}-consent transaction was not included`);
      }
      stalled = { waitedSeconds: PROBE_SECONDS };
      chunkSize = FALLBACK_CHUNK;
      gasLimit = fallbackLimit;
    } catch (error) {
      // The probe may have been included just before its replacement arrived (nonce used).
      const receipt = await options.rpc.call("eth_getTransactionReceipt", [probe.hash]);
      if (receipt === null) throw error;
    }
  }

  const segments: BatchSegment[] = [];
  let consents = chunkSize;
  let nextTxs = FIRST_SEGMENT_TXS;
  const elapsed = () => (performance.now() - started) / 1000;
  // A segment shorter than half the target length would mostly measure block-time rounding.
  while (
    consents < options.maxConsents &&
    (segments.length === 0 || options.budgetSeconds - elapsed() >= options.segmentSeconds / 2)
  ) {
    const count = Math.min(nextTxs, Math.ceil((options.maxConsents - consents) / chunkSize));
    const txs = Array.from({ length: count }, (_, t) => {
      const first = consents + t * chunkSize;
      const size = Math.min(chunkSize, options.maxConsents - first);
      const sender = t % options.hospitals;
      return options.signer.sign(
        sender,
        options.registry,
        chunkCalldata(sender, offset + first, size),
        gasLimit,
      );
    });
    const segmentConsents = Math.min(count * chunkSize, options.maxConsents - consents);
    const result = await runLoad(options.rpc, txs, {
      ...options.load,
      // Generous: a segment sized from the last rate should take segmentSeconds.
      timeoutMs: Math.max(60, 4 * options.segmentSeconds) * 1000,
    });
    consents += segmentConsents;
    const consentsPerSec = segmentConsents / result.seconds;
    segments.push({ ...result, consents: segmentConsents, consentsPerSec });
    console.log(
      `batchGrant segment ${segments.length}: ${segmentConsents} consents in ${round(result.seconds, 2)} s ` +
        `= ${round(consentsPerSec)} consents/s, ${round(segmentConsents / result.cpuSeconds)} per ` +
        `CPU-s (blocks ${result.firstBlock}..${result.lastBlock}; total ${consents})`,
    );
    // Size the next segment to last segmentSeconds at this rate, within the budget left.
    const seconds = Math.min(options.segmentSeconds, options.budgetSeconds - elapsed());
    nextTxs = Math.max(
      options.hospitals,
      Math.floor((consentsPerSec * Math.max(seconds, 1)) / chunkSize),
    );
  }
  return {
    sdkChunk: { size: sdkSize, gas: Number(sdkGas), gasLimit: Number(sdkGasLimit) },
    ...(stalled === undefined ? {} : { sdkChunkStalled: stalled }),
    chunkSize,
    gasLimitPerTx: Number(gasLimit),
    consents,
    segments,
    subjectSeries: SUBJECTS,
  };
}
