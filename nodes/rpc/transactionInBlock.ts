import type { Block } from "@ethereumjs/block";
import { formatTransaction } from "./formatTransaction.ts";
import type { JsonValue } from "./JsonValue.ts";
import { type Decoder, param } from "./param.ts";

/**
 * Decodes a transaction index (execution-apis `uint`); an index past any possible block
 * decodes to a number no block reaches.
 *
 * @throws CustosError RPC_INVALID_PARAMS for anything but a quantity of at most 64 bits.
 * @example
 * ```ts
 * transactionIndexParam("0x2", "params[1]"); // 2
 * ```
 */
export const transactionIndexParam: Decoder<number> = (value, path) => {
  const index = param.uint64(value, path);
  return index > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(index);
};

/**
 * The transaction at `index` of `block`, formatted with its block fields, or null when the
 * block is unknown or has no such index.
 *
 * @example
 * ```ts
 * transactionInBlock(block, 0); // { hash: "0x…", transactionIndex: "0x0", … }
 * ```
 */
export function transactionInBlock(block: Block | undefined, index: number): JsonValue {
  const tx = block?.transactions[index];
  if (block === undefined || tx === undefined) return null;
  return formatTransaction(tx, { block, index });
}
