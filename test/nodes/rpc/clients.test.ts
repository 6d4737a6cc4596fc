import { bytesToHex } from "@ethereumjs/util";
import { Contract, isError, JsonRpcProvider, Wallet, WebSocketProvider } from "ethers";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  getAddress,
  http,
  type PublicClient,
  parseAbi,
  parseAbiItem,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcServer, type RpcServer } from "../../../nodes/rpc/createRpcServer.ts";
import { defaultRpcServerOptions } from "../../../nodes/rpc/rpcServerOptions.ts";
import {
  contract,
  contractCode,
  createFakeNodeApi,
  type FakeNodeApi,
  makeNextBlock,
  recipient,
  sender,
  senderKey,
  transferTopic,
} from "./fakeNodeApi.ts";

/**
 * Unmodified ethers v6 and viem clients against the server on 127.0.0.1: if a format were
 * off (leading zeros, odd-length data, missing typed fields), their formatters would throw.
 */
let api: FakeNodeApi;
let server: RpcServer;
let url: string;
const abi = ["function value() view returns (uint256)", "function fail() view"];

beforeAll(async () => {
  api = createFakeNodeApi();
  server = createRpcServer({ api, options: { ...defaultRpcServerOptions, processMetrics: false } });
  url = await server.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => server.close());

describe("ethers v6 JsonRpcProvider", () => {
  let provider: JsonRpcProvider;
  beforeAll(() => {
    provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  });
  afterAll(() => provider.destroy());

  it("reads chain id, height and balances", async () => {
    expect((await provider.getNetwork()).chainId).toBe(1337n);
    expect(await provider.getBlockNumber()).toBe(2);
    expect(await provider.getBalance(bytesToHex(sender.bytes))).toBe(3n * 10n ** 18n);
    expect(await provider.getBalance(bytesToHex(sender.bytes), 0)).toBe(10n ** 18n);
    expect(await provider.getCode(bytesToHex(contract))).toBe(bytesToHex(contractCode));
    expect(await provider.getStorage(bytesToHex(contract), 0n)).toBe(`0x${"0".repeat(62)}03`);
    expect(await provider.getTransactionCount(bytesToHex(sender.bytes), "pending")).toBe(4);
  });

  it("reads blocks with prefetched transactions of every type", async () => {
    const block = await provider.getBlock(1, true);
    expect(block?.hash).toBe(bytesToHex(api.chain.blocks[1]?.hash() ?? new Uint8Array()));
    expect(block?.baseFeePerGas).toBe(10n ** 9n);
    expect(block?.prefetchedTransactions.map((tx) => tx.type)).toEqual([0, 1, 2]);
    expect(block?.prefetchedTransactions[0]?.from).toBe(getAddress(bytesToHex(sender.bytes)));
    const latest = await provider.getBlock("latest");
    expect(latest?.number).toBe(2);
  });

  it("reads transactions and receipts", async () => {
    const hash = bytesToHex(api.chain.txs.feeMarket.hash());
    const tx = await provider.getTransaction(hash);
    expect(tx?.type).toBe(2);
    expect(tx?.maxFeePerGas).toBe(3n * 10n ** 9n);
    expect(tx?.blockNumber).toBe(1);
    const receipt = await provider.getTransactionReceipt(hash);
    expect(receipt?.status).toBe(1);
    expect(receipt?.logs.map((log) => log.index)).toEqual([0, 1]);
    expect(receipt?.gasPrice).toBe(2n * 10n ** 9n);
    const creation = await provider.getTransactionReceipt(
      bytesToHex(api.chain.txs.creation.hash()),
    );
    expect(creation?.contractAddress).toBe(getAddress(`0x${"cc".repeat(20)}`));
  });

  it("queries logs by address and topic", async () => {
    const logs = await provider.getLogs({
      fromBlock: 0,
      toBlock: "latest",
      address: bytesToHex(contract),
      topics: [bytesToHex(transferTopic)],
    });
    expect(logs.map((log) => [log.blockNumber, log.index])).toEqual([
      [1, 0],
      [1, 1],
      [2, 0],
    ]);
  });

  it("decodes calls and reverts", async () => {
    const instance = new Contract(bytesToHex(contract), abi, provider);
    expect(await instance.getFunction("value")()).toBe(42n);
    const failure = await instance
      .getFunction("fail")()
      .catch((error: unknown) => error);
    expect(isError(failure, "CALL_EXCEPTION")).toBe(true);
    expect((failure as { reason?: string }).reason).toBe("nope");
  });

  it("sends a signed transaction and maps nonce errors", async () => {
    const wallet = new Wallet(bytesToHex(senderKey), provider);
    const response = await wallet.sendTransaction({ to: bytesToHex(recipient), value: 1n });
    expect(api.pool.has(response.hash)).toBe(true);
    expect(await provider.getTransaction(response.hash)).toMatchObject({
      blockNumber: null,
      nonce: 4,
    });
    const stale = await wallet
      .sendTransaction({ to: bytesToHex(recipient), value: 1n, nonce: 0 })
      .catch((e: unknown) => e);
    expect(isError(stale, "NONCE_EXPIRED")).toBe(true);
    api.pool.clear();
  });
});

describe("viem public client", () => {
  let client: PublicClient;
  beforeAll(() => {
    client = createPublicClient({ transport: http(url) });
  });

  it("reads chain id, height and balances", async () => {
    expect(await client.getChainId()).toBe(1337);
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(2n);
    expect(await client.getBalance({ address: bytesToHex(sender.bytes) })).toBe(3n * 10n ** 18n);
    expect(
      await client.getTransactionCount({ address: bytesToHex(sender.bytes), blockTag: "pending" }),
    ).toBe(4);
  });

  it("reads blocks with typed transactions", async () => {
    const block = await client.getBlock({ blockNumber: 1n, includeTransactions: true });
    expect(block.transactions.map((tx) => tx.type)).toEqual(["legacy", "eip2930", "eip1559"]);
    expect(block.transactions[1]?.accessList?.[0]?.address).toBe(bytesToHex(contract));
    expect(block.hash).toBe(bytesToHex(api.chain.blocks[1]?.hash() ?? new Uint8Array()));
    const safe = await client.getBlock({ blockTag: "safe" });
    expect(safe.number).toBe(2n);
  });

  it("reads receipts", async () => {
    const receipt = await client.getTransactionReceipt({
      hash: bytesToHex(api.chain.txs.feeMarket.hash()),
    });
    expect(receipt.status).toBe("success");
    expect(receipt.type).toBe("eip1559");
    expect(receipt.logs).toHaveLength(2);
    expect(receipt.effectiveGasPrice).toBe(2n * 10n ** 9n);
  });

  it("decodes logs by event", async () => {
    const logs = await client.getLogs({
      address: bytesToHex(contract),
      event: parseAbiItem(
        "event Transfer(address indexed from, address indexed to, uint256 value)",
      ),
      fromBlock: 0n,
      toBlock: "latest",
    });
    expect(logs.map((log) => log.args.value)).toEqual([5n, 7n, 1000n]);
    expect(logs[0]?.args.from).toBe(getAddress(bytesToHex(sender.bytes)));
  });

  it("decodes calls, reverts and fee history", async () => {
    const viemAbi = parseAbi(abi);
    expect(
      await client.readContract({
        address: bytesToHex(contract),
        abi: viemAbi,
        functionName: "value",
      }),
    ).toBe(42n);
    const failure = await client
      .readContract({ address: bytesToHex(contract), abi: viemAbi, functionName: "fail" })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BaseError);
    const revert = (failure as BaseError).walk(
      (error) => error instanceof ContractFunctionRevertedError,
    );
    expect((revert as ContractFunctionRevertedError).reason).toBe("nope");
    const history = await client.getFeeHistory({ blockCount: 2, rewardPercentiles: [50] });
    expect(history.oldestBlock).toBe(1n);
    expect(history.baseFeePerGas).toHaveLength(3);
    const fees = await client.estimateFeesPerGas();
    expect(fees.maxPriorityFeePerGas).toBe(10n ** 9n);
  });
});

describe("ethers v6 WebSocketProvider", () => {
  it("receives new blocks and filtered logs through eth_subscribe", async () => {
    const provider = new WebSocketProvider(url.replace("http://", "ws://"));
    // ethers formats log notifications with its detected network; queued requests are only
    // answered once it has one, so a round trip first avoids its startup race.
    expect(await provider.getBlockNumber()).toBe(2);
    const block = new Promise<number>((resolve) => provider.on("block", resolve));
    const log = new Promise<{ blockNumber: number }>((resolve) =>
      provider.on({ address: bytesToHex(contract), topics: [bytesToHex(transferTopic)] }, resolve),
    );
    // Subscriptions are set up asynchronously: wait until both reached the node.
    while (api.listenerCount() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const next = makeNextBlock(api);
    api.commit(next.block, next.receipts);
    expect(await block).toBe(3);
    expect((await log).blockNumber).toBe(3);
    // destroy() closes the socket without eth_unsubscribe: the server must release both.
    await provider.destroy();
    while (api.listenerCount() > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(api.listenerCount()).toBe(0);
  });
});
