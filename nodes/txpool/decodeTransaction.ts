import type { Common } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { CustosError } from "../../src/errors/index.ts";

/** Options of {@link decodeTransaction}. */
export interface DecodeTransactionOptions {
  /** The node's chain configuration (chain id, hardfork, custom crypto). */
  readonly common: Common;
  /** Largest accepted encoding in bytes; checked before decoding so huge inputs cost nothing. */
  readonly maxTxBytes: number;
}

/**
 * Decodes the raw bytes of `eth_sendRawTransaction` into a transaction, mapping EthereumJS's
 * decoding errors to typed pool errors.
 *
 * @throws CustosError `TXPOOL_OVERSIZED` (too many bytes or init code over the EIP-3860 limit),
 *   `TXPOOL_TX_TYPE_UNSUPPORTED`, `TXPOOL_WRONG_CHAIN`, `TXPOOL_TIP_ABOVE_FEE_CAP`,
 *   `TXPOOL_DECODE_FAILED`
 * @example
 * ```ts
 * const tx = decodeTransaction(raw, { common, maxTxBytes: 131072 });
 * await pool.add(tx);
 * ```
 */
export function decodeTransaction(
  raw: Uint8Array,
  options: DecodeTransactionOptions,
): TypedTransaction {
  if (raw.length > options.maxTxBytes) {
    throw new CustosError(
      "TXPOOL_OVERSIZED",
      `oversized data: transaction size ${raw.length}, limit ${options.maxTxBytes}`,
      { details: { size: raw.length, limit: options.maxTxBytes } },
    );
  }
  const type = raw[0];
  if (type !== undefined && type <= 0x7f && type > 2) {
    throw new CustosError("TXPOOL_TX_TYPE_UNSUPPORTED", "transaction type not supported", {
      details: { type },
    });
  }
  try {
    return createTxFromRLP(raw, { common: options.common });
  } catch (cause) {
    throw classify(cause);
  }
}

// EthereumJS reports every decoding failure with one generic error code, so the message is
// the only way to tell a wrong chain or an init-code overflow from malformed bytes.
function classify(cause: unknown): CustosError {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/chain id|EIP155/i.test(message)) {
    return new CustosError("TXPOOL_WRONG_CHAIN", "invalid chain id for signer", { cause });
  }
  if (/cannot be less than maxPriorityFeePerGas/.test(message)) {
    return new CustosError(
      "TXPOOL_TIP_ABOVE_FEE_CAP",
      "max priority fee per gas higher than max fee per gas",
      { cause },
    );
  }
  if (/initcode size/i.test(message)) {
    return new CustosError("TXPOOL_OVERSIZED", "max initcode size exceeded", { cause });
  }
  return new CustosError("TXPOOL_DECODE_FAILED", "invalid transaction encoding", {
    cause,
    details: { reason: message.split("\n")[0] ?? "" },
  });
}
