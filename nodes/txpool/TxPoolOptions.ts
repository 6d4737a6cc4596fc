import { CustosError } from "../../src/errors/index.ts";

/** Options of {@link createTxPool}. */
export interface TxPoolOptions {
  /** The chain id transactions must be signed for. */
  readonly chainId: bigint;
  /** Block gas limit at start; updated from each committed block. */
  readonly blockGasLimit: bigint;
  /**
   * The chain's per-transaction gas cap (a chain rule: pass the execution engine's
   * `MAX_TX_GAS`, 2^24 as EIP-7825).
   */
  readonly maxTxGas?: bigint;
  /** Base fee at start (wei per gas), used to price eviction; updated from each committed block. */
  readonly baseFee?: bigint;
  /** Most transactions in the pool (pending + queued). */
  readonly maxCount?: number;
  /** Most encoded bytes in the pool. */
  readonly maxBytes?: number;
  /** Most transactions of one sender; also the furthest a nonce may run ahead of the account. */
  readonly maxPerSender?: number;
  /** Most queued (future-nonce) transactions in the pool. */
  readonly maxQueued?: number;
  /** How long a queued transaction may wait for its nonce gap to close, in milliseconds. */
  readonly queuedLifetimeMs?: number;
  /** Percentage by which a replacement must raise both fee caps. */
  readonly priceBumpPercent?: number;
  /** Smallest accepted tip per gas (gasPrice for legacy), in wei. */
  readonly minTip?: bigint;
  /** Largest accepted encoded transaction, in bytes. */
  readonly maxTxBytes?: number;
  /** Accept legacy transactions without EIP-155 replay protection. */
  readonly allowUnprotected?: boolean;
}

/** Defaults of {@link TxPoolOptions}; sizes follow geth's legacy pool where it has one. */
export const defaultTxPoolOptions = {
  baseFee: 0n,
  maxTxGas: 16_777_216n,
  maxCount: 4096,
  maxBytes: 32 * 1024 * 1024,
  maxPerSender: 64,
  maxQueued: 1024,
  queuedLifetimeMs: 3 * 60 * 60 * 1000,
  priceBumpPercent: 10,
  minTip: 0n,
  maxTxBytes: 128 * 1024,
  allowUnprotected: false,
} as const;

/** {@link TxPoolOptions} with every default filled in. */
export type ResolvedTxPoolOptions = Required<TxPoolOptions>;

/**
 * Fills in {@link defaultTxPoolOptions} and checks every option's range.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the option out of range.
 * @example
 * ```ts
 * const opts = resolveTxPoolOptions({ chainId: 1337n, blockGasLimit: 30_000_000n });
 * opts.maxCount; // 4096
 * ```
 */
export function resolveTxPoolOptions(options: TxPoolOptions): ResolvedTxPoolOptions {
  const resolved: ResolvedTxPoolOptions = { ...defaultTxPoolOptions, ...options };
  const positive = [
    "maxCount",
    "maxBytes",
    "maxPerSender",
    "maxQueued",
    "queuedLifetimeMs",
    "maxTxBytes",
  ] as const;
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new CustosError("INVALID_ARGUMENT", `txpool.${name}: must be a positive integer`, {
        details: { field: name },
      });
    }
  }
  if (!Number.isSafeInteger(resolved.priceBumpPercent) || resolved.priceBumpPercent < 0) {
    throw new CustosError("INVALID_ARGUMENT", "txpool.priceBumpPercent: must be an integer >= 0", {
      details: { field: "priceBumpPercent" },
    });
  }
  for (const name of ["chainId", "blockGasLimit", "baseFee", "minTip", "maxTxGas"] as const) {
    if (resolved[name] < 0n) {
      throw new CustosError("INVALID_ARGUMENT", `txpool.${name}: must be >= 0`, {
        details: { field: name },
      });
    }
  }
  return resolved;
}
