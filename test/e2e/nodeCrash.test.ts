import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, Interface, id, JsonRpcProvider, keccak256, toBeHex, Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { consentRegistryAbi } from "../../src/contracts/index.ts";
import { mulberry32 } from "../nodes/crashHarness.ts";

/**
 * kill -9 of a real node process, repeatedly, while it commits blocks of batch grants. After
 * every restart: the head is a committed block at or past every block a receipt was seen in,
 * every transaction whose receipt was seen is still in the same block with the same receipt,
 * its consents are in the state, and at the end a full `--reindex` re-executes every block
 * and verifies every state root.
 */
const KILLS = 5;
const SEED = 20261202;
const BATCH = 100;
// Per account: enough to fill blocks, few enough to stay far below the pool's sender cap.
const MAX_IN_FLIGHT = 6;
const registryInterface = new Interface(consentRegistryAbi);
const terms = { purposes: 1, categories: 1, validFrom: 0, validUntil: 0 };

interface Seen {
  readonly hash: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  /** The granting hospital's organisation id (records are keyed by custodian and subject). */
  readonly custodian: number;
  readonly subjects: readonly string[];
}

function subjectsOf(round: number, account: number, nonce: number): string[] {
  return Array.from({ length: BATCH }, (_, i) =>
    keccak256(toBeHex(((round * 16 + account) * 1_000_000 + nonce) * BATCH + i, 32)),
  );
}

async function rpc(url: string, calls: readonly { method: string; params: unknown[] }[]) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((c, i) => ({ jsonrpc: "2.0", id: i, ...c }))),
  });
  const answers = (await response.json()) as { id: number; result?: unknown; error?: unknown }[];
  return answers.sort((a, b) => a.id - b.id);
}

/**
 * Keeps every hospital recorder's transactions flowing until `stop()`: signs batch grants
 * (hospital i's recorder in custodian i + 1's records) with consecutive nonces, keeps a few in
 * flight per recorder, and records each receipt seen.
 */
function startLoad(node: NodeProcess, keys: DevKeysFile, round: number, seen: Seen[]) {
  const wallets = keys.hospitals.map((h) => new Wallet(h.recorder.privateKey));
  let stopped = false;
  const loop = (async () => {
    const nonces = await Promise.all(
      wallets.map(async (w) => {
        const [answer] = await rpc(node.rpcUrl, [
          { method: "eth_getTransactionCount", params: [w.address, "latest"] },
        ]);
        return Number(answer?.result);
      }),
    );
    const inFlight = new Map<string, { account: number; subjects: string[] }>();
    while (!stopped) {
      const raws: string[] = [];
      for (const [a, wallet] of wallets.entries()) {
        const pending = [...inFlight.values()].filter((f) => f.account === a).length;
        if (pending >= MAX_IN_FLIGHT) continue;
        const nonce = nonces[a] as number;
        const subjects = subjectsOf(round, a, nonce);
        const raw = await wallet.signTransaction({
          type: 2,
          chainId: keys.chainId,
          nonce,
          to: keys.contracts.consentRegistry,
          data: registryInterface.encodeFunctionData("batchGrant", [
            a + 1,
            subjects,
            terms,
            subjects.map((s) => id(`doc ${s}`)),
          ]),
          gasLimit: 4_000_000,
          maxFeePerGas: 10n ** 12n,
          maxPriorityFeePerGas: 0,
        });
        inFlight.set(keccak256(raw), { account: a, subjects });
        raws.push(raw);
        nonces[a] = nonce + 1;
      }
      await rpc(
        node.rpcUrl,
        raws.map((raw) => ({ method: "eth_sendRawTransaction", params: [raw] })),
      ).catch(() => undefined);
      const hashes = [...inFlight.keys()];
      const receipts = await rpc(
        node.rpcUrl,
        hashes.map((hash) => ({ method: "eth_getTransactionReceipt", params: [hash] })),
      ).catch(() => []);
      for (const [i, answer] of receipts.entries()) {
        const receipt = answer.result as
          | { blockNumber: string; blockHash: string; status: string }
          | null
          | undefined;
        const hash = hashes[i] as string;
        if (receipt === null || receipt === undefined) continue;
        expect(receipt.status).toBe("0x1");
        seen.push({
          hash,
          blockNumber: Number(receipt.blockNumber),
          blockHash: receipt.blockHash,
          custodian: (inFlight.get(hash)?.account ?? 0) + 1,
          subjects: inFlight.get(hash)?.subjects ?? [],
        });
        inFlight.delete(hash);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop.catch(() => undefined);
    },
  };
}

async function checkCommitted(node: NodeProcess, keys: DevKeysFile, seen: readonly Seen[]) {
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
  try {
    const head = await provider.getBlockNumber();
    expect(head).toBeGreaterThanOrEqual(Math.max(0, ...seen.map((s) => s.blockNumber)));
    const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, provider);
    for (const tx of seen) {
      const receipt = await provider.getTransactionReceipt(tx.hash);
      expect(receipt?.blockHash, tx.hash).toBe(tx.blockHash);
      expect(receipt?.status).toBe(1);
    }
    // The head's state holds the seen transactions' consents (first and last of each batch),
    // checked on the newest ones (written last, so the likeliest to be lost) and a spread.
    const sample = seen.filter((_, i) => i >= seen.length - 8 || i % 7 === 0);
    for (const tx of sample) {
      for (const subject of [tx.subjects[0], tx.subjects[BATCH - 1]]) {
        const consent = await registry.getFunction("consentOf")(tx.custodian, subject);
        expect(consent.status, subject).toBe(1n);
      }
    }
  } finally {
    provider.destroy();
  }
}

let dataDir: string | undefined;
afterAll(async () => {
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe("kill -9 of a node committing batch grants", () => {
  it("keeps every committed block, transaction and state root across repeated crashes", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-crash-"));
    const random = mulberry32(SEED);
    const seen: Seen[] = [];
    let keys: DevKeysFile | undefined;
    for (let round = 0; round < KILLS; round++) {
      const node = await spawnDevNode({ dataDir });
      keys ??= await node.devKeys();
      await checkCommitted(node, keys, seen);
      const before = seen.length;
      const load = startLoad(node, keys, round, seen);
      await expect.poll(() => seen.length > before, { timeout: 30_000, interval: 100 }).toBe(true);
      // Kill at a seeded moment while blocks keep being built and committed.
      await new Promise((resolve) => setTimeout(resolve, 300 + random() * 2500));
      await node.kill();
      await load.stop();
    }
    const node = await spawnDevNode({ dataDir });
    await checkCommitted(node, keys as DevKeysFile, seen);
    expect(await node.stop()).toBe(0);

    const replay = await spawnDevNode({ dataDir, args: ["--reindex"], startTimeoutMs: 120_000 });
    const match = /^reindexed (\d+) blocks \((\d+) transactions\)/m.exec(replay.stdout());
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(Math.max(...seen.map((s) => s.blockNumber)));
    expect(Number(match?.[2])).toBeGreaterThanOrEqual(seen.length);
    await checkCommitted(replay, keys as DevKeysFile, seen);
    expect(await replay.stop()).toBe(0);
  }, 300_000);
});
