import { usageError } from "../../usageError.ts";

/**
 * A query id given on the command line.
 *
 * @throws CustosError `CLI_USAGE` (argument `<queryId>`) unless it is a positive decimal
 * integer within uint64.
 * @example
 * ```ts
 * const queryId = queryIdArgument(positionals[0]); // 7n
 * ```
 */
export function queryIdArgument(value: string): bigint {
  const id = /^[1-9][0-9]{0,19}$/.test(value) ? BigInt(value) : 0n;
  if (id === 0n || id >= 2n ** 64n) {
    throw usageError("query", `<queryId> must be a positive integer, not "${value}"`, {
      argument: "<queryId>",
    });
  }
  return id;
}
