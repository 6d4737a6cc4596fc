import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { CustomCrypto } from "@ethereumjs/common";
import type { RecoveredKeyMemo } from "./RecoveredKeyMemo.ts";

/** The crypto EthereumJS should use, and whether the native addons loaded. */
export interface NodeCrypto {
  /** Functions for `Common.customCrypto` (empty = EthereumJS's pure-JS defaults). */
  readonly customCrypto: CustomCrypto;
  /** True when both native addons (secp256k1, keccak) loaded. */
  readonly native: boolean;
}

interface Secp256k1Native {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

/** The keccak addon's native sponge (what the package's stream wrapper drives). */
interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

function leftPad32(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 32) return bytes;
  const out = new Uint8Array(32);
  out.set(bytes.subarray(Math.max(0, bytes.length - 32)), Math.max(0, 32 - bytes.length));
  return out;
}

/** EthereumJS's rule: v of 0/1 is the parity itself, else 27/28 or EIP-155 with the chain id. */
function recoveryId(v: bigint, chainId: bigint | undefined): number {
  const id = v === 0n || v === 1n ? v : chainId === undefined ? v - 27n : v - (chainId * 2n + 35n);
  if (id !== 0n && id !== 1n) throw new Error("Invalid signature v value");
  return Number(id);
}

/**
 * Loads the native secp256k1 and keccak addons (their shipped N-API prebuilds) and wraps them
 * in EthereumJS's `CustomCrypto` shape. Signature recovery is the largest cost of executing
 * a transaction (pure JS ~500/s vs ~7,400/s native on this machine, DESIGN §6), so the node
 * wants these; when an addon cannot load (unsupported platform), EthereumJS's pure-JS
 * implementations are used instead and `native` is false.
 *
 * @example
 * ```ts
 * const { customCrypto, native } = loadNativeCrypto();
 * ```
 * @param recoveredKeys where `ecrecover` first looks for a public key recovered ahead of
 *   execution (createSenderRecovery fills it); without it, every recovery runs in place.
 */
export function loadNativeCrypto(recoveredKeys?: RecoveredKeyMemo): NodeCrypto {
  const require = createRequire(import.meta.url);
  let secp: Secp256k1Native;
  let sponge: KeccakState;
  try {
    secp = require("secp256k1/bindings") as Secp256k1Native;
    // The package's `keccak("keccak256")` builds a Node stream per hash, which costs more than
    // hashing a trie node; the addon's sponge, loaded the way the package loads it and reused
    // (calls are synchronous), hashes 32–500 bytes 3–5x faster than noble here.
    const keccakDir = dirname(require.resolve("keccak/package.json"));
    const loadAddon = createRequire(`${keccakDir}/package.json`)("node-gyp-build") as (
      dir: string,
    ) => new () => KeccakState;
    sponge = new (loadAddon(keccakDir))();
  } catch {
    return { customCrypto: {}, native: false };
  }
  const customCrypto: CustomCrypto = {
    keccak256: (msg: Uint8Array) => {
      sponge.initialize(1088, 512);
      sponge.absorb(Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength));
      return sponge.squeeze(32);
    },
    ecrecover: (msgHash, v, r, s, chainId) => {
      // Recovered ahead of execution on the sender-recovery worker (createSenderRecovery).
      const early = recoveredKeys?.take({ msgHash, v, r, s, chainId });
      if (early !== undefined) return early;
      const signature = new Uint8Array(64);
      signature.set(leftPad32(r), 0);
      signature.set(leftPad32(s), 32);
      return secp.ecdsaRecover(signature, recoveryId(v, chainId), msgHash, false).subarray(1);
    },
    // @ethereumjs/tx 10.1.3 calls ecsign with format "recovered" and parses the result as
    // noble-curves 2 bytes (recovery id ‖ r ‖ s); Common's declared type still names the
    // older object-returning signature, hence the cast.
    ecsign: ((msgHash: Uint8Array, privateKey: Uint8Array) => {
      const { signature, recid } = secp.ecdsaSign(msgHash, privateKey);
      const out = new Uint8Array(65);
      out[0] = recid;
      out.set(signature, 1);
      return out;
    }) as unknown as NonNullable<CustomCrypto["ecsign"]>,
  };
  return { customCrypto, native: true };
}
