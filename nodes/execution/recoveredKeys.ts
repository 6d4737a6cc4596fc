import type { RecoveryItem } from "./createSenderRecovery.ts";

/** Public keys recovered ahead of use, by the exact `ecrecover` arguments. */
const recovered = new Map<string, Uint8Array>();
/** Bound: blocks that never execute (invalid, abandoned) must not grow the memo forever. */
const MAX_ENTRIES = 100_000;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

function keyOf(item: RecoveryItem): string {
  return `${hex(item.msgHash)}:${item.v}:${hex(item.r)}:${hex(item.s)}:${item.chainId}`;
}

/**
 * Remembers the public key `ecrecover(item)` returned (on the sender-recovery worker).
 *
 * @example
 * ```ts
 * rememberRecovery({ msgHash, v, r, s, chainId }, publicKey);
 * ```
 */
export function rememberRecovery(item: RecoveryItem, publicKey: Uint8Array): void {
  if (recovered.size >= MAX_ENTRIES) recovered.clear();
  recovered.set(keyOf(item), publicKey);
}

/**
 * The remembered result of `ecrecover` for exactly these arguments, once (it is forgotten).
 * `ecrecover` is a pure function of them, so a remembered result is the result.
 *
 * @example
 * ```ts
 * const publicKey = takeRecovery({ msgHash, v, r, s, chainId }) ?? recoverNow(...);
 * ```
 */
export function takeRecovery(item: RecoveryItem): Uint8Array | undefined {
  const key = keyOf(item);
  const publicKey = recovered.get(key);
  if (publicKey !== undefined) recovered.delete(key);
  return publicKey;
}
