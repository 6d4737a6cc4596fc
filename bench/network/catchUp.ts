/**
 * Catch-up measure: one node holds a chain of committed blocks (built here, sealed by every
 * validator, mostly empty), and an empty node of the same network syncs it over libp2p; the
 * rate is blocks imported (executed, seals verified, committed) per second of the sync.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import {
  commitGenesis,
  type DevGenesisKeys,
  type Genesis,
  installQbftBlockHash,
} from "../../nodes/chain/index.ts";
import { createChainDb, HEAD_MARKER_FILE } from "../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  installEvmPatches,
} from "../../nodes/execution/index.ts";
import {
  createLocalNetwork,
  findFreePortRange,
  localNetworkFiles,
  startLocalNode,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import { buildSealedBlock } from "../../scripts/chainFixtures.ts";
import { createJsonRpc } from "../node/jsonRpc.ts";

/** What the catch-up measure saw. */
export interface CatchUpResult {
  readonly blocks: number;
  /** Seconds to build the served chain (not part of the rate). */
  readonly buildSeconds: number;
  /** From the empty node's start to its head reaching the last block. */
  readonly seconds: number;
  /** From the first synced block to the last (excludes process start and peer handshake). */
  readonly syncSeconds: number;
  readonly blocksPerSec: number;
}

/** Builds `count` empty blocks, sealed by every validator, in a node's data directory. */
async function buildChain(dataDir: string, genesis: Genesis, keys: DevGenesisKeys, count: number) {
  await installEvmPatches();
  installQbftBlockHash();
  await mkdir(dataDir, { recursive: true });
  const chainDb = await createChainDb({
    location: join(dataDir, "chain"),
    common: createCustosCommon({ chainId: BigInt(genesis.chainId) }),
    headMarker: join(dataDir, HEAD_MARKER_FILE),
    syncWrites: false,
  });
  try {
    await commitGenesis(chainDb, genesis);
    const engine = createExecutionEngine({ chainDb });
    for (let n = 0; n < count; n++) {
      const built = await buildSealedBlock(engine, chainDb.head() as Block, [], { genesis, keys });
      await engine.commit(built);
    }
    await chainDb.sync();
  } finally {
    await chainDb.close();
  }
}

/**
 * Runs the measure in `dir`: a 4-validator network's hospital 0 gets `blocks` blocks, is
 * started alone (it cannot commit more without a quorum, so the chain holds still), then
 * hospital 1 starts empty and syncs from it.
 *
 * @example
 * ```ts
 * const result = await measureCatchUp(dir, 10_000);
 * ```
 */
export async function measureCatchUp(dir: string, blocks: number): Promise<CatchUpResult> {
  const network = await createLocalNetwork({
    dir,
    hospitals: 4,
    basePort: await findFreePortRange(4),
    p2pBasePort: await findFreePortRange(4),
  });
  const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as Genesis;
  const keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  const [server, client] = network.nodes;
  if (server === undefined || client === undefined) throw new Error("network too small");
  const built = performance.now();
  await buildChain(join(server.dir, localNetworkFiles.data), genesis, keys, blocks);
  const buildSeconds = (performance.now() - built) / 1000;
  try {
    await startLocalNode(server, { logLevel: "warn" });
    const started = performance.now();
    await startLocalNode(client, { logLevel: "warn" });
    const rpc = createJsonRpc(`http://127.0.0.1:${client.rpcPort}`, 10_000);
    let firstAt: number | undefined;
    for (;;) {
      const head = Number(await rpc.call<string>("eth_blockNumber"));
      if (head > 0 && firstAt === undefined) firstAt = performance.now();
      if (head >= blocks) break;
      if (performance.now() - started > 600_000) throw new Error(`catch-up stuck at ${head}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const done = performance.now();
    const syncSeconds = (done - (firstAt ?? started)) / 1000;
    return {
      blocks,
      buildSeconds,
      seconds: (done - started) / 1000,
      syncSeconds,
      blocksPerSec: blocks / syncSeconds,
    };
  } finally {
    await stopLocalNetwork(network, 15_000);
  }
}
