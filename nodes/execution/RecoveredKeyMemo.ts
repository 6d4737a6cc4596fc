/** One signature to recover: exactly the arguments EthereumJS passes to `ecrecover`. */
export interface RecoveryItem {
  readonly msgHash: Uint8Array;
  readonly v: bigint;
  readonly r: Uint8Array;
  readonly s: Uint8Array;
  readonly chainId: bigint | undefined;
}

/** Bound: blocks that never execute (invalid, abandoned) must not grow the memo forever. */
const MAX_ENTRIES = 100_000;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

function keyOf(item: RecoveryItem): string {
  return `${hex(item.msgHash)}:${item.v}:${hex(item.r)}:${hex(item.s)}:${item.chainId}`;
}

/**
 * Public keys recovered ahead of use, by the exact `ecrecover` arguments: the sender-recovery
 * worker fills it ({@link createSenderRecovery}) and the native `ecrecover` of the chain's
 * `Common` takes from it (`createCustosCommon({ recoveredKeys })`). Both must be handed the
 * same memo. `ecrecover` is a pure function of its arguments, so a remembered result is the
 * result.
 *
 * @example
 * ```ts
 * const recoveredKeys = new RecoveredKeyMemo();
 * const common = createCustosCommon({ chainId, recoveredKeys });
 * const engine = createExecutionEngine({ chainDb, recoveredKeys }); // chainDb over common
 * ```
 */
export class RecoveredKeyMemo {
  readonly #keys = new Map<string, Uint8Array>();

  /** Remembers the public key `ecrecover(item)` returned. */
  remember(item: RecoveryItem, publicKey: Uint8Array): void {
    if (this.#keys.size >= MAX_ENTRIES) this.#keys.clear();
    this.#keys.set(keyOf(item), publicKey);
  }

  /** The remembered result of `ecrecover` for exactly these arguments, once (it is forgotten). */
  take(item: RecoveryItem): Uint8Array | undefined {
    const key = keyOf(item);
    const publicKey = this.#keys.get(key);
    if (publicKey !== undefined) this.#keys.delete(key);
    return publicKey;
  }
}
