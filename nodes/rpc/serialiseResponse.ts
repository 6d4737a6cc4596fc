import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { JsonList, type RpcResult } from "./JsonList.ts";
import type { RpcId } from "./RpcId.ts";

/** Longest run of serialisation between two turns of the event loop. */
const SLICE_MS = 4;
/** Characters gathered before a chunk is handed on (to the socket, for HTTP). */
const CHUNK_CHARS = 64 * 1024;

/**
 * Serialises a JSON-RPC success response as chunks of text. A {@link JsonList} result is
 * formatted and stringified item by item, in chunks of about 64 KiB, yielding to the event
 * loop whenever a slice has run for {@link SLICE_MS}: a large answer never holds the thread,
 * and written as it is made it never exists whole in memory (a 10,000-log answer is ~12 MB).
 * Any other result is one chunk. The concatenated text is JSON.stringify's.
 *
 * @throws TypeError when a formatter returns what JSON cannot carry (a bigint): a node bug
 *   the dispatcher turns into an internal error.
 * @example
 * ```ts
 * for await (const chunk of responseChunks(1, JsonList.of(logs, formatLog))) socket.write(chunk);
 * ```
 */
export async function* responseChunks(id: RpcId, result: RpcResult): AsyncGenerator<string> {
  if (!(result instanceof JsonList)) {
    yield JSON.stringify({ jsonrpc: "2.0", id, result });
    return;
  }
  let chunk = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":[`;
  let sliceStart = performance.now();
  for (let index = 0; index < result.length; index++) {
    chunk += `${index === 0 ? "" : ","}${JSON.stringify(result.itemAt(index))}`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
    if (performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
  yield `${chunk}]}`;
}

/**
 * Serialises a JSON-RPC success response as one string ({@link responseChunks} joined), for
 * transports that send whole messages (WebSocket frames, batch members).
 *
 * @throws TypeError when a formatter returns what JSON cannot carry.
 * @example
 * ```ts
 * await serialiseResponse(1, JsonList.of(logs, formatLog)); // '{"jsonrpc":"2.0","id":1,"result":[…]}'
 * ```
 */
export async function serialiseResponse(id: RpcId, result: RpcResult): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of responseChunks(id, result)) chunks.push(chunk);
  return chunks.join("");
}
