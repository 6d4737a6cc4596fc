/**
 * Worker thread of {@link createCallPool}: runs eth_call and eth_estimateGas jobs with the
 * engine's own call path ({@link runMessageCall}, {@link searchCallGas}) on the engine's own
 * state manager, whose state records come from the main thread over the state-read channel
 * and are kept in a node cache (records are content-addressed: never stale). One job at a
 * time; a job's failure is answered as plain data.
 */

import { workerData } from "node:worker_threads";
import { Block, createBlockHeaderFromRLP } from "@ethereumjs/block";
// Modules, not ../db/index.ts, which would load level's native binding here for nothing.
import type { StateDb } from "../db/createLevelTrieDb.ts";
import { createNodeCache } from "../db/createNodeCache.ts";
import { createWriteBackDb } from "../db/createWriteBackDb.ts";
import { trieValueOut } from "../db/trieDbCodec.ts";
import { answerWorkerJobs } from "./answerWorkerJobs.ts";
import { canonicalBlockHashes } from "./canonicalBlockHashes.ts";
import { createBlockStateManager } from "./createBlockStateManager.ts";
import type { CallJob, CallJobAnswer, CallWorkerData } from "./createCallPool.ts";
import { createCustosCommon } from "./createCustosCommon.ts";
import { installFastInterpreterLoop } from "./installFastInterpreterLoop.ts";
import { installJumpAnalysisCache } from "./installJumpAnalysisCache.ts";
import { runMessageCall } from "./runMessageCall.ts";
import { searchCallGas } from "./searchCallGas.ts";
import { remoteStateReads } from "./stateReadChannel.ts";

// As on the main thread, so calls run the same interpreter at the same speed.
await installJumpAnalysisCache();
await installFastInterpreterLoop();

const data = workerData as CallWorkerData;
const common = createCustosCommon({ chainId: data.chainId });
const reads = remoteStateReads(data.port, data.flag);

/** The main thread's state keyspace, read-only. */
const remote: StateDb = {
  getSync: (key) => reads.node(key),
  async get(key, opts) {
    const value = reads.node(key);
    return value === undefined ? undefined : trieValueOut(value, opts);
  },
  async put() {},
  async del() {},
  async batch() {},
  shallowCopy: () => remote,
  async open() {},
};
const cache = createNodeCache(data.nodeCacheEntries);
const blockchain = canonicalBlockHashes({
  canonicalHash: async (number) => reads.blockHash(number),
});

async function perform(job: CallJob): Promise<CallJobAnswer> {
  const header = createBlockHeaderFromRLP(job.header, { common, setHardfork: false });
  const block = new Block(header, [], [], [], { common });
  // A fresh state per run (a call's writes must not reach the next one); the cache of
  // stored records is shared.
  const run = (gas: bigint) =>
    runMessageCall(
      {
        common,
        stateManager: createBlockStateManager({
          common,
          db: createWriteBackDb(remote, cache),
          stateRoot: header.stateRoot,
        }),
        blockchain,
      },
      job.request,
      block,
      gas,
    );
  if (job.kind === "call") return { id: job.id, ok: true, result: await run(job.gas) };
  return { id: job.id, ok: true, outcome: await searchCallGas(run, job.gas) };
}

answerWorkerJobs(perform);
