import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet, ZeroHash } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";

/**
 * Issue 11's failures 1 and 5 and RPC conformance item 1, on a real `custos node --dev`
 * process on 127.0.0.1 (1 s block period): endless eth_calls run off the block-producing
 * thread and end at the timeout; a member's endless transaction is capped at 2^24 gas; gas
 * estimates count access-list gas.
 */
// Short enough to keep the test fast; a gas cap so high that the timeout, not the gas, ends
// the loop.
const TIMEOUT_MS = 2_000;
const LOOP = "0x5b600056"; // JUMPDEST, PUSH1 0, JUMP
/**
 * An endless loop that burns gas fast: JUMPDEST, PUSH2 0x8000, PUSH1 0, LOG0 (32 KiB of
 * memory, ~262,500 gas), PUSH1 0, JUMP. It reaches the 2^24 cap in 64 rounds (LOOP needs
 * ~1.4 M rounds, ~0.5 s of the 2 s call timeout); capped at the call gas cap (10^12)
 * instead, it would still run into the timeout.
 */
const FAST_BURNING_LOOP = "0x5b6180006000a0600056";
const MAX_TX_GAS = 16_777_216;

let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;

interface RpcAnswer {
  readonly result?: unknown;
  readonly error?: {
    readonly code: number;
    readonly message: string;
    readonly data?: { readonly code?: string };
  };
}

async function rpc(method: string, params: unknown[]): Promise<RpcAnswer> {
  const response = await fetch(node.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await response.json()) as RpcAnswer;
}

async function blockTimestamps(from: number, to: number): Promise<bigint[]> {
  const stamps: bigint[] = [];
  for (let n = from; n <= to; n++) {
    const { result } = await rpc("eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
    stamps.push(BigInt((result as { timestamp: string }).timestamp));
  }
  return stamps;
}

async function head(): Promise<number> {
  return Number((await rpc("eth_blockNumber", [])).result);
}

/**
 * Each block was started within its period: timestamps are max(parent + 1 s, now). Callers
 * start at block 1 at the earliest: the genesis timestamp is the genesis file's, not the
 * producer's.
 */
function expectOnTime(stamps: readonly bigint[]): void {
  expect(stamps.length).toBeGreaterThan(1);
  for (let i = 1; i < stamps.length; i++) {
    expect((stamps[i] as bigint) - (stamps[i - 1] as bigint), `block ${i}`).toBe(1n);
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-calls-"));
  node = await spawnDevNode({
    dataDir,
    args: ["--rpc-call-timeout-ms", String(TIMEOUT_MS), "--rpc-call-gas-cap", String(10 ** 12)],
  });
  keys = await node.devKeys();
});

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

describe("failure 1: one eth_call stalls the whole node", () => {
  // First: after the endless calls below time out, their workers are replaced, and a job's
  // timeout counts from its arrival, so the replacement's start-up (~1.2 s) would count
  // against this estimate's 2 s.
  it("caps eth_estimateGas at the per-transaction gas: an endless loop needs more than allowed", async () => {
    const answer = await rpc("eth_estimateGas", [{ data: FAST_BURNING_LOOP }]);
    expect(answer.error?.data?.code).toBe("RPC_EXECUTION_FAILED");
    expect(answer.error?.message).toBe(`gas required exceeds allowance (${MAX_TX_GAS})`);
  });

  it("keeps producing blocks and answering /liveness within 100 ms while 10 endless calls run", async () => {
    const first = await head();
    const liveness = new URL("/liveness", node.rpcUrl);
    const probes: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const started = performance.now();
        const response = await fetch(liveness);
        await response.text();
        expect(response.status).toBe(200);
        probes.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        rpc("eth_call", [{ data: LOOP, gas: "0xffffffffffffffff" }, "latest"]),
      ),
    );
    const elapsed = Date.now() - started;
    probing = false;
    await prober;

    for (const answer of answers) {
      expect(answer.error?.code).toBe(-32000);
      expect(answer.error?.data?.code).toBe("RPC_CALL_TIMEOUT");
      expect(answer.error?.message).toBe("execution aborted (timeout = 2s)");
    }
    // The timeout counts from arrival: calls waiting for a worker end with the running ones.
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(probes.length).toBeGreaterThan(10);
    expect(Math.max(...probes)).toBeLessThan(100);
    const last = await head();
    expect(last).toBeGreaterThan(first);
    expectOnTime(await blockTimestamps(Math.max(1, first), last));

    const metrics = await (await fetch(new URL("/metrics", node.rpcUrl))).text();
    expect(metrics).toMatch(/^custos_rpc_call_timeouts_total 10$/m);
    // The replaced workers have answered nothing yet; the workers' heap is reported as they do.
    expect(metrics).toMatch(/^custos_rpc_worker_heap_bytes \d+$/m);
    expect(metrics).toMatch(/^custos_state_cache_bytes\{cache="trie"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^custos_state_cache_bytes\{cache="flat"\} [1-9]\d*$/m);
  });
});

describe("failure 5: one member can stall the chain", () => {
  it("refuses an endless deployment with 900 M gas at the pool and keeps blocks on time at the cap", async () => {
    const member = new Wallet(keys.hospitals[0]?.recorder.privateKey as string);
    const nonce = Number(
      (await rpc("eth_getTransactionCount", [member.address, "pending"])).result,
    );
    const sign = (gasLimit: number) =>
      member.signTransaction({
        type: 2,
        chainId: keys.chainId,
        nonce,
        data: LOOP,
        gasLimit,
        maxFeePerGas: 10_000_000_000n,
        maxPriorityFeePerGas: 1_000_000_000n,
      });

    const refused = await rpc("eth_sendRawTransaction", [await sign(900_000_000)]);
    expect(refused.error?.data?.code).toBe("TXPOOL_GAS_LIMIT_TOO_HIGH");
    expect(refused.error?.message).toBe(
      `transaction gas limit too high (cap: ${MAX_TX_GAS}, tx: 900000000)`,
    );

    const first = await head();
    const sent = await rpc("eth_sendRawTransaction", [await sign(MAX_TX_GAS)]);
    expect(sent.error).toBeUndefined();
    type Receipt = { status: string; gasUsed: string; blockNumber: string };
    const receiptOf = async () =>
      (await rpc("eth_getTransactionReceipt", [sent.result])).result as Receipt | null;
    let receipt = await receiptOf();
    for (let i = 0; i < 100 && receipt === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      receipt = await receiptOf();
    }
    expect(receipt?.status).toBe("0x0");
    expect(Number(receipt?.gasUsed)).toBe(MAX_TX_GAS);
    // The block after the loop's is on time too.
    const included = Number(receipt?.blockNumber);
    while ((await head()) <= included) await new Promise((resolve) => setTimeout(resolve, 100));
    expectOnTime(await blockTimestamps(Math.max(1, first), included + 1));
  });
});

describe("RPC conformance 1: access-list gas", () => {
  it("lets ethers send a type-1 transaction with an access list and no gas limit", async () => {
    const provider = new JsonRpcProvider(node.rpcUrl, undefined, {
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    try {
      const wallet = new Wallet(keys.hospitals[1]?.recorder.privateKey as string, provider);
      const accessList = [{ address: keys.contracts.consentRegistry, storageKeys: [ZeroHash] }];
      const request = { to: keys.hospitals[2]?.recorder.address as string, value: 1n, accessList };
      expect(await provider.estimateGas({ ...request, from: wallet.address })).toBe(25_300n);
      expect(await provider.call({ ...request, from: wallet.address })).toBe("0x");
      const tx = await wallet.sendTransaction({ type: 1, ...request });
      expect(tx.gasLimit).toBe(25_300n);
      const receipt = await tx.wait();
      expect(receipt?.status).toBe(1);
      expect(receipt?.gasUsed).toBe(25_300n);
    } finally {
      provider.destroy();
    }
  });
});
