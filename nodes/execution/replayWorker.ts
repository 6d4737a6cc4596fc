/**
 * Worker thread of {@link createReplayPool}: runs eth_createAccessList and
 * debug_traceTransaction jobs on the engine's own state manager, whose state records come
 * from the main thread over the state-read channel (as in the call workers) and are kept in
 * a node cache. One job at a time; a job's failure is answered as plain data.
 */

import { workerData } from "node:worker_threads";
import { Block, createBlockFromRLP, createBlockHeaderFromRLP } from "@ethereumjs/block";
import type { BatchDBOp } from "@ethereumjs/util";
// Modules, not ../db/index.ts, which would load level's native binding here for nothing.
import type { StateDb } from "../db/createLevelTrieDb.ts";
import { createNodeCache } from "../db/createNodeCache.ts";
import { createWriteBackDb } from "../db/createWriteBackDb.ts";
import { trieValueOut } from "../db/trieDbCodec.ts";
import { answerWorkerJobs } from "./answerWorkerJobs.ts";
import { canonicalBlockHashes } from "./canonicalBlockHashes.ts";
import { createAccessList, type ReplayContext } from "./createAccessList.ts";
import { createBlockStateManager } from "./createBlockStateManager.ts";
import { createCustosCommon } from "./createCustosCommon.ts";
import type { ReplayJob, ReplayJobAnswer, ReplayWorkerData } from "./createReplayPool.ts";
import { installFastInterpreterLoop } from "./installFastInterpreterLoop.ts";
import { installJumpAnalysisCache } from "./installJumpAnalysisCache.ts";
import { remoteStateReads } from "./stateReadChannel.ts";
import { traceTransaction } from "./traceTransaction.ts";

// As on the main thread, so replays run the same interpreter as the blocks did.
await installJumpAnalysisCache();
await installFastInterpreterLoop();

const data = workerData as ReplayWorkerData;
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
  async batch(_ops: BatchDBOp<string, string | Uint8Array>[]) {},
  shallowCopy: () => remote,
  async open() {},
};
const cache = createNodeCache(data.nodeCacheEntries);
const replay: ReplayContext = {
  common,
  // A fresh state per run (a run's writes must not reach the next one); the cache of stored
  // records is shared.
  stateAt: (stateRoot) =>
    createBlockStateManager({ common, db: createWriteBackDb(remote, cache), stateRoot }),
  blockchain: canonicalBlockHashes({ canonicalHash: async (number) => reads.blockHash(number) }),
};

async function perform(job: ReplayJob): Promise<ReplayJobAnswer> {
  if (job.kind === "accessList") {
    const header = (rlp: Uint8Array) =>
      new Block(createBlockHeaderFromRLP(rlp, { common, setHardfork: false }), [], [], [], {
        common,
      });
    const outcome = await createAccessList(
      replay,
      job.request,
      header(job.state),
      header(job.context),
      job.gas,
    );
    return { id: job.id, ok: true, accessList: outcome };
  }
  const block = createBlockFromRLP(job.block, { common, setHardfork: false });
  const frame = await traceTransaction(replay, block, job.parentStateRoot, job.index, {
    onlyTopCall: job.onlyTopCall,
  });
  return { id: job.id, ok: true, trace: frame };
}

answerWorkerJobs(perform);
