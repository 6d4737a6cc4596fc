import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { equalsBytes, hexToBytes } from "@ethereumjs/util";
import {
  createQbftBlockCodec,
  createQbftSigner,
  createSecp256k1QbftCrypto,
  type Genesis,
  type ValidatorSetCache,
} from "../chain/index.ts";
import type { NodeConfig } from "../config/index.ts";
import { createQbftConfig } from "../consensus/core/index.ts";
import {
  createFileSigningRecordStore,
  createQbftDriver,
  type QbftDriver,
  SIGNING_RECORD_FILE,
  systemConsensusTimers,
} from "../consensus/driver/index.ts";
import { type ChainDb, keyOf, keyspaces, uint64Bytes } from "../db/index.ts";
import type { ExecutedBlock, ExecutionEngine } from "../execution/index.ts";
import type { Logger } from "../log/index.ts";
import { createCountingMetrics, createP2pNetwork, type P2pNetwork } from "../network/index.ts";
import { createBlockSync, serveBlocks } from "../sync/index.ts";
import type { TxPool } from "../txpool/index.ts";
import { blockSourceOf } from "./blockSourceOf.ts";
import type { Clock } from "./Clock.ts";
import { consensusNetworkOf } from "./consensusNetworkOf.ts";
import { createBlockBuilder } from "./createBlockBuilder.ts";
import type { Membership } from "./createMembership.ts";
import type { LocalNodeApi } from "./createNodeApi.ts";
import { createNodeChain } from "./createNodeChain.ts";
import type { NodeNetworkView } from "./NodeNetworkView.ts";
import { settleCommittedBlock } from "./settleCommittedBlock.ts";

/**
 * Version of the Custos p2p protocol this build speaks, exchanged in the status handshake:
 * peers with another version are refused with a log line naming both (docs/upgrades.md).
 */
export const NETWORK_PROTOCOL_VERSION = 1;

/** What the node's network mode is started with. */
export interface NodeNetworkOptions {
  readonly config: NodeConfig;
  readonly dataDir: string;
  readonly genesis: Genesis;
  readonly genesisHash: Uint8Array;
  /** The p2p identity: the validator key, or an observer's `p2p.keyFile` key. */
  readonly nodeKey: Uint8Array;
  /** The validator key, absent on an observer. */
  readonly validatorKey?: Uint8Array;
}

/** The node's parts the network works on. */
export interface NodeNetworkPorts {
  readonly common: Common;
  readonly chainDb: ChainDb;
  readonly engine: ExecutionEngine;
  readonly pool: TxPool;
  readonly membership: Membership;
  readonly api: LocalNodeApi;
  /** The Consortium's validator sets, shared with the engine's header rule. */
  readonly validatorSets: ValidatorSetCache;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A node's running network: p2p, QBFT and block sync. */
export interface NodeNetwork extends NodeNetworkView {
  readonly p2p: P2pNetwork;
  readonly driver: QbftDriver;
  /** Stops consensus (after the event in progress), then the p2p host. */
  stop(): Promise<void>;
}

/** A canonical block's stored RLP as it is (served without decoding and encoding it again). */
async function storedBlockRlp(chainDb: ChainDb, number: bigint): Promise<Uint8Array | undefined> {
  const [hash] = await chainDb.readRaw([keyOf(keyspaces.canonical, uint64Bytes(number))]);
  if (hash === undefined) return undefined;
  const [rlp] = await chainDb.readRaw([keyOf(keyspaces.block, hash)]);
  return rlp;
}

/** Peer heads this many blocks ahead are synced at once; one ahead may be a commit in flight. */
const CATCH_UP_NOW = 2n;

/**
 * Follows peers' heads: an observer syncs to any head above its own at once; a validator
 * does so for a head two or more ahead, and for one a single block ahead only when its own
 * chain is still behind after a grace (the commit messages of that block may be on the way).
 */
function followPeers(
  p2p: P2pNetwork,
  driver: QbftDriver,
  headNumber: () => bigint,
  graceMs: number | undefined,
): () => void {
  let pending: ReturnType<typeof setTimeout> | undefined;
  let highest = 0n;
  const stopFollowing = p2p.onPeerHead((head) => {
    if (head.number > highest) highest = head.number;
    const ours = headNumber();
    if (head.number <= ours) return;
    if (graceMs === undefined || head.number - ours >= CATCH_UP_NOW) {
      driver.catchUp(head.number);
      return;
    }
    pending ??= setTimeout(() => {
      pending = undefined;
      if (highest > headNumber()) driver.catchUp(highest);
    }, graceMs);
  });
  return () => {
    stopFollowing();
    if (pending !== undefined) clearTimeout(pending);
  };
}

/**
 * Starts a node's network mode: the libp2p host (peers admitted when they are validators or
 * Consortium members at the head; at block 0 the genesis validators), QBFT consensus over the node's
 * chain (proposals built from the pool, re-executed before PREPARE, sealed and committed
 * atomically; no vote without a validator key), block sync from peers (served from the chain
 * database; followed on the core's `behind` and on peers' announced heads), transaction
 * gossip (what the pool admitted as executable, from RPC or from peers) and head
 * announcements after every commit. The allow-list is asked again whenever a block carries
 * a Consortium log.
 *
 * @throws CustosError `P2P_LISTEN_FAILED` when the p2p address cannot be bound;
 *   `CONSENSUS_RECORD_CORRUPT` / `CONSENSUS_RECORD_STORE_FAILED` for the signing record.
 * @example
 * ```ts
 * const network = await startNodeNetwork({ config, dataDir, genesis, genesisHash, nodeKey }, ports);
 * api.attachNetwork(network);
 * await network.stop();
 * ```
 */
export async function startNodeNetwork(
  options: NodeNetworkOptions,
  ports: NodeNetworkPorts,
): Promise<NodeNetwork> {
  const { config, genesis, validatorKey } = options;
  const { common, chainDb, engine, pool, membership, api, validatorSets, clock, logger } = ports;
  const consortium = hexToBytes(genesis.contracts.consortium as `0x${string}`);
  const signer = validatorKey === undefined ? undefined : createQbftSigner(validatorKey);
  const validators = (parent: Block) =>
    validatorSets.validatorsAt(parent.header.number + 1n, (request) =>
      engine.call(request, parent),
    );
  let p2p: P2pNetwork | undefined;

  async function onCommitted(executed: ExecutedBlock, seconds: number): Promise<void> {
    validatorSets.committed(executed.block.header.number, executed.receipts);
    await settleCommittedBlock({ engine, pool, membership }, executed);
    api.blockCommitted(executed, seconds);
    const { block, receipts } = executed;
    p2p?.announceHead(block.header.number, block.hash());
    const governance = receipts.some((r) => r.logs.some(([a]) => equalsBytes(a, consortium)));
    if (governance) void p2p?.refreshAllowList();
  }

  const chain = createNodeChain(
    {
      periodSeconds: genesis.blockPeriodSeconds,
      gasLimit: BigInt(genesis.gasLimit),
      ...(signer === undefined ? {} : { validator: signer.address }),
    },
    {
      common,
      chainDb,
      engine,
      validators,
      clock,
      onCommitted,
      ...(signer === undefined
        ? {}
        : {
            builder: createBlockBuilder(
              { periodSeconds: genesis.blockPeriodSeconds, gasLimit: BigInt(genesis.gasLimit) },
              { engine, pool, membership, clock, logger: logger.child({ component: "builder" }) },
            ),
          }),
    },
  );

  const head = chainDb.head() as Block;
  const p2pMetrics = createCountingMetrics();
  const network = await createP2pNetwork({
    nodeKey: options.nodeKey,
    listen: { host: config.p2p.host, port: config.p2p.port },
    ...(config.p2p.announcePort === undefined ? {} : { announcePort: config.p2p.announcePort }),
    bootnodes: config.p2p.bootnodes,
    chainId: BigInt(genesis.chainId),
    genesisHash: options.genesisHash,
    protocolVersion: NETWORK_PROTOCOL_VERSION,
    head: { number: head.header.number, hash: head.hash() },
    limits: { maxPeers: config.p2p.maxPeers },
    // The head's validator set is the genesis set at block 0 (the bootstrap list).
    async isAllowed(address) {
      const bytes = hexToBytes(address as `0x${string}`);
      const current = await chain.head();
      if (current.validators.some((v) => equalsBytes(v, bytes))) return true;
      return membership.isMember(bytes);
    },
    logger: logger.child({ component: "p2p" }),
    metrics: p2pMetrics,
  });
  p2p = network;
  network.serveBlocks((from, count, signal) =>
    serveBlocks(
      {
        headNumber: () => chain.headNumber(),
        blockRlp: (number) => storedBlockRlp(chainDb, number),
      },
      from,
      count,
      signal,
    ),
  );

  const stopGossip = api.onPendingTransactions((hashes) => {
    const raws = hashes.flatMap((hash) => pool.get(hash)?.serialize() ?? []);
    if (raws.length > 0) network.gossipTransactions(raws);
  });
  const txLog = logger.child({ component: "txgossip" });
  const stopReceiving = network.onTransactions((raws, from) => {
    for (const raw of raws) {
      api.sendRawTransaction(raw).catch((error: unknown) => {
        txLog.debug({ from, code: (error as { code?: string }).code }, "gossiped tx refused");
      });
    }
  });

  const sync = createBlockSync({ source: blockSourceOf(network), importer: chain });
  const driver = createQbftDriver(
    {
      config: createQbftConfig({
        signer,
        crypto: createSecp256k1QbftCrypto(),
        codec: createQbftBlockCodec(common),
        roundTimeout: {
          baseMs: config.consensus.roundTimeoutMs,
          maxFactor: config.consensus.roundTimeoutMaxFactor,
        },
      }),
      blockPeriodSeconds: genesis.blockPeriodSeconds,
    },
    {
      chain,
      network: consensusNetworkOf(network),
      sync,
      store: createFileSigningRecordStore(join(options.dataDir, SIGNING_RECORD_FILE)),
      timers: systemConsensusTimers,
      logger: logger.child({ component: "consensus" }),
    },
  );
  try {
    await driver.start();
  } catch (error) {
    stopGossip();
    stopReceiving();
    await network.stop();
    throw error;
  }
  const lost = chainDb.health().recovering;
  if (lost !== undefined) {
    logger.warn(
      { head: chain.headNumber(), marker: lost.number },
      "blocks lost at the chain's tip: syncing them back from peers before serving as ready",
    );
    driver.catchUp(lost.number);
  }
  const stopFollowing = followPeers(
    network,
    driver,
    () => chain.headNumber(),
    signer === undefined ? undefined : 2 * config.consensus.roundTimeoutMs,
  );
  const startingBlock = head.header.number;
  let stopping: Promise<void> | undefined;
  return {
    p2p: network,
    driver,
    peers: () => network.peers().length,
    syncing() {
      const status = sync.status();
      if (!status.syncing || status.target === undefined) return false;
      return {
        startingBlock,
        currentBlock: chain.headNumber(),
        highestBlock: status.target,
      };
    },
    ready: () => driver.ready(),
    consensus: () => driver.status(),
    p2pCounters: () => p2pMetrics.series(),
    stop() {
      stopping ??= (async () => {
        stopFollowing();
        stopGossip();
        stopReceiving();
        await driver.stop();
        await network.stop();
      })();
      return stopping;
    },
  };
}
