import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { bytesToHex, createAddressFromPrivateKey, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { type AuditReader, type NodeAudit, startAuditIndex } from "../audit/index.ts";
import { createNodeAuditApi, type NodeAuditApi } from "../auditApi/index.ts";
import {
  commitGenesis,
  createQbftHeaderRule,
  createValidatorSetCache,
  type Genesis,
  installQbftBlockHash,
  loadGenesisFile,
} from "../chain/index.ts";
import type { NodeConfig } from "../config/index.ts";
import {
  type ChainDb,
  createChainDb,
  type DataDirLock,
  errnoOf,
  HEAD_MARKER_FILE,
  lockDataDir,
  prepareDataDir,
} from "../db/index.ts";
import { createConsentRegistryAccelerator } from "../execution/accelerate/index.ts";
import {
  type CallPool,
  createCallPool,
  createCustosCommon,
  createExecutionEngine,
  createReplayPool,
  installEvmPatches,
  MAX_TX_GAS,
  RecoveredKeyMemo,
  type ReplayPool,
} from "../execution/index.ts";
import type { Logger } from "../log/index.ts";
import {
  createRpcServer,
  defaultRpcServerOptions,
  type NodeApi,
  type RpcServer,
} from "../rpc/index.ts";
import { createTxPool } from "../txpool/index.ts";
import { type Clock, systemClock } from "./Clock.ts";
import { type BlockProducer, createBlockProducer } from "./createBlockProducer.ts";
import { createMembership } from "./createMembership.ts";
import { createNodeApi } from "./createNodeApi.ts";
import { type DevChain, loadDevChain, writeDevKeys } from "./loadDevChain.ts";
import { readValidatorKey } from "./readValidatorKey.ts";
import {
  chainDirectories,
  type ReindexReport,
  recoverInterruptedReindex,
  reindexChain,
} from "./reindexChain.ts";
import { type NodeNetwork, startNodeNetwork } from "./startNodeNetwork.ts";

/** What {@link startNode} needs besides the configuration. */
export interface NodeModules {
  readonly logger: Logger;
  /** Default: the wall clock and real timers. */
  readonly clock?: Clock;
  /** Value of web3_clientVersion. */
  readonly clientVersion: string;
}

/** Options of {@link startNode}. */
export interface StartNodeOptions {
  readonly config: NodeConfig;
  /** Replay every stored block from genesis into a fresh database before serving. */
  readonly reindex?: boolean;
  /** Reports reindex progress (blocks done, head number). */
  readonly onReindexProgress?: (done: number, total: number) => void;
  /**
   * Stops the start-up between steps (and a reindex or the database check within them) with
   * `NODE_ABORTED`, releasing what was opened: SIGTERM during start-up.
   */
  readonly signal?: AbortSignal;
}

/** A running Custos node. */
export interface CustosNode {
  readonly api: NodeApi;
  /** The JSON-RPC endpoint, e.g. `http://127.0.0.1:8545`. */
  readonly rpcUrl: string;
  /** The WebSocket endpoint (subscriptions), absent when WebSocket is off. */
  readonly wsUrl?: string;
  readonly dataDir: string;
  readonly genesis: Genesis;
  readonly genesisHash: Uint8Array;
  /** The validator this node produces blocks as; absent on a node without a validator key. */
  readonly validator?: Uint8Array;
  /** The generated chain of a dev node (keys, `dev-keys.json`). */
  readonly dev?: DevChain;
  /** Present when the node was started with `reindex`. */
  readonly reindexed?: ReindexReport;
  /** The p2p network, consensus and sync of a node with `p2p.enabled`. */
  readonly network?: NodeNetwork;
  /** The node's audit index (`dataDir/audit`), kept at the head after every commit. */
  readonly audit: AuditReader;
  /** Stops producing blocks (after the block in progress), closes the RPC server and the database. */
  stop(): Promise<void>;
}

function sameHash(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && equalsBytes(a, b);
}

function hexAddress(hex: string): Uint8Array {
  return hexToBytes(hex as `0x${string}`);
}

/**
 * The key of the account that relays patients' signed consent changes from the portal: the
 * configured key file, or on a dev node the first hospital's admin account; none otherwise.
 */
async function relayerKeyOf(
  config: NodeConfig,
  dev: DevChain | undefined,
): Promise<{ relayerKey?: string }> {
  if (config.portal?.relayerKeyFile !== undefined) {
    const { privateKey } = await readValidatorKey(
      config.portal.relayerKeyFile,
      "portal.relayerKeyFile",
    );
    return { relayerKey: bytesToHex(privateKey) };
  }
  const admin = dev?.keys.hospitals[0]?.account.privateKey;
  return admin === undefined ? {} : { relayerKey: admin };
}

/**
 * The node's chain and the validator keys it seals with: its own first (it proposes), then,
 * on a dev node, every other dev hospital's, so a dev chain's blocks carry a quorum of seals.
 */
async function chainOf(config: NodeConfig, dataDir: string) {
  if (config.dev) {
    const dev = await loadDevChain(dataDir, config.devChain);
    const sealKeys = dev.keys.hospitals.map((h) =>
      hexToBytes(h.validator.privateKey as `0x${string}`),
    );
    return { genesis: dev.genesis, dev, validatorKey: sealKeys[0], sealKeys };
  }
  const genesis = await loadGenesisFile(config.chain.genesisFile as string);
  if (config.validator === undefined) {
    if (config.p2p.keyFile === undefined) return { genesis, validatorKey: undefined, sealKeys: [] };
    const node = await readValidatorKey(config.p2p.keyFile, "p2p.keyFile");
    return {
      genesis,
      validatorKey: undefined,
      sealKeys: [],
      nodeKey: node.privateKey,
      keyExposed: node.exposed,
    };
  }
  const { privateKey, exposed } = await readValidatorKey(config.validator.keyFile);
  return {
    genesis,
    validatorKey: privateKey,
    sealKeys: [privateKey],
    nodeKey: privateKey,
    keyExposed: exposed,
  };
}

function rpcOptions(config: NodeConfig) {
  const { rpc } = config;
  return {
    ...defaultRpcServerOptions,
    limits: {
      ...defaultRpcServerOptions.limits,
      maxBodyBytes: rpc.maxBodyBytes,
      maxBatchSize: rpc.maxBatch,
      maxBatchResponseBytes: rpc.maxBatchResponseBytes,
      maxLogBlockRange: rpc.getLogs.maxBlockRange,
      maxLogResults: rpc.getLogs.maxResults,
      maxSubscriptionsPerConnection: rpc.ws.maxSubscriptions,
      maxFilters: rpc.filters.max,
      maxFiltersPerClient: rpc.filters.maxPerClient,
      filterIdleMs: rpc.filters.idleTimeoutSeconds * 1000,
    },
    corsOrigins: rpc.cors,
    websocket: { enabled: rpc.ws.enabled, maxConnections: rpc.ws.maxConnections },
    metricsEnabled: config.metrics.enabled,
  };
}

const listenReasons: Readonly<Record<string, string>> = {
  EADDRINUSE: "address in use",
  EADDRNOTAVAIL: "address not available on this machine",
  EACCES: "permission denied (ports below 1024 need privileges)",
  ENOTFOUND: "unknown host",
  EAI_AGAIN: "host name lookup failed",
};

/** The `NODE_START_FAILED` error of an RPC address that cannot be bound, saying why. */
function listenError(host: string, port: number, cause: unknown): CustosError {
  const code = errnoOf(cause) ?? (cause as { code?: string }).code;
  const reason =
    (code === undefined ? undefined : listenReasons[code]) ??
    (cause instanceof Error ? cause.message : String(cause));
  return new CustosError("NODE_START_FAILED", `cannot listen on ${host}:${port}: ${reason}`, {
    details: { field: "rpc.port", host, port, code: code ?? "", reason },
    cause,
  });
}

/** Binds and releases the RPC address, so a port in use fails before the data directory is touched. */
async function assertCanListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (cause) {
    throw listenError(host, port, cause);
  }
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/**
 * Starts a hospital node from its validated configuration — the one place where the node's
 * components are created and wired: the chain database (`dataDir/chain`), genesis (from
 * `chain.genesisFile`, or generated and kept in `dataDir` for a dev node), the EthereumJS
 * execution engine, the call pool (worker threads for clients' eth_call and eth_estimateGas),
 * the member-only transaction pool, either the network (`p2p.enabled`: libp2p, QBFT
 * consensus, block sync, transaction gossip; see `startNodeNetwork`) or the solo block
 * producer (a single node with a validator key), the {@link NodeApi} and
 * the JSON-RPC/WebSocket/metrics server. Blocks are hashed as Besu hashes QBFT blocks
 * (`installQbftBlockHash`), and every block the node did not build is verified by its commit
 * seals (`createQbftHeaderRule`).
 *
 * A dev node without `dataDir` runs in a temporary directory removed by `stop()`.
 *
 * @throws CustosError `CONFIG_INVALID` (genesis file, key file, a dev chain made with other
 *   parameters, a single node's validator key that is not in the genesis validator set);
 *   `P2P_LISTEN_FAILED` when the p2p address cannot be bound; `GENESIS_INVALID`
 *   when the database holds another chain; `CHAIN_DB_INCOMPATIBLE` when it was written by a
 *   version before QBFT block hashes; `CHAIN_DB_CORRUPT` naming the missing or damaged
 *   block and part (or file), when the database does not match its head marker or a recent
 *   block fails the start-up check; `BLOCK_INVALID` from a reindex; `NODE_START_FAILED` when
 *   the RPC address cannot be bound (checked first, before the data directory is touched),
 *   the data directory cannot be created or written (naming the path and the cause) or is in
 *   use by another process (naming its pid); `NODE_ABORTED` when `signal` fires first.
 * @example
 * ```ts
 * const node = await startNode({ config }, { logger, clientVersion: "custos/0.1.0" });
 * console.log(node.rpcUrl);
 * await node.stop();
 * ```
 */
export async function startNode(
  options: StartNodeOptions,
  modules: NodeModules,
): Promise<CustosNode> {
  const { config } = options;
  // Before any block executes or is hashed (reindex included); refuses an unexpected EthereumJS.
  await installEvmPatches();
  installQbftBlockHash();
  // Nothing is written to the data directory before the RPC address is known to be free.
  await assertCanListen(config.rpc.host, config.rpc.port);
  const temporary = config.dataDir === undefined;
  const dataDir = config.dataDir ?? (await mkdtemp(join(tmpdir(), "custos-dev-")));
  await prepareDataDir(dataDir);
  const lock = await lockDataDir(dataDir);
  try {
    return await startInDataDir(options, modules, dataDir, temporary, lock);
  } catch (error) {
    await lock.release();
    if (temporary) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The start-up once the data directory is claimed. */
async function startInDataDir(
  options: StartNodeOptions,
  modules: NodeModules,
  dataDir: string,
  temporary: boolean,
  lock: DataDirLock,
): Promise<CustosNode> {
  const { config, signal } = options;
  const clock = modules.clock ?? systemClock;
  const log = modules.logger.child({ component: "node" });
  const stopIfAborted = () => {
    if (signal?.aborted === true) {
      throw new CustosError("NODE_ABORTED", "start-up stopped before the node served");
    }
  };
  await recoverInterruptedReindex(dataDir);
  stopIfAborted();

  const { genesis, dev, validatorKey, sealKeys, nodeKey, keyExposed } = await chainOf(
    config,
    dataDir,
  );
  if (keyExposed === true) {
    log.warn(
      { file: config.validator?.keyFile ?? config.p2p.keyFile },
      "key file is readable by other users",
    );
  }
  const validator =
    validatorKey === undefined ? undefined : createAddressFromPrivateKey(validatorKey).bytes;
  // On a network a hospital may join as a validator voted in after genesis.
  if (
    validator !== undefined &&
    !config.p2p.enabled &&
    !genesis.validators.some((v) => equalsBytes(hexAddress(v), validator))
  ) {
    throw new CustosError(
      "CONFIG_INVALID",
      "validator.keyFile: the key's address is not a validator of this chain",
      {
        details: {
          field: "validator.keyFile",
          reason: "not a validator of this chain",
          address: bytesToHex(validator),
        },
      },
    );
  }
  // Filled by the engine's sender recovery, read by the chain's native ecrecover.
  const recoveredKeys = new RecoveredKeyMemo();
  const common = createCustosCommon({ chainId: BigInt(genesis.chainId), recoveredKeys });
  const accelerator = config.execution.accelerate
    ? createConsentRegistryAccelerator({ consentRegistry: genesis.contracts.consentRegistry })
    : undefined;

  let reindexed: ReindexReport | undefined;
  if (options.reindex === true) {
    log.info({}, "reindex started");
    reindexed = await reindexChain({
      dataDir,
      common,
      recoveredKeys,
      accelerator,
      genesis,
      clock,
      ...(options.onReindexProgress === undefined ? {} : { onProgress: options.onReindexProgress }),
      ...(signal === undefined ? {} : { signal }),
    });
    log.info({ ...reindexed }, "reindex finished");
  }
  stopIfAborted();

  const chainDb: ChainDb = await createChainDb({
    location: join(dataDir, chainDirectories.chain),
    common,
    headMarker: join(dataDir, HEAD_MARKER_FILE),
    // On a network, blocks lost at the tip come back from peers (checked against the marker).
    shortChain: config.p2p.enabled ? "recover" : "refuse",
    ...(signal === undefined ? {} : { signal }),
    onFault: (error) =>
      log.error({ code: error.code, details: error.details, err: error }, "chain database fault"),
  });
  let server: RpcServer | undefined;
  let producer: BlockProducer | undefined;
  let network: NodeNetwork | undefined;
  let calls: CallPool | undefined;
  let replays: ReplayPool | undefined;
  let audit: NodeAudit | undefined;
  let auditApi: NodeAuditApi | undefined;
  try {
    const genesisBlock = await commitGenesis(chainDb, genesis);
    const headBlock = chainDb.head() as Block;
    const consortium = hexAddress(genesis.contracts.consortium);
    const validatorSets = createValidatorSetCache(consortium);
    const engine = createExecutionEngine({
      chainDb,
      recoveredKeys,
      headerRule: createQbftHeaderRule({ consortium, validatorSets }),
      accelerator,
    });
    const persisted = chainDb.stateBlock();
    if (persisted !== undefined && persisted.number < headBlock.header.number) {
      // A crash: the state changes held in memory since the last persist are re-executed.
      log.info(
        { from: persisted.number, head: headBlock.header.number },
        "restoring state after an unclean stop",
      );
      const restored = await engine.restoreState();
      log.info({ blocks: restored }, "state restored");
    }
    if (!sameHash(chainDb.flatState.blockHash, headBlock.hash())) {
      // A database from before flat state (or whose flat state stopped at another block)
      // would otherwise execute on the slower trie reads for good.
      log.info({ head: headBlock.header.number }, "rebuilding flat state");
      await chainDb.rebuildFlatState();
    }
    // Rebuilt with the chain on --reindex; otherwise it catches up from its own marker.
    audit = await startAuditIndex(
      { dataDir, rebuild: options.reindex === true },
      {
        chainDb,
        contracts: genesis.contracts,
        logger: modules.logger.child({ component: "audit" }),
      },
    );
    const startedAudit = audit;
    calls = createCallPool(
      {
        workers: config.rpc.call.workers,
        timeoutMs: config.rpc.call.timeoutMs,
        gasCap: BigInt(config.rpc.call.gasCap),
        niceness: config.rpc.call.niceness,
      },
      { chainDb, logger: modules.logger.child({ component: "calls" }) },
    );
    replays = createReplayPool(
      { timeoutMs: config.rpc.call.timeoutMs, niceness: config.rpc.call.niceness },
      { chainDb, logger: modules.logger.child({ component: "replays" }) },
    );
    const head = (): Block => chainDb.head() as Block;
    const membership = createMembership({ engine, consortium, head });
    const txpool = config.txpool;
    const pool = createTxPool(
      {
        chainId: BigInt(genesis.chainId),
        blockGasLimit: BigInt(genesis.gasLimit),
        maxTxGas: MAX_TX_GAS,
        baseFee: head().header.calcNextBaseFee(),
        maxCount: txpool.maxCount,
        maxBytes: txpool.maxBytes,
        maxPerSender: txpool.maxPerSender,
        maxQueued: txpool.maxQueued,
        queuedLifetimeMs: txpool.queuedLifetimeSeconds * 1000,
        priceBumpPercent: txpool.priceBumpPercent,
        minTip: BigInt(txpool.minTipWei),
        maxTxBytes: txpool.maxTxBytes,
        allowUnprotected: txpool.allowUnprotected,
      },
      {
        accountState: (address) => engine.account(address, head()),
        isMember: membership.isMember,
        now: () => clock.now(),
      },
    );
    const api = createNodeApi({
      common,
      chainDb,
      engine,
      calls,
      replays,
      pool,
      clientVersion: modules.clientVersion,
      maxTxBytes: txpool.maxTxBytes,
      minTip: BigInt(txpool.minTipWei),
      blockPeriodSeconds: genesis.blockPeriodSeconds,
      now: () => clock.now(),
    });
    // After the commit and every other listener: the follower only schedules its work.
    api.onNewHead(() => startedAudit.follower.wake());
    let boundUrl: string | undefined;
    const auditLog = modules.logger.child({ component: "audit-api" });
    auditApi = await createNodeAuditApi({
      api,
      reader: startedAudit.reader,
      dataDir,
      genesis,
      contracts: genesis.contracts,
      // Exports name the node by its validator address, an observer by its role.
      observer: validator === undefined ? "custos-observer" : bytesToHex(validator),
      rpcUrl: () => boundUrl,
      ...(await relayerKeyOf(config, dev)),
      ...(config.portal?.dataServiceConnectionFile === undefined
        ? {}
        : { dataServiceConnectionFile: config.portal.dataServiceConnectionFile }),
      version: modules.clientVersion,
      onInternalError: (error, route) => auditLog.error({ route, err: error }, "audit api error"),
    });
    const startedAuditApi = auditApi;
    server = createRpcServer({
      api,
      options: rpcOptions(config),
      logger: modules.logger.child({ component: "rpc" }),
      extend: startedAuditApi.register,
    });
    // Calls are served as soon as the port is open: their workers must be up by then.
    await calls.ready();
    stopIfAborted();
    let rpcUrl: string;
    try {
      rpcUrl = await server.listen({ host: config.rpc.host, port: config.rpc.port });
    } catch (cause) {
      throw listenError(config.rpc.host, config.rpc.port, cause);
    }
    boundUrl = rpcUrl;
    if (dev !== undefined) await writeDevKeys(dev, rpcUrl);
    if (config.p2p.enabled) {
      network = await startNodeNetwork(
        {
          config,
          dataDir,
          genesis,
          genesisHash: genesisBlock.hash(),
          nodeKey: nodeKey as Uint8Array,
          ...(validatorKey === undefined ? {} : { validatorKey }),
        },
        {
          common,
          chainDb,
          engine,
          pool,
          membership,
          api,
          validatorSets,
          clock,
          logger: modules.logger,
        },
      );
      api.attachNetwork(network);
    } else if (validator !== undefined) {
      producer = createBlockProducer(
        {
          periodSeconds: genesis.blockPeriodSeconds,
          gasLimit: BigInt(genesis.gasLimit),
          validatorKeys: sealKeys,
        },
        {
          chainDb,
          engine,
          validators: (parent) =>
            validatorSets.validatorsAt(parent.header.number + 1n, (request) =>
              engine.call(request, parent),
            ),
          pool,
          membership,
          clock,
          logger: modules.logger.child({ component: "producer" }),
          onCommitted: (executed, seconds) => {
            validatorSets.committed(executed.block.header.number, executed.receipts);
            api.blockCommitted(executed, seconds);
          },
        },
      );
      producer.start();
    }
    log.info(
      {
        rpcUrl,
        chainId: genesis.chainId,
        head: head().header.number,
        validator: validator === undefined ? null : bytesToHex(validator),
        ...(network === undefined
          ? {}
          : { p2p: network.p2p.multiaddrs(), peerId: network.p2p.peerId }),
      },
      "node started",
    );
    const startedServer = server;
    const startedProducer = producer;
    const startedNetwork = network;
    const startedCalls = calls;
    const startedReplays = replays;
    let stopping: Promise<void> | undefined;
    return {
      api,
      rpcUrl,
      ...(config.rpc.ws.enabled ? { wsUrl: rpcUrl.replace(/^http/, "ws") } : {}),
      dataDir,
      genesis,
      genesisHash: genesisBlock.hash(),
      ...(validator === undefined ? {} : { validator }),
      ...(dev === undefined ? {} : { dev }),
      ...(reindexed === undefined ? {} : { reindexed }),
      ...(startedNetwork === undefined ? {} : { network: startedNetwork }),
      audit: startedAudit.reader,
      stop() {
        stopping ??= (async () => {
          await startedNetwork?.stop();
          await startedProducer?.stop();
          await startedServer.close();
          await auditApi?.close();
          await startedCalls.close();
          await startedReplays.close();
          await startedAudit.stop();
          await chainDb.close();
          await lock.release();
          if (temporary) await rm(dataDir, { recursive: true, force: true });
          log.info({}, "node stopped");
        })();
        return stopping;
      },
    };
  } catch (error) {
    await network?.stop();
    await producer?.stop();
    await server?.close();
    await auditApi?.close();
    await calls?.close();
    await replays?.close();
    await audit?.stop();
    await chainDb.close();
    throw error;
  }
}
