/**
 * One benchmark node in its own worker thread (own V8 isolate, so that JIT feedback from one
 * variant's code paths cannot slow another's): a chain database from the benchmark genesis
 * and an execution engine with the variant's settings. The main thread sends blocks to build
 * or replay, one node at a time.
 */
import { cp } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import type { Block } from "@ethereumjs/block";
import { createBlockFromRLP } from "@ethereumjs/block";
import { createTxFromRLP } from "@ethereumjs/tx";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import {
  createExecutionEngine,
  installEvmPatches,
  setEvmPatches,
} from "../nodes/execution/index.ts";
import { openChain, tempDir } from "../scripts/chainFixtures.ts";
import {
  common,
  genesis,
  keys,
  type NodeData,
  type NodeRequest,
  type NodeResponse,
  variants,
} from "./executionSetup.ts";

const data = workerData as NodeData;
const variant = variants[data.variant];
await installEvmPatches();
setEvmPatches({ fastLoop: variant.fastLoop });
const dir = await tempDir("custos-bench-node-");
if (data.copyFrom !== undefined) await cp(data.copyFrom, dir.path, { recursive: true });
const chainDb = await openChain(dir.path, genesis, common);
const engine = createExecutionEngine({ chainDb, ...variant.engine });

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function build(txBytes: readonly Uint8Array[]): Promise<NodeResponse> {
  // As a pool hands them over: decoded, senders recovered at admission.
  const txs = txBytes.map((bytes) => createTxFromRLP(bytes, { common }));
  for (const tx of txs) tx.getSenderAddress();
  const parent = chainDb.head() as Block;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const built = await engine.buildBlock(parent, txs, {
    timestamp: parent.header.timestamp + 1n,
    coinbase: hexToBytes(keys.hospitals[0]?.validator.address as PrefixedHexString),
    gasLimit: BigInt(genesis.gasLimit),
  });
  const t1 = performance.now();
  await engine.commit(built);
  const t2 = performance.now();
  const cpuMs = cpuMsSince(cpu);
  const problem =
    built.rejected[0]?.reason ??
    (built.receipts.some((r) => r.status !== 1) ? "a transaction failed" : undefined);
  return {
    block: built.block.serialize(),
    blockMs: t2 - t0,
    commitMs: t2 - t1,
    cpuMs,
    decodeMs: 0,
    ...(problem === undefined ? {} : { problem }),
  };
}

async function replay(bytes: Uint8Array): Promise<NodeResponse> {
  // A replaying node decodes the block from the wire: no sender cache carried over.
  const d0 = performance.now();
  const block = createBlockFromRLP(bytes, { common });
  const decodeMs = performance.now() - d0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const executed = await engine.executeBlock(block);
  const t1 = performance.now();
  await engine.commit(executed);
  const t2 = performance.now();
  return { block: bytes, blockMs: t2 - t0, commitMs: t2 - t1, cpuMs: cpuMsSince(cpu), decodeMs };
}

parentPort?.on("message", async (request: NodeRequest) => {
  if (request.kind === "close") {
    await chainDb.close();
    await dir.remove();
    process.exit(0);
  }
  const response =
    request.kind === "build" ? await build(request.txs) : await replay(request.block);
  parentPort?.postMessage(response);
});
parentPort?.postMessage("ready");
