import type { Block, BlockHeader } from "@ethereumjs/block";
import { bytesToHex, equalsBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import type { ChainDb } from "../db/index.ts";
import { acceleratedContext, type ConsentRegistryAccelerator } from "./accelerate/index.ts";
import type { BlockExecutor } from "./BlockExecutor.ts";
import type { ExecutedBlock } from "./ExecutionEngine.ts";
import { gasCapReason } from "./gasCapReason.ts";
import { MAX_TX_GAS } from "./maxTxGas.ts";

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
 * What can be checked before execution: timestamp after the parent's, no uncles, every
 * transaction within {@link MAX_TX_GAS}, the transactions root and the base fee.
 */
function assertExecutable(executor: BlockExecutor, block: Block, parent: BlockHeader): void {
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
  const txRoot = executor.transactionsRoot(block.transactions);
  if (!equalsBytes(txRoot, block.header.transactionsTrie)) {
    throw mismatch("transactionsRoot", block.header.transactionsTrie, txRoot, block);
  }
  const baseFee = parent.calcNextBaseFee();
  if (block.header.baseFeePerGas !== baseFee) {
    throw mismatch("baseFeePerGas", block.header.baseFeePerGas ?? 0n, baseFee, block);
  }
}

/**
 * Re-executes a received block on its parent's committed state and verifies its header
 * (`ExecutionEngine.executeBlock`): first its consensus fields by `checkHeader` (the engine's
 * `HeaderRule`, given the parent), then what execution decides. The block's writes are held
 * by `executor` until committed. With an `accelerator`, its ConsentRegistry calls run
 * natively (decision 014).
 *
 * @throws CustosError `BLOCK_INVALID` naming the mismatching field (or the transaction,
 *   `transactions[i].gasLimit`, above the per-transaction gas cap); what `checkHeader`
 *   throws (`QBFT_SEAL_INVALID`); `STATE_NOT_AVAILABLE` when the parent's state root is not
 *   stored.
 * @example
 * ```ts
 * const executed = await executeBlock(executor, chainDb, block, (parent) => rule.check(block.header, context(parent)));
 * await executor.commit(executed);
 * ```
 */
export async function executeBlock(
  executor: BlockExecutor,
  chainDb: ChainDb,
  block: Block,
  checkHeader?: (parent: BlockHeader) => Promise<void>,
  accelerator?: ConsentRegistryAccelerator,
): Promise<ExecutedBlock> {
  const parent = await chainDb.headerByHash(block.header.parentHash);
  if (parent === undefined || parent.number + 1n !== block.header.number) {
    throw new CustosError("BLOCK_INVALID", `block ${block.header.number}: unknown parent`, {
      details: { field: "parentHash", blockNumber: block.header.number.toString() },
    });
  }
  await checkHeader?.(parent);
  assertExecutable(executor, block, parent);
  const {
    result: { outcome, stateRoot },
    state,
  } = await executor.execute(
    parent.stateRoot,
    block.header.parentHash,
    acceleratedContext(block, accelerator),
    block.transactions,
    true,
  );
  try {
    const h = block.header;
    if (outcome.gasUsed !== h.gasUsed) throw mismatch("gasUsed", h.gasUsed, outcome.gasUsed, block);
    if (!equalsBytes(outcome.receiptsRoot, h.receiptTrie)) {
      throw mismatch("receiptsRoot", h.receiptTrie, outcome.receiptsRoot, block);
    }
    if (!equalsBytes(outcome.logsBloom, h.logsBloom)) {
      throw mismatch("logsBloom", h.logsBloom, outcome.logsBloom, block);
    }
    if (!equalsBytes(stateRoot, h.stateRoot)) {
      throw mismatch("stateRoot", h.stateRoot, stateRoot, block);
    }
    const flatWrites = state.flatWrites();
    const executed: ExecutedBlock = {
      block,
      receipts: outcome.receipts,
      stateWrites: state.db.writes(),
      stateDeletes: state.db.deletes(),
      ...(flatWrites === undefined ? {} : { flatWrites }),
    };
    executor.hold(executed, state.db);
    return executed;
  } catch (error) {
    state.db.discard();
    throw error;
  }
}
