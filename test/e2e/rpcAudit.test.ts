import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RLP } from "@ethereumjs/rlp";
import { bytesToBigInt, bytesToHex, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Contract, hexlify, id, JsonRpcProvider, randomBytes, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { consentRegistryAbi } from "../../src/contracts/index.ts";

/**
 * What explorers, indexers and auditors use, against a real `custos node --dev` process:
 * ethers v6 `contract.on` over HTTP (polling filters), eth_getProof checked by walking the
 * proofs down from the block's state root, debug_traceTransaction's call tree,
 * eth_createAccessList's list and gas, and a WebSocket closed with 1009 for an oversized
 * message.
 */
let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;
const terms = { purposes: 2, categories: 4, validFrom: 0, validUntil: 0 };

/** A JsonRpcProvider that records the methods it sends, to see how ethers follows events. */
class RecordingProvider extends JsonRpcProvider {
  readonly sent: string[] = [];
  override async send(method: string, params: unknown[] | Record<string, unknown>) {
    const answer = await super.send(method, params);
    this.sent.push(method);
    return answer;
  }
}

async function rpc(method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(node.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: unknown };
  if (body.error !== undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-audit-"));
  node = await spawnDevNode({ dataDir });
  keys = await node.devKeys();
});

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

function recorder(provider: JsonRpcProvider): Wallet {
  const key = keys.hospitals[0]?.recorder.privateKey;
  if (key === undefined) throw new Error("dev chain has no hospital");
  return new Wallet(key, provider);
}

/**
 * Walks a Merkle-Patricia proof from `root` along keccak(`key`), checking each stored node
 * against the hash its parent names; returns the value found, or undefined when the proof
 * shows the key absent. Throws when the proof does not hold.
 */
function walkProof(
  root: Uint8Array,
  key: Uint8Array,
  proof: readonly string[],
): Uint8Array | undefined {
  const path = [...keccak_256(key)].flatMap((byte) => [byte >> 4, byte & 15]);
  let expected: Uint8Array | undefined = root;
  let node: unknown;
  let next = 0;
  let at = 0;
  for (;;) {
    if (expected !== undefined) {
      const encoded = proof[next++];
      if (encoded === undefined) throw new Error("proof ends before the key's node");
      const bytes = hexToBytes(encoded as `0x${string}`);
      if (!equalsBytes(keccak_256(bytes), expected))
        throw new Error(`node ${next - 1}: hash mismatch`);
      node = RLP.decode(bytes);
    }
    const items = node as (Uint8Array | unknown[])[];
    let child: Uint8Array | unknown[] | undefined;
    if (items.length === 17) {
      if (at === path.length)
        return (items[16] as Uint8Array).length === 0 ? undefined : (items[16] as Uint8Array);
      child = items[path[at] as number];
      at++;
    } else {
      const encodedPath = items[0] as Uint8Array;
      const flag = (encodedPath[0] as number) >> 4;
      const nibbles = [...encodedPath]
        .flatMap((byte) => [byte >> 4, byte & 15])
        .slice(flag & 1 ? 1 : 2);
      const rest = path.slice(at);
      const matches = nibbles.every((nibble, i) => rest[i] === nibble);
      if (flag >= 2)
        return matches && nibbles.length === rest.length ? (items[1] as Uint8Array) : undefined;
      if (!matches) return undefined;
      at += nibbles.length;
      child = items[1];
    }
    if (child instanceof Uint8Array && child.length === 0) return undefined;
    if (child instanceof Uint8Array && child.length === 32) {
      expected = child;
    } else {
      expected = undefined;
      node = child;
    }
  }
}

interface ProofAnswer {
  address: string;
  accountProof: string[];
  balance: string;
  codeHash: string;
  nonce: string;
  storageHash: string;
  storageProof: { key: string; value: string; proof: string[] }[];
}

describe("ethers v6 contract.on over HTTP", () => {
  it("receives a contract's events through eth_newFilter and eth_getFilterChanges", async () => {
    const provider = new RecordingProvider(node.rpcUrl, undefined, {
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    try {
      const registry = new Contract(
        keys.contracts.consentRegistry,
        consentRegistryAbi,
        recorder(provider),
      );
      const subject = hexlify(randomBytes(32));
      const received = new Promise<{ subject: string; hash: string }>((resolve) => {
        void registry.on("ConsentGranted", (...args: unknown[]) => {
          const event = args[args.length - 1] as {
            log: { transactionHash: string; topics: string[] };
          };
          resolve({ subject: event.log.topics[1] ?? "", hash: event.log.transactionHash });
        });
      });
      // ethers installs its filter asynchronously: events before that are not its changes.
      await expect
        .poll(() => provider.sent.includes("eth_newFilter"), { timeout: 10_000 })
        .toBe(true);
      const tx = await registry.getFunction("grant")(1, subject, terms, id("contract.on doc"));
      const event = await received;
      expect(event.hash).toBe(tx.hash);
      expect(event.subject).toBe(subject);
      expect(provider.sent).toContain("eth_getFilterChanges");
      expect(provider.sent).not.toContain("eth_getLogs");
      await registry.removeAllListeners();
    } finally {
      provider.destroy();
    }
  });
});

describe("auditing consent state", () => {
  let provider: JsonRpcProvider;
  let subject: string;
  let grantHash: string;
  let blockNumber: string;

  beforeAll(async () => {
    provider = new JsonRpcProvider(node.rpcUrl, undefined, {
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    const registry = new Contract(
      keys.contracts.consentRegistry,
      consentRegistryAbi,
      recorder(provider),
    );
    subject = hexlify(randomBytes(32));
    const tx = await registry.getFunction("grant")(1, subject, terms, id("audited doc"));
    const receipt = await tx.wait();
    grantHash = tx.hash;
    blockNumber = `0x${(receipt?.blockNumber ?? 0).toString(16)}`;
  });
  afterAll(() => provider.destroy());

  it("proves a subject's consent slots with eth_getProof against the block's state root", async () => {
    const consentOf = new Contract(
      keys.contracts.consentRegistry,
      consentRegistryAbi,
      provider,
    ).interface.encodeFunctionData("consentOf", [1, subject]);
    // The slots consentOf reads are the subject's consent record.
    const list = (await rpc("eth_createAccessList", [
      { to: keys.contracts.consentRegistry, input: consentOf },
      blockNumber,
    ])) as { accessList: { address: string; storageKeys: string[] }[] };
    const slots = list.accessList.find(
      (entry) => entry.address === keys.contracts.consentRegistry.toLowerCase(),
    )?.storageKeys;
    expect(slots?.length).toBeGreaterThan(0);
    const block = (await rpc("eth_getBlockByNumber", [blockNumber, false])) as {
      stateRoot: string;
    };
    const stateRoot = hexToBytes(block.stateRoot as `0x${string}`);
    const proof = (await rpc("eth_getProof", [
      keys.contracts.consentRegistry,
      slots,
      blockNumber,
    ])) as ProofAnswer;

    const account = walkProof(
      stateRoot,
      hexToBytes(proof.address as `0x${string}`),
      proof.accountProof,
    );
    expect(account).toBeDefined();
    const [nonce, balance, storageRoot, codeHash] = RLP.decode(
      account as Uint8Array,
    ) as Uint8Array[];
    expect(bytesToBigInt(nonce as Uint8Array)).toBe(BigInt(proof.nonce));
    expect(bytesToBigInt(balance as Uint8Array)).toBe(BigInt(proof.balance));
    expect(bytesToHex(storageRoot as Uint8Array)).toBe(proof.storageHash);
    expect(bytesToHex(codeHash as Uint8Array)).toBe(proof.codeHash);

    let nonZero = 0;
    for (const slot of proof.storageProof) {
      const key = hexToBytes(slot.key as `0x${string}`);
      const leaf = walkProof(hexToBytes(proof.storageHash as `0x${string}`), key, slot.proof);
      const value = leaf === undefined ? 0n : bytesToBigInt(RLP.decode(leaf) as Uint8Array);
      expect(value).toBe(BigInt(slot.value));
      const stored = (await rpc("eth_getStorageAt", [
        keys.contracts.consentRegistry,
        slot.key,
        blockNumber,
      ])) as string;
      expect(BigInt(stored)).toBe(value);
      if (value !== 0n) nonZero++;
    }
    expect(nonZero).toBeGreaterThan(0);

    const nobody = hexlify(randomBytes(20));
    const absent = (await rpc("eth_getProof", [nobody, ["0x0"], blockNumber])) as ProofAnswer;
    expect(
      walkProof(stateRoot, hexToBytes(nobody as `0x${string}`), absent.accountProof),
    ).toBeUndefined();
    expect(absent).toMatchObject({
      balance: "0x0",
      nonce: "0x0",
      storageProof: [{ key: "0x0", value: "0x0", proof: [] }],
    });
  });

  it("traces a transaction's calls with the callTracer", async () => {
    const receipt = (await rpc("eth_getTransactionReceipt", [grantHash])) as {
      gasUsed: string;
      from: string;
    };
    const frame = (await rpc("debug_traceTransaction", [grantHash, { tracer: "callTracer" }])) as {
      type: string;
      from: string;
      to: string;
      gasUsed: string;
      error?: string;
      calls?: { type: string; to: string }[];
    };
    expect(frame).toMatchObject({
      type: "CALL",
      from: receipt.from,
      to: keys.contracts.consentRegistry.toLowerCase(),
      gasUsed: receipt.gasUsed,
    });
    expect(frame.error).toBeUndefined();
    expect(frame.calls?.some((call) => call.to === keys.contracts.consortium.toLowerCase())).toBe(
      true,
    );
    const top = await rpc("debug_traceTransaction", [
      grantHash,
      { tracer: "callTracer", tracerConfig: { onlyTopCall: true } },
    ]);
    expect(top).not.toHaveProperty("calls");
  });

  it("traces a reverted transaction with its error and reason", async () => {
    const regulator = new Wallet(keys.regulator.privateKey, provider);
    const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, regulator);
    const tx = await registry.getFunction("grant")(
      1,
      hexlify(randomBytes(32)),
      terms,
      id("refused"),
      {
        gasLimit: 300_000,
      },
    );
    const mined = await tx.wait().catch((error: { receipt?: unknown }) => error.receipt);
    expect((mined as { status: number }).status).toBe(0);
    const frame = (await rpc("debug_traceTransaction", [tx.hash, { tracer: "callTracer" }])) as {
      error?: string;
      output?: string;
    };
    expect(frame.error).toBe("execution reverted");
    expect(frame.output?.length).toBeGreaterThan(2);
  });

  it("creates an access list whose gas a type-1 transaction then uses", async () => {
    const wallet = recorder(provider);
    const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, wallet);
    const next = hexlify(randomBytes(32));
    const input = registry.interface.encodeFunctionData("grant", [1, next, terms, id("listed")]);
    const created = (await rpc("eth_createAccessList", [
      { from: wallet.address, to: keys.contracts.consentRegistry, input },
    ])) as {
      accessList: { address: string; storageKeys: string[] }[];
      gasUsed: string;
      error?: string;
    };
    expect(created.error).toBeUndefined();
    expect(created.accessList.length).toBeGreaterThan(0);
    expect(created.accessList.map((entry) => entry.address)).not.toContain(
      wallet.address.toLowerCase(),
    );
    const tx = await wallet.sendTransaction({
      type: 1,
      to: keys.contracts.consentRegistry,
      data: input,
      accessList: created.accessList,
      // Headroom: with exactly the gas used, the 63/64 rule could starve a sub-call.
      gasLimit: BigInt(created.gasUsed) + 100_000n,
    });
    const receipt = await tx.wait();
    expect(receipt?.status).toBe(1);
    expect(receipt?.gasUsed).toBe(BigInt(created.gasUsed));
  });
});

describe("replays off the main thread", () => {
  it("runs an endless eth_createAccessList on the replay worker while /liveness answers", async () => {
    // JUMPDEST, PUSH1 0, JUMP as creation code: runs until the per-transaction gas cap.
    const runs = [1, 2].map(() => rpc("eth_createAccessList", [{ input: "0x5b600056" }]));
    const started = performance.now();
    const live = await fetch(new URL("/liveness", node.rpcUrl));
    const ms = performance.now() - started;
    expect(live.status).toBe(200);
    expect(ms).toBeLessThan(100);
    for (const answer of await Promise.all(runs)) {
      expect(answer).toMatchObject({ error: "out of gas", gasUsed: "0x1000000", accessList: [] });
    }
  });
});

describe("WebSocket limits of the node process", () => {
  it("closes a connection whose message is over the size limit with 1009", async () => {
    const socket = new WebSocket(node.wsUrl);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const closed = new Promise<number>((resolve) => {
      socket.onclose = (event) => resolve(event.code);
    });
    // Well over the 5 MiB limit, so the client is still sending when the node refuses it:
    // cutting the connection then (the old behaviour) left the client with 1006.
    socket.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_chainId",
        pad: "x".repeat(32 * 1024 * 1024),
      }),
    );
    expect(await closed).toBe(1009);
    expect(await rpc("eth_chainId", [])).toBe(`0x${keys.chainId.toString(16)}`);
  });
});
