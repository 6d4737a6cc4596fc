/**
 * Worker of stateReadChannel.test.ts: reads what `workerData.reads` lists through the channel
 * (synchronously) and posts each answer back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { remoteStateReads } from "../../../nodes/execution/stateReadChannel.ts";

const reads = remoteStateReads(workerData.port, workerData.flag);
for (const read of workerData.reads as ({ node: string } | { blockHash: bigint })[]) {
  parentPort?.postMessage({ asking: read });
  const value = "node" in read ? reads.node(read.node) : reads.blockHash(read.blockHash);
  parentPort?.postMessage({ answer: value ?? null });
}
