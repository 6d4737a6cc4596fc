import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import type { TypedTransaction } from "@ethereumjs/tx";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { ChainDb, CommitOptions, WriteBackDb } from "../db/index.ts";
import type { BlockStates, StateAt } from "./BlockStates.ts";
import type { SenderRecovery } from "./createSenderRecovery.ts";
import { createTransientVm } from "./createTransientVm.ts";
import type { ExecutedBlock } from "./ExecutionEngine.ts";
import type { ExecutionEngineOptions } from "./ExecutionEngineOptions.ts";
import { executeTransactions, type TransactionsOutcome } from "./executeTransactions.ts";
import { orderedTrieRoot } from "./orderedTrieRoot.ts";

/** What {@link BlockExecutor} runs blocks with. */
export interface BlockExecutorParts {
  readonly chainDb: ChainDb;
  readonly states: BlockStates;
  /** Answers BLOCKHASH (see `canonicalBlockHashes`). */
  readonly blockchain: EVMMockBlockchainInterface;
  readonly statePath: NonNullable<ExecutionEngineOptions["statePath"]>;
  /** Recovers senders on a worker ahead of execution; absent, EthereumJS recovers them inline. */
  readonly senderRecovery: SenderRecovery | undefined;
}

/** Executed transactions and the state root they leave. */
export interface BlockRun {
  readonly outcome: TransactionsOutcome;
  readonly stateRoot: Uint8Array;
}

/**
 * Executes a block's transactions on its parent's committed state, and keeps each executed
 * block's trie writes (in the state's write-back layer) until the block is committed.
 *
 * @example
 * ```ts
 * const executor = new BlockExecutor({ chainDb, states, blockchain, statePath: "flat", senderRecovery: undefined });
 * const { result, state } = await executor.execute(parent.stateRoot, parentHash, block, block.transactions, true);
 * executor.hold(executed, state.db);
 * await executor.commit(executed);
 * ```
 */
export class BlockExecutor {
  /** The chain's `Common` (`chainDb.common`), shared by every block and VM. */
  readonly common: Common;
  readonly #parts: BlockExecutorParts;
  readonly #keccak: (data: Uint8Array) => Uint8Array;
  readonly #pending = new WeakMap<ExecutedBlock, WriteBackDb>();

  constructor(parts: BlockExecutorParts) {
    this.#parts = parts;
    this.common = parts.chainDb.common;
    this.#keccak = this.common.customCrypto.keccak256 ?? keccak_256;
  }

  /** The transactions trie root of `txs`, with the chain's keccak. */
  transactionsRoot(txs: readonly TypedTransaction[]): Uint8Array {
    return orderedTrieRoot(
      txs.map((tx) => tx.serialize()),
      this.#keccak,
    );
  }

  /**
   * Executes `txs` in `context` on the committed state at `stateRoot` (block `blockHash`'s
   * post-state); `strict` makes an invalid transaction fail the run instead of being left
   * out. The returned state's writes are the caller's: {@link hold} them or discard them.
   */
  execute(
    stateRoot: Uint8Array,
    blockHash: Uint8Array,
    context: Block,
    txs: readonly TypedTransaction[],
    strict: boolean,
  ): Promise<{ result: BlockRun; state: StateAt }> {
    return this.#parts.states.onStateOf(stateRoot, blockHash, (state) =>
      this.#run(state, context, txs, strict),
    );
  }

  /** Keeps `executed`'s trie writes in `db` until {@link commit}. */
  hold(executed: ExecutedBlock, db: WriteBackDb): void {
    this.#pending.set(executed, db);
  }

  /** Holds `from`'s trie writes for `to` instead (the same block, re-sealed). */
  transfer(from: ExecutedBlock, to: ExecutedBlock): void {
    const db = this.#pending.get(from);
    if (db === undefined) return;
    this.#pending.delete(from);
    this.#pending.set(to, db);
  }

  /** Stores an executed block atomically, then lets its write-back layer go. */
  async commit(executed: ExecutedBlock, options?: CommitOptions): Promise<void> {
    const db = this.#pending.get(executed);
    await this.#parts.chainDb.commitBlock(executed, options);
    this.#pending.delete(executed);
    db?.committed();
  }

  /** Holds a re-executed committed block's state changes again (see `ChainDb.restoreState`). */
  restore(executed: ExecutedBlock): void {
    const db = this.#pending.get(executed);
    this.#parts.chainDb.restoreState(executed);
    this.#pending.delete(executed);
    db?.committed();
  }

  /** Executes `txs` in `context` on `state`; returns the outcome and the new state root. */
  async #run(
    state: StateAt,
    context: Block,
    txs: readonly TypedTransaction[],
    strict: boolean,
  ): Promise<BlockRun> {
    const { blockchain, senderRecovery, statePath } = this.#parts;
    const vm = await createTransientVm({
      common: this.common,
      stateManager: state.stateManager,
      blockchain,
    });
    const senders = senderRecovery?.prefetch(txs);
    // The merkle path flushes its caches into the trie when the outermost checkpoint
    // commits: one checkpoint around the block makes that happen once, at the end. The flat
    // path needs none (a failed block's state manager is dropped whole).
    if (statePath === "flat") {
      const outcome = await executeTransactions(vm, context, txs, strict, senders);
      return { outcome, stateRoot: await vm.stateManager.getStateRoot() };
    }
    await vm.evm.journal.checkpoint();
    try {
      const outcome = await executeTransactions(vm, context, txs, strict, senders);
      await vm.evm.journal.commit();
      return { outcome, stateRoot: await vm.stateManager.getStateRoot() };
    } catch (error) {
      await vm.evm.journal.revert();
      throw error;
    }
  }
}
