import type { Block } from "@ethereumjs/block";
import { formatHeader } from "./formatHeader.ts";
import { formatTransaction } from "./formatTransaction.ts";
import type { JsonValue } from "./JsonValue.ts";
import { rpcHex } from "./rpcHex.ts";

/**
 * Formats a block as execution-apis' Block object, with full transactions or their hashes.
 *
 * @example
 * ```ts
 * formatBlock(block, false).transactions; // ["0x…", …]
 * ```
 */
export function formatBlock(
  block: Block,
  fullTransactions: boolean,
): { readonly [key: string]: JsonValue } {
  const json: Record<string, JsonValue> = {
    ...formatHeader(block.header),
    size: rpcHex.quantity(block.serialize().length),
    transactions: block.transactions.map((tx, index) =>
      fullTransactions ? formatTransaction(tx, { block, index }) : rpcHex.data(tx.hash()),
    ),
    uncles: block.uncleHeaders.map((uncle) => rpcHex.data(uncle.hash())),
  };
  if (block.withdrawals !== undefined) {
    json.withdrawals = block.withdrawals.map((withdrawal) => ({
      index: rpcHex.quantity(withdrawal.index),
      validatorIndex: rpcHex.quantity(withdrawal.validatorIndex),
      address: rpcHex.data(withdrawal.address.bytes),
      amount: rpcHex.quantity(withdrawal.amount),
    }));
  }
  return json;
}
