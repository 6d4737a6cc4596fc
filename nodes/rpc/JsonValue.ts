/**
 * A JSON value as JSON-RPC results carry it: hex strings for numbers and bytes, so no bigint.
 *
 * @example
 * ```ts
 * const result: JsonValue = { number: "0x1", transactions: [] };
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };
