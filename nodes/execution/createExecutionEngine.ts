import { Block, type BlockHeader } from "@ethereumjs/block";
import { Address, bytesToHex, equalsBytes, KECCAK256_NULL, setLengthLeft } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { createNodeCache } from "../db/index.ts";
import { BlockExecutor } from "./BlockExecutor.ts";
import { BlockStates } from "./BlockStates.ts";
import { buildBlock } from "./buildBlock.ts";
import { canonicalBlockHashes } from "./canonicalBlockHashes.ts";
import { createSenderRecovery } from "./createSenderRecovery.ts";
import type {
  AccountState,
  BuildBlockOptions,
  BuiltBlock,
  CallRequest,
  CallResult,
  ExecuteBlockOptions,
  ExecutedBlock,
  ExecutionEngine,
} from "./ExecutionEngine.ts";
import {
  defaultExecutionEngineOptions,
  type ExecutionEngineOptions,
} from "./ExecutionEngineOptions.ts";
import { executeBlock } from "./executeBlock.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";
import { runMessageCall } from "./runMessageCall.ts";
import { searchCallGas } from "./searchCallGas.ts";

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
 * (rejected as invalid) and makes a received block invalid. A received block meets the
 * `headerRule` (consensus fields, commit seals: calls it makes run on the parent's state)
 * before it executes.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a parent's or queried block's state root is
 * not stored; `BLOCK_INVALID` from executeBlock naming the mismatching field (or the
 * transaction, `transactions[i].gasLimit`, above the per-transaction gas cap), and from
 * withBlock when the block is not the executed one; what the `headerRule` throws
 * (`QBFT_SEAL_INVALID`);
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
  const cache = createNodeCache(
    options.nodeCacheEntries ?? defaultExecutionEngineOptions.nodeCacheEntries,
  );
  const blockchain = canonicalBlockHashes(chainDb);
  const statePath = options.statePath ?? defaultExecutionEngineOptions.statePath;
  const senderRecovery =
    options.recoveredKeys === undefined ? undefined : createSenderRecovery(options.recoveredKeys);
  const states = new BlockStates(chainDb, cache, statePath);
  const executor = new BlockExecutor({ chainDb, states, blockchain, statePath, senderRecovery });
  const { headerRule, accelerator } = options;

  async function callAt(request: CallRequest, block: Block, gas: bigint): Promise<CallResult> {
    const { result } = await states.onStateOf(block.header.stateRoot, block.hash(), (state) =>
      runMessageCall({ common, stateManager: state.stateManager, blockchain }, request, block, gas),
    );
    return result;
  }

  /** `block` checked by the header rule on top of `parent`, its calls on the parent's state. */
  function checkHeader(block: Block, executeOptions: ExecuteBlockOptions | undefined) {
    const rule = headerRule;
    if (rule === undefined) return undefined;
    return (parent: BlockHeader) => {
      // Calls need a block for their context; the parent's header is all they read of it.
      const context = new Block(parent, [], [], [], { common });
      return rule.check(block.header, {
        parent,
        call: (request) => callAt(request, context, request.gas ?? parent.gasLimit),
        proposal: executeOptions?.proposal === true,
      });
    };
  }

  return {
    common,

    buildBlock(parent, pendingTxs, build: BuildBlockOptions): Promise<BuiltBlock> {
      return buildBlock(executor, parent, pendingTxs, build, accelerator);
    },

    trieCacheBytes: () => cache.bytes,

    executeBlock(block, executeOptions): Promise<ExecutedBlock> {
      return executeBlock(
        executor,
        chainDb,
        block,
        checkHeader(block, executeOptions),
        accelerator,
      );
    },

    withBlock(executed, block) {
      if (!equalsBytes(block.hash(), executed.block.hash())) {
        throw new CustosError(
          "BLOCK_INVALID",
          `block ${block.header.number}: not the executed block (another hash)`,
          {
            details: {
              field: "hash",
              blockNumber: block.header.number.toString(),
              expected: bytesToHex(executed.block.hash()),
              actual: bytesToHex(block.hash()),
            },
          },
        );
      }
      const replaced = { ...executed, block };
      executor.transfer(executed, replaced);
      return replaced;
    },

    commit(executed, options) {
      return executor.commit(executed, options);
    },

    async restoreState(onBlock) {
      let restored = 0;
      for (;;) {
        const at = chainDb.stateHead();
        const head = chainDb.head();
        if (at === undefined || head === undefined || at.number >= head.header.number) break;
        const block = await chainDb.blockByNumber(at.number + 1n);
        if (block === undefined) break;
        executor.restore(await executeBlock(executor, chainDb, block, undefined, accelerator));
        restored++;
        onBlock?.(block.header.number, head.header.number);
      }
      return restored;
    },

    async account(address, block): Promise<AccountState> {
      const account = await states.read(block, (state) => state.getAccount(new Address(address)));
      return account === undefined
        ? { nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL }
        : { nonce: account.nonce, balance: account.balance, codeHash: account.codeHash };
    },

    async code(address, block) {
      return states.read(block, (state) => state.getCode(new Address(address)));
    },

    async storageAt(address, slot, block) {
      const value = await states.read(block, (state) =>
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
