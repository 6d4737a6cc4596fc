import type { BlockHeader } from "@ethereumjs/block";
import { hexToBytes } from "@ethereumjs/util";
import { headerFromFields } from "./headerFromFields.ts";
import { headerInvalid } from "./qbftErrors.ts";

type FieldKind = "data" | "quantity";

/** A header's fields in RLP order, as eth_getBlockByNumber names them. */
const baseFields: readonly (readonly [string, FieldKind])[] = [
  ["parentHash", "data"],
  ["sha3Uncles", "data"],
  ["miner", "data"],
  ["stateRoot", "data"],
  ["transactionsRoot", "data"],
  ["receiptsRoot", "data"],
  ["logsBloom", "data"],
  ["difficulty", "quantity"],
  ["number", "quantity"],
  ["gasLimit", "quantity"],
  ["gasUsed", "quantity"],
  ["timestamp", "quantity"],
  ["extraData", "data"],
  ["mixHash", "data"],
  ["nonce", "data"],
];

/** Fields later hardforks append, in order; a header has a prefix of them. */
const laterFields: readonly (readonly [string, FieldKind])[] = [
  ["baseFeePerGas", "quantity"],
  ["withdrawalsRoot", "data"],
  ["blobGasUsed", "quantity"],
  ["excessBlobGas", "quantity"],
  ["parentBeaconBlockRoot", "data"],
  ["requestsHash", "data"],
];

const DATA = /^0x(?:[0-9a-fA-F]{2})*$/;
const QUANTITY = /^0x(?:0|[1-9a-fA-F][0-9a-fA-F]*)$/;

function fieldBytes(name: string, kind: FieldKind, value: unknown): Uint8Array {
  if (typeof value !== "string" || !(kind === "data" ? DATA : QUANTITY).test(value)) {
    throw headerInvalid(`${name} is not a hex ${kind}`);
  }
  if (kind === "data") return hexToBytes(value as `0x${string}`);
  // A quantity in RLP is its minimal big-endian bytes: 0 is the empty string.
  const digits = value.slice(2);
  if (digits === "0") return new Uint8Array(0);
  return hexToBytes(`0x${digits.length % 2 === 0 ? digits : `0${digits}`}`);
}

/**
 * Rebuilds a block header from an `eth_getBlockByNumber`/`eth_getBlockByHash` answer (Besu's
 * or Custos's), of whichever hardfork its fields name: the 15 base fields, then the later
 * ones present (baseFeePerGas, withdrawalsRoot, blobGasUsed, excessBlobGas,
 * parentBeaconBlockRoot, requestsHash).
 *
 * @throws CustosError `BLOCK_INVALID` (field `header`) when a field is missing, not hex of
 *   its kind, or out of order (a later field without an earlier one).
 * @example
 * ```ts
 * const header = headerFromRpc(await rpc("eth_getBlockByNumber", ["0x1d68", false]));
 * ```
 */
export function headerFromRpc(block: Readonly<Record<string, unknown>>): BlockHeader {
  const fields = baseFields.map(([name, kind]) => fieldBytes(name, kind, block[name]));
  let missing: string | undefined;
  for (const [name, kind] of laterFields) {
    const value = block[name];
    if (value === undefined || value === null) {
      missing ??= name;
      continue;
    }
    if (missing !== undefined) throw headerInvalid(`${name} is given without ${missing}`);
    fields.push(fieldBytes(name, kind, value));
  }
  return headerFromFields(fields);
}
