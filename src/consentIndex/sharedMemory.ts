/**
 * Memory that worker threads can share: a `SharedArrayBuffer` where the platform provides
 * one (Node always does; browsers only when cross-origin isolated), otherwise a plain
 * `ArrayBuffer`, so that the index still works in the calling thread everywhere.
 *
 * @example
 * ```ts
 * const rows = new Uint32Array(allocateShared(64 * 1024));
 * ```
 */
export function allocateShared(bytes: number): ArrayBufferLike {
  return typeof SharedArrayBuffer === "function"
    ? new SharedArrayBuffer(bytes)
    : new ArrayBuffer(bytes);
}

/**
 * Whether a buffer can be handed to another thread without copying.
 *
 * @example
 * ```ts
 * isShared(new Uint8Array(32).buffer); // false
 * ```
 */
export function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer;
}
