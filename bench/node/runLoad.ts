/**
 * Sends pre-signed transactions to a chain over HTTP as batched eth_sendRawTransaction and
 * times them until the last one is committed: the benchmark's one definition of sustained
 * throughput (committed transactions / time from the first send to the receipt of the last).
 */
import type { JsonRpc } from "./jsonRpc.ts";
import type { SignedTx } from "./workload.ts";

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Transactions per JSON-RPC batch request. */
  readonly batchSize: number;
  /**
   * Concurrent senders. Hospitals are split between lanes (hospital h in lane h mod lanes),
   * so requests in flight never share an account and every account's nonces arrive in order.
   */
  readonly lanes: number;
  /** Receipt polling period once everything is sent. */
  readonly pollMs: number;
  /** The whole load, sending and waiting, must end within this. */
  readonly timeoutMs: number;
  /** Every `sampleEvery`th transaction's receipt is checked after the timing (status 1). */
  readonly sampleEvery: number;
  /** CPU seconds used so far by the chain's process. */
  readonly cpuSeconds: () => number;
}

/** What a load achieved. */
export interface LoadResult {
  readonly txs: number;
  /** First send to the observed receipt of the last transaction. */
  readonly seconds: number;
  readonly txPerSec: number;
  /** CPU seconds the chain's process used over `seconds`, and transactions per CPU-second. */
  readonly cpuSeconds: number;
  readonly txPerCpuSec: number;
  /** First send to the last send's response. */
  readonly sendSeconds: number;
  /** Blocks the load's transactions landed in (first and last). */
  readonly firstBlock: number;
  readonly lastBlock: number;
}

interface Receipt {
  readonly status: string;
  readonly blockNumber: string;
}

/**
 * Sends `txs` in order as JSON-RPC batches of `batchSize` eth_sendRawTransaction, one request
 * at a time, and checks that the node took each one under its own hash.
 *
 * @throws Error on a rejected transaction, a hash other than the transaction's, or when
 *   `deadline` (a `performance.now()`) has passed before a request.
 * @example
 * ```ts
 * await sendLane(rpc, txs, 10, performance.now() + 60_000);
 * ```
 */
export async function sendLane(
  rpc: JsonRpc,
  txs: readonly SignedTx[],
  batchSize: number,
  deadline: number,
): Promise<void> {
  for (let i = 0; i < txs.length; i += batchSize) {
    if (performance.now() > deadline) throw new Error(`${rpc.url}: sending timed out`);
    const batch = txs.slice(i, i + batchSize);
    const outcomes = await rpc.batch(
      batch.map((tx) => ({ method: "eth_sendRawTransaction", params: [tx.raw] })),
    );
    outcomes.forEach((outcome, j) => {
      const tx = batch[j] as SignedTx;
      if ("error" in outcome) {
        throw new Error(
          `${rpc.url}: tx ${tx.sender}/${tx.nonce} rejected: ${outcome.error.code} ${outcome.error.message}`,
        );
      }
      if (String(outcome.result).toLowerCase() !== tx.hash) {
        throw new Error(`${rpc.url}: tx ${tx.sender}/${tx.nonce}: hash ${outcome.result}`);
      }
    });
  }
}

async function receipts(rpc: JsonRpc, hashes: readonly string[]): Promise<(Receipt | null)[]> {
  const out: (Receipt | null)[] = [];
  for (let i = 0; i < hashes.length; i += 100) {
    const outcomes = await rpc.batch(
      hashes.slice(i, i + 100).map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })),
    );
    for (const outcome of outcomes) {
      if ("error" in outcome) throw new Error(`${rpc.url}: receipt: ${outcome.error.message}`);
      out.push(outcome.result as Receipt | null);
    }
  }
  return out;
}

/** Per sender, the transaction `wins` prefers (e.g. the highest nonce). */
function perSender(
  txs: readonly SignedTx[],
  wins: (tx: SignedTx, seen: SignedTx) => boolean,
): SignedTx[] {
  const chosen = new Map<number, SignedTx>();
  for (const tx of txs) {
    const seen = chosen.get(tx.sender);
    if (seen === undefined || wins(tx, seen)) chosen.set(tx.sender, tx);
  }
  return [...chosen.values()];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `txs` (in nonce order per sender) and waits until every one is committed. A nonce
 * is only committed after all lower ones, so the load is complete when every sender's last
 * transaction has a receipt; polling starts after the last send. Afterwards (untimed) a sample of receipts, including every
 * sender's first and last transaction, must have status 1.
 *
 * @throws Error on any rejected send, a failed transaction, or the timeout.
 * @example
 * ```ts
 * const result = await runLoad(rpc, txs, { batchSize: 100, lanes: 4, pollMs: 10, timeoutMs: 120_000, sampleEvery: 50 });
 * ```
 */
export async function runLoad(
  rpc: JsonRpc,
  txs: readonly SignedTx[],
  options: LoadOptions,
): Promise<LoadResult> {
  const lanes = Array.from({ length: options.lanes }, (_, lane) =>
    txs.filter((tx) => tx.sender % options.lanes === lane),
  );
  // Each hospital's last transaction: once all have receipts, all landed.
  const finals = perSender(txs, (tx, seen) => tx.nonce > seen.nonce);
  const cpuAtStart = options.cpuSeconds();
  const start = performance.now();
  const deadline = start + options.timeoutMs;
  await Promise.all(lanes.map((lane) => sendLane(rpc, lane, options.batchSize, deadline)));
  const sent = performance.now();
  // Poll the head (one cheap call) and ask for receipts only when it moves, so the waiting
  // adds almost no load to a chain that is still executing (Ganache serves requests on the
  // thread that mines).
  let pending = finals;
  const landed: Receipt[] = [];
  let end = sent;
  let cpuAtEnd = options.cpuSeconds();
  let seenHead = "";
  while (pending.length > 0) {
    const head = await rpc.call<string>("eth_blockNumber");
    if (head !== seenHead) {
      seenHead = head;
      const got = await receipts(
        rpc,
        pending.map((tx) => tx.hash),
      );
      end = performance.now();
      cpuAtEnd = options.cpuSeconds();
      const still: SignedTx[] = [];
      got.forEach((receipt, i) => {
        if (receipt === null) still.push(pending[i] as SignedTx);
        else landed.push(receipt);
      });
      pending = still;
      if (pending.length === 0) break;
    }
    if (performance.now() > deadline) {
      throw new Error(`${rpc.url}: ${pending.length} senders' last transactions not committed`);
    }
    await sleep(options.pollMs);
  }
  const sample = [
    ...perSender(txs, (tx, seen) => tx.nonce < seen.nonce),
    ...txs.filter((_, i) => i % options.sampleEvery === options.sampleEvery - 1),
  ];
  const checked = [
    ...landed,
    ...(await receipts(
      rpc,
      sample.map((tx) => tx.hash),
    )),
  ];
  const blocks: number[] = [];
  for (const receipt of checked) {
    if (receipt === null || receipt.status !== "0x1") {
      throw new Error(`${rpc.url}: a benchmark transaction failed: ${JSON.stringify(receipt)}`);
    }
    blocks.push(Number(receipt.blockNumber));
  }
  const seconds = (end - start) / 1000;
  const cpuSeconds = cpuAtEnd - cpuAtStart;
  return {
    txs: txs.length,
    seconds,
    txPerSec: txs.length / seconds,
    cpuSeconds,
    txPerCpuSec: txs.length / cpuSeconds,
    sendSeconds: (sent - start) / 1000,
    firstBlock: Math.min(...blocks),
    lastBlock: Math.max(...blocks),
  };
}
