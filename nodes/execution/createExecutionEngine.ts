import {
  Block,
  createBlock,
  createBlockHeader,
  genTransactionsTrieRoot,
  type HeaderData,
} from "@ethereumjs/block";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import { createFeeMarket1559Tx, type TypedTransaction } from "@ethereumjs/tx";
import {
  Address,
  bytesToHex,
  bytesToUtf8,
  equalsBytes,
  KECCAK256_NULL,
  setLengthLeft,
  ValueEncoding,
} from "@ethereumjs/util";
import { createVM, type VM } from "@ethereumjs/vm";
import { CustosError } from "../../src/errors/index.ts";
import {
  type ChainDb,
  createNodeCache,
  createWriteBackDb,
  type NodeCache,
  type WriteBackDb,
} from "../db/index.ts";
import type {
  AccountState,
  BuildBlockOptions,
  BuiltBlock,
  CallRequest,
  CallResult,
  ExecutedBlock,
  ExecutionEngine,
} from "./ExecutionEngine.ts";
import { executeTransactions } from "./executeTransactions.ts";
import { installJumpAnalysisCache } from "./installJumpAnalysisCache.ts";

// Once per process, before any block executes (see installJumpAnalysisCache for why).
await installJumpAnalysisCache();

/** Options of {@link createExecutionEngine}. */
export interface ExecutionEngineOptions {
  /** Where blocks and state are stored; its `common` is the engine's chain. */
  readonly chainDb: ChainDb;
  /** Committed trie nodes kept in memory across blocks (default {@link defaultExecutionEngineOptions}). */
  readonly nodeCacheEntries?: number;
}

/** Defaults of {@link ExecutionEngineOptions}. */
export const defaultExecutionEngineOptions = {
  /** ~100 MB of trie nodes at ~200 bytes each. */
  nodeCacheEntries: 500_000,
} as const;

const ERROR_SELECTOR = "0x08c379a0";

function decodeRevertReason(data: Uint8Array): string | undefined {
  if (data.length < 68 || bytesToHex(data.subarray(0, 4)) !== ERROR_SELECTOR) return undefined;
  const length = Number(BigInt(bytesToHex(data.subarray(36, 68))));
  if (68 + length > data.length) return undefined;
  return bytesToUtf8(data.subarray(68, 68 + length));
}

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

/**
 * Creates the EthereumJS-VM execution engine over a chain database.
 *
 * State path: each block executes on a fresh MerkleStateManager (with per-block account and
 * storage caches, so every touched slot is written to the trie once, at the end of the
 * block) whose trie DB is a write-back layer over level; reads below it hit a shared LRU of
 * committed, content-addressed trie nodes. The block's trie writes reach level only in the
 * block's one atomic commit batch.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a parent's or queried block's state root is
 * not stored; `BLOCK_INVALID` from executeBlock naming the mismatching field;
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

  async function stateManagerAt(
    stateRoot: Uint8Array,
  ): Promise<{ stateManager: MerkleStateManager; db: WriteBackDb }> {
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
    return { stateManager: new MerkleStateManager({ common, trie, caches: new Caches() }), db };
  }

  async function vmAt(stateRoot: Uint8Array): Promise<{ vm: VM; db: WriteBackDb }> {
    const { stateManager, db } = await stateManagerAt(stateRoot);
    return { vm: await createVM({ common, stateManager }), db };
  }

  // genTransactionsTrieRoot's default trie hashes with noble, not the chain's crypto.
  const transactionsRoot = (txs: TypedTransaction[]) =>
    genTransactionsTrieRoot(txs, new MerklePatriciaTrie({ common }));

  // State reads need no VM (whose construction builds an EVM and its opcode tables).
  async function stateAt(block: Block): Promise<MerkleStateManager> {
    return (await stateManagerAt(block.header.stateRoot)).stateManager;
  }

  async function run(vm: VM, context: Block, txs: readonly TypedTransaction[], strict: boolean) {
    await vm.evm.journal.checkpoint();
    try {
      const outcome = await executeTransactions(vm, context, txs, strict);
      await vm.evm.journal.commit();
      return { outcome, stateRoot: await vm.stateManager.getStateRoot() };
    } catch (error) {
      await vm.evm.journal.revert();
      throw error;
    }
  }

  async function callAt(request: CallRequest, block: Block, gasLimit: bigint) {
    const { vm } = await vmAt(block.header.stateRoot);
    const caller = new Address(request.from ?? new Uint8Array(20));
    const result = await vm.evm.runCall({
      block,
      caller,
      origin: caller,
      ...(request.to === undefined ? {} : { to: new Address(request.to) }),
      data: request.data ?? new Uint8Array(0),
      value: request.value ?? 0n,
      gasLimit,
      skipBalance: true,
    });
    return result.execResult;
  }

  function intrinsicGas(request: CallRequest): bigint {
    return createFeeMarket1559Tx(
      {
        ...(request.to === undefined ? {} : { to: request.to }),
        data: request.data ?? new Uint8Array(0),
      },
      { common },
    ).getIntrinsicGas();
  }

  return {
    common,

    async buildBlock(parent, pendingTxs, build: BuildBlockOptions): Promise<BuiltBlock> {
      const { vm, db } = await vmAt(parent.header.stateRoot);
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
      try {
        const { outcome, stateRoot } = await run(vm, context, pendingTxs, false);
        // The Block constructor, not createBlock: createBlock re-creates every transaction from
        // its data (a Common copy each, and the recovered sender is lost).
        const header = createBlockHeader(
          {
            ...headerData,
            stateRoot,
            receiptTrie: outcome.receiptsRoot,
            transactionsTrie: await transactionsRoot(outcome.included),
            logsBloom: outcome.logsBloom,
            gasUsed: outcome.gasUsed,
          },
          { common },
        );
        const block = new Block(header, outcome.included, [], [], { common });
        const built: BuiltBlock = {
          block,
          receipts: outcome.receipts,
          stateWrites: db.writes(),
          rejected: outcome.rejected,
        };
        pending.set(built, db);
        return built;
      } catch (error) {
        db.discard();
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
      const txRoot = await transactionsRoot(block.transactions);
      if (!equalsBytes(txRoot, block.header.transactionsTrie)) {
        throw mismatch("transactionsRoot", block.header.transactionsTrie, txRoot, block);
      }
      const baseFee = parent.calcNextBaseFee();
      if (block.header.baseFeePerGas !== baseFee) {
        throw mismatch("baseFeePerGas", block.header.baseFeePerGas ?? 0n, baseFee, block);
      }
      const { vm, db } = await vmAt(parent.stateRoot);
      try {
        const { outcome, stateRoot } = await run(vm, block, block.transactions, true);
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
        const executed: ExecutedBlock = {
          block,
          receipts: outcome.receipts,
          stateWrites: db.writes(),
        };
        pending.set(executed, db);
        return executed;
      } catch (error) {
        db.discard();
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
      const account = await (await stateAt(block)).getAccount(new Address(address));
      return account === undefined
        ? { nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL }
        : { nonce: account.nonce, balance: account.balance, codeHash: account.codeHash };
    },

    async code(address, block) {
      return (await stateAt(block)).getCode(new Address(address));
    },

    async storageAt(address, slot, block) {
      const value = await (await stateAt(block)).getStorage(
        new Address(address),
        setLengthLeft(slot, 32),
      );
      return setLengthLeft(value, 32);
    },

    async call(request, block): Promise<CallResult> {
      const result = await callAt(request, block, request.gas ?? block.header.gasLimit);
      const base = { returnData: result.returnValue, gasUsed: result.executionGasUsed };
      const failure = result.exceptionError;
      if (failure === undefined) return base;
      if (failure.error === "revert") {
        const reason = decodeRevertReason(result.returnValue);
        return {
          ...base,
          revert:
            reason === undefined
              ? { data: result.returnValue }
              : { data: result.returnValue, reason },
        };
      }
      return { ...base, error: failure.error };
    },

    async estimateGas(request, block) {
      const intrinsic = intrinsicGas(request);
      const cap = request.gas ?? block.header.gasLimit;
      const succeeds = async (gas: bigint) => {
        if (gas < intrinsic) return { ok: false, data: new Uint8Array(0) };
        const r = await callAt(request, block, gas - intrinsic);
        return {
          ok: r.exceptionError === undefined,
          data: r.returnValue,
          used: r.executionGasUsed,
        };
      };
      const top = await succeeds(cap);
      if (!top.ok) {
        const reason = decodeRevertReason(top.data);
        throw new CustosError(
          "EXECUTION_REVERTED",
          reason === undefined ? "execution reverted" : `execution reverted: ${reason}`,
          {
            details: { data: bytesToHex(top.data), ...(reason === undefined ? {} : { reason }) },
          },
        );
      }
      // Search between what the call used (a lower bound) and the cap; the 63/64 rule and
      // refunds make the used amount sometimes insufficient, hence the search.
      let low = intrinsic + (top.used ?? 0n) - 1n;
      let high = cap;
      if ((await succeeds(low + 1n)).ok) return low + 1n;
      while (high - low > 1n) {
        const mid = (low + high) / 2n;
        if ((await succeeds(mid)).ok) high = mid;
        else low = mid;
      }
      return high;
    },
  };
}
