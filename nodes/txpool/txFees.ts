import { isFeeMarket1559Tx, type TypedTransaction } from "@ethereumjs/tx";

/** A transaction's fee caps in wei per gas; legacy and EIP-2930 use gasPrice for both. */
export interface TxFees {
  /** Highest total price per gas the sender pays (maxFeePerGas or gasPrice). */
  readonly feeCap: bigint;
  /** Highest tip per gas the validator gets (maxPriorityFeePerGas or gasPrice). */
  readonly tipCap: bigint;
}

/**
 * The fee caps of a legacy, EIP-2930 or EIP-1559 transaction.
 *
 * @example
 * ```ts
 * const { feeCap, tipCap } = txFees(tx);
 * ```
 */
export function txFees(tx: TypedTransaction): TxFees {
  if (isFeeMarket1559Tx(tx)) {
    return { feeCap: tx.maxFeePerGas, tipCap: tx.maxPriorityFeePerGas };
  }
  const price = "gasPrice" in tx ? tx.gasPrice : 0n;
  return { feeCap: price, tipCap: price };
}

/**
 * The tip per gas a transaction pays at a base fee: `min(tipCap, feeCap - baseFee)`.
 * Negative when the fee cap is below the base fee (the transaction cannot be included yet).
 *
 * @example
 * ```ts
 * effectiveTip({ feeCap: 10n, tipCap: 3n }, 8n); // 2n
 * ```
 */
export function effectiveTip(fees: TxFees, baseFee: bigint): bigint {
  const headroom = fees.feeCap - baseFee;
  // Math.min does not take bigints.
  if (headroom < fees.tipCap) return headroom;
  return fees.tipCap;
}
