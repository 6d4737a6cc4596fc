import { bytesToHex } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcServer, type RpcServer } from "../../../nodes/rpc/createRpcServer.ts";
import { defaultRpcServerOptions } from "../../../nodes/rpc/rpcServerOptions.ts";
import {
  createFakeNodeApi,
  type FakeNodeApi,
  makeNextBlock,
  transferTopic,
} from "./fakeNodeApi.ts";
import { post, type TestResponse } from "./rpcTestClient.ts";

let api: FakeNodeApi;
let server: RpcServer;
const logged: unknown[] = [];

beforeAll(() => {
  api = createFakeNodeApi();
  server = createRpcServer({
    api,
    options: {
      ...defaultRpcServerOptions,
      processMetrics: false,
      corsOrigins: ["https://audit.example"],
      limits: { ...defaultRpcServerOptions.limits, maxBatchSize: 3, maxBodyBytes: 1024 },
    },
    logger: { error: (fields) => logged.push(fields) },
  });
});
afterAll(() => server.close());

const chainIdRequest = (id: unknown) => ({ jsonrpc: "2.0", id, method: "eth_chainId" });

describe("JSON-RPC envelope over HTTP", () => {
  it("answers a single request with its id", async () => {
    const { status, body } = await post(server, JSON.stringify(chainIdRequest("abc")));
    expect(status).toBe(200);
    expect(body).toEqual({ jsonrpc: "2.0", id: "abc", result: "0x539" });
  });

  it("answers a batch in order, leaving out notifications", async () => {
    const batch = [
      chainIdRequest(1),
      { jsonrpc: "2.0", method: "eth_blockNumber" },
      { jsonrpc: "2.0", id: 2, method: "eth_nope" },
    ];
    const { status, body } = await post(server, JSON.stringify(batch));
    expect(status).toBe(200);
    expect(body).toEqual([
      { jsonrpc: "2.0", id: 1, result: "0x539" },
      {
        jsonrpc: "2.0",
        id: 2,
        error: {
          code: -32601,
          message: "the method eth_nope does not exist/is not available",
          data: { code: "RPC_METHOD_NOT_FOUND", details: { method: "eth_nope" } },
        },
      },
    ]);
  });

  it("sends nothing for notifications, even failing ones", async () => {
    for (const payload of [
      { jsonrpc: "2.0", method: "eth_chainId" },
      { jsonrpc: "2.0", method: "eth_unknown" },
      [{ jsonrpc: "2.0", method: "eth_getBalance", params: ["bad"] }],
    ]) {
      const { status, raw } = await post(server, JSON.stringify(payload));
      expect(status).toBe(204);
      expect(raw).toBe("");
    }
  });

  it("answers parse errors with -32700 and id null", async () => {
    for (const payload of ["{", "", "[1,", "\u0000", '{"jsonrpc":"2.0",}']) {
      const { status, body } = await post(server, payload);
      expect(status).toBe(200);
      expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
    }
  });

  it("answers invalid requests with -32600", async () => {
    const cases: [unknown, unknown][] = [
      [[], null],
      [1, null],
      ["x", null],
      [{ jsonrpc: "1.0", id: 4, method: "eth_chainId" }, 4],
      [{ jsonrpc: "2.0", id: 5, method: 7 }, 5],
      [{ jsonrpc: "2.0", id: { a: 1 }, method: "eth_chainId" }, null],
      [{ jsonrpc: "2.0", id: 6, method: "eth_chainId", params: "x" }, 6],
      [{ jsonrpc: "2.0", id: 7, method: "eth_chainId", params: null }, 7],
    ];
    for (const [payload, id] of cases) {
      const { body } = await post(server, JSON.stringify(payload));
      expect(body, JSON.stringify(payload)).toMatchObject({
        jsonrpc: "2.0",
        id,
        error: { code: -32600 },
      });
    }
    const { body } = await post(server, JSON.stringify([1, chainIdRequest(9)]));
    expect(body).toEqual([
      { jsonrpc: "2.0", id: null, error: expect.objectContaining({ code: -32600 }) },
      { jsonrpc: "2.0", id: 9, result: "0x539" },
    ]);
  });

  it("refuses batches over the cap with -32005 and runs none of them", async () => {
    const { body } = await post(server, JSON.stringify([1, 2, 3, 4].map(chainIdRequest)));
    expect(body).toMatchObject({
      id: null,
      error: { code: -32005, message: "batch too large: 4 requests, limit 3" },
    });
  });

  it("answers an oversized body with HTTP 413 and -32005", async () => {
    const { status, body } = await post(
      server,
      JSON.stringify({ ...chainIdRequest(1), pad: "x".repeat(2000) }),
    );
    expect(status).toBe(413);
    expect(body).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32005, message: /body too large/ },
    });
  });

  it("parses bodies whatever their content type", async () => {
    for (const headers of [{ "content-type": "text/plain" }, {} as Record<string, string>]) {
      const { body } = await post(server, JSON.stringify(chainIdRequest(1)), headers);
      expect((body as TestResponse).result).toBe("0x539");
    }
  });

  it("never leaks internals in error bodies", async () => {
    const { raw } = await post(server, "{");
    expect(raw).not.toMatch(/at .*\.ts|stack/);
  });
});

describe("CORS", () => {
  it("is off for unlisted origins and on for listed ones", async () => {
    const denied = await server.fastify.inject({
      method: "POST",
      url: "/",
      payload: JSON.stringify(chainIdRequest(1)),
      headers: { origin: "https://evil.example", "content-type": "application/json" },
    });
    expect(denied.headers["access-control-allow-origin"]).toBeUndefined();
    const allowed = await server.fastify.inject({
      method: "OPTIONS",
      url: "/",
      headers: { origin: "https://audit.example", "access-control-request-method": "POST" },
    });
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://audit.example");
    expect(allowed.headers["access-control-allow-methods"]).toBe("POST, OPTIONS");
  });
});

describe("REST endpoints", () => {
  it("reports liveness and readiness", async () => {
    expect((await server.fastify.inject({ url: "/liveness" })).json()).toEqual({ status: "up" });
    expect((await server.fastify.inject({ url: "/readiness" })).statusCode).toBe(200);
    api.setSyncing({ startingBlock: 0n, currentBlock: 1n, highestBlock: 5n });
    expect((await server.fastify.inject({ url: "/readiness" })).statusCode).toBe(503);
    api.setSyncing(false);
    api.setReady(false);
    const notReady = await server.fastify.inject({ url: "/readiness" });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ ready: false });
    api.setReady(true);
  });

  it("exposes Prometheus metrics fed by the snapshot, hooks and requests", async () => {
    api.emitBlockExecuted({ number: 2n, transactions: 1, seconds: 0.02 });
    await post(server, JSON.stringify(chainIdRequest(1)));
    await post(server, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_nope" }));
    const response = await server.fastify.inject({ url: "/metrics" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toMatch(/^custos_chain_height 2$/m);
    expect(text).toMatch(/^custos_chain_transactions 4$/m);
    expect(text).toMatch(/^custos_txpool_size 0$/m);
    expect(text).toMatch(/^custos_peers 3$/m);
    expect(text).toMatch(/^custos_block_execution_seconds_count 1$/m);
    expect(text).toMatch(
      /^custos_rpc_request_duration_seconds_count\{method="eth_chainId"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(
      /^custos_rpc_request_duration_seconds_count\{method="unknown"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^custos_rpc_errors_total\{code="-32601"\} [1-9]\d*$/m);
    expect(text).toMatch(/^custos_ws_subscriptions\{type="newHeads"\} 0$/m);
  });

  it("answers unknown routes and plain GET / without stacks", async () => {
    const missing = await server.fastify.inject({ url: "/nope" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: "not found" });
    const get = await server.fastify.inject({ url: "/" });
    expect(get.statusCode).toBe(405);
  });
});

describe("WebSocket", () => {
  let url: string;
  let wsServer: RpcServer;
  let wsApi: FakeNodeApi;

  beforeAll(async () => {
    wsApi = createFakeNodeApi();
    wsServer = createRpcServer({
      api: wsApi,
      options: {
        ...defaultRpcServerOptions,
        processMetrics: false,
        limits: {
          ...defaultRpcServerOptions.limits,
          maxSubscriptionsPerConnection: 2,
          maxWsMessageBytes: 4096,
        },
      },
    });
    url = (await wsServer.listen({ host: "127.0.0.1", port: 0 })).replace("http://", "ws://");
  });
  afterAll(() => wsServer.close());

  /** A client that collects messages and awaits them in order. */
  async function connect(headers?: Record<string, string>) {
    const socket = new WebSocket(url, headers === undefined ? undefined : ({ headers } as never));
    const inbox: unknown[] = [];
    const waiters: ((message: unknown) => void)[] = [];
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data));
      const waiter = waiters.shift();
      if (waiter === undefined) inbox.push(message);
      else waiter(message);
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error("ws error")));
    });
    let nextId = 1;
    const next = (): Promise<unknown> =>
      inbox.length > 0
        ? Promise.resolve(inbox.shift())
        : new Promise((resolve) => waiters.push(resolve));
    const request = async (method: string, params: unknown[] = []): Promise<TestResponse> => {
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }));
      return (await next()) as TestResponse;
    };
    return { socket, next, request };
  }

  it("serves ordinary methods and batches", async () => {
    const client = await connect();
    expect((await client.request("eth_chainId")).result).toBe("0x539");
    client.socket.send(JSON.stringify([{ jsonrpc: "2.0", id: 7, method: "eth_blockNumber" }]));
    expect(await client.next()).toEqual([{ jsonrpc: "2.0", id: 7, result: "0x2" }]);
    client.socket.send("{oops");
    expect(await client.next()).toMatchObject({ error: { code: -32700 } });
    client.socket.close();
  });

  it("streams newHeads and filtered logs, and stops after eth_unsubscribe", async () => {
    const client = await connect();
    const heads = (await client.request("eth_subscribe", ["newHeads"])).result as string;
    expect(heads).toMatch(/^0x[0-9a-f]{32}$/);
    const logs = (
      await client.request("eth_subscribe", ["logs", { topics: [bytesToHex(transferTopic)] }])
    ).result as string;
    const { block, receipts } = makeNextBlock(wsApi);
    wsApi.commit(block, receipts);
    const first = (await client.next()) as {
      method: string;
      params: { subscription: string; result: Record<string, unknown> };
    };
    const second = (await client.next()) as typeof first;
    expect(first.method).toBe("eth_subscription");
    expect(first.params.subscription).toBe(heads);
    expect(first.params.result).toMatchObject({ number: "0x3", hash: bytesToHex(block.hash()) });
    expect(second.params.subscription).toBe(logs);
    expect(second.params.result).toMatchObject({
      blockNumber: "0x3",
      logIndex: "0x0",
      topics: [bytesToHex(transferTopic), expect.any(String), expect.any(String)],
    });
    expect((await client.request("eth_unsubscribe", [heads])).result).toBe(true);
    expect((await client.request("eth_unsubscribe", [heads])).result).toBe(false);
    const metrics = await wsServer.fastify.inject({ url: "/metrics" });
    expect(metrics.body).toMatch(/^custos_ws_subscriptions\{type="newHeads"\} 0$/m);
    expect(metrics.body).toMatch(/^custos_ws_subscriptions\{type="logs"\} 1$/m);
    const later = makeNextBlock(wsApi);
    wsApi.commit(later.block, later.receipts);
    const only = (await client.next()) as typeof first;
    expect(only.params.subscription).toBe(logs);
    expect(only.params.result).toMatchObject({ blockNumber: "0x4" });
    client.socket.close();
  });

  it("does not send logs that miss the filter", async () => {
    const client = await connect();
    await client.request("eth_subscribe", ["logs", { address: `0x${"99".repeat(20)}` }]);
    const heads = (await client.request("eth_subscribe", ["newHeads"])).result;
    const { block, receipts } = makeNextBlock(wsApi);
    wsApi.commit(block, receipts);
    const message = (await client.next()) as { params: { subscription: string } };
    expect(message.params.subscription).toBe(heads);
    expect((await client.request("eth_chainId")).result).toBe("0x539");
    client.socket.close();
  });

  it("releases a connection's subscriptions when it closes", async () => {
    const client = await connect();
    await client.request("eth_subscribe", ["newHeads"]);
    await client.request("eth_subscribe", ["newHeads"]);
    const gauge = async () =>
      /custos_ws_subscriptions\{type="newHeads"\} (\d+)/.exec(
        (await wsServer.fastify.inject({ url: "/metrics" })).body,
      )?.[1];
    expect(await gauge()).toBe("2");
    const closed = new Promise((resolve) => client.socket.addEventListener("close", resolve));
    client.socket.close();
    await closed;
    while ((await gauge()) !== "0") await new Promise((resolve) => setImmediate(resolve));
    expect(await gauge()).toBe("0");
  });

  it("caps subscriptions per connection with -32005", async () => {
    const client = await connect();
    await client.request("eth_subscribe", ["newHeads"]);
    await client.request("eth_subscribe", ["newHeads"]);
    const third = await client.request("eth_subscribe", ["newHeads"]);
    expect(third.error).toMatchObject({ code: -32005, message: /too many subscriptions/ });
    const bad = await client.request("eth_subscribe", ["newHeads", { address: "0x00" }]);
    expect(bad.error?.code).toBe(-32602);
    client.socket.close();
  });

  it("closes a connection that sends a message over the size limit", async () => {
    const client = await connect();
    const closed = new Promise<number>((resolve) =>
      client.socket.addEventListener("close", (event) => resolve(event.code)),
    );
    client.socket.send(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", pad: "x".repeat(5000) }),
    );
    expect(await closed).toBe(1009);
  });

  it("refuses browser upgrades from unlisted origins", async () => {
    const rejected = await wsServer.fastify.inject({
      url: "/",
      headers: {
        origin: "https://evil.example",
        connection: "upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    expect(rejected.statusCode).toBe(403);
  });
});

it("logs internal errors with their cause for operators only", async () => {
  api.failNext("logs", new Error("backend exploded"));
  const { body } = await post(
    server,
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{}] }),
  );
  expect(body).toEqual({
    jsonrpc: "2.0",
    id: 1,
    error: { code: -32603, message: "internal error" },
  });
  expect(logged).toContainEqual({ method: "eth_getLogs", err: new Error("backend exploded") });
});

describe("transport switches", () => {
  async function openSocket(url: string): Promise<WebSocket> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error("upgrade refused")));
    });
    return socket;
  }

  it("refuses WebSocket upgrades beyond maxConnections and admits again after a close", async () => {
    const capped = createRpcServer({
      api: createFakeNodeApi(),
      options: {
        ...defaultRpcServerOptions,
        processMetrics: false,
        websocket: { enabled: true, maxConnections: 1 },
      },
    });
    try {
      const url = (await capped.listen({ host: "127.0.0.1", port: 0 })).replace("http", "ws");
      const first = await openSocket(url);
      await expect(openSocket(url)).rejects.toThrow("upgrade refused");
      const closed = new Promise((resolve) => first.addEventListener("close", resolve));
      first.close();
      await closed;
      await expect
        .poll(() =>
          openSocket(url).then(
            (s) => {
              s.close();
              return true;
            },
            () => false,
          ),
        )
        .toBe(true);
    } finally {
      await capped.close();
    }
  });

  it("serves no WebSocket when disabled and no /metrics when metrics are off", async () => {
    const plain = createRpcServer({
      api: createFakeNodeApi(),
      options: {
        ...defaultRpcServerOptions,
        processMetrics: false,
        websocket: { enabled: false, maxConnections: 1 },
        metricsEnabled: false,
      },
    });
    try {
      const url = await plain.listen({ host: "127.0.0.1", port: 0 });
      await expect(openSocket(url.replace("http", "ws"))).rejects.toThrow("upgrade refused");
      expect((await plain.fastify.inject({ url: "/metrics" })).statusCode).toBe(404);
      const { body } = await post(plain, JSON.stringify(chainIdRequest(1)));
      expect(body).toEqual({ jsonrpc: "2.0", id: 1, result: "0x539" });
    } finally {
      await plain.close();
    }
  });
});
