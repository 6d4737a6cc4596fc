/**
 * A minimal JSON-RPC 2.0 client over HTTP for the node benchmark. Every chain is driven
 * through the same few lines of `fetch`, so client overhead is identical for all of them and
 * no library-side caching or polling skews a measurement.
 */

/** One call of a batch. */
export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

/** A JSON-RPC error object as the server sent it. */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
}

/** The outcome of one call of a batch: its result or the server's error. */
export type RpcOutcome = { readonly result: unknown } | { readonly error: RpcErrorObject };

/** A JSON-RPC endpoint. */
export interface JsonRpc {
  readonly url: string;
  /** One call; throws on a JSON-RPC error. */
  call<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  /** One HTTP request carrying `calls` as a JSON-RPC batch; outcomes in call order. */
  batch(calls: readonly RpcCall[]): Promise<RpcOutcome[]>;
}

interface RpcResponse {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: RpcErrorObject;
}

/**
 * A client for `url`; every request is aborted after `timeoutMs`.
 *
 * @example
 * ```ts
 * const rpc = createJsonRpc("http://127.0.0.1:8545", 30_000);
 * const head = await rpc.call<string>("eth_blockNumber");
 * ```
 */
export function createJsonRpc(url: string, timeoutMs: number): JsonRpc {
  let nextId = 1;
  async function post(body: unknown): Promise<unknown> {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }
  return {
    url,
    async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
      const reply = (await post({ jsonrpc: "2.0", id: nextId++, method, params })) as RpcResponse;
      if (reply.error !== undefined) {
        throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`);
      }
      return reply.result as T;
    },
    async batch(calls: readonly RpcCall[]): Promise<RpcOutcome[]> {
      const first = nextId;
      nextId += calls.length;
      const body = calls.map((c, i) => ({
        jsonrpc: "2.0",
        id: first + i,
        method: c.method,
        params: c.params,
      }));
      const reply = await post(body);
      if (!Array.isArray(reply)) {
        throw new Error(`batch of ${calls.length}: not an array: ${JSON.stringify(reply)}`);
      }
      const byId = new Map((reply as RpcResponse[]).map((r) => [r.id, r]));
      return calls.map((c, i) => {
        const r = byId.get(first + i);
        if (r === undefined) return { error: { code: 0, message: `${c.method}: no response` } };
        return r.error === undefined ? { result: r.result } : { error: r.error };
      });
    },
  };
}
