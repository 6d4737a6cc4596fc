import { performance } from "node:perf_hooks";
import { CustosError } from "../../src/errors/index.ts";
import type { RpcMethod } from "./defineMethod.ts";
import { JsonList, type RpcResult } from "./JsonList.ts";
import type { RpcContext } from "./RpcContext.ts";
import type { RpcId } from "./RpcId.ts";
import { responseChunks, serialiseResponse } from "./serialiseResponse.ts";
import { type RpcErrorObject, toRpcError } from "./toRpcError.ts";

/** One JSON-RPC 2.0 response object. */
export type RpcResponse =
  | { readonly jsonrpc: "2.0"; readonly id: RpcId; readonly result: RpcResult }
  | { readonly jsonrpc: "2.0"; readonly id: RpcId; readonly error: RpcErrorObject };

/** Receives one observation per handled request, for metrics and logs. */
export interface RpcObserver {
  /** `method` is the method name when it exists, else "unknown" (bounded label set). */
  request(method: string, seconds: number, errorCode: number | undefined): void;
  /** A non-Custos or INTERNAL failure; the cause is for the log only, never the client. */
  internalError(method: string, cause: unknown): void;
}

/** Options of {@link createRpcDispatcher}. */
export interface RpcDispatcherOptions {
  readonly methods: readonly RpcMethod[];
  readonly maxBatchSize: number;
  /**
   * Once a batch's answers pass this many bytes, its remaining requests are not run and each
   * gets error -32005 (geth's --rpc.batch-response-max-size, 25 MB by default): a batch of
   * 100 wide eth_getLogs cannot make the node hold gigabytes of answers.
   */
  readonly maxBatchResponseBytes: number;
  readonly observer?: RpcObserver;
}

/** Handles raw JSON-RPC bodies; the transport-independent core of the server. */
export interface RpcDispatcher {
  /**
   * Parses and answers one body (single request or batch). Returns the serialised response,
   * or undefined when nothing must be sent (notifications only). Never throws.
   */
  handleBody(body: string, context: RpcContext): Promise<string | undefined>;
  /**
   * As {@link RpcDispatcher.handleBody}, but the answer to a single request whose result is
   * a {@link JsonList} comes as chunks, to be written as they are made (HTTP): a 10,000-log
   * eth_getLogs answer never exists whole in memory. A failure before the first chunk
   * becomes an internal-error answer; a later one ends the iteration with that error.
   */
  handleHttpBody(
    body: string,
    context: RpcContext,
  ): Promise<string | AsyncIterable<string> | undefined>;
}

function errorResponse(id: RpcId, error: RpcErrorObject): RpcResponse {
  return { jsonrpc: "2.0", id, error };
}

function isId(value: unknown): value is RpcId {
  return (
    value === null ||
    typeof value === "string" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

function invalidRequest(id: RpcId, why: string): RpcResponse {
  return errorResponse(
    id,
    toRpcError(new CustosError("RPC_INVALID_REQUEST", `invalid request: ${why}`)).error,
  );
}

/**
 * Creates the dispatcher: JSON-RPC 2.0 decoding (parse error -32700, invalid request
 * -32600, method not found -32601), batches answered in order and run one after another
 * (bounding the work a single body can start), notifications (no `id`) answered with nothing.
 *
 * @example
 * ```ts
 * const dispatcher = createRpcDispatcher({
 *   methods: rpcMethods,
 *   maxBatchSize: 100,
 *   maxBatchResponseBytes: 25_000_000,
 * });
 * await dispatcher.handleBody('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}', context);
 * ```
 */
export function createRpcDispatcher(options: RpcDispatcherOptions): RpcDispatcher {
  const methods = new Map(options.methods.map((method) => [method.name, method]));
  const observer = options.observer;

  async function handleOne(
    message: unknown,
    context: RpcContext,
  ): Promise<RpcResponse | undefined> {
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      return invalidRequest(null, "expected a request object");
    }
    const request = message as Readonly<Record<string, unknown>>;
    const isNotification = !Object.hasOwn(request, "id");
    const rawId = request.id;
    if (!isNotification && !isId(rawId))
      return invalidRequest(null, "id must be a string, number or null");
    const id: RpcId = isNotification ? null : (rawId as RpcId);
    if (request.jsonrpc !== "2.0") return invalidRequest(id, 'jsonrpc must be "2.0"');
    const name = request.method;
    if (typeof name !== "string") return invalidRequest(id, "method must be a string");
    const params = request.params;
    if (params !== undefined && (typeof params !== "object" || params === null)) {
      return invalidRequest(id, "params must be an array or an object");
    }
    const method = methods.get(name);
    const label = method === undefined ? "unknown" : name;
    const started = performance.now();
    let response: RpcResponse;
    if (method === undefined) {
      const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
      response = errorResponse(
        id,
        toRpcError(
          new CustosError(
            "RPC_METHOD_NOT_FOUND",
            `the method ${shown} does not exist/is not available`,
            {
              details: { method: shown },
            },
          ),
        ).error,
      );
    } else {
      try {
        response = { jsonrpc: "2.0", id, result: await method.invoke(context, params) };
      } catch (thrown) {
        const mapped = toRpcError(thrown);
        if (mapped.internal) observer?.internalError(label, thrown);
        response = errorResponse(id, mapped.error);
      }
    }
    observer?.request(
      label,
      (performance.now() - started) / 1000,
      "error" in response ? response.error.code : undefined,
    );
    return isNotification ? undefined : response;
  }

  /** A result a formatter got wrong (say, a bigint) becomes an internal error, not a crash. */
  async function serialise(response: RpcResponse): Promise<string> {
    try {
      return "result" in response
        ? await serialiseResponse(response.id, response.result)
        : JSON.stringify(response);
    } catch (thrown) {
      observer?.internalError("unknown", thrown);
      return JSON.stringify(errorResponse(response.id, toRpcError(thrown).error));
    }
  }

  /** The chunks of a single answer, the first one made before the answer is committed to. */
  async function streamed(response: RpcResponse): Promise<string | AsyncIterable<string>> {
    if (!("result" in response) || !(response.result instanceof JsonList)) {
      return serialise(response);
    }
    const chunks = responseChunks(response.id, response.result);
    let first: IteratorResult<string>;
    try {
      first = await chunks.next();
    } catch (thrown) {
      observer?.internalError("unknown", thrown);
      return JSON.stringify(errorResponse(response.id, toRpcError(thrown).error));
    }
    return continued(first, chunks);
  }

  async function* continued(
    first: IteratorResult<string>,
    rest: AsyncGenerator<string>,
  ): AsyncGenerator<string> {
    if (first.done === true) return;
    yield first.value;
    try {
      for await (const chunk of rest) yield chunk;
    } catch (thrown) {
      observer?.internalError("unknown", thrown);
      throw thrown;
    }
  }

  /** The answer to a batch request left unrun because the batch's answers grew too large. */
  function batchTooLarge(message: unknown): RpcResponse | undefined {
    const request =
      typeof message === "object" && message !== null && !Array.isArray(message)
        ? (message as Readonly<Record<string, unknown>>)
        : {};
    if (!Object.hasOwn(request, "id") && Object.hasOwn(request, "method")) return undefined;
    const error = toRpcError(
      new CustosError(
        "RPC_LIMIT_EXCEEDED",
        `batch response too large, limit ${options.maxBatchResponseBytes} bytes; send fewer or narrower requests`,
        { details: { limit: "maxBatchResponseBytes", max: options.maxBatchResponseBytes } },
      ),
    ).error;
    observer?.request("unknown", 0, error.code);
    return errorResponse(isId(request.id) ? request.id : null, error);
  }

  /** Answers a body; `finish` serialises a single request's answer. */
  async function answer<T>(
    body: string,
    context: RpcContext,
    finish: (response: RpcResponse) => Promise<T>,
  ): Promise<T | string | undefined> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      const error = toRpcError(
        new CustosError("RPC_PARSE_ERROR", "parse error: body is not valid JSON"),
      ).error;
      observer?.request("unknown", 0, error.code);
      return JSON.stringify(errorResponse(null, error));
    }
    if (!Array.isArray(parsed)) {
      const response = await handleOne(parsed, context);
      if (response === undefined) return undefined;
      return finish(response);
    }
    if (parsed.length === 0) return JSON.stringify(invalidRequest(null, "empty batch"));
    if (parsed.length > options.maxBatchSize) {
      const error = toRpcError(
        new CustosError(
          "RPC_LIMIT_EXCEEDED",
          `batch too large: ${parsed.length} requests, limit ${options.maxBatchSize}`,
          { details: { limit: "maxBatchSize", max: options.maxBatchSize } },
        ),
      ).error;
      observer?.request("unknown", 0, error.code);
      return JSON.stringify(errorResponse(null, error));
    }
    const responses: string[] = [];
    let bytes = 0;
    for (const message of parsed) {
      const response =
        bytes > options.maxBatchResponseBytes
          ? batchTooLarge(message)
          : await handleOne(message, context);
      if (response === undefined) continue;
      const text = await serialise(response);
      bytes += text.length;
      responses.push(text);
    }
    return responses.length === 0 ? undefined : `[${responses.join(",")}]`;
  }

  return {
    handleBody: (body, context) => answer(body, context, serialise),
    handleHttpBody: (body, context) => answer(body, context, streamed),
  };
}
