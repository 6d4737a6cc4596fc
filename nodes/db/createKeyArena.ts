import type { Keyspace } from "./keyspaces.ts";

/** Builds database keys (keyspace byte ‖ bytes) as views into shared chunks. */
export interface KeyArena {
  /** `space` ‖ `part`, as a view into the current chunk. */
  key(space: Keyspace, part: Uint8Array): Uint8Array;
}

/** Bytes per chunk: ~16,000 storage-node keys. */
const CHUNK_BYTES = 2 ** 20;

/**
 * Creates a key arena for one batch of many keys. A storage-trie node's key is 65 bytes,
 * above V8's 64-byte limit for typed arrays on the heap, so `keyOf` allocated an off-heap
 * ArrayBuffer per key: building a persist's ~800,000 keys took ~4 s of the main thread at
 * 1.2 M consents stored (decision 015). Views into 1 MiB chunks cost one small heap object
 * each; a chunk is freed once the batch's keys are.
 *
 * @example
 * ```ts
 * const arena = createKeyArena();
 * ops.push({ type: "del", key: arena.key(keyspaces.state, nodeKey) });
 * ```
 */
export function createKeyArena(): KeyArena {
  let chunk = new Uint8Array(0);
  let offset = 0;
  return {
    key(space, part) {
      const length = part.length + 1;
      if (offset + length > chunk.length) {
        chunk = new Uint8Array(Math.max(CHUNK_BYTES, length));
        offset = 0;
      }
      const key = chunk.subarray(offset, offset + length);
      key[0] = space;
      key.set(part, 1);
      offset += length;
      return key;
    },
  };
}
