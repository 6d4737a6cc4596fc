import { bytesToHex } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcServer, type RpcServer } from "../../../../nodes/rpc/createRpcServer.ts";
import { defaultRpcServerOptions } from "../../../../nodes/rpc/rpcServerOptions.ts";
import {
  contract,
  created,
  createFakeNodeApi,
  type FakeNodeApi,
  makeNextBlock,
  recipient,
  selectors,
  sender,
  transferTopic,
} from "../fakeNodeApi.ts";
import { call, result, type TestResponse } from "../rpcTestClient.ts";

const hex = bytesToHex;
let api: FakeNodeApi;
let server: RpcServer;

beforeAll(() => {
  api = createFakeNodeApi();
  server = createRpcServer({
    api,
    options: {
      ...defaultRpcServerOptions,
      processMetrics: false,
      limits: { ...defaultRpcServerOptions.limits, maxFiltersPerClient: 2 },
    },
  });
});
afterAll(() => server.close());

async function errorOf(method: string, params: unknown): Promise<TestResponse["error"]> {
  const response = await call(server, method, params);
  expect(response.error, JSON.stringify(response)).toBeDefined();
  return response.error;
}

/** Calls a method as a client at `ip` (fastify's injected remote address). */
async function callFrom(ip: string, method: string, params: unknown[]): Promise<TestResponse> {
  const response = await server.fastify.inject({
    method: "POST",
    url: "/",
    remoteAddress: ip,
    payload: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    headers: { "content-type": "application/json" },
  });
  return JSON.parse(response.body) as TestResponse;
}

describe("block and transaction lookups for explorers", () => {
  it("returns all receipts of a block with block-global log indexes", async () => {
    const block1 = api.chain.blocks[1];
    const receipts = (await result(server, "eth_getBlockReceipts", ["0x1"])) as {
      transactionIndex: string;
      logs: { logIndex: string }[];
    }[];
    expect(receipts.map((r) => r.transactionIndex)).toEqual(["0x0", "0x1", "0x2"]);
    expect(receipts[2]?.logs.map((log) => log.logIndex)).toEqual(["0x0", "0x1"]);
    expect(
      await result(server, "eth_getBlockReceipts", [hex(block1?.hash() ?? new Uint8Array())]),
    ).toEqual(receipts);
    expect(await result(server, "eth_getBlockReceipts", ["0x99"])).toBeNull();
    expect((await errorOf("eth_getBlockReceipts", ["0x01"]))?.code).toBe(-32602);
  });

  it("counts a block's transactions by hash and by number", async () => {
    const block1 = api.chain.blocks[1];
    expect(await result(server, "eth_getBlockTransactionCountByNumber", ["0x1"])).toBe("0x3");
    expect(await result(server, "eth_getBlockTransactionCountByNumber", ["earliest"])).toBe("0x0");
    expect(
      await result(server, "eth_getBlockTransactionCountByHash", [
        hex(block1?.hash() ?? new Uint8Array()),
      ]),
    ).toBe("0x3");
    expect(await result(server, "eth_getBlockTransactionCountByNumber", ["0x99"])).toBeNull();
    expect(
      await result(server, "eth_getBlockTransactionCountByHash", [`0x${"00".repeat(32)}`]),
    ).toBeNull();
  });

  it("finds a transaction by block and index, or null", async () => {
    const block1 = api.chain.blocks[1];
    const byNumber = (await result(server, "eth_getTransactionByBlockNumberAndIndex", [
      "0x1",
      "0x2",
    ])) as { hash: string; transactionIndex: string; blockNumber: string };
    expect(byNumber).toMatchObject({
      hash: hex(api.chain.txs.feeMarket.hash()),
      transactionIndex: "0x2",
      blockNumber: "0x1",
    });
    expect(
      await result(server, "eth_getTransactionByBlockHashAndIndex", [
        hex(block1?.hash() ?? new Uint8Array()),
        "0x2",
      ]),
    ).toEqual(byNumber);
    expect(
      await result(server, "eth_getTransactionByBlockNumberAndIndex", ["0x1", "0x3"]),
    ).toBeNull();
    expect(
      await result(server, "eth_getTransactionByBlockNumberAndIndex", [
        "0x1",
        "0xffffffffffffffff",
      ]),
    ).toBeNull();
    expect((await errorOf("eth_getTransactionByBlockNumberAndIndex", ["0x1", 2]))?.code).toBe(
      -32602,
    );
  });

  it("answers net_listening and net_peerCount", async () => {
    expect(await result(server, "net_listening")).toBe(true);
    expect(await result(server, "net_peerCount")).toBe("0x3");
  });
});

describe("eth_getProof", () => {
  it("formats the proof, echoing the storage keys as sent", async () => {
    const proof = await result(server, "eth_getProof", [
      hex(contract),
      ["0x0", `0x${"00".repeat(31)}05`],
      "0x1",
    ]);
    expect(proof).toEqual({
      address: hex(contract),
      accountProof: ["0xf851", "0xe2a0"],
      balance: "0x1",
      codeHash: `0x${"ab".repeat(32)}`,
      nonce: "0x1",
      storageHash: `0x${"cd".repeat(32)}`,
      storageProof: [
        { key: "0x0", value: "0x2", proof: ["0xf8"] },
        { key: `0x${"00".repeat(31)}05`, value: "0x0", proof: ["0xf8"] },
      ],
    });
  });

  it("refuses malformed keys and unknown blocks", async () => {
    expect((await errorOf("eth_getProof", [hex(contract), ["0x0g"]]))?.code).toBe(-32602);
    expect((await errorOf("eth_getProof", [hex(contract), [`0x${"0".repeat(66)}`]]))?.code).toBe(
      -32602,
    );
    expect((await errorOf("eth_getProof", [hex(contract)]))?.code).toBe(-32602);
    expect((await errorOf("eth_getProof", [hex(contract), [], "0x99"]))?.code).toBe(-32001);
  });
});

describe("eth_createAccessList", () => {
  it("returns the list and the gas used, with error set when the transaction reverts", async () => {
    expect(
      await result(server, "eth_createAccessList", [
        { to: hex(contract), input: hex(selectors.value) },
      ]),
    ).toEqual({
      accessList: [{ address: hex(created), storageKeys: [`0x${"00".repeat(32)}`] }],
      gasUsed: "0x6aa4",
    });
    expect(
      await result(server, "eth_createAccessList", [
        { to: hex(contract), input: hex(selectors.fail) },
        "latest",
      ]),
    ).toMatchObject({ error: "execution reverted" });
    expect(
      await result(server, "eth_createAccessList", [
        { to: hex(contract), input: hex(selectors.boom) },
      ]),
    ).toMatchObject({ error: "out of gas" });
    expect((await errorOf("eth_createAccessList", [{ to: "0x1" }]))?.code).toBe(-32602);
  });
});

describe("debug_traceTransaction", () => {
  const tx = () => hex(api.chain.txs.feeMarket.hash());

  it("returns the callTracer's frames, or only the top call", async () => {
    const frame = await result(server, "debug_traceTransaction", [tx(), { tracer: "callTracer" }]);
    expect(frame).toEqual({
      type: "CALL",
      from: hex(sender.bytes),
      to: hex(contract),
      value: "0x0",
      gas: "0x13880",
      gasUsed: "0x5208",
      input: hex(api.chain.txs.feeMarket.data),
      output: "0x",
      calls: [
        {
          type: "STATICCALL",
          from: hex(contract),
          to: hex(recipient),
          gas: "0x2710",
          gasUsed: "0xa28",
          input: hex(selectors.value),
          output: `0x${"00".repeat(32)}`,
        },
      ],
    });
    const top = await result(server, "debug_traceTransaction", [
      tx(),
      { tracer: "callTracer", tracerConfig: { onlyTopCall: true }, timeout: "5s" },
    ]);
    expect(top).not.toHaveProperty("calls");
  });

  it("refuses other tracers with -32004 and unknown transactions with -32001", async () => {
    expect((await errorOf("debug_traceTransaction", [tx()]))?.code).toBe(-32004);
    expect(
      (await errorOf("debug_traceTransaction", [tx(), { tracer: "prestateTracer" }]))?.code,
    ).toBe(-32004);
    expect(
      (
        await errorOf("debug_traceTransaction", [
          tx(),
          { tracer: "callTracer", tracerConfig: { withLog: true } },
        ])
      )?.code,
    ).toBe(-32004);
    expect(
      (await errorOf("debug_traceTransaction", [`0x${"00".repeat(32)}`, { tracer: "callTracer" }]))
        ?.code,
    ).toBe(-32001);
    expect((await errorOf("debug_traceTransaction", [tx(), { tracer: 1 }]))?.code).toBe(-32602);
  });
});

describe("polling filters over HTTP", () => {
  it("follows logs with eth_newFilter / eth_getFilterChanges and answers eth_getFilterLogs", async () => {
    const id = (await result(server, "eth_newFilter", [
      { fromBlock: "0x0", address: hex(contract), topics: [hex(transferTopic)] },
    ])) as string;
    const blocks = (await result(server, "eth_newBlockFilter")) as string;
    expect(await result(server, "eth_getFilterChanges", [id])).toEqual([]);
    const { block, receipts } = makeNextBlock(api);
    api.commit(block, receipts);
    const changes = (await result(server, "eth_getFilterChanges", [id])) as { blockHash: string }[];
    expect(changes.map((log) => log.blockHash)).toEqual([hex(block.hash())]);
    expect(await result(server, "eth_getFilterChanges", [blocks])).toEqual([hex(block.hash())]);
    const all = (await result(server, "eth_getFilterLogs", [id])) as unknown[];
    expect(all).toHaveLength(4);
    expect(await result(server, "eth_uninstallFilter", [id])).toBe(true);
    expect(await result(server, "eth_uninstallFilter", [id])).toBe(false);
    expect(await result(server, "eth_uninstallFilter", [blocks])).toBe(true);
    const gone = await errorOf("eth_getFilterChanges", [id]);
    expect(gone).toMatchObject({ code: -32000, message: "filter not found" });
    expect((await errorOf("eth_getFilterLogs", [id]))?.code).toBe(-32000);
  });

  it("reports pending transactions to a pending-transaction filter", async () => {
    const id = (await result(server, "eth_newPendingTransactionFilter")) as string;
    api.emitPending([Uint8Array.from({ length: 32 }, () => 7)]);
    expect(await result(server, "eth_getFilterChanges", [id])).toEqual([`0x${"07".repeat(32)}`]);
    expect(await result(server, "eth_uninstallFilter", [id])).toBe(true);
  });

  it("caps filters per client, a client being the remote address", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await callFrom("10.0.0.1", "eth_newBlockFilter", []);
      ids.push(response.result as string);
    }
    const third = await callFrom("10.0.0.1", "eth_newBlockFilter", []);
    expect(third.error).toMatchObject({ code: -32005 });
    const other = await callFrom("10.0.0.2", "eth_newBlockFilter", []);
    expect(other.result).toMatch(/^0x/);
    const freed = await callFrom("10.0.0.2", "eth_uninstallFilter", [ids[0]]);
    expect(freed.result).toBe(true);
    expect((await callFrom("10.0.0.1", "eth_newBlockFilter", [])).result).toMatch(/^0x/);
  });

  it("counts installed filters by kind in /metrics", async () => {
    const gauge = async () => {
      const response = await server.fastify.inject({ method: "GET", url: "/metrics" });
      return /custos_rpc_filters\{kind="pendingTransactions"\} (\d+)/.exec(response.body)?.[1];
    };
    const before = Number(await gauge());
    const id = await result(server, "eth_newPendingTransactionFilter");
    expect(Number(await gauge())).toBe(before + 1);
    await result(server, "eth_uninstallFilter", [id]);
    expect(Number(await gauge())).toBe(before);
  });

  it("refuses malformed filters and ids with -32602", async () => {
    expect((await errorOf("eth_newFilter", [{ fromBlock: "0x2", toBlock: "0x1" }]))?.code).toBe(
      -32602,
    );
    expect((await errorOf("eth_newFilter", [{ topics: ["0x1"] }]))?.code).toBe(-32602);
    expect((await errorOf("eth_getFilterChanges", ["0x01"]))?.code).toBe(-32602);
    expect((await errorOf("eth_uninstallFilter", [1]))?.code).toBe(-32602);
    expect((await errorOf("eth_newBlockFilter", [1]))?.code).toBe(-32602);
  });
});
