import { describe, expect, it } from "vitest";
import { createRpcDispatcher } from "../../../nodes/rpc/createRpcDispatcher.ts";
import { rpcMethods } from "../../../nodes/rpc/methods/rpcMethods.ts";
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
