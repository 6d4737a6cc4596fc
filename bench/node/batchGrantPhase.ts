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
import { batchGrantCalldata, pseudonym, type TxSigner } from "./workload.ts";

/** Options of {@link runBatchGrantPhase}. */
export interface BatchGrantPhaseOptions {
  readonly rpc: JsonRpc;
  readonly signer: TxSigner;
  readonly registry: string;
  readonly hospitals: number;
  /** Account eth_estimateGas sizes the chunks for (a hospital recorder). */
  readonly estimateFrom: string;
  /** Stop once this many consents are granted. */
  readonly maxConsents: number;
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
  readonly chunkSize: number;
  readonly gasPerChunk: number;
  readonly gasLimitPerTx: number;
  readonly consents: number;
  readonly segments: readonly BatchSegment[];
  /** The `series` of {@link pseudonym} the subjects were drawn from (0..consents-1). */
  readonly subjectSeries: string;
}

const SUBJECTS = "batch-subject";
const DOCUMENTS = "batch-document";

/** Batches in the first segment, before any rate is known. */
const FIRST_SEGMENT_TXS = 40;

async function estimateChunk(options: BatchGrantPhaseOptions, size: number): Promise<bigint> {
  const subjects = Array.from({ length: size }, (_, i) => pseudonym("estimate-subject", i));
  const documents = Array.from({ length: size }, (_, i) => pseudonym("estimate-document", i));
  const gas = await options.rpc.call<string>("eth_estimateGas", [
    {
      from: options.estimateFrom,
      to: options.registry,
      data: bytesToHex(batchGrantCalldata(subjects, documents)),
    },
  ]);
  return BigInt(gas);
}

/**
 * Sizes chunks like the SDK (largest of `maxChunkSize` = 500 whose estimate fits under 90 %
 * of min(block gas limit, EIP-7825 cap); gas limit = estimate + 20 %, capped), then sends
 * segments until the consent count or the time budget is reached.
 *
 * @example
 * ```ts
 * const batch = await runBatchGrantPhase({ rpc, signer, registry, hospitals: 16, maxConsents: 1e6, ... });
 * ```
 */
export async function runBatchGrantPhase(
  options: BatchGrantPhaseOptions,
): Promise<BatchGrantPhaseResult> {
  const started = performance.now();
  const block = await options.rpc.call<{ gasLimit: string }>("eth_getBlockByNumber", [
    "latest",
    false,
  ]);
  const cap =
    BigInt(block.gasLimit) < TRANSACTION_GAS_CAP ? BigInt(block.gasLimit) : TRANSACTION_GAS_CAP;
  // runChunkedBatch's headroom: an estimate must fit under 90 % of the cap.
  const target = (cap * 9n) / 10n;
  let chunkSize: number = defaultBatchOptions.maxChunkSize;
  let estimate = await estimateChunk(options, chunkSize);
  while (estimate > target) {
    chunkSize = Math.max(1, Number((BigInt(chunkSize) * target) / estimate));
    estimate = await estimateChunk(options, chunkSize);
  }
  const withMargin = (estimate * 12n) / 10n;
  const gasLimit = withMargin < cap ? withMargin : cap;
  console.log(
    `batchGrant: ${chunkSize} consents per transaction, estimate ${estimate} gas, limit ${gasLimit}`,
  );

  const segments: BatchSegment[] = [];
  let consents = 0;
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
      const subjects = Array.from({ length: size }, (_, i) => pseudonym(SUBJECTS, first + i));
      const documents = Array.from({ length: size }, (_, i) => pseudonym(DOCUMENTS, first + i));
      return options.signer.sign(
        t % options.hospitals,
        options.registry,
        batchGrantCalldata(subjects, documents),
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
        `= ${round(consentsPerSec)} consents/s (blocks ${result.firstBlock}..${result.lastBlock}; ` +
        `total ${consents})`,
    );
    // Size the next segment to last segmentSeconds at this rate, within the budget left.
    const seconds = Math.min(options.segmentSeconds, options.budgetSeconds - elapsed());
    nextTxs = Math.max(
      options.hospitals,
      Math.floor((consentsPerSec * Math.max(seconds, 1)) / chunkSize),
    );
  }
  return {
    chunkSize,
    gasPerChunk: Number(estimate),
    gasLimitPerTx: Number(gasLimit),
    consents,
    segments,
    subjectSeries: SUBJECTS,
  };
}
