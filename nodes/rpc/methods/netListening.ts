import { defineMethod } from "../defineMethod.ts";

/**
 * `net_listening`: true — a node that answers is accepting connections.
 *
 * @example
 * ```ts
 * // → true
 * ```
 */
export const netListening = defineMethod({
  name: "net_listening",
  params: [],
  execute: () => true,
  format: (listening: boolean) => listening,
});
