/**
 * Freezes an object graph in place (objects and arrays, recursively) and returns it typed
 * as deeply read-only.
 *
 * @example
 * ```ts
 * const config = deepFreeze({ rpc: { port: 8545 } });
 * Object.isFrozen(config.rpc); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
