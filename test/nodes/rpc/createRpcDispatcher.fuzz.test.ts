import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createRpcDispatcher, type RpcDispatcher } from "../../../nodes/rpc/createRpcDispatcher.ts";
import { createRpcServer, type RpcServer } from "../../../nodes/rpc/createRpcServer.ts";
import { rpcMethods } from "../../../nodes/rpc/methods/rpcMethods.ts";
import type { RpcContext } from "../../../nodes/rpc/RpcContext.ts";
import { defaultRpcServerOptions } from "../../../nodes/rpc/rpcServerOptions.ts";
import { createSubscriptionRegistry } from "../../../nodes/rpc/SubscriptionRegistry.ts";
import {
  contract,
  createFakeNodeApi,
  type FakeNodeApi,
  sender,
  transferTopic,
} from "./fakeNodeApi.ts";

/**
 * Fuzzes the JSON-RPC decoder: random bytes, random JSON, random requests with known and
 * unknown methods and structured-but-wrong params, and batches. 4 × 26,000 cases through
 * the dispatcher plus 4,000 raw bodies through fastify: ≥ 100,000 in all.
 */
const runsPerProperty = 26_000;
const knownMethods = rpcMethods.map((method) => method.name);
const requestCodes = new Set([-32602, -32001, -32000, -32003, -32004, -32005, 3]);
let api: FakeNodeApi;
let dispatcher: RpcDispatcher;
let context: RpcContext;

beforeAll(() => {
  api = createFakeNodeApi();
  dispatcher = createRpcDispatcher({
    methods: rpcMethods,
    maxBatchSize: 20,
    maxBatchResponseBytes: 25_000_000,
  });
  const limits = {
    ...defaultRpcServerOptions.limits,
    maxLogBlockRange: 2,
    maxSubscriptionsPerConnection: 4,
  };
  context = {
    api,
    limits,
    subscriptions: createSubscriptionRegistry({ api, maxSubscriptions: 4, send: () => undefined }),
  };
});

type Response = {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
};

/** Every response must be a JSON-RPC 2.0 response with a valid id and exactly one outcome. */
function checkResponse(value: unknown): Response {
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  const response = value as Response;
  expect(response.jsonrpc).toBe("2.0");
  expect(
    response.id === null || typeof response.id === "string" || typeof response.id === "number",
  ).toBe(true);
  expect("result" in response !== "error" in response).toBe(true);
  if (response.error !== undefined) {
    expect(Number.isInteger(response.error.code)).toBe(true);
    expect(typeof response.error.message).toBe("string");
    expect(response.error.message).not.toMatch(/\n\s+at /);
    // The fake node never fails internally: -32603 would mean bad input reached it.
    expect(response.error.code).not.toBe(-32603);
  }
  return response;
}

const hexDigits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: min, maxLength: max });

/** Strings that look like what Ethereum params hold, including near misses. */
const ethString = fc.oneof(
  fc.constantFrom(
    "latest",
    "earliest",
    "pending",
    "safe",
    "finalized",
    "0x",
    "0x0",
    "0x00",
    "newHeads",
    "logs",
  ),
  hexDigits(0, 70).map((digits) => `0x${digits}`),
  fc.constantFrom(bytesToHex(contract), bytesToHex(sender.bytes), bytesToHex(transferTopic)),
  hexDigits(40, 40).map((digits) => `0x${digits}`),
  hexDigits(64, 64).map((digits) => `0x${digits}`),
  fc.string({ maxLength: 12 }),
);
const fieldName = fc.constantFrom(
  "to",
  "from",
  "data",
  "input",
  "value",
  "gas",
  "gasPrice",
  "maxFeePerGas",
  "nonce",
  "accessList",
  "blockHash",
  "blockNumber",
  "requireCanonical",
  "fromBlock",
  "toBlock",
  "address",
  "topics",
  "__proto__",
  "constructor",
);
const ethValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    ethString,
    fc.boolean(),
    fc.constant(null),
    fc.integer({ min: -5, max: 300 }),
    fc.double(),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fieldName, tie("value"), { maxKeys: 4 }),
  ),
})).value;

const requestArb = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant("2.0"), fc.constant("2.0"), fc.constant("1.0"), fc.integer()),
    id: fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 8 }),
      fc.constant(null),
      fc.boolean(),
      fc.object({ maxDepth: 1 }),
    ),
    method: fc.oneof(
      fc.constantFrom(...knownMethods),
      fc.constantFrom(...knownMethods),
      fc.string({ maxLength: 20 }),
      fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty"),
      fc.integer(),
    ),
    params: fc.oneof(
      fc.array(ethValue, { maxLength: 4 }),
      fc.array(ethValue, { maxLength: 4 }),
      ethValue,
    ),
  },
  { requiredKeys: ["jsonrpc", "method"] },
);

async function handle(body: string): Promise<unknown> {
  const answer = await dispatcher.handleBody(body, context);
  return answer === undefined ? undefined : JSON.parse(answer);
}

describe("JSON-RPC decoder fuzz", () => {
  it("answers random bytes with a parse error or a valid response", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        const answer = await handle(Buffer.from(bytes).toString("utf8"));
        if (answer === undefined) return;
        for (const response of Array.isArray(answer) ? answer : [answer]) checkResponse(response);
      }),
      { numRuns: runsPerProperty, seed: 1474 },
    );
  });

  it("answers random JSON values with the right error class", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        const answer = await handle(JSON.stringify(value));
        if (Array.isArray(value)) {
          if (value.length === 0 || value.length > 20) {
            expect(checkResponse(answer).error?.code).toBe(value.length === 0 ? -32600 : -32005);
            return;
          }
          if (answer === undefined) return;
          for (const response of answer as unknown[]) checkResponse(response);
          return;
        }
        if (typeof value !== "object" || value === null) {
          expect(checkResponse(answer).error?.code).toBe(-32600);
          return;
        }
        if (answer !== undefined) checkResponse(answer);
      }),
      { numRuns: runsPerProperty, seed: 8545 },
    );
  });

  it("answers random requests: -32600 for bad envelopes, -32601 for unknown methods, request errors otherwise", async () => {
    const seen = new Map<string, number>();
    const count = (outcome: string) => seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const answer = await handle(JSON.stringify(request));
        const hasId = Object.hasOwn(request, "id");
        const validId =
          !hasId ||
          request.id === null ||
          typeof request.id === "string" ||
          (typeof request.id === "number" && Number.isFinite(request.id));
        const paramsOk =
          request.params === undefined ||
          (typeof request.params === "object" && request.params !== null);
        const envelopeOk =
          validId && request.jsonrpc === "2.0" && typeof request.method === "string" && paramsOk;
        if (!envelopeOk) {
          expect(checkResponse(answer).error?.code).toBe(-32600);
          count("-32600");
          return;
        }
        if (!hasId) {
          expect(answer).toBeUndefined();
          return;
        }
        const response = checkResponse(answer);
        expect(response.id).toEqual(request.id);
        count(response.error === undefined ? "result" : String(response.error.code));
        const known = typeof request.method === "string" && knownMethods.includes(request.method);
        if (!known) {
          expect(response.error?.code).toBe(-32601);
        } else if (response.error !== undefined) {
          expect(requestCodes.has(response.error.code as number)).toBe(true);
        }
      }),
      { numRuns: runsPerProperty, seed: 1898 },
    );
    // The generator must reach past the envelope into methods, params and the node.
    for (const outcome of ["-32600", "-32601", "-32602", "result"]) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(100);
    }
  });

  it("answers random batches response by response", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(requestArb, ethValue), { minLength: 1, maxLength: 6 }),
        async (batch) => {
          const answer = await handle(JSON.stringify(batch));
          if (answer === undefined) return;
          expect(Array.isArray(answer)).toBe(true);
          const responses = answer as unknown[];
          expect(responses.length).toBeLessThanOrEqual(batch.length);
          for (const response of responses) checkResponse(response);
        },
      ),
      { numRuns: runsPerProperty, seed: 2718 },
    );
  });
});

describe("HTTP fuzz", () => {
  let server: RpcServer;
  beforeAll(() => {
    server = createRpcServer({
      api: createFakeNodeApi(),
      options: {
        ...defaultRpcServerOptions,
        processMetrics: false,
        limits: { ...defaultRpcServerOptions.limits, maxBodyBytes: 256 },
      },
    });
    return () => server.close();
  });

  it("never answers 500 or a stack for random bodies and content types", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          requestArb.map((r) => new TextEncoder().encode(JSON.stringify(r))),
        ),
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/json; charset=latin1",
        ),
        async (bytes, contentType) => {
          const response = await server.fastify.inject({
            method: "POST",
            url: "/",
            payload: Buffer.from(bytes),
            headers: { "content-type": contentType },
          });
          expect([200, 204, 413]).toContain(response.statusCode);
          if (response.statusCode === 204) return;
          const body = JSON.parse(response.body) as unknown;
          for (const item of Array.isArray(body) ? body : [body]) checkResponse(item);
          if (response.statusCode === 413) expect((body as Response).error?.code).toBe(-32005);
        },
      ),
      { numRuns: 4_000, seed: 413 },
    );
  });
});
