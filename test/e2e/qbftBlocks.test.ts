import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { Contract, hexlify, id, JsonRpcProvider, randomBytes, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeQbftExtraData,
  headerFromRpc,
  qbftOnchainHash,
  sortedValidators,
  validatorsOfGenesis,
  verifySealedHeader,
} from "../../nodes/chain/index.ts";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { consentRegistryAbi } from "../../src/contracts/index.ts";

/**
 * A real `custos node --dev` process makes Besu QBFT blocks: every block's header, rebuilt
 * from eth_getBlockByNumber, verifies by Besu's seal rules against the dev validators, its
 * `hash` is Besu's on-chain hash, children link to it, and `custos block inspect --rpc`
 * shows a quorum of seals and a matching hash.
 */
const run = promisify(execFile);
const CLI = new URL("../../nodes/bin/custos.ts", import.meta.url).pathname;

let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;
let provider: JsonRpcProvider;

async function rpcBlock(number: bigint | "latest"): Promise<Record<string, unknown>> {
  const tag = number === "latest" ? number : `0x${number.toString(16)}`;
  return (await provider.send("eth_getBlockByNumber", [tag, false])) as Record<string, unknown>;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-qbft-"));
  node = await spawnDevNode({ dataDir });
  keys = await node.devKeys();
  provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 50 });
});

afterAll(async () => {
  provider?.destroy();
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

describe("a dev node's blocks are Besu QBFT blocks", () => {
  let included: bigint;

  it("includes a transaction in a block sealed by a quorum of the dev validators", async () => {
    const wallet = new Wallet(keys.hospitals[0]?.recorder.privateKey as string, provider);
    const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, wallet);
    const tx = await registry.getFunction("grant")(
      1,
      hexlify(randomBytes(32)),
      { purposes: 1, categories: 1, validFrom: 0, validUntil: 0 },
      id("qbft document"),
    );
    const receipt = await tx.wait();
    expect(receipt?.status).toBe(1);
    included = BigInt(receipt?.blockNumber as number);

    const validators = keys.hospitals.map((h) => hexToBytes(h.validator.address as `0x${string}`));
    const genesis = headerFromRpc(await rpcBlock(0n));
    expect(validatorsOfGenesis(genesis).map(bytesToHex)).toEqual(
      sortedValidators(validators).map(bytesToHex),
    );
    const answer = await rpcBlock(included);
    const header = headerFromRpc(answer);
    const committers = verifySealedHeader(header, validators);
    expect(committers.map(bytesToHex).sort()).toEqual(validators.map(bytesToHex).sort());
    expect(decodeQbftExtraData(header.extraData).round).toBe(0);
    expect(answer.hash).toBe(bytesToHex(qbftOnchainHash(header)));
    expect(receipt?.blockHash).toBe(answer.hash);
    expect((answer.transactions as string[]).includes(receipt?.hash as string)).toBe(true);
    // The node finds the block by that hash, and its child names it as parent.
    const byHash = (await provider.send("eth_getBlockByHash", [answer.hash, false])) as {
      number: string;
    };
    expect(BigInt(byHash.number)).toBe(included);
    await expect
      .poll(async () => (await rpcBlock("latest")).number, { timeout: 10_000 })
      .not.toBe(answer.number);
    const child = await rpcBlock(included + 1n);
    expect(child.parentHash).toBe(answer.hash);
  });

  it("shows a quorum of seals and the matching hash with custos block inspect --rpc", async () => {
    const { stdout } = await run(
      process.execPath,
      [CLI, "block", "inspect", "--rpc", node.rpcUrl, "--number", included.toString(), "--json"],
      { encoding: "utf8" },
    );
    const inspection = JSON.parse(stdout) as {
      number: string;
      hash: string;
      rpcHash: string;
      rpcHashMatches: boolean;
      round: number;
      validators: string[];
      proposer: string;
      proposerIsValidator: boolean;
      seals: { committer: string | null; validator: boolean; duplicate: boolean }[];
      committers: number;
      quorum: number;
      quorate: boolean;
    };
    expect(inspection.number).toBe(included.toString());
    expect(inspection.rpcHashMatches).toBe(true);
    expect(inspection.rpcHash).toBe(inspection.hash);
    expect(inspection.quorate).toBe(true);
    expect(inspection.committers).toBe(keys.hospitals.length);
    expect(inspection.quorum).toBe(Math.ceil((2 * keys.hospitals.length) / 3));
    expect(inspection.proposer).toBe(keys.hospitals[0]?.validator.address.toLowerCase());
    expect(inspection.proposerIsValidator).toBe(true);
    expect(inspection.seals.every((s) => s.validator && !s.duplicate)).toBe(true);
  });
});
