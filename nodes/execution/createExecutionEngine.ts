import { Block, createBlock, createBlockHeader, type HeaderData } from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import type { TypedTransaction } from "@ethereumjs/tx";
import {
  Address,
  bytesToHex,
  equalsBytes,
  KECCAK256_NULL,
  setLengthLeft,
  ValueEncoding,
} from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../src/errors/index.ts";
import { sameBlock } from "../db/createFlatState.ts";
import {
  type ChainDb,
  createNodeCache,
  createWriteBackDb,
  type NodeCache,
  type WriteBackDb,
} from "../db/index.ts";
import { canonicalBlockHashes } from "./canonicalBlockHashes.ts";
import { type BlockStateManager, createBlockStateManager } from "./createBlockStateManager.ts";
import { createSenderRecovery } from "./createSenderRecovery.ts";
import { createTransientVm } from "./createTransientVm.ts";
import type {
  AccountState,
  BuildBlockOptions,
  BuiltBlock,
  CallRequest,
  CallResult,
  ExecutedBlock,
  ExecutionEngine,
  RejectedTransaction,
} from "./ExecutionEngine.ts";
import { executeTransactions } from "./executeTransactions.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";
import { orderedTrieRoot } from "./orderedTrieRoot.ts";
import type { RecoveredKeyMemo } from "./RecoveredKeyMemo.ts";
import { runMessageCall } from "./runMessageCall.ts";
import { searchCallGas } from "./searchCallGas.ts";

/** Options of {@link createExecutionEngine}. */
export interface ExecutionEngineOptions {
  /** Where blocks and state are stored; its `common` is the engine's chain. */
  readonly chainDb: ChainDb;
  /** Committed trie nodes kept in memory across blocks (default {@link defaultExecutionEngineOptions}). */
  readonly nodeCacheEntries?: number;
  /**
   * `flat` (default): blocks execute on {@link createBlockStateManager} — base reads from the
   * flat state when it holds the parent's state, one batched update per trie, flat-state
   * changes committed with the block. `merkle`: EthereumJS's MerkleStateManager over the
   * trie, put by put, and no flat-state changes (the reference the tests compare against,
   * and the benchmark's baseline).
   */
  readonly statePath?: "flat" | "merkle";
  /**
   * The memo `chainDb.common`'s `ecrecover` reads (`createCustosCommon({ recoveredKeys })`).
   * Given, transaction senders are recovered on a worker thread while earlier transactions
   * execute (createSenderRecovery) and handed over through it; absent, on the main thread,
   * as EthereumJS does.
   */
  readonly recoveredKeys?: RecoveredKeyMemo | undefined;
}

/** Defaults of {@link ExecutionEngineOptions}. */
export const defaultExecutionEngineOptions = {
  /** ~100 MB of trie nodes at ~200 bytes each. */
  nodeCacheEntries: 500_000,
  statePath: "flat",
} as const;

function mismatch(
  field: string,
  expected: Uint8Array | bigint,
  actual: Uint8Array | bigint,
  block: Block,
): CustosError {
  const show = (v: Uint8Array | bigint) => (typeof v === "bigint" ? v.toString() : bytesToHex(v));
  return new CustosError(
    "BLOCK_INVALID",
    `block ${block.header.number}: ${field} does not match re-execution`,
    {
      details: {
        field,
        blockNumber: block.header.number.toString(),
        expected: show(expected),
        actual: show(actual),
      },
    },
  );
}

/** The rejections of `txs`, in their order: those found before execution, then during. */
function inOrder(
  txs: readonly TypedTransaction[],
  before: ReadonlyMap<TypedTransaction, RejectedTransaction>,
  during: readonly RejectedTransaction[],
): RejectedTransaction[] {
  if (before.size === 0) return [...during];
  const all = new Map(before);
  for (const rejected of during) all.set(rejected.tx, rejected);
  return txs.flatMap((tx) => all.get(tx) ?? []);
}

/** geth's words for a transaction over the per-transaction gas cap (EIP-7825). */
function gasCapReason(gasLimit: bigint): string {
  return `transaction gas limit too high (cap: ${MAX_TX_GAS}, tx: ${gasLimit})`;
}

/**
 * Creates the EthereumJS-VM execution engine over a chain database.
 *
 * State path: each block executes on a fresh state manager ({@link createBlockStateManager})
 * over its parent's committed state: reads come from the flat state when it holds the
 * parent's state (normally: the parent is the head), else from the trie; at the end, every
 * changed trie is updated in one batch and hashed once. Trie nodes go into a write-back
 * layer over level (reads below it hit a shared cache of committed, content-addressed
 * nodes); nodes and flat-state changes reach level only in the block's one atomic commit
 * batch. A block whose flat-state reads raced a commit is executed again on the trie.
 *
 * A transaction declaring more gas than {@link MAX_TX_GAS} is left out of a built block
 * (rejected as invalid) and makes a received block invalid.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a parent's or queried block's state root is
 * not stored; `BLOCK_INVALID` from executeBlock naming the mismatching field (or the
 * transaction, `transactions[i].gasLimit`, above the per-transaction gas cap);
 * `EXECUTION_REVERTED` from estimateGas; `CHAIN_DB_COMMIT_FAILED` from commit.
 * @example
 * ```ts
 * const engine = createExecutionEngine({ chainDb });
 * const built = await engine.buildBlock(chainDb.head()!, txs, { timestamp, coinbase, gasLimit });
 * await engine.commit(built);
 * ```
 */
export function createExecutionEngine(options: ExecutionEngineOptions): ExecutionEngine {
  const { chainDb } = options;
  const { common } = chainDb;
  const cache: NodeCache = createNodeCache(
    options.nodeCacheEntries ?? defaultExecutionEngineOptions.nodeCacheEntries,
  );
  const pending = new WeakMap<ExecutedBlock, WriteBackDb>();

  const blockchain = canonicalBlockHashes(chainDb);
  const statePath = options.statePath ?? defaultExecutionEngineOptions.statePath;
  const senderRecovery =
    options.recoveredKeys === undefined ? undefined : createSenderRecovery(options.recoveredKeys);

  /** A state to execute on: the write-back layer collecting its trie writes, and how it ends. */
  interface StateAt {
    readonly stateManager: BlockStateManager | MerkleStateManager;
    readonly db: WriteBackDb;
    /** True when the flat state moved while this state read it: run again without it. */
    readonly stale: () => boolean;
    readonly flatWrites: () => ExecutedBlock["flatWrites"];
  }

  async function merkleStateAt(stateRoot: Uint8Array): Promise<StateAt> {
    const db = createWriteBackDb(chainDb.trieDb, cache);
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
    const stateManager = new MerkleStateManager({ common, trie, caches: new Caches() });
    return { stateManager, db, stale: () => false, flatWrites: () => undefined };
  }

  /**
   * The state at `stateRoot`, the post-state of block `blockHash`: on the flat path it reads
   * the flat state when that holds this block's state and `useFlat` allows.
   */
  async function stateAt(
    stateRoot: Uint8Array,
    blockHash: Uint8Array,
    useFlat: boolean,
  ): Promise<StateAt> {
    if (statePath === "merkle") return merkleStateAt(stateRoot);
    const db = createWriteBackDb(chainDb.trieDb, cache);
    const { flatState } = chainDb;
    const flat = useFlat && sameBlock(flatState.blockHash, blockHash) ? flatState : undefined;
    const stateManager = createBlockStateManager({
      common,
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

  /**
   * Runs `work` on the state of `block` (a committed block) and, should the flat state move
   * to another block meanwhile (a commit racing the reads), once more on the trie alone.
   */
  async function onStateOf<T>(
    stateRoot: Uint8Array,
    blockHash: Uint8Array,
    work: (state: StateAt) => Promise<T>,
  ): Promise<{ result: T; state: StateAt }> {
    const state = await stateAt(stateRoot, blockHash, true);
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
    const again = await stateAt(stateRoot, blockHash, false);
    try {
      return { result: await work(again), state: again };
    } catch (error) {
      again.db.discard();
      throw error;
    }
  }

  const keccak = common.customCrypto.keccak256 ?? keccak_256;
  const transactionsRoot = (txs: readonly TypedTransaction[]) =>
    orderedTrieRoot(
      txs.map((tx) => tx.serialize()),
      keccak,
    );

  /** Executes `txs` in `context` on `state`; returns the outcome and the new state root. */
  async function run(
    state: StateAt,
    context: Block,
    txs: readonly TypedTransaction[],
    strict: boolean,
  ) {
    const vm = await createTransientVm({ common, stateManager: state.stateManager, blockchain });
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

  async function callAt(request: CallRequest, block: Block, gas: bigint): Promise<CallResult> {
    const { result } = await onStateOf(block.header.stateRoot, block.hash(), (state) =>
      runMessageCall({ common, stateManager: state.stateManager, blockchain }, request, block, gas),
    );
    return result;
  }

  /** Reads at a committed block's state (no VM: its construction builds opcode tables). */
  async function readAt<T>(block: Block, read: (state: StateAt["stateManager"]) => Promise<T>) {
    const { result } = await onStateOf(block.header.stateRoot, block.hash(), (state) =>
      read(state.stateManager),
    );
    return result;
  }

  return {
    common,

    async buildBlock(parent, pendingTxs, build: BuildBlockOptions): Promise<BuiltBlock> {
      const headerData: HeaderData = {
        parentHash: parent.hash(),
        number: parent.header.number + 1n,
        timestamp: build.timestamp,
        coinbase: build.coinbase,
        gasLimit: build.gasLimit,
        extraData: build.extraData ?? new Uint8Array(0),
        baseFeePerGas: parent.header.calcNextBaseFee(),
        difficulty: 0n,
      };
      const context = createBlock({ header: headerData }, { common });
      const overCap = new Map<TypedTransaction, RejectedTransaction>();
      const candidates = pendingTxs.filter((tx) => {
        if (tx.gasLimit <= MAX_TX_GAS) return true;
        overCap.set(tx, { tx, kind: "invalid", reason: gasCapReason(tx.gasLimit) });
        return false;
      });
      const {
        result: { outcome, stateRoot },
        state,
      } = await onStateOf(parent.header.stateRoot, parent.hash(), (s) =>
        run(s, context, candidates, false),
      );
      try {
        // The Block constructor, not createBlock: createBlock re-creates every transaction from
        // its data (a Common copy each, and the recovered sender is lost).
        const header = createBlockHeader(
          {
            ...headerData,
            stateRoot,
            receiptTrie: outcome.receiptsRoot,
            transactionsTrie: transactionsRoot(outcome.included),
            logsBloom: outcome.logsBloom,
            gasUsed: outcome.gasUsed,
          },
          { common },
        );
        const block = new Block(header, outcome.included, [], [], { common });
        const flatWrites = state.flatWrites();
        const built: BuiltBlock = {
          block,
          receipts: outcome.receipts,
          stateWrites: state.db.writes(),
          ...(flatWrites === undefined ? {} : { flatWrites }),
          rejected: inOrder(pendingTxs, overCap, outcome.rejected),
        };
        pending.set(built, state.db);
        return built;
      } catch (error) {
        state.db.discard();
        throw error;
      }
    },

    async executeBlock(block): Promise<ExecutedBlock> {
      const parent = await chainDb.headerByHash(block.header.parentHash);
      if (parent === undefined || parent.number + 1n !== block.header.number) {
        throw new CustosError("BLOCK_INVALID", `block ${block.header.number}: unknown parent`, {
          details: { field: "parentHash", blockNumber: block.header.number.toString() },
        });
      }
      if (block.header.timestamp <= parent.timestamp) {
        throw mismatch("timestamp", parent.timestamp + 1n, block.header.timestamp, block);
      }
      if (block.uncleHeaders.length > 0) {
        throw mismatch("uncleHash", new Uint8Array(0), block.header.uncleHash, block);
      }
      for (const [index, tx] of block.transactions.entries()) {
        if (tx.gasLimit > MAX_TX_GAS) {
          const reason = gasCapReason(tx.gasLimit);
          throw new CustosError(
            "BLOCK_INVALID",
            `block ${block.header.number}: transaction ${index} ${reason}`,
            {
              details: {
                field: `transactions[${index}].gasLimit`,
                blockNumber: block.header.number.toString(),
                txHash: bytesToHex(tx.hash()),
                gasLimit: tx.gasLimit.toString(),
                cap: MAX_TX_GAS.toString(),
              },
            },
          );
        }
      }
      const txRoot = transactionsRoot(block.transactions);
      if (!equalsBytes(txRoot, block.header.transactionsTrie)) {
        throw mismatch("transactionsRoot", block.header.transactionsTrie, txRoot, block);
      }
      const baseFee = parent.calcNextBaseFee();
      if (block.header.baseFeePerGas !== baseFee) {
        throw mismatch("baseFeePerGas", block.header.baseFeePerGas ?? 0n, baseFee, block);
      }
      const {
        result: { outcome, stateRoot },
        state,
      } = await onStateOf(parent.stateRoot, block.header.parentHash, (s) =>
        run(s, block, block.transactions, true),
      );
      try {
        const h = block.header;
        if (outcome.gasUsed !== h.gasUsed)
          throw mismatch("gasUsed", h.gasUsed, outcome.gasUsed, block);
        if (!equalsBytes(outcome.receiptsRoot, h.receiptTrie)) {
          throw mismatch("receiptsRoot", h.receiptTrie, outcome.receiptsRoot, block);
        }
        if (!equalsBytes(outcome.logsBloom, h.logsBloom)) {
          throw mismatch("logsBloom", h.logsBloom, outcome.logsBloom, block);
        }
        if (!equalsBytes(stateRoot, h.stateRoot))
          throw mismatch("stateRoot", h.stateRoot, stateRoot, block);
        const flatWrites = state.flatWrites();
        const executed: ExecutedBlock = {
          block,
          receipts: outcome.receipts,
          stateWrites: state.db.writes(),
          ...(flatWrites === undefined ? {} : { flatWrites }),
        };
        pending.set(executed, state.db);
        return executed;
      } catch (error) {
        state.db.discard();
        throw error;
      }
    },

    async commit(executed) {
      const db = pending.get(executed);
      await chainDb.commitBlock(executed);
      pending.delete(executed);
      db?.committed();
    },

    async account(address, block): Promise<AccountState> {
      const account = await readAt(block, (state) => state.getAccount(new Address(address)));
      return account === undefined
        ? { nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL }
        : { nonce: account.nonce, balance: account.balance, codeHash: account.codeHash };
    },

    async code(address, block) {
      return readAt(block, (state) => state.getCode(new Address(address)));
    },

    async storageAt(address, slot, block) {
      const value = await readAt(block, (state) =>
        state.getStorage(new Address(address), setLengthLeft(slot, 32)),
      );
      return setLengthLeft(value, 32);
    },

    call(request, block): Promise<CallResult> {
      return callAt(request, block, request.gas ?? block.header.gasLimit);
    },

    async estimateGas(request, block) {
      let cap = request.gas ?? block.header.gasLimit;
      if (cap > MAX_TX_GAS) cap = MAX_TX_GAS;
      const outcome = await searchCallGas((gas) => callAt(request, block, gas), cap);
      if (outcome.ok) return outcome.gas;
      const { result } = outcome;
      const data = result.revert?.data ?? result.returnData;
      const reason = result.revert?.reason;
      throw new CustosError(
        "EXECUTION_REVERTED",
        reason === undefined ? "execution reverted" : `execution reverted: ${reason}`,
        {
          details: {
            data: bytesToHex(data),
            ...(reason === undefined ? {} : { reason }),
            ...(result.error === undefined ? {} : { error: result.error }),
          },
        },
      );
    },
  };
}
