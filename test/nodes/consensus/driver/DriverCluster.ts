import {
  createQbftConfig,
  decodeQbftMessage,
  type QbftMessage,
  type QbftRoundTimeoutSettings,
  type QbftSigner,
  selectQbftProposer,
} from "../../../../nodes/consensus/core/index.ts";
import {
  type ConsensusLogger,
  type ConsensusMetrics,
  createQbftDriver,
  type QbftDriver,
} from "../../../../nodes/consensus/driver/index.ts";
import { FakeChain, fakeGenesis } from "./FakeChain.ts";
import { fakeQbftBlockCodec } from "./fakeQbftBlock.ts";
import { createFakeQbftCrypto, type FakeQbftCrypto } from "./fakeQbftCrypto.ts";
import { ManualClock } from "./ManualClock.ts";
import { MemoryNetwork } from "./MemoryNetwork.ts";
import { type CrashableStore, MemoryRecordStore } from "./MemoryRecordStore.ts";
import { Trace } from "./Trace.ts";

/** Settings of a {@link DriverCluster}; virtual milliseconds throughout. */
export interface ClusterOptions {
  readonly size?: number;
  readonly periodSeconds?: number;
  readonly roundTimeout?: Partial<QbftRoundTimeoutSettings>;
  readonly buildMs?: number;
  readonly validateMs?: number;
  readonly commitMs?: number;
  readonly saveMs?: number;
  readonly latencyMs?: number;
  readonly syncMs?: number;
  readonly retryMs?: number;
  readonly maxQueuedMessages?: number;
}

/** A log line a driver wrote. */
export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly fields: object;
  readonly message: string;
}

/** 2026-01-01T00:00:00Z: where the virtual clock starts. */
export const CLUSTER_START_MS = 1_767_225_600_000;

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

/** One validator: its storage survives its driver instances. */
export class ClusterNode {
  readonly index: number;
  readonly signer: QbftSigner;
  readonly address: string;
  /** Replaced by {@link wipeChain}. */
  chain: FakeChain;
  readonly store: MemoryRecordStore;
  readonly logs: LogLine[] = [];
  readonly counters = new Map<string, number>();
  readonly #cluster: DriverCluster;
  #instances = 0;
  #alive = false;
  #owner = "";
  #storePort: CrashableStore | undefined;
  driver: QbftDriver | undefined;

  constructor(cluster: DriverCluster, index: number, signer: QbftSigner, chain: FakeChain) {
    this.#cluster = cluster;
    this.index = index;
    this.signer = signer;
    this.address = hex(signer.address);
    this.chain = chain;
    this.store = new MemoryRecordStore(
      cluster.clock,
      cluster.options.saveMs,
      cluster.trace,
      this.address,
    );
  }

  /** The timer owner of the current driver instance. */
  get owner(): string {
    return this.#owner;
  }

  #logger(): ConsensusLogger {
    const line = (level: LogLine["level"]) => (fields: object, message: string) => {
      this.logs.push({ level, fields, message });
    };
    return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
  }

  #metrics(): ConsensusMetrics {
    const add = (name: string, labels: object | undefined, value: number) => {
      const key = `${name}${JSON.stringify(labels ?? {})}`;
      this.counters.set(key, (this.counters.get(key) ?? 0) + value);
    };
    return {
      increment: (name, labels, value = 1) => add(name, labels, value),
      observe: (name, value) => add(name, undefined, value),
    };
  }

  /** Creates a driver instance on this node's storage (a fresh process) and starts it. */
  async start(): Promise<QbftDriver> {
    const cluster = this.#cluster;
    const { options } = cluster;
    this.#instances++;
    this.#owner = `node-${this.index}#${this.#instances}`;
    const instance = { alive: true };
    this.#alive = true;
    const owner = this.#owner;
    this.#storePort = this.store.port(owner);
    const config = createQbftConfig({
      signer: this.signer,
      crypto: cluster.ring.crypto,
      codec: fakeQbftBlockCodec,
      roundTimeout: options.roundTimeout,
    });
    const driver = createQbftDriver(
      {
        config,
        blockPeriodSeconds: options.periodSeconds,
        retryMs: options.retryMs,
        maxQueuedMessages: options.maxQueuedMessages,
      },
      {
        chain: this.chain.port(owner, this.signer.address),
        network: cluster.network.endpoint(this.address, () => instance.alive),
        sync: this.chain.syncPort(owner, () =>
          cluster.nodes.filter((node) => node !== this).map((node) => node.chain),
        ),
        store: this.#storePort,
        timers: cluster.clock.timers(owner),
        logger: this.#logger(),
        metrics: this.#metrics(),
      },
    );
    this.#kill = () => {
      instance.alive = false;
    };
    this.driver = driver;
    await driver.start();
    return driver;
  }

  #kill: () => void = () => {};

  /**
   * Kills the running instance without `stop()`: its timers vanish, its ports go dead, a
   * save under way is lost or (`written`) reached the disk without its promise resolving.
   */
  crash(written: boolean): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#kill();
    this.#storePort?.crash(written);
    this.#cluster.clock.dropOwner(this.#owner);
    this.#cluster.network.detach(this.address);
    this.driver = undefined;
  }

  /** Loses the chain storage (not the signing record): back to genesis alone. */
  wipeChain(): void {
    this.chain = this.chain.emptyCopy();
  }

  /** The running driver (throws when there is none). */
  get running(): QbftDriver {
    if (this.driver === undefined) throw new Error(`node ${this.index} has no driver`);
    return this.driver;
  }

  get height(): bigint {
    return this.chain.headBlock.height;
  }
}

/**
 * n validators, each a real driver on fake ports: an in-memory network, fake chains that
 * "execute" by hashing, memory record stores, all on one manual clock.
 *
 * @example
 * ```ts
 * const cluster = new DriverCluster({ periodSeconds: 1 });
 * await cluster.startAll();
 * await cluster.clock.runUntil(() => cluster.minHeight() >= 5n, 60_000);
 * ```
 */
export class DriverCluster {
  readonly options: Required<ClusterOptions>;
  readonly clock = new ManualClock(CLUSTER_START_MS);
  readonly trace = new Trace();
  readonly ring: FakeQbftCrypto = createFakeQbftCrypto();
  readonly network: MemoryNetwork;
  readonly validators: readonly Uint8Array[];
  readonly nodes: readonly ClusterNode[];

  constructor(options: ClusterOptions = {}) {
    this.options = {
      size: 4,
      periodSeconds: 1,
      roundTimeout: {},
      buildMs: 50,
      validateMs: 50,
      commitMs: 20,
      saveMs: 5,
      latencyMs: 10,
      syncMs: 200,
      retryMs: 1000,
      maxQueuedMessages: 8192,
      ...options,
    };
    this.network = new MemoryNetwork(this.clock, this.options.latencyMs, this.trace);
    const signers = Array.from({ length: this.options.size }, (_, index) =>
      this.ring.signer(`validator-${index}`),
    ).sort((a, b) => Buffer.compare(a.address, b.address));
    this.validators = signers.map((signer) => signer.address);
    const genesis = fakeGenesis(BigInt(Math.floor(CLUSTER_START_MS / 1000)) - 100n);
    const settings = {
      clock: this.clock,
      crypto: this.ring.crypto,
      validators: this.validators,
      periodSeconds: this.options.periodSeconds,
      buildMs: this.options.buildMs,
      validateMs: this.options.validateMs,
      commitMs: this.options.commitMs,
      syncMs: this.options.syncMs,
    };
    this.nodes = signers.map(
      (signer, index) => new ClusterNode(this, index, signer, new FakeChain(settings, genesis)),
    );
  }

  node(index: number): ClusterNode {
    const node = this.nodes[index];
    if (node === undefined) throw new Error(`no node ${index}`);
    return node;
  }

  /** Starts every node but those listed. */
  async startAll(except: readonly number[] = []): Promise<void> {
    for (const node of this.nodes) if (!except.includes(node.index)) await node.start();
  }

  /**
   * Stops every running driver. Virtual time moves meanwhile: a commit under way is never
   * aborted, so a stop may wait for its import.
   */
  async stopAll(): Promise<void> {
    let stopped = false;
    const stopping = Promise.all(this.nodes.map((node) => node.driver?.stop())).then(() => {
      stopped = true;
    });
    while (!stopped) await this.clock.advance(10);
    await stopping;
  }

  /** Lowest chain height among `nodes` (default: all). */
  minHeight(nodes: readonly ClusterNode[] = this.nodes): bigint {
    let low = nodes[0]?.height ?? 0n;
    for (const node of nodes) if (node.height < low) low = node.height;
    return low;
  }

  /** The index of the proposer of (`height`, `round`), from the chain of `node`. */
  proposerIndex(height: bigint, round: number, node: ClusterNode = this.node(0)): number {
    const parent = node.chain.blocks[Number(height - 1n)];
    if (parent === undefined) throw new Error(`no block ${height - 1n}`);
    const proposer = selectQbftProposer(this.validators, parent.proposer, round);
    return this.validators.findIndex((validator) => Buffer.from(validator).equals(proposer));
  }

  /** The messages `node` sent (any of its instances), decoded, in order. */
  sentBy(node: ClusterNode): QbftMessage[] {
    return this.trace.entries.flatMap((entry) => {
      if (entry.kind !== "sent" || entry.node !== node.address) return [];
      const decoded = decodeQbftMessage(entry.bytes, fakeQbftBlockCodec, this.ring.crypto);
      return decoded.ok ? [decoded.message] : [];
    });
  }

  conflictingSignatures(): string[] {
    return this.trace.conflictingSignatures(fakeQbftBlockCodec, this.ring.crypto);
  }

  sendsBeforeTheirRecord(): string[] {
    return this.trace.sendsBeforeTheirRecord(fakeQbftBlockCodec, this.ring.crypto);
  }
}
