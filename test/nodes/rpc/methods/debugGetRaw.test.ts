import { createBlockFromRLP } from "@ethereumjs/block";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcServer, type RpcServer } from "../../../../nodes/rpc/createRpcServer.ts";
import { defaultRpcServerOptions } from "../../../../nodes/rpc/rpcServerOptions.ts";
import { common, createFakeNodeApi, type FakeNodeApi } from "../fakeNodeApi.ts";
import { call, result } from "../rpcTestClient.ts";

let api: FakeNodeApi;
let server: RpcServer;

beforeAll(() => {
  api = createFakeNodeApi();
  server = createRpcServer({ api, options: { ...defaultRpcServerOptions, processMetrics: false } });
});
afterAll(() => server.close());

describe("debug_getRawHeader", () => {
  it("answers the header's RLP by number, tag and hash", async () => {
    const block1 = api.chain.blocks[1];
    if (block1 === undefined) throw new Error("no block 1");
    const raw = (await result(server, "debug_getRawHeader", ["0x1"])) as string;
    const fields = RLP.decode(hexToBytes(raw as `0x${string}`)) as Uint8Array[];
    expect(fields.map(bytesToHex)).toEqual(block1.header.raw().map(bytesToHex));
    expect(bytesToHex(fields[12] as Uint8Array)).toBe("0xc0ffee");
    expect(await result(server, "debug_getRawHeader", [bytesToHex(block1.hash())])).toBe(raw);
    expect(await result(server, "debug_getRawHeader", [{ blockNumber: "0x1" }])).toBe(raw);
    const latest = (await result(server, "debug_getRawHeader", ["latest"])) as string;
    expect(latest).toBe(bytesToHex(api.head().header.serialize()));
  });

  it("refuses an unknown block with -32001 and bad params with -32602", async () => {
    expect((await call(server, "debug_getRawHeader", ["0x99"])).error?.code).toBe(-32001);
    expect((await call(server, "debug_getRawHeader", [`0x${"00".repeat(32)}`])).error?.code).toBe(
      -32001,
    );
    expect((await call(server, "debug_getRawHeader", ["0x01"])).error?.code).toBe(-32602);
    expect((await call(server, "debug_getRawHeader", [])).error?.code).toBe(-32602);
  });
});

describe("debug_getRawReceipts", () => {
  it("answers each receipt as type byte ‖ RLP (legacy bare), matching the stored receipts", async () => {
    const block1 = api.chain.blocks[1];
    if (block1 === undefined) throw new Error("no block 1");
    const stored = api.chain.receipts.get(bytesToHex(block1.hash())) ?? [];
    const raw = (await result(server, "debug_getRawReceipts", ["0x1"])) as string[];
    expect(raw).toHaveLength(3);
    raw.forEach((hex, i) => {
      const bytes = hexToBytes(hex as `0x${string}`);
      const type = block1.transactions[i]?.type as number;
      expect(type).toBe(i); // the fake's block 1: legacy, 2930, 1559
      const body = type === 0 ? bytes : bytes.subarray(1);
      if (type !== 0) expect(bytes[0]).toBe(type);
      const [status, cumulative, bloom, logs] = RLP.decode(body) as [
        Uint8Array,
        Uint8Array,
        Uint8Array,
        Uint8Array[][],
      ];
      const receipt = stored[i];
      expect(bytesToHex(status)).toBe("0x01");
      expect(BigInt(bytesToHex(cumulative))).toBe(receipt?.cumulativeGasUsed);
      expect(bytesToHex(bloom)).toBe(bytesToHex(receipt?.logsBloom ?? new Uint8Array()));
      expect(
        logs.map((log) =>
          log.map((part) => (Array.isArray(part) ? part.map(bytesToHex) : bytesToHex(part))),
        ),
      ).toEqual(
        (receipt?.logs ?? []).map(([address, topics, data]) => [
          bytesToHex(address),
          topics.map(bytesToHex),
          bytesToHex(data),
        ]),
      );
    });
    expect(await result(server, "debug_getRawReceipts", ["earliest"])).toEqual([]);
    expect((await call(server, "debug_getRawReceipts", ["0x99"])).error?.code).toBe(-32001);
  });
});

describe("debug_getRawBlock", () => {
  it("answers the block's RLP, which decodes to the same block", async () => {
    const block2 = api.chain.blocks[2];
    if (block2 === undefined) throw new Error("no block 2");
    const raw = (await result(server, "debug_getRawBlock", ["0x2"])) as string;
    const decoded = createBlockFromRLP(hexToBytes(raw as `0x${string}`), { common });
    expect(bytesToHex(decoded.hash())).toBe(bytesToHex(block2.hash()));
    expect(decoded.transactions.map((tx) => bytesToHex(tx.hash()))).toEqual(
      block2.transactions.map((tx) => bytesToHex(tx.hash())),
    );
    expect((await call(server, "debug_getRawBlock", ["0x99"])).error?.code).toBe(-32001);
  });
});
