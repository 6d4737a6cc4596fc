import { MAX_TX_GAS } from "./maxTxGas.ts";

/**
 * geth's words for a transaction declaring more gas than {@link MAX_TX_GAS} (EIP-7825), so
 * that clients see the same reason from either node.
 *
 * @example
 * ```ts
 * gasCapReason(20_000_000n); // "transaction gas limit too high (cap: 16777216, tx: 20000000)"
 * ```
 */
export function gasCapReason(gasLimit: bigint): string {
  return `transaction gas limit too high (cap: ${MAX_TX_GAS}, tx: ${gasLimit})`;
}
