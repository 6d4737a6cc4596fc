import { Readable } from "node:stream";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { CustosError } from "../../src/errors/index.ts";
import { createRpcDispatcher, type RpcObserver } from "./createRpcDispatcher.ts";
import { createRpcMetrics, type RpcMetrics } from "./createRpcMetrics.ts";
import { createFilterRegistry } from "./FilterRegistry.ts";
import { rpcMethods } from "./methods/rpcMethods.ts";
import type { NodeApi } from "./NodeApi.ts";
import type { RpcContext } from "./RpcContext.ts";
import { defaultRpcServerOptions, type RpcServerOptions } from "./rpcServerOptions.ts";
import { createSubscriptionRegistry } from "./SubscriptionRegistry.ts";
import { toRpcError } from "./toRpcError.ts";

/** The part of a pino logger the server uses. */
export interface RpcLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

/** Arguments of {@link createRpcServer}. */
export interface CreateRpcServerArgs {
  readonly api: NodeApi;
  readonly options?: RpcServerOptions;
  /** Where internal errors (with their causes) go; clients never see them. */
  readonly logger?: RpcLogger;
  /**
   * Registers more routes on the same server before it listens (the node's audit API,
   * dashboard and portal), each in its own encapsulated scope.
   */
  readonly extend?: (app: FastifyInstance) => Promise<void>;
}

/** A running-or-ready RPC server. */
export interface RpcServer {
  /** The fastify instance, e.g. for `inject` in tests. */
  readonly fastify: FastifyInstance;
  readonly metrics: RpcMetrics;
  /** Starts listening; returns the bound address, e.g. `http://127.0.0.1:8545`. */
  listen(address: { readonly host: string; readonly port: number }): Promise<string>;
  /** Closes connections, subscriptions and metric listeners. */
  close(): Promise<void>;
}

/** The subset of a `ws` WebSocket the server needs (`ws` ships no types here). */
interface WsSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[]) => void): void;
  on(event: "close" | "error", listener: () => void): void;
}

const wsOpen = 1;
const wsPolicyViolation = 1008;

function messageText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}

function rpcErrorBody(error: CustosError): string {
  return JSON.stringify({ jsonrpc: "2.0", id: null, error: toRpcError(error).error });
}

/**
 * Creates the node's RPC server: JSON-RPC 2.0 on `POST /` (single and batch) and on WebSocket
 * `GET /` (plus eth_subscribe / eth_unsubscribe), `GET /liveness`, `GET /readiness`
 * (api.ready() and in sync) and `GET /metrics` (Prometheus).
 *
 * Polling filters (eth_newFilter and the like) are shared by both transports and counted per
 * client, a client being the remote address of the request or connection
 * ({@link createFilterRegistry}). A WebSocket message over `limits.maxWsMessageBytes` closes
 * the connection with 1009 (message too big).
 *
 * HTTP answers: 200 with a JSON-RPC body for every request, including JSON-RPC errors
 * (clients read the code from the body); 204 when only notifications were sent; 413 with a
 * -32005 JSON-RPC body for a body over `limits.maxBodyBytes` (geth also answers 413, and
 * ethers and viem surface it as an error). CORS is off unless `corsOrigins` lists origins;
 * a browser WebSocket from an unlisted origin is refused with 403. No response carries a
 * stack trace.
 *
 * @example
 * ```ts
 * const server = createRpcServer({ api, options: defaultRpcServerOptions });
 * const url = await server.listen({ host: "127.0.0.1", port: 8545 });
 * ```
 */
export function createRpcServer(args: CreateRpcServerArgs): RpcServer {
  const { api, logger } = args;
  const options = args.options ?? defaultRpcServerOptions;
  const { limits } = options;
  const metrics = createRpcMetrics({
    api,
    prefix: options.metricsPrefix,
    processMetrics: options.processMetrics,
  });
  const observer: RpcObserver = {
    request: metrics.observer.request,
    internalError(method, cause) {
      logger?.error({ method, err: cause }, "rpc internal error");
    },
  };
  const dispatcher = createRpcDispatcher({
    methods: rpcMethods,
    maxBatchSize: limits.maxBatchSize,
    maxBatchResponseBytes: limits.maxBatchResponseBytes,
    observer,
  });
  const filters = createFilterRegistry({ api, limits, onCountChange: metrics.filtersChanged });
  const allowAnyOrigin = options.corsOrigins.includes("*");
  const originAllowed = (origin: string): boolean =>
    allowAnyOrigin || options.corsOrigins.includes(origin);

  const app = Fastify({
    bodyLimit: limits.maxBodyBytes,
    logger: false,
    forceCloseConnections: true,
  });
  app.removeAllContentTypeParsers();
  // JSON-RPC bodies are parsed by the dispatcher so malformed JSON gets -32700, not a 400 page.
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && originAllowed(origin)) {
      reply.header("access-control-allow-origin", allowAnyOrigin ? "*" : origin);
      reply.header("vary", "origin");
    }
  });

  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    if (error.statusCode === 413) {
      const tooLarge = new CustosError(
        "RPC_BODY_TOO_LARGE",
        `request body too large, limit ${limits.maxBodyBytes} bytes`,
        { details: { limit: "maxBodyBytes", max: limits.maxBodyBytes } },
      );
      return reply.code(413).type("application/json").send(rpcErrorBody(tooLarge));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const invalid = new CustosError(
        "RPC_INVALID_REQUEST",
        "invalid request: malformed HTTP request",
      );
      return reply.code(400).type("application/json").send(rpcErrorBody(invalid));
    }
    logger?.error({ url: request.url, err: error }, "rpc http error");
    return reply
      .code(500)
      .type("application/json")
      .send(
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32603, message: "internal error" },
        }),
      );
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: "not found" }));

  const ws = options.websocket;
  let openSockets = 0;

  function wsHandler(rawSocket: unknown, request: FastifyRequest): void {
    const socket = rawSocket as WsSocket;
    openSockets++;
    const send = (message: string): void => {
      if (socket.readyState !== wsOpen) return;
      if (socket.bufferedAmount > limits.maxWsBufferedBytes) {
        socket.close(wsPolicyViolation, "slow consumer");
        return;
      }
      socket.send(message);
    };
    const subscriptions = createSubscriptionRegistry({
      api,
      maxSubscriptions: limits.maxSubscriptionsPerConnection,
      send,
      onCountChange: metrics.subscriptionsChanged,
      onError: (cause) => logger?.error({ err: cause }, "rpc subscription notification failed"),
    });
    const context: RpcContext = { api, limits, subscriptions, filters, client: request.ip };
    // One message at a time per connection keeps responses in request order.
    let queue = Promise.resolve();
    socket.on("message", (data) => {
      queue = queue.then(async () => {
        try {
          const answer = await dispatcher.handleBody(messageText(data), context);
          if (answer !== undefined) send(answer);
        } catch (cause) {
          // A failed send must not break the queue (or surface as an unhandled rejection).
          logger?.error({ err: cause }, "rpc websocket send failed");
        }
      });
    });
    let closed = false;
    const onClosed = () => {
      if (closed) return;
      closed = true;
      openSockets--;
      subscriptions.close();
    };
    socket.on("close", onClosed);
    socket.on("error", onClosed);
  }

  if (ws.enabled) {
    app.register(websocket, {
      options: { maxPayload: limits.maxWsMessageBytes },
      // `ws` has already started the closing handshake with the code of a protocol error
      // (1009 for a message over maxPayload, 1002, 1007); terminating the socket now, as the
      // plugin's default handler does, would cut it and leave the client with 1006.
      errorHandler: (error: Error & { code?: string }, socket: unknown) => {
        if (error.code?.startsWith("WS_ERR_") === true) return;
        logger?.error({ err: error }, "rpc websocket error");
        (socket as { terminate(): void }).terminate();
      },
    });
  }
  app.register(async (scope) => {
    scope.post("/", async (request, reply) => {
      const body = typeof request.body === "string" ? request.body : "";
      const context: RpcContext = { api, limits, filters, client: request.ip };
      const answer = await dispatcher.handleHttpBody(body, context);
      if (answer === undefined) return reply.code(204).send();
      reply.type("application/json");
      return reply.send(
        typeof answer === "string" ? answer : Readable.from(answer, { objectMode: false }),
      );
    });
    scope.options("/", async (request, reply) => {
      const origin = request.headers.origin;
      if (origin !== undefined && originAllowed(origin)) {
        reply.header("access-control-allow-methods", "POST, OPTIONS");
        reply.header("access-control-allow-headers", "content-type");
        reply.header("access-control-max-age", "600");
      }
      return reply.code(204).send();
    });
    scope.route({
      method: "GET",
      url: "/",
      preValidation: async (request, reply) => {
        const origin = request.headers.origin;
        if (origin !== undefined && !originAllowed(origin)) {
          return reply.code(403).send({ error: "origin not allowed" });
        }
        if (request.ws === true && openSockets >= ws.maxConnections) {
          return reply.code(503).send({ error: "too many WebSocket connections" });
        }
        return undefined;
      },
      handler: async (_request, reply) =>
        reply
          .code(405)
          .header("allow", "POST")
          .send({ error: "use POST for JSON-RPC or a WebSocket upgrade" }),
      ...(ws.enabled ? { wsHandler } : {}),
    });
    scope.get("/liveness", async () => ({ status: "up" }));
    scope.get("/readiness", async (_request, reply) => {
      const ready = api.ready() && api.syncing() === false;
      return reply.code(ready ? 200 : 503).send({ ready });
    });
    if (options.metricsEnabled) {
      scope.get("/metrics", async (_request, reply) =>
        reply.type(metrics.registry.contentType).send(await metrics.exposition()),
      );
    }
  });

  if (args.extend !== undefined) {
    const extend = args.extend;
    app.register(async (scope) => extend(scope));
  }

  return {
    fastify: app,
    metrics,
    async listen(address) {
      return app.listen({ host: address.host, port: address.port });
    },
    async close() {
      filters.close();
      metrics.close();
      await app.close();
    },
  };
}
