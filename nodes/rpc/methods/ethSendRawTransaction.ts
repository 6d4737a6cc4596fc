import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_sendRawTransaction(bytes)`: admits a signed transaction to the pool; returns its hash.
 *
 * @throws CustosError RPC_INVALID_PARAMS, and the node's admission codes: TXPOOL_DECODE_FAILED,
 *   TXPOOL_NONCE_TOO_LOW, TXPOOL_INSUFFICIENT_FUNDS, TXPOOL_REPLACEMENT_UNDERPRICED, TXPOOL_SENDER_NOT_MEMBER.
 * @example
 * ```ts
 * // ["0x02f8…"] → "0x…" (transaction hash)
 * ```
 */
export const ethSendRawTransaction = defineMethod({
  name: "eth_sendRawTransaction",
  params: [param.data],
  execute: ({ api }, [raw]) => api.sendRawTransaction(raw),
  format: rpcHex.data,
});
