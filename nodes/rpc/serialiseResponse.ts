import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { JsonList, type RpcResult } from "./JsonList.ts";
import type { RpcId } from "./RpcId.ts";

/** Longest run of serialisation between two turns of the event loop. */
const SLICE_MS = 4;

/**
 * Serialises a JSON-RPC success response. A {@link JsonList} result is formatted and
 * stringified item by item, yielding to the event loop whenever a slice has run for
 * {@link SLICE_MS}, so a large answer never holds the thread; any other result is one
 * JSON.stringify. The text is the same either way.
 *
 * @throws TypeError when a formatter returns what JSON cannot carry (a bigint): a node bug
 *   the dispatcher turns into an internal error.
 * @example
 * ```ts
 * await serialiseResponse(1, JsonList.of(logs, formatLog)); // '{"jsonrpc":"2.0","id":1,"result":[…]}'
 * ```
 */
export async function serialiseResponse(id: RpcId, result: RpcResult): Promise<string> {
  if (!(result instanceof JsonList)) return JSON.stringify({ jsonrpc: "2.0", id, result });
  const parts: string[] = [];
  let sliceStart = performance.now();
  for (let index = 0; index < result.length; index++) {
    parts.push(JSON.stringify(result.itemAt(index)));
    if (performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":[${parts.join(",")}]}`;
}
