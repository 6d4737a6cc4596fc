import { randomFillSync } from "node:crypto";
import type { RandomSource } from "./RandomSource.ts";

/** Options of {@link createCryptoRandomSource}. */
export interface CryptoRandomSourceOptions {
  /** Words fetched from the OS CSPRNG per refill; larger amortises the system call. */
  readonly bufferWords?: number;
}

/**
 * The production randomness port: node:crypto's CSPRNG, buffered. Kept in its own file so
 * the pure disclosure core never imports node:crypto; the node wires it in at the edge.
 *
 * @example
 * ```ts
 * const random = createCryptoRandomSource();
 * const outcome = await releaseTable(table, noisyPolicy, { random, budget }, request);
 * ```
 */
export function createCryptoRandomSource(options: CryptoRandomSourceOptions = {}): RandomSource {
  const buffer = new Uint32Array(options.bufferWords ?? 1024);
  let next = buffer.length;
  return {
    nextUint32(): number {
      if (next === buffer.length) {
        randomFillSync(buffer);
        next = 0;
      }
      return buffer[next++] ?? 0;
    },
  };
}
