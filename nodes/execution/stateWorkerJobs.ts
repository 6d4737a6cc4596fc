/**
 * Jobs of a `StateWorkerPool`'s worker thread (loaded by `stateWorker.ts` once the thread's
 * priority is lowered): runs eth_call, eth_estimateGas, eth_createAccessList and
 * debug_traceTransaction jobs with the engine's own code ({@link runMessageCall},
 * {@link searchCallGas}, {@link createAccessList}, {@link traceTransaction}) on the engine's
 * own state manager. State records come from the main thread over the state-read channel and
 * are kept in a node cache (records are content-addressed: never stale). One job at a time;
 * a job's failure is answered as plain data.
 */

import { workerData } from "node:worker_threads";
import { Block, createBlockFromRLP, createBlockHeaderFromRLP } from "@ethereumjs/block";
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
import { installEvmPatches } from "./installEvmPatches.ts";
import { runMessageCall } from "./runMessageCall.ts";
import type { StateJob, StateJobResult, StateWorkerData } from "./StateJob.ts";
import { searchCallGas } from "./searchCallGas.ts";
import { remoteStateReads } from "./stateReadChannel.ts";
import { traceTransaction } from "./traceTransaction.ts";

// As on the main thread, so jobs run the same interpreter at the same speed as blocks did.
await installEvmPatches();

const data = workerData as StateWorkerData;
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
const replay: ReplayContext = {
  common,
  // A fresh state per run (a run's writes must not reach the next one); the cache of stored
  // records is shared.
  stateAt: (stateRoot) =>
    createBlockStateManager({ common, db: createWriteBackDb(remote, cache), stateRoot }),
  blockchain: canonicalBlockHashes({ canonicalHash: async (number) => reads.blockHash(number) }),
};

function headerBlock(rlp: Uint8Array): Block {
  const header = createBlockHeaderFromRLP(rlp, { common, setHardfork: false });
  return new Block(header, [], [], [], { common });
}

async function perform(job: StateJob): Promise<StateJobResult> {
  switch (job.kind) {
    case "call":
    case "estimate": {
      const block = headerBlock(job.header);
      const run = (gas: bigint) =>
        runMessageCall(
          {
            common,
            stateManager: replay.stateAt(block.header.stateRoot),
            blockchain: replay.blockchain,
          },
          job.request,
          block,
          gas,
        );
      if (job.kind === "call") return { id: job.id, ok: true, result: await run(job.gas) };
      return { id: job.id, ok: true, outcome: await searchCallGas(run, job.gas) };
    }
    case "accessList": {
      const outcome = await createAccessList(
        replay,
        job.request,
        headerBlock(job.state),
        headerBlock(job.context),
        job.gas,
      );
      return { id: job.id, ok: true, accessList: outcome };
    }
    case "trace": {
      const block = createBlockFromRLP(job.block, { common, setHardfork: false });
      const frame = await traceTransaction(replay, block, job.parentStateRoot, job.index, {
        onlyTopCall: job.onlyTopCall,
      });
      return { id: job.id, ok: true, trace: frame };
    }
  }
}

answerWorkerJobs(perform);
