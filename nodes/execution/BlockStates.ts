import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches } from "@ethereumjs/statemanager";
import { bytesToHex, ValueEncoding } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { sameBlock } from "../db/createFlatState.ts";
import { type ChainDb, createWriteBackDb, type NodeCache, type WriteBackDb } from "../db/index.ts";
import { type BlockStateManager, createBlockStateManager } from "./createBlockStateManager.ts";
import type { ExecutedBlock } from "./ExecutionEngine.ts";
import type { ExecutionEngineOptions } from "./ExecutionEngineOptions.ts";
import { OwnedStorageStateManager } from "./OwnedStorageStateManager.ts";

/** A state to execute on: the write-back layer collecting its trie writes, and how it ends. */
export interface StateAt {
  readonly stateManager: BlockStateManager | OwnedStorageStateManager;
  readonly db: WriteBackDb;
  /** True when the flat state moved while this state read it: run again without it. */
  readonly stale: () => boolean;
  readonly flatWrites: () => ExecutedBlock["flatWrites"];
}

/**
 * The committed states the execution engine works on. Each state gets its own write-back
 * layer over the chain's trie database (reads below it hit the shared node cache). On the
 * `flat` path a state reads the flat state when that holds its block's state; should a
 * commit move the flat state while the work reads it, the work runs once more on the trie
 * alone. The `merkle` path is EthereumJS's MerkleStateManager over the trie.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` (from its methods) when a state root is not stored.
 * @example
 * ```ts
 * const states = new BlockStates(chainDb, createNodeCache(500_000), "flat");
 * const account = await states.read(block, (state) => state.getAccount(address));
 * ```
 */
export class BlockStates {
  readonly #chainDb: ChainDb;
  readonly #common: Common;
  readonly #cache: NodeCache;
  readonly #statePath: NonNullable<ExecutionEngineOptions["statePath"]>;

  constructor(
    chainDb: ChainDb,
    cache: NodeCache,
    statePath: NonNullable<ExecutionEngineOptions["statePath"]>,
  ) {
    this.#chainDb = chainDb;
    this.#common = chainDb.common;
    this.#cache = cache;
    this.#statePath = statePath;
  }

  /**
   * Runs `work` on the state at `stateRoot`, the post-state of the committed block
   * `blockHash`, and, should the flat state move to another block meanwhile (a commit racing
   * the reads), once more on the trie alone. A failed run's writes are discarded; the
   * returned state's are the caller's to keep or discard.
   */
  async onStateOf<T>(
    stateRoot: Uint8Array,
    blockHash: Uint8Array,
    work: (state: StateAt) => Promise<T>,
  ): Promise<{ result: T; state: StateAt }> {
    const state = await this.#stateAt(stateRoot, blockHash, true);
    try {
      const result = await work(state);
      if (!state.stale()) return { result, state };
    } catch (error) {
      if (!state.stale()) {
        state.db.discard();
        throw error;
      }
    }
    state.db.discard();
    const again = await this.#stateAt(stateRoot, blockHash, false);
    try {
      return { result: await work(again), state: again };
    } catch (error) {
      again.db.discard();
      throw error;
    }
  }

  /** Reads at a committed block's state (no VM: its construction builds opcode tables). */
  async read<T>(block: Block, read: (state: StateAt["stateManager"]) => Promise<T>): Promise<T> {
    const { result } = await this.onStateOf(block.header.stateRoot, block.hash(), (state) =>
      read(state.stateManager),
    );
    return result;
  }

  /**
   * The state at `stateRoot`, the post-state of block `blockHash`: on the flat path it reads
   * the flat state when that holds this block's state and `useFlat` allows.
   */
  async #stateAt(stateRoot: Uint8Array, blockHash: Uint8Array, useFlat: boolean): Promise<StateAt> {
    if (this.#statePath === "merkle") return this.#merkleStateAt(stateRoot);
    const db = createWriteBackDb(this.#chainDb.trieDb, this.#cache);
    const { flatState } = this.#chainDb;
    const flat = useFlat && sameBlock(flatState.blockHash, blockHash) ? flatState : undefined;
    const stateManager = createBlockStateManager({
      common: this.#common,
      db,
      stateRoot,
      ...(flat === undefined ? {} : { flat }),
    });
    return {
      stateManager,
      db,
      stale: () => stateManager.flatStateChanged(),
      flatWrites: () => stateManager.flatWrites(),
    };
  }

  async #merkleStateAt(stateRoot: Uint8Array): Promise<StateAt> {
    const common = this.#common;
    const db = createWriteBackDb(this.#chainDb.trieDb, this.#cache);
    const trie = new MerklePatriciaTrie({
      db,
      root: stateRoot,
      useKeyHashing: true,
      valueEncoding: ValueEncoding.Bytes,
      common,
    });
    if (!(await trie.checkRoot(stateRoot))) {
      throw new CustosError(
        "STATE_NOT_AVAILABLE",
        `state root ${bytesToHex(stateRoot)} is not stored`,
        {
          details: { stateRoot: bytesToHex(stateRoot) },
        },
      );
    }
    const stateManager = new OwnedStorageStateManager({ common, trie, caches: new Caches() });
    return { stateManager, db, stale: () => false, flatWrites: () => undefined };
  }
}
