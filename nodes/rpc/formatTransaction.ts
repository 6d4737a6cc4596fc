import type { Block } from "@ethereumjs/block";
import {
  accessListBytesToJSON,
  isAccessList2930Tx,
  isBlob4844Tx,
  isEOACode7702Tx,
  isFeeMarket1559Tx,
  isLegacyTx,
  type TypedTransaction,
} from "@ethereumjs/tx";
import { bytesToBigInt } from "@ethereumjs/util";
import type { JsonValue } from "./JsonValue.ts";
import { rpcHex } from "./rpcHex.ts";

/** Where a transaction sits, or null fields for a pending one. */
export interface TransactionPlacement {
  readonly block: Block;
  readonly index: number;
}

/**
 * The wei per gas a transaction pays in a block: its gas price, or for fee-market types
 * `min(maxFeePerGas, baseFee + maxPriorityFeePerGas)`; `maxFeePerGas` while pending (as
 * execution-apis says for the deprecated `gasPrice` field).
 *
 * @example
 * ```ts
 * effectiveGasPrice(tx, block.header.baseFeePerGas);
 * ```
 */
export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint | undefined): bigint {
  if (isLegacyTx(tx) || isAccessList2930Tx(tx)) return tx.gasPrice;
  if (baseFee === undefined) return tx.maxFeePerGas;
  const headroom = tx.maxFeePerGas - baseFee;
  // Math.min does not take bigints.
  if (tx.maxPriorityFeePerGas < headroom) return baseFee + tx.maxPriorityFeePerGas;
  return baseFee + headroom;
}

/**
 * Formats a signed transaction as execution-apis' TransactionInfo: typed fields per type
 * (legacy, 2930, 1559, 4844, 7702), `yParity` and `v` for typed transactions, `chainId` for
 * typed and EIP-155 legacy ones; block fields are null for a pending transaction.
 *
 * @example
 * ```ts
 * formatTransaction(tx, { block, index: 0 }).blockNumber; // "0x1"
 * formatTransaction(pendingTx, undefined).blockHash; // null
 * ```
 */
export function formatTransaction(
  tx: TypedTransaction,
  placement: TransactionPlacement | undefined,
): { readonly [key: string]: JsonValue } {
  const header = placement?.block.header;
  const json: Record<string, JsonValue> = {
    blockHash: placement === undefined ? null : rpcHex.data(placement.block.hash()),
    blockNumber: header === undefined ? null : rpcHex.quantity(header.number),
    blockTimestamp: header === undefined ? null : rpcHex.quantity(header.timestamp),
    transactionIndex: placement === undefined ? null : rpcHex.quantity(placement.index),
    hash: rpcHex.data(tx.hash()),
    from: rpcHex.data(tx.getSenderAddress().bytes),
    to: rpcHex.optionalData(tx.to?.bytes),
    type: rpcHex.quantity(tx.type),
    nonce: rpcHex.quantity(tx.nonce),
    gas: rpcHex.quantity(tx.gasLimit),
    value: rpcHex.quantity(tx.value),
    input: rpcHex.data(tx.data),
    gasPrice: rpcHex.quantity(
      effectiveGasPrice(tx, header === undefined ? undefined : header.baseFeePerGas),
    ),
    v: rpcHex.quantity(tx.v ?? 0n),
    r: rpcHex.quantity(tx.r ?? 0n),
    s: rpcHex.quantity(tx.s ?? 0n),
  };
  if (isLegacyTx(tx)) {
    const v = tx.v ?? 0n;
    if (v >= 35n) json.chainId = rpcHex.quantity((v - 35n) / 2n);
    return json;
  }
  json.chainId = rpcHex.quantity(tx.chainId);
  json.yParity = rpcHex.quantity(tx.v ?? 0n);
  json.accessList = accessListBytesToJSON(tx.accessList).map((entry) => ({
    address: entry.address,
    storageKeys: entry.storageKeys,
  }));
  if (isFeeMarket1559Tx(tx) || isBlob4844Tx(tx) || isEOACode7702Tx(tx)) {
    json.maxFeePerGas = rpcHex.quantity(tx.maxFeePerGas);
    json.maxPriorityFeePerGas = rpcHex.quantity(tx.maxPriorityFeePerGas);
  }
  if (isBlob4844Tx(tx)) {
    json.maxFeePerBlobGas = rpcHex.quantity(tx.maxFeePerBlobGas);
    json.blobVersionedHashes = tx.blobVersionedHashes.map((hash) => hash.toLowerCase());
  }
  if (isEOACode7702Tx(tx)) {
    json.authorizationList = tx.authorizationList.map(
      ([chainId, address, nonce, yParity, r, s]) => ({
        chainId: rpcHex.quantity(bytesToBigInt(chainId)),
        address: rpcHex.data(address),
        nonce: rpcHex.quantity(bytesToBigInt(nonce)),
        yParity: rpcHex.quantity(bytesToBigInt(yParity)),
        r: rpcHex.quantity(bytesToBigInt(r)),
        s: rpcHex.quantity(bytesToBigInt(s)),
      }),
    );
  }
  return json;
}
