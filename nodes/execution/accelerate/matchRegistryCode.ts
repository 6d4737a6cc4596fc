import { acceleratedBytecode } from "./acceleratedBytecode.ts";

const { registry } = acceleratedBytecode;

/**
 * The Consortium address a ConsentRegistry runtime code calls, when `code` is exactly the
 * bytecode the native paths were written for ({@link acceleratedBytecode}: same length, same
 * keccak once the immutables are zeroed, the six copies of the `_consortium` immutable equal
 * and an address); otherwise `undefined`.
 *
 * @example
 * ```ts
 * const consortium = matchRegistryCode(await stateManager.getCode(registry), keccak);
 * ```
 */
export function matchRegistryCode(
  code: Uint8Array,
  keccak: (data: Uint8Array) => Uint8Array,
): Uint8Array | undefined {
  if (code.length !== registry.length) return undefined;
  const [first, ...others] = registry.consortiumAt as [number, ...number[]];
  const word = code.subarray(first, first + 32);
  for (let i = 0; i < 12; i++) if (word[i] !== 0) return undefined;
  for (const at of others) {
    for (let i = 0; i < 32; i++) if (code[at + i] !== word[i]) return undefined;
  }
  // A copy: code read from level is a Buffer, whose slice() is a view of the node's code.
  const masked = new Uint8Array(code);
  for (const [start, length] of registry.immutables) masked.fill(0, start, start + length);
  if (Buffer.from(keccak(masked)).toString("hex") !== registry.maskedHash) return undefined;
  return new Uint8Array(word.subarray(12));
}
