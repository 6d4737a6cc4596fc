import { Block, createBlock, createBlockHeader, type HeaderData } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { acceleratedContext, type ConsentRegistryAccelerator } from "./accelerate/index.ts";
import type { BlockExecutor } from "./BlockExecutor.ts";
import type { BuildBlockOptions, BuiltBlock, RejectedTransaction } from "./ExecutionEngine.ts";
import { gasCapReason } from "./gasCapReason.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";

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

/**
 * Executes pending transactions once each, in order, on `parent`'s committed state and seals
 * a block of those that went in (`ExecutionEngine.buildBlock`). A transaction
 * declaring more gas than {@link MAX_TX_GAS} is left out, rejected as invalid, unexecuted.
 * The block's writes are held by `executor` until committed. With an `accelerator`, its
 * ConsentRegistry calls run natively (decision 014).
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when the parent's state root is not stored.
 * @example
 * ```ts
 * const built = await buildBlock(executor, parent, txs, { timestamp, coinbase, gasLimit });
 * ```
 */
export async function buildBlock(
  executor: BlockExecutor,
  parent: Block,
  pendingTxs: readonly TypedTransaction[],
  build: BuildBlockOptions,
  accelerator?: ConsentRegistryAccelerator,
): Promise<BuiltBlock> {
  const { common } = executor;
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
  const context = acceleratedContext(createBlock({ header: headerData }, { common }), accelerator);
  const overCap = new Map<TypedTransaction, RejectedTransaction>();
  const candidates = pendingTxs.filter((tx) => {
    if (tx.gasLimit <= MAX_TX_GAS) return true;
    overCap.set(tx, { tx, kind: "invalid", reason: gasCapReason(tx.gasLimit) });
    return false;
  });
  const {
    result: { outcome, stateRoot },
    state,
  } = await executor.execute(parent.header.stateRoot, parent.hash(), context, candidates, false);
  try {
    // The Block constructor, not createBlock: createBlock re-creates every transaction from
    // its data (a Common copy each, and the recovered sender is lost).
    const header = createBlockHeader(
      {
        ...headerData,
        stateRoot,
        receiptTrie: outcome.receiptsRoot,
        transactionsTrie: executor.transactionsRoot(outcome.included),
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
      stateDeletes: state.db.deletes(),
      ...(flatWrites === undefined ? {} : { flatWrites }),
      rejected: inOrder(pendingTxs, overCap, outcome.rejected),
    };
    executor.hold(built, state.db);
    return built;
  } catch (error) {
    state.db.discard();
    throw error;
  }
}
