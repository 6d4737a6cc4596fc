import type { BlockHeader } from "@ethereumjs/block";
import type { JsonValue } from "./JsonValue.ts";
import { rpcHex } from "./rpcHex.ts";

/** A block header as JSON-RPC returns it (also the `newHeads` subscription payload). */
export type HeaderJson = { readonly [key: string]: JsonValue };

/**
 * Formats a header with execution-apis' field names; fork-dependent fields (baseFeePerGas,
 * withdrawalsRoot, blob gas, parentBeaconBlockRoot, requestsHash) appear only when the
 * header has them.
 *
 * @example
 * ```ts
 * formatHeader(block.header).number; // "0x5"
 * ```
 */
export function formatHeader(header: BlockHeader): HeaderJson {
  const json: Record<string, JsonValue> = {
    number: rpcHex.quantity(header.number),
    hash: rpcHex.data(header.hash()),
    parentHash: rpcHex.data(header.parentHash),
    nonce: rpcHex.data(header.nonce),
    sha3Uncles: rpcHex.data(header.uncleHash),
    logsBloom: rpcHex.data(header.logsBloom),
    transactionsRoot: rpcHex.data(header.transactionsTrie),
    stateRoot: rpcHex.data(header.stateRoot),
    receiptsRoot: rpcHex.data(header.receiptTrie),
    miner: rpcHex.data(header.coinbase.bytes),
    difficulty: rpcHex.quantity(header.difficulty),
    extraData: rpcHex.data(header.extraData),
    gasLimit: rpcHex.quantity(header.gasLimit),
    gasUsed: rpcHex.quantity(header.gasUsed),
    timestamp: rpcHex.quantity(header.timestamp),
    mixHash: rpcHex.data(header.mixHash),
  };
  if (header.baseFeePerGas !== undefined)
    json.baseFeePerGas = rpcHex.quantity(header.baseFeePerGas);
  if (header.withdrawalsRoot !== undefined)
    json.withdrawalsRoot = rpcHex.data(header.withdrawalsRoot);
  if (header.blobGasUsed !== undefined) json.blobGasUsed = rpcHex.quantity(header.blobGasUsed);
  if (header.excessBlobGas !== undefined)
    json.excessBlobGas = rpcHex.quantity(header.excessBlobGas);
  if (header.parentBeaconBlockRoot !== undefined) {
    json.parentBeaconBlockRoot = rpcHex.data(header.parentBeaconBlockRoot);
  }
  if (header.requestsHash !== undefined) json.requestsHash = rpcHex.data(header.requestsHash);
  return json;
}
