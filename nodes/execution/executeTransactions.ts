import type { Block } from "@ethereumjs/block";
import type { Log } from "@ethereumjs/evm";
import { TransactionType, type TypedTransaction } from "@ethereumjs/tx";
import { bigIntToBytes } from "@ethereumjs/util";
import { Bloom, runTx, type VM } from "@ethereumjs/vm";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../src/errors/index.ts";
import { encodeRlp, type StoredReceipt } from "../db/index.ts";
import { acceleratorOf } from "./accelerate/index.ts";
import type { PrefetchedSenders } from "./createSenderRecovery.ts";
import type { RejectedTransaction } from "./ExecutionEngine.ts";
import { orderedTrieRoot } from "./orderedTrieRoot.ts";

/** What executing a block's transactions produced. */
export interface TransactionsOutcome {
  readonly included: TypedTransaction[];
  readonly receipts: StoredReceipt[];
  readonly rejected: RejectedTransaction[];
  readonly gasUsed: bigint;
  readonly logsBloom: Uint8Array;
  readonly receiptsRoot: Uint8Array;
}

function inapplicable(index: number, reason: string, cause?: unknown): CustosError {
  return new CustosError("BLOCK_INVALID", `transaction ${index} cannot be applied: ${reason}`, {
    details: { field: "transactions", index, reason },
    cause,
  });
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // EthereumJS appends a long "(block number=… hash=…)" context; the reason is what precedes it.
  const cut = message.indexOf(" (");
  return cut > 0 ? message.slice(0, cut) : message;
}

/**
 * A receipt as the receipts trie holds it (EIP-2718: type byte, then the RLP of status,
 * cumulative gas, bloom and logs), exactly as EthereumJS's `encodeReceipt` but written in
 * one buffer (a batch transaction's receipt holds 500 logs).
 *
 * @example
 * ```ts
 * const bytes = encodeReceiptBytes(2, 1, 21_000n, bloom, []);
 * ```
 */
export function encodeReceiptBytes(
  txType: number,
  status: 0 | 1,
  cumulativeGasUsed: bigint,
  bloom: Uint8Array,
  logs: readonly Log[],
): Uint8Array {
  const encoded = encodeRlp([
    status === 1 ? Uint8Array.of(1) : new Uint8Array(0),
    bigIntToBytes(cumulativeGasUsed),
    bloom,
    logs,
  ]);
  if (txType === TransactionType.Legacy) return encoded;
  const typed = new Uint8Array(encoded.length + 1);
  typed[0] = txType;
  typed.set(encoded, 1);
  return typed;
}

/**
 * Applies transactions to the VM's state in order, once each, exactly as EthereumJS's
 * `applyTransactions` would for a Cancun block without withdrawals or system calls (so a
 * block built here replays identically). In build mode (`strict` false) a transaction that
 * cannot be applied is skipped with a reason and the state is left as before it (runTx
 * reverts its own checkpoint); in strict mode it throws. A context made by
 * `acceleratedContext` runs its ConsentRegistry calls natively (decision 014).
 *
 * @throws CustosError `BLOCK_INVALID` (field `transactions`, with the index) in strict mode.
 * @example
 * ```ts
 * const outcome = await executeTransactions(vm, context, txs, false);
 * ```
 */
export async function executeTransactions(
  vm: VM,
  context: Block,
  txs: readonly TypedTransaction[],
  strict: boolean,
  senders?: PrefetchedSenders,
): Promise<TransactionsOutcome> {
  const gasLimit = context.header.gasLimit;
  const baseFee = context.header.baseFeePerGas ?? 0n;
  acceleratorOf(context)?.install(vm.evm);
  const bloom = new Bloom(undefined, vm.common);
  const receiptValues: Uint8Array[] = [];
  const included: TypedTransaction[] = [];
  const receipts: StoredReceipt[] = [];
  const rejected: RejectedTransaction[] = [];
  let gasUsed = 0n;
  let receiptGasUsed = 0n;
  for (const [position, tx] of txs.entries()) {
    if (tx.gasLimit + gasUsed > gasLimit) {
      const reason = "tx has a higher gas limit than the block has left";
      if (strict) throw inapplicable(position, reason);
      rejected.push({ tx, kind: tx.gasLimit > gasLimit ? "invalid" : "doesNotFit", reason });
      continue;
    }
    const recovered = senders?.ready(position);
    if (recovered !== undefined) await recovered;
    let result: Awaited<ReturnType<typeof runTx>>;
    try {
      result = await runTx(vm, { tx, block: context, blockGasUsed: receiptGasUsed });
    } catch (error) {
      if (strict) throw inapplicable(position, shortReason(error), error);
      rejected.push({ tx, kind: "invalid", reason: shortReason(error) });
      continue;
    }
    const index = included.length;
    gasUsed += result.blockGasSpent ?? result.totalGasSpent;
    receiptGasUsed += result.totalGasSpent;
    bloom.or(result.bloom);
    const status = "status" in result.receipt && result.receipt.status === 1 ? 1 : 0;
    receiptValues.push(
      encodeReceiptBytes(
        tx.type,
        status,
        result.receipt.cumulativeBlockGasUsed,
        result.receipt.bitvector,
        result.receipt.logs,
      ),
    );
    const receipt: StoredReceipt = {
      txType: tx.type,
      txHash: tx.hash(),
      txIndex: index,
      status,
      cumulativeGasUsed: result.receipt.cumulativeBlockGasUsed,
      gasUsed: result.totalGasSpent,
      effectiveGasPrice: tx.getEffectivePriorityFee(baseFee) + baseFee,
      logsBloom: result.bloom.bitvector,
      logs: result.receipt.logs,
    };
    receipts.push(
      result.createdAddress === undefined
        ? receipt
        : { ...receipt, contractAddress: result.createdAddress.bytes },
    );
    included.push(tx);
  }
  return {
    included,
    receipts,
    rejected,
    gasUsed,
    logsBloom: bloom.bitvector,
    receiptsRoot: orderedTrieRoot(receiptValues, vm.common.customCrypto.keccak256 ?? keccak_256),
  };
}
