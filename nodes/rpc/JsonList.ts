import type { JsonValue } from "./JsonValue.ts";

/**
 * A result array that is formatted and serialised one item at a time, with the event loop
 * given back between slices. An eth_getLogs answer of 10,000 logs is ~12 MB of JSON: built
 * at once it is one task of hundreds of milliseconds on the thread that also produces blocks
 * and answers `/liveness`; item by item no slice runs longer than a few milliseconds.
 *
 * @example
 * ```ts
 * format: (logs: readonly IndexedLog[]) => JsonList.of(logs, formatLog),
 * ```
 */
export class JsonList {
  /** Number of items. */
  readonly length: number;
  readonly #itemAt: (index: number) => JsonValue;

  private constructor(length: number, itemAt: (index: number) => JsonValue) {
    this.length = length;
    this.#itemAt = itemAt;
  }

  /**
   * A list of `items`, each formatted by `format` only when it is serialised.
   *
   * @example
   * ```ts
   * JsonList.of([1n, 2n], rpcHex.quantity).itemAt(1); // "0x2"
   * ```
   */
  static of<T>(items: readonly T[], format: (item: T) => JsonValue): JsonList {
    return new JsonList(items.length, (index) => format(items[index] as T));
  }

  /**
   * The formatted item at `index` (0 ≤ index < length).
   *
   * @example
   * ```ts
   * list.itemAt(0); // { address: "0x…", … }
   * ```
   */
  itemAt(index: number): JsonValue {
    return this.#itemAt(index);
  }
}

/** What a method answers: a JSON value, or a list serialised item by item. */
export type RpcResult = JsonValue | JsonList;
