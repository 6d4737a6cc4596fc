import { type Block, createBlockFromRLP } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import { type EthereumQbftBlock, sealExecutedBlock, toQbftBlock } from "../chain/index.ts";
import type { QbftBlock } from "../consensus/core/index.ts";
import type { ConsensusChain, ConsensusChainHead } from "../consensus/driver/index.ts";
import type { ChainDb } from "../db/index.ts";
import type { ExecutedBlock, ExecutionEngine } from "../execution/index.ts";
import type { BlockImporter } from "../sync/index.ts";
import type { Clock } from "./Clock.ts";
import type { BlockBuilder } from "./createBlockBuilder.ts";

/** Options of {@link createNodeChain}. */
export interface NodeChainOptions {
  /** The chain's block period in seconds: a proposal must be at least this far after its parent. */
  readonly periodSeconds: number;
  /** The chain's block gas limit: every header carries it. */
  readonly gasLimit: bigint;
  /** How far a proposal's timestamp may be ahead of this node's clock, in seconds. */
  readonly maxFutureSeconds?: number;
  /** This validator's address (the coinbase of what it proposes); absent on an observer. */
  readonly validator?: Uint8Array;
}

/** Defaults of {@link NodeChainOptions}. */
export const defaultNodeChainOptions = { maxFutureSeconds: 10 } as const;

/** What the chain adapter works with. */
export interface NodeChainPorts {
  readonly common: Common;
  readonly chainDb: Pick<ChainDb, "head" | "sync">;
  readonly engine: Pick<ExecutionEngine, "executeBlock" | "withBlock" | "commit">;
  /** The validator set of the block after `parent` (the Consortium's, on the parent's state). */
  readonly validators: (parent: Block) => Promise<readonly Uint8Array[]>;
  /** Builds this validator's proposals; absent on an observer. */
  readonly builder?: Pick<BlockBuilder, "build" | "learn">;
  readonly clock: Clock;
  /**
   * Called after each block is committed, by consensus (`own`) or by sync, before the next
   * import starts: the pool, the membership cache, subscribers and peers hear of it here.
   */
  readonly onCommitted: (executed: ExecutedBlock, seconds: number) => Promise<void>;
}

/** The chain as both consensus and block sync write to it. */
export interface NodeChain extends ConsensusChain, BlockImporter {}

/** Errors of a block that is wrong, as opposed to this node failing to check it. */
const BLOCK_FAULTS = new Set(["BLOCK_INVALID", "QBFT_SEAL_INVALID", "QBFT_EXTRA_DATA_INVALID"]);

/** Executed proposals kept for their commit, beyond which the oldest go. */
const MAX_HELD = 16;

function invalid(message: string, details: Record<string, unknown>): CustosError {
  return new CustosError("BLOCK_INVALID", message, { details });
}

/** A one-at-a-time lock: imports from consensus and sync never interleave. */
class ImportLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

interface MemoisedValidators {
  readonly hash: string;
  readonly validators: Promise<readonly Uint8Array[]>;
}

const unread: MemoisedValidators = { hash: "", validators: Promise.resolve([]) };

class EngineChain implements NodeChain {
  readonly #options: NodeChainOptions;
  readonly #ports: NodeChainPorts;
  readonly #lock = new ImportLock();
  /** Executed proposals by block hash (the same at every round), for their commit. */
  readonly #held = new Map<string, ExecutedBlock>();
  /** The next height's validators, memoised by the head's hash. */
  #validatorsFor: MemoisedValidators = unread;

  constructor(options: NodeChainOptions, ports: NodeChainPorts) {
    this.#options = options;
    this.#ports = ports;
  }

  #head(): Block {
    const head = this.#ports.chainDb.head();
    if (head === undefined) throw new CustosError("INTERNAL", "the chain database has no head");
    return head;
  }

  headNumber(): bigint {
    return this.#head().header.number;
  }

  async head(): Promise<ConsensusChainHead> {
    const block = this.#head();
    const hash = block.hash();
    const key = bytesToHex(hash);
    if (this.#validatorsFor.hash !== key) {
      const validators = this.#ports.validators(block);
      this.#validatorsFor = { hash: key, validators };
      // A failed read is tried again at the next call, not remembered.
      validators.catch(() => {
        if (this.#validatorsFor.validators === validators) this.#validatorsFor = unread;
      });
    }
    return {
      head: { height: block.header.number, hash, proposer: block.header.coinbase.bytes },
      timestamp: block.header.timestamp,
      validators: await this.#validatorsFor.validators,
    };
  }

  async buildBlock(height: bigint, round: number, parentHash: Uint8Array): Promise<QbftBlock> {
    const { builder } = this.#ports;
    const coinbase = this.#options.validator;
    if (builder === undefined || coinbase === undefined) {
      throw new CustosError("INTERNAL", "an observer was asked to propose a block");
    }
    const parent = this.#parentOf(height, parentHash);
    const { validators } = await this.head();
    const started = this.#ports.clock.now();
    const built = await builder.build(parent, { validators, round, coinbase });
    builder.learn(built.block.header.gasUsed, (this.#ports.clock.now() - started) / 1000);
    const block = toQbftBlock(built.block);
    this.#hold(block.hash, built);
    return block;
  }

  async validateBlock(block: QbftBlock): Promise<boolean> {
    const candidate = block as EthereumQbftBlock;
    const parent = this.#parentOf(candidate.height, candidate.parentHash);
    if (this.#held.has(bytesToHex(candidate.hash))) return true;
    const header = candidate.block.header;
    const period = BigInt(this.#options.periodSeconds);
    const latest =
      BigInt(Math.floor(this.#ports.clock.now() / 1000)) +
      BigInt(this.#options.maxFutureSeconds ?? defaultNodeChainOptions.maxFutureSeconds);
    if (
      header.timestamp < parent.header.timestamp + period ||
      header.timestamp > latest ||
      header.gasLimit !== this.#options.gasLimit
    ) {
      return false;
    }
    try {
      const executed = await this.#ports.engine.executeBlock(candidate.block, { proposal: true });
      this.#hold(candidate.hash, executed);
      return true;
    } catch (error) {
      if (isCustosError(error) && BLOCK_FAULTS.has(error.code)) return false;
      throw error;
    }
  }

  commitBlock(block: QbftBlock, seals: readonly Uint8Array[]): Promise<ConsensusChainHead> {
    return this.#lock.run(async () => {
      const head = this.#head();
      if (head.header.number >= block.height) return this.head();
      const candidate = block as EthereumQbftBlock;
      const key = bytesToHex(candidate.hash);
      const started = this.#ports.clock.now();
      const executed =
        this.#held.get(key) ??
        (await this.#ports.engine.executeBlock(candidate.block, { proposal: true }));
      this.#held.delete(key);
      const sealed = sealExecutedBlock(this.#ports.engine, executed, seals);
      await this.#commit(sealed, started);
      return this.head();
    });
  }

  importBlock(encoded: Uint8Array): Promise<void> {
    return this.#lock.run(async () => {
      let block: Block;
      try {
        block = createBlockFromRLP(encoded, { common: this.#ports.common, setHardfork: false });
      } catch (cause) {
        throw new CustosError("BLOCK_INVALID", "a synced block does not decode", { cause });
      }
      const head = this.#head();
      const number = block.header.number;
      // Consensus (or an earlier batch) got there first.
      if (number <= head.header.number) return;
      if (
        number !== head.header.number + 1n ||
        !equalsBytes(block.header.parentHash, head.hash())
      ) {
        throw invalid(`synced block ${number} does not extend the head`, {
          number: number.toString(),
          head: head.header.number.toString(),
        });
      }
      const started = this.#ports.clock.now();
      const executed = await this.#ports.engine.executeBlock(block);
      // Made durable by flush() once per batch (or by the next consensus commit).
      await this.#commit(executed, started, false);
    });
  }

  flush(): Promise<void> {
    return this.#lock.run(() => this.#ports.chainDb.sync());
  }

  async #commit(executed: ExecutedBlock, started: number, durable = true): Promise<void> {
    await this.#ports.engine.commit(executed, { durable });
    const number = executed.block.header.number;
    for (const [key, held] of this.#held) {
      if (held.block.header.number <= number) this.#held.delete(key);
    }
    await this.#ports.onCommitted(executed, (this.#ports.clock.now() - started) / 1000);
  }

  /** The head, when it is the parent named; otherwise this node cannot tell (it moved on). */
  #parentOf(height: bigint, parentHash: Uint8Array): Block {
    const head = this.#head();
    if (head.header.number + 1n !== height || !equalsBytes(head.hash(), parentHash)) {
      throw new CustosError("STATE_NOT_AVAILABLE", `block ${height} does not build on the head`, {
        details: { height: height.toString(), head: head.header.number.toString() },
      });
    }
    return head;
  }

  #hold(hash: Uint8Array, executed: ExecutedBlock): void {
    if (this.#held.size >= MAX_HELD) {
      const oldest = this.#held.keys().next().value;
      if (oldest !== undefined) this.#held.delete(oldest);
    }
    this.#held.set(bytesToHex(hash), executed);
  }
}

/**
 * The node's chain as consensus (`ConsensusChain`) and block sync (`BlockImporter`) see it:
 * the execution engine and chain database behind both, with one import at a time. A
 * proposal is validated by its timestamp (at least a period after its parent, at most
 * `maxFutureSeconds` ahead of this node's clock), its gas limit and a full re-execution
 * whose header rule checks the extraData's validator set; the executed result is held,
 * keyed by the block's hash, until the block is committed with its seals, so a committed
 * block is executed once. A synced block is executed with its seals checked against its
 * height's validator set and committed without a sync of its own: `flush()` makes a batch
 * durable at once (a consensus commit is always durable, and so is everything before it).
 * Every commit, either way, calls `onCommitted` before the next.
 *
 * @example
 * ```ts
 * const chain = createNodeChain({ periodSeconds: 1, gasLimit, validator }, ports);
 * const driver = createQbftDriver(options, { chain, sync: createBlockSync({ source, importer: chain }), ... });
 * ```
 */
export function createNodeChain(options: NodeChainOptions, ports: NodeChainPorts): NodeChain {
  return new EngineChain(options, ports);
}
