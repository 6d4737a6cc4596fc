import { describe, expect, it } from "vitest";
import { createRpcDispatcher } from "../../../nodes/rpc/createRpcDispatcher.ts";
import { defineMethod } from "../../../nodes/rpc/defineMethod.ts";
import { JsonList } from "../../../nodes/rpc/JsonList.ts";
import type { JsonValue } from "../../../nodes/rpc/JsonValue.ts";
import { rpcMethods } from "../../../nodes/rpc/methods/rpcMethods.ts";
import { param } from "../../../nodes/rpc/param.ts";
import type { RpcContext } from "../../../nodes/rpc/RpcContext.ts";
import { defaultRpcServerOptions } from "../../../nodes/rpc/rpcServerOptions.ts";
import { createFakeNodeApi } from "./fakeNodeApi.ts";

const context: RpcContext = {
  api: createFakeNodeApi(),
  limits: defaultRpcServerOptions.limits,
};
const chainIdRequest = (id: number) => ({ jsonrpc: "2.0", id, method: "eth_chainId" });
/** `{"jsonrpc":"2.0","id":1,"result":"0x539"}`: 40 bytes. */
const answerBytes = 40;

describe("batch response cap", () => {
  it("stops running a batch once its answers pass the cap, answering the rest with -32005", async () => {
    const seen: { method: string; code: number | undefined }[] = [];
    const dispatcher = createRpcDispatcher({
      methods: rpcMethods,
      maxBatchSize: 100,
      maxBatchResponseBytes: answerBytes + 1,
      observer: {
        request: (method, _seconds, code) => seen.push({ method, code }),
        internalError: () => undefined,
      },
    });
    const body = JSON.stringify([
      chainIdRequest(1),
      chainIdRequest(2),
      chainIdRequest(3),
      { jsonrpc: "2.0", method: "eth_chainId" },
      chainIdRequest(4),
    ]);
    const answer = JSON.parse((await dispatcher.handleBody(body, context)) as string);
    expect(answer).toEqual([
      { jsonrpc: "2.0", id: 1, result: "0x539" },
      { jsonrpc: "2.0", id: 2, result: "0x539" },
      { jsonrpc: "2.0", id: 3, error: expect.objectContaining({ code: -32005 }) },
      { jsonrpc: "2.0", id: 4, error: expect.objectContaining({ code: -32005 }) },
    ]);
    expect(answer[2].error.data).toMatchObject({
      code: "RPC_LIMIT_EXCEEDED",
      details: { limit: "maxBatchResponseBytes" },
    });
    expect(seen.map((s) => s.code)).toEqual([undefined, undefined, -32005, -32005]);
  });

  it("runs a whole batch whose answers fit", async () => {
    const dispatcher = createRpcDispatcher({
      methods: rpcMethods,
      maxBatchSize: 100,
      maxBatchResponseBytes: 3 * answerBytes,
    });
    const body = JSON.stringify([1, 2, 3].map(chainIdRequest));
    const answer = JSON.parse((await dispatcher.handleBody(body, context)) as string);
    expect(answer.map((a: { result?: string }) => a.result)).toEqual(["0x539", "0x539", "0x539"]);
  });
});

describe("answers written as they are made (HTTP)", () => {
  const failures: string[] = [];
  /** `test_list(n, bad)`: the numbers 0..n-1, with item `bad` (if below n) formatted as a bigint (a bug). */
  const listMethod = defineMethod({
    name: "test_list",
    params: [param.count, param.count],
    execute: (_context, [count, bad]) => ({ count, bad }),
    format: ({ count, bad }: { count: number; bad: number }) =>
      JsonList.of(
        Array.from({ length: count }, (_, i) => i),
        (i) =>
          i === bad ? (BigInt(i) as unknown as JsonValue) : { index: i, pad: "x".repeat(100) },
      ),
  });
  const dispatcher = createRpcDispatcher({
    methods: [...rpcMethods, listMethod],
    maxBatchSize: 100,
    maxBatchResponseBytes: 25_000_000,
    observer: { request: () => undefined, internalError: (method) => failures.push(method) },
  });
  const call = (count: number, bad: number) =>
    JSON.stringify({ jsonrpc: "2.0", id: 5, method: "test_list", params: [count, bad] });

  async function collect(answer: string | AsyncIterable<string> | undefined): Promise<string[]> {
    if (answer === undefined || typeof answer === "string") throw new Error("expected chunks");
    const chunks: string[] = [];
    for await (const chunk of answer) chunks.push(chunk);
    return chunks;
  }

  it("streams a large list in chunks whose text is the whole answer", async () => {
    const chunks = await collect(await dispatcher.handleHttpBody(call(5_000, 5_000), context));
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.join("")).toBe(await dispatcher.handleBody(call(5_000, 5_000), context));
    expect(JSON.parse(chunks.join("")).result).toHaveLength(5_000);
  });

  it("answers plain results as one string", async () => {
    expect(await dispatcher.handleHttpBody(JSON.stringify(chainIdRequest(1)), context)).toBe(
      '{"jsonrpc":"2.0","id":1,"result":"0x539"}',
    );
  });

  it("turns a formatter bug in the first chunk into an internal-error answer", async () => {
    failures.length = 0;
    const answer = await dispatcher.handleHttpBody(call(10, 0), context);
    expect(typeof answer).toBe("string");
    expect(JSON.parse(answer as string)).toMatchObject({ id: 5, error: { code: -32603 } });
    expect(failures).toEqual(["unknown"]);
  });

  it("ends the chunks with the error of a later formatter bug, and reports it", async () => {
    failures.length = 0;
    const answer = await dispatcher.handleHttpBody(call(5_000, 4_000), context);
    await expect(collect(answer)).rejects.toThrow(TypeError);
    expect(failures).toEqual(["unknown"]);
  });
});
