import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcServer, type RpcServer } from "../../../../nodes/rpc/createRpcServer.ts";
import { defaultRpcServerOptions } from "../../../../nodes/rpc/rpcServerOptions.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import {
  common,
  contract,
  contractCode,
  created,
  createFakeNodeApi,
  type FakeNodeApi,
  nextBlock,
  outsiderKey,
  recipient,
  selectors,
  sender,
  senderKey,
  transferTopic,
} from "../fakeNodeApi.ts";
import { call, result } from "../rpcTestClient.ts";

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
      limits: {
        ...defaultRpcServerOptions.limits,
        maxLogBlockRange: 2,
        maxLogResults: 2,
        maxLogFilterAddresses: 2,
      },
    },
  });
});
afterAll(() => server.close());

async function expectError(method: string, params: unknown, code: number, pattern?: RegExp) {
  const response = await call(server, method, params);
  expect(response.error?.code, JSON.stringify(response)).toBe(code);
  if (pattern !== undefined) expect(response.error?.message).toMatch(pattern);
  return response.error;
}

describe("simple methods", () => {
  it("answers chain identity and fee hints", async () => {
    expect(await result(server, "web3_clientVersion")).toBe("custos/0.1.0-test");
    expect(await result(server, "net_version")).toBe("1337");
    expect(await result(server, "eth_chainId")).toBe("0x539");
    expect(await result(server, "eth_blockNumber")).toBe("0x2");
    expect(await result(server, "eth_gasPrice")).toBe("0x77359400");
    expect(await result(server, "eth_maxPriorityFeePerGas")).toBe("0x3b9aca00");
    expect(await result(server, "eth_accounts")).toEqual([]);
    expect(await result(server, "eth_syncing")).toBe(false);
  });

  it("reports sync progress", async () => {
    api.setSyncing({ startingBlock: 0n, currentBlock: 16n, highestBlock: 32n });
    expect(await result(server, "eth_syncing")).toEqual({
      startingBlock: "0x0",
      currentBlock: "0x10",
      highestBlock: "0x20",
    });
    api.setSyncing(false);
  });

  it("rejects params on parameterless methods", async () => {
    const error = await expectError("eth_chainId", [1], -32602, /too many arguments/);
    expect(error?.data).toMatchObject({
      code: "RPC_INVALID_PARAMS",
      details: { path: "params[0]" },
    });
    await expectError("eth_blockNumber", { a: 1 }, -32602, /must be an array/);
  });
});

describe("state reads and block parameters", () => {
  it("reads balances at tags, numbers and EIP-1898 objects", async () => {
    const address = hex(sender.bytes);
    expect(await result(server, "eth_getBalance", [address, "latest"])).toBe("0x29a2241af62c0000");
    expect(await result(server, "eth_getBalance", [address, "earliest"])).toBe("0xde0b6b3a7640000");
    for (const tag of ["safe", "finalized", "pending"]) {
      expect(await result(server, "eth_getBalance", [address, tag])).toBe("0x29a2241af62c0000");
    }
    expect(await result(server, "eth_getBalance", [address, "0x1"])).toBe("0x1bc16d674ec80000");
    expect(await result(server, "eth_getBalance", [address, { blockNumber: "0x1" }])).toBe(
      "0x1bc16d674ec80000",
    );
    const block1 = hex(api.chain.blocks[1]?.hash() ?? new Uint8Array());
    expect(await result(server, "eth_getBalance", [address, { blockHash: block1 }])).toBe(
      "0x1bc16d674ec80000",
    );
    expect(
      await result(server, "eth_getBalance", [
        address,
        { blockHash: block1, requireCanonical: true },
      ]),
    ).toBe("0x1bc16d674ec80000");
    expect(await result(server, "eth_getBalance", [address, block1])).toBe("0x1bc16d674ec80000");
    expect(await result(server, "eth_getBalance", [hex(recipient), "latest"])).toBe("0x0");
  });

  it("honours requireCanonical for a side block", async () => {
    const genesis = api.chain.blocks[0];
    if (genesis === undefined) throw new Error("no genesis");
    const side = nextBlock(genesis, [], 0n);
    const sideHash = hex(side.hash());
    expect(sideHash).not.toBe(hex(api.chain.blocks[1]?.hash() ?? new Uint8Array()));
    api.sideBlocks.push(side);
    const address = hex(sender.bytes);
    expect(await result(server, "eth_getBalance", [address, { blockHash: sideHash }])).toBe(
      "0x1bc16d674ec80000",
    );
    await expectError(
      "eth_getBalance",
      [address, { blockHash: sideHash, requireCanonical: true }],
      -32000,
      /not currently canonical/,
    );
    api.sideBlocks.pop();
  });

  it("maps unknown blocks and malformed block params", async () => {
    const address = hex(sender.bytes);
    await expectError("eth_getBalance", [address, "0x9"], -32001, /header not found/);
    await expectError("eth_getBalance", [address, { blockHash: `0x${"ab".repeat(32)}` }], -32001);
    const bad = await expectError("eth_getBalance", [address, "0x01"], -32602, /params\[1\]/);
    expect(bad?.data).toMatchObject({ details: { path: "params[1]" } });
    await expectError("eth_getBalance", [address, "newest"], -32602, /block tag/);
    await expectError(
      "eth_getBalance",
      [address, { blockNumber: "0x1", blockHash: "0x00" }],
      -32602,
    );
    await expectError(
      "eth_getBalance",
      [address, { blockHash: `0x${"ab".repeat(32)}`, extra: 1 }],
      -32602,
      /extra/,
    );
    await expectError("eth_getBalance", [address], -32602, /params\[1\]/);
    await expectError(
      "eth_getBalance",
      ["0x1234", "latest"],
      -32602,
      /params\[0\]: expected an address/,
    );
    await expectError("eth_getBalance", [address, `0x1${"0".repeat(16)}`], -32602, /64 bits/);
  });

  it("reads code, storage and nonces (latest and pending)", async () => {
    expect(await result(server, "eth_getCode", [hex(contract), "latest"])).toBe(hex(contractCode));
    expect(await result(server, "eth_getCode", [hex(recipient), "latest"])).toBe("0x");
    expect(await result(server, "eth_getStorageAt", [hex(contract), "0x0", "latest"])).toBe(
      `0x${"0".repeat(62)}03`,
    );
    expect(
      await result(server, "eth_getStorageAt", [hex(contract), `0x${"0".repeat(64)}`, "0x1"]),
    ).toBe(`0x${"0".repeat(62)}02`);
    await expectError(
      "eth_getStorageAt",
      [hex(contract), `0x${"0".repeat(65)}`, "latest"],
      -32602,
      /params\[1\]/,
    );
    expect(await result(server, "eth_getTransactionCount", [hex(sender.bytes), "latest"])).toBe(
      "0x2",
    );
    expect(await result(server, "eth_getTransactionCount", [hex(sender.bytes), "pending"])).toBe(
      "0x4",
    );
    await expectError("eth_getTransactionCount", [hex(sender.bytes), true], -32602);
  });
});

describe("eth_call and eth_estimateGas", () => {
  it("returns call data and estimates", async () => {
    const value = await result(server, "eth_call", [
      { to: hex(contract), input: hex(selectors.value) },
      "latest",
    ]);
    expect(value).toBe(`0x${"0".repeat(62)}2a`);
    expect(
      await result(server, "eth_call", [{ to: hex(contract), data: hex(selectors.value) }]),
    ).toBe(value);
    expect(
      await result(server, "eth_estimateGas", [{ to: hex(contract), data: hex(selectors.value) }]),
    ).toBe("0x59d8");
    expect(
      await result(server, "eth_estimateGas", [
        { from: hex(sender.bytes), to: hex(recipient), value: "0x1" },
        "latest",
      ]),
    ).toBe("0x5208");
  });

  it("maps a revert to code 3 with the revert data, as geth", async () => {
    for (const method of ["eth_call", "eth_estimateGas"]) {
      const error = await expectError(
        method,
        [{ to: hex(contract), input: hex(selectors.fail) }],
        3,
      );
      expect(error?.message).toBe("execution reverted: nope");
      expect(error?.data).toMatch(/^0x08c379a0/);
    }
  });

  it("maps a halt to -32000 with its reason", async () => {
    const error = await expectError(
      "eth_call",
      [{ to: hex(contract), input: hex(selectors.boom) }],
      -32000,
    );
    expect(error?.message).toBe("out of gas");
  });

  it("validates the call object", async () => {
    await expectError(
      "eth_call",
      [{ to: hex(contract), input: "0x01", data: "0x02" }],
      -32602,
      /params\[0\]\.data/,
    );
    await expectError(
      "eth_call",
      [{ to: hex(contract), gasPrice: "0x1", maxFeePerGas: "0x1" }],
      -32602,
      /gasPrice/,
    );
    await expectError(
      "eth_call",
      [{ to: hex(contract), input: "0x0" }],
      -32602,
      /params\[0\]\.input/,
    );
    await expectError(
      "eth_call",
      [{ to: hex(contract), accessList: [{ address: "0x00" }] }],
      -32602,
      /accessList\[0\]\.address/,
    );
    await expectError(
      "eth_call",
      [{ to: hex(contract) }, "latest", { [hex(recipient)]: {} }],
      -32602,
      /state overrides/,
    );
    await expectError("eth_call", ["0x00"], -32602, /params\[0\]: expected an object/);
  });

  it("hides unexpected failures behind -32603 without a stack", async () => {
    api.failNext("call", new Error("disk on fire at /secret/path"));
    const error = await expectError("eth_call", [{ to: hex(contract) }], -32603);
    expect(error).toEqual({ code: -32603, message: "internal error" });
  });
});

describe("transactions, receipts and blocks", () => {
  it("finds committed transactions with typed fields", async () => {
    const legacy = (await result(server, "eth_getTransactionByHash", [
      hex(api.chain.txs.legacy.hash()),
    ])) as Record<string, unknown>;
    expect(legacy).toMatchObject({
      type: "0x0",
      blockNumber: "0x1",
      transactionIndex: "0x0",
      chainId: "0x539",
      gasPrice: "0x77359400",
    });
    expect(legacy.yParity).toBeUndefined();
    // EIP-155: v = chainId * 2 + 35 + yParity.
    expect(["0xa95", "0xa96"]).toContain(legacy.v);
    const typed = (await result(server, "eth_getTransactionByHash", [
      hex(api.chain.txs.feeMarket.hash()),
    ])) as Record<string, unknown>;
    expect(typed).toMatchObject({
      type: "0x2",
      maxFeePerGas: "0xb2d05e00",
      maxPriorityFeePerGas: "0x3b9aca00",
      gasPrice: "0x77359400",
      accessList: [],
      from: hex(sender.bytes),
    });
    expect(typed.yParity).toBe(typed.v);
    const creation = (await result(server, "eth_getTransactionByHash", [
      hex(api.chain.txs.creation.hash()),
    ])) as Record<string, unknown>;
    expect(creation.to).toBeNull();
    expect(await result(server, "eth_getTransactionByHash", [`0x${"00".repeat(32)}`])).toBeNull();
    await expectError("eth_getTransactionByHash", ["0x00"], -32602, /32-byte hash/);
  });

  it("finds pending transactions with null block fields", async () => {
    const tx = createFeeMarket1559Tx(
      { nonce: 4n, maxFeePerGas: 5n, maxPriorityFeePerGas: 1n, gasLimit: 21_000n, to: recipient },
      { common },
    ).sign(senderKey);
    const hash = await result(server, "eth_sendRawTransaction", [hex(tx.serialize())]);
    expect(hash).toBe(hex(tx.hash()));
    const pending = (await result(server, "eth_getTransactionByHash", [hash])) as Record<
      string,
      unknown
    >;
    expect(pending).toMatchObject({
      blockHash: null,
      blockNumber: null,
      transactionIndex: null,
      gasPrice: "0x5",
    });
    expect(await result(server, "eth_getTransactionReceipt", [hash])).toBeNull();
    expect(await result(server, "eth_getTransactionCount", [hex(sender.bytes), "pending"])).toBe(
      "0x5",
    );
    api.pool.clear();
  });

  it("maps admission errors to their EIP-1474 codes and client phrases", async () => {
    const stale = createFeeMarket1559Tx(
      { nonce: 0n, maxFeePerGas: 5n, maxPriorityFeePerGas: 1n, gasLimit: 21_000n, to: recipient },
      { common },
    ).sign(senderKey);
    const low = await expectError(
      "eth_sendRawTransaction",
      [hex(stale.serialize())],
      -32000,
      /^nonce too low/,
    );
    expect(low?.data).toMatchObject({
      code: "TXPOOL_NONCE_TOO_LOW",
      details: { nonce: "0", next: "4" },
    });
    const outsider = createFeeMarket1559Tx(
      { nonce: 0n, maxFeePerGas: 5n, maxPriorityFeePerGas: 1n, gasLimit: 21_000n, to: recipient },
      { common },
    ).sign(outsiderKey);
    const refused = await expectError(
      "eth_sendRawTransaction",
      [hex(outsider.serialize())],
      -32003,
      /not a consortium member/,
    );
    expect(refused?.data).toMatchObject({ code: "TXPOOL_SENDER_NOT_MEMBER" });
    await expectError("eth_sendRawTransaction", ["0xdeadbeef"], -32602, /do not decode/);
    await expectError("eth_sendRawTransaction", ["0xabc"], -32602, /even length/);
  });

  it("formats receipts with logs, bloom and contract address", async () => {
    const receipt = (await result(server, "eth_getTransactionReceipt", [
      hex(api.chain.txs.feeMarket.hash()),
    ])) as Record<string, unknown>;
    expect(receipt).toMatchObject({
      type: "0x2",
      status: "0x1",
      transactionIndex: "0x2",
      blockNumber: "0x1",
      cumulativeGasUsed: "0x1b198",
      gasUsed: "0xea60",
      effectiveGasPrice: "0x77359400",
      contractAddress: null,
      to: hex(contract),
    });
    expect(receipt.logs).toHaveLength(2);
    expect((receipt.logsBloom as string).length).toBe(2 + 512);
    const creation = (await result(server, "eth_getTransactionReceipt", [
      hex(api.chain.txs.creation.hash()),
    ])) as Record<string, unknown>;
    expect(creation).toMatchObject({ contractAddress: hex(created), to: null });
    expect(await result(server, "eth_getTransactionReceipt", [`0x${"00".repeat(32)}`])).toBeNull();
  });

  it("formats blocks by number and hash, with hashes or full transactions", async () => {
    const byNumber = (await result(server, "eth_getBlockByNumber", ["0x1", false])) as Record<
      string,
      unknown
    >;
    expect(byNumber.transactions).toEqual([
      hex(api.chain.txs.legacy.hash()),
      hex(api.chain.txs.accessList.hash()),
      hex(api.chain.txs.feeMarket.hash()),
    ]);
    expect(byNumber).toMatchObject({
      number: "0x1",
      baseFeePerGas: "0x3b9aca00",
      uncles: [],
      nonce: "0x0000000000000000",
    });
    const byHash = (await result(server, "eth_getBlockByHash", [byNumber.hash, true])) as Record<
      string,
      unknown
    >;
    expect((byHash.transactions as Record<string, unknown>[]).map((tx) => tx.type)).toEqual([
      "0x0",
      "0x1",
      "0x2",
    ]);
    expect(await result(server, "eth_getBlockByNumber", ["latest", false])).toMatchObject({
      number: "0x2",
    });
    expect(await result(server, "eth_getBlockByNumber", ["earliest", false])).toMatchObject({
      number: "0x0",
    });
    expect(await result(server, "eth_getBlockByNumber", ["0x7", false])).toBeNull();
    expect(await result(server, "eth_getBlockByHash", [`0x${"00".repeat(32)}`, false])).toBeNull();
    await expectError("eth_getBlockByNumber", ["0x1"], -32602, /params\[1\]: expected a boolean/);
    await expectError(
      "eth_getBlockByNumber",
      [{ blockNumber: "0x1" }, false],
      -32602,
      /params\[0\]/,
    );
  });
});

describe("eth_feeHistory", () => {
  it("returns base fees (one extra), ratios and rewards", async () => {
    const history = (await result(server, "eth_feeHistory", ["0x2", "latest", [50]])) as Record<
      string,
      unknown
    >;
    expect(history).toMatchObject({
      oldestBlock: "0x1",
      baseFeePerGas: ["0x3b9aca00", "0x3b9aca00", "0x343a8390"],
      reward: [["0x3b9aca00"], ["0x77359400"]],
    });
    expect(history.gasUsedRatio).toEqual([111_000 / 30_000_000, 150_000 / 30_000_000]);
    const all = (await result(server, "eth_feeHistory", [10, "0x1"])) as Record<string, unknown>;
    expect(all.oldestBlock).toBe("0x0");
    expect(all.reward).toBeUndefined();
    expect(await result(server, "eth_feeHistory", ["0x0", "latest"])).toEqual({
      oldestBlock: "0x0",
      baseFeePerGas: [],
      gasUsedRatio: [],
    });
  });

  it("rejects bad percentiles and unknown blocks", async () => {
    await expectError("eth_feeHistory", ["0x1", "latest", [60, 40]], -32602, /params\[2\]\[1\]/);
    await expectError("eth_feeHistory", ["0x1", "latest", [101]], -32602, /percentile/);
    await expectError("eth_feeHistory", ["0x1", "0x9"], -32001);
    await expectError("eth_feeHistory", [-1, "latest"], -32602, /params\[0\]/);
  });
});

describe("eth_getLogs", () => {
  const topic = hex(transferTopic);

  it("filters by address and topics over a range", async () => {
    const logs = (await result(server, "eth_getLogs", [
      {
        fromBlock: "0x1",
        toBlock: "0x1",
        address: hex(contract),
        topics: [topic, `0x${"00".repeat(12)}${hex(sender.bytes).slice(2)}`],
      },
    ])) as Record<string, unknown>[];
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      logIndex: "0x0",
      transactionIndex: "0x2",
      blockNumber: "0x1",
      removed: false,
    });
    const either = (await result(server, "eth_getLogs", [
      {
        fromBlock: "0x2",
        toBlock: "latest",
        address: [hex(contract), hex(recipient)],
        topics: [[topic], null],
      },
    ])) as unknown[];
    expect(either).toHaveLength(1);
    expect(api.lastLogFilter()).toMatchObject({ fromBlock: 2n, toBlock: 2n, limit: 3 });
  });

  it("accepts the blockHash form and clamps ranges past the head", async () => {
    const block1 = hex(api.chain.blocks[1]?.hash() ?? new Uint8Array());
    expect(await result(server, "eth_getLogs", [{ blockHash: block1 }])).toHaveLength(2);
    await expectError("eth_getLogs", [{ blockHash: `0x${"ab".repeat(32)}` }], -32001);
    await expectError(
      "eth_getLogs",
      [{ blockHash: block1, fromBlock: "0x1" }],
      -32602,
      /blockHash/,
    );
    expect(
      await result(server, "eth_getLogs", [{ fromBlock: "0x2", toBlock: "0x50", topics: [topic] }]),
    ).toHaveLength(1);
    expect(await result(server, "eth_getLogs", [{ fromBlock: "0x40", toBlock: "0x50" }])).toEqual(
      [],
    );
    await expectError("eth_getLogs", [{ fromBlock: "0x2", toBlock: "0x1" }], -32602, /fromBlock/);
  });

  it("refuses ranges and results over the caps with -32005", async () => {
    const range = await expectError(
      "eth_getLogs",
      [{ fromBlock: "earliest", toBlock: "latest" }],
      -32005,
      /block range too large: 3 blocks, limit 2/,
    );
    expect(range?.data).toMatchObject({
      code: "RPC_LIMIT_EXCEEDED",
      details: { limit: "maxLogBlockRange", max: 2 },
    });
    await expectError(
      "eth_getLogs",
      [{ fromBlock: "0x1", toBlock: "0x2" }],
      -32005,
      /more than 2 results/,
    );
    await expectError(
      "eth_getLogs",
      [{ address: [hex(contract), hex(recipient), hex(created)] }],
      -32005,
      /too many addresses/,
    );
  });

  it("rejects malformed filters with the field path", async () => {
    await expectError(
      "eth_getLogs",
      [{ topics: [null, null, null, null, null] }],
      -32602,
      /params\[0\]\.topics/,
    );
    await expectError("eth_getLogs", [{ topics: ["0x1234"] }], -32602, /params\[0\]\.topics\[0\]/);
    await expectError(
      "eth_getLogs",
      [{ topics: [[topic, "0x12"]] }],
      -32602,
      /params\[0\]\.topics\[0\]\[1\]/,
    );
    await expectError("eth_getLogs", [{ address: "0x12" }], -32602, /params\[0\]\.address/);
    await expectError(
      "eth_getLogs",
      [{ fromBlock: "pending-ish" }],
      -32602,
      /params\[0\]\.fromBlock/,
    );
    await expectError("eth_getLogs", [], -32602, /params\[0\]/);
  });
});

describe("subscriptions over HTTP", () => {
  it("are refused with -32004", async () => {
    await expectError("eth_subscribe", ["newHeads"], -32004, /WebSocket/);
    await expectError("eth_unsubscribe", ["0x1"], -32004);
  });
  it("still validate params first", async () => {
    await expectError("eth_subscribe", ["newPendingTransactions"], -32602, /params\[0\]/);
  });
});

it("maps a CustosError thrown by the node by its registered rpcCode", async () => {
  api.failNext("logs", new CustosError("TXPOOL_REPLACEMENT_UNDERPRICED", "bump 10%"));
  const error = await expectError("eth_getLogs", [{ fromBlock: "0x2" }], -32000);
  expect(error?.message).toBe("replacement transaction underpriced: bump 10%");
});
