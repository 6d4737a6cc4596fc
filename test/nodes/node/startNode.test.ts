import { access, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { Contract, hexlify, id, JsonRpcProvider, randomBytes, Wallet } from "ethers";
import { Level } from "level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createDevGenesis,
  qbftOnchainHash,
  verifySealedHeader,
} from "../../../nodes/chain/index.ts";
import { type NodeConfig, resolveConfig } from "../../../nodes/config/index.ts";
import { FLAT_HEAD_KEY, HASH_RULE_KEY } from "../../../nodes/db/index.ts";
import { createLogger } from "../../../nodes/log/index.ts";
import { type CustosNode, startNode } from "../../../nodes/node/index.ts";
import { consentRegistryAbi, consortiumAbi } from "../../../src/contracts/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { seededRandomBytes, tempDir } from "../stateFixtures.ts";

const modules = { logger: createLogger({ level: "silent" }), clientVersion: "custos/test" };
let dir: { path: string; remove: () => Promise<void> };
const running: CustosNode[] = [];

beforeEach(async () => {
  dir = await tempDir("custos-start-");
});
afterEach(async () => {
  for (const node of running.splice(0)) await node.stop();
  await dir.remove();
});

function config(document: Record<string, unknown>): NodeConfig {
  return resolveConfig(
    { rpc: { port: 0 }, metrics: { enabled: true }, ...document },
    { baseDir: dir.path, cwd: dir.path },
  );
}

async function start(document: Record<string, unknown>, reindex = false): Promise<CustosNode> {
  const node = await startNode({ config: config(document), reindex }, modules);
  running.push(node);
  return node;
}

async function stopped(node: CustosNode): Promise<void> {
  running.splice(running.indexOf(node), 1);
  await node.stop();
}

async function grantOne(node: CustosNode): Promise<{ subject: string; block: number }> {
  const keys = node.dev?.keys;
  if (keys === undefined) throw new Error("not a dev node");
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 50,
  });
  try {
    // Hospital 1's consent recorder grants in hospital 1's records (custodian 1).
    const wallet = new Wallet(keys.hospitals[0]?.recorder.privateKey as string, provider);
    const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, wallet);
    const subject = hexlify(randomBytes(32));
    const tx = await registry.getFunction("grant")(
      1,
      subject,
      { purposes: 1, categories: 1, validFrom: 0, validUntil: 0 },
      id("doc"),
    );
    const receipt = await tx.wait();
    return { subject, block: receipt.blockNumber };
  } finally {
    provider.destroy();
  }
}

async function consentStatus(node: CustosNode, subject: string): Promise<bigint> {
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
  try {
    const registry = new Contract(
      node.genesis.contracts.consentRegistry,
      consentRegistryAbi,
      provider,
    );
    return (await registry.getFunction("consentOf")(1, subject)).status;
  } finally {
    provider.destroy();
  }
}

/** The flat head pointer as stored, read after the node stopped. */
async function readFlatHead(location: string, node: CustosNode): Promise<string> {
  await stopped(node);
  const level = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: "view",
    valueEncoding: "view",
  });
  try {
    return bytesToHex((await level.get(FLAT_HEAD_KEY)) ?? new Uint8Array());
  } finally {
    await level.close();
  }
}

describe("startNode (dev)", () => {
  it("generates a dev chain, serves JSON-RPC and metrics, and resumes it after a restart", async () => {
    const dataDir = join(dir.path, "dev");
    const first = await start({ dev: true, dataDir });
    expect(first.dev?.keys.hospitals).toHaveLength(4);
    expect((await stat(join(dataDir, "dev-keys.json"))).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(join(dataDir, "dev-keys.json"), "utf8"));
    expect(file.rpcUrl).toBe(first.rpcUrl);
    expect(file.contracts).toEqual(first.genesis.contracts);
    const { subject, block } = await grantOne(first);
    // The receipt is readable once the block is stored; the counters hear of it just after
    // the pool and membership cache are brought up to date.
    let metrics = "";
    for (let tries = 0; tries < 100 && !/custos_chain_transactions 1\b/.test(metrics); tries++) {
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      metrics = await fetch(`${first.rpcUrl}/metrics`).then((r) => r.text());
    }
    expect(metrics).toMatch(/custos_chain_height \d+/);
    expect(metrics).toMatch(/custos_chain_transactions 1\b/);
    expect((await fetch(`${first.rpcUrl}/readiness`)).status).toBe(200);
    const genesisHash = bytesToHex(first.genesisHash);
    await stopped(first);

    const second = await start({ dev: true, dataDir });
    expect(bytesToHex(second.genesisHash)).toBe(genesisHash);
    expect(second.api.head().header.number).toBeGreaterThanOrEqual(BigInt(block));
    expect(second.dev?.keys.hospitals[0]).toEqual(first.dev?.keys.hospitals[0]);
    expect(await consentStatus(second, subject)).toBe(1n);
  });

  it("rebuilds a flat state that does not describe the head (a database from before it)", async () => {
    const dataDir = join(dir.path, "dev");
    const first = await start({ dev: true, dataDir });
    const { subject } = await grantOne(first);
    await stopped(first);
    const level = new Level<Uint8Array, Uint8Array>(join(dataDir, "chain"), {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await level.del(FLAT_HEAD_KEY);
    await level.close();

    const second = await start({ dev: true, dataDir });
    expect(bytesToHex(second.api.head().hash())).toBe(bytesToHex(first.api.head().hash()));
    expect(await consentStatus(second, subject)).toBe(1n);
    const flatHead = await readFlatHead(join(dataDir, "chain"), second);
    expect(flatHead).toBe(bytesToHex(second.api.head().hash()));
  });

  it("refuses an observer whose node key file cannot be read, naming p2p.keyFile", async () => {
    const { genesis } = createDevGenesis({ hospitals: 1 });
    const genesisFile = join(dir.path, "observer-genesis.json");
    await writeFile(genesisFile, JSON.stringify(genesis));
    const error = await expectCustosError(
      start({
        dataDir: join(dir.path, "obs"),
        chain: { genesisFile },
        observer: true,
        p2p: { enabled: true, port: 0, keyFile: join(dir.path, "absent.key") },
      }),
      "CONFIG_INVALID",
    );
    expect(error.details.field).toBe("p2p.keyFile");
  });

  it("refuses to reuse a dev chain made with other parameters, naming the field", async () => {
    const dataDir = join(dir.path, "dev");
    await stopped(await start({ dev: true, dataDir }));
    const error = await expectCustosError(
      start({ dev: true, dataDir, devChain: { hospitals: 6 } }),
      "CONFIG_INVALID",
    );
    expect(error.details.field).toBe("devChain.hospitals");
  });

  it("refuses a dev chain of an earlier version whose recorders were admin accounts", async () => {
    const dataDir = join(dir.path, "old");
    await mkdir(dataDir);
    const { genesis, keys } = createDevGenesis({ randomBytes: seededRandomBytes("old") });
    const old = structuredClone(genesis) as unknown as {
      organisations: { accounts: string[]; recorders: string[] }[];
    };
    for (const org of old.organisations) if (org.recorders.length > 0) org.recorders = org.accounts;
    await writeFile(join(dataDir, "dev-genesis.json"), JSON.stringify(old));
    await writeFile(join(dataDir, "dev-keys.json"), JSON.stringify(keys), { mode: 0o600 });
    const error = await expectCustosError(start({ dev: true, dataDir }), "CONFIG_INVALID");
    expect(error.details.field).toBe("dataDir");
  });

  it("takes a dev genesis file without extraData (from before it) as the same chain", async () => {
    const dataDir = join(dir.path, "dev");
    const first = await start({ dev: true, dataDir });
    await stopped(first);
    const file = join(dataDir, "dev-genesis.json");
    const document = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    expect(document.extraData).toMatch(/^0x/);
    delete document.extraData;
    await writeFile(file, JSON.stringify(document));
    const second = await start({ dev: true, dataDir });
    expect(second.genesisHash).toEqual(first.genesisHash);
  });

  it("refuses a data directory written before QBFT block hashes, naming the fix", async () => {
    const dataDir = join(dir.path, "dev");
    await stopped(await start({ dev: true, dataDir }));
    const level = new Level<Uint8Array, Uint8Array>(join(dataDir, "chain"), {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await level.del(HASH_RULE_KEY);
    await level.close();
    const error = await expectCustosError(start({ dev: true, dataDir }), "CHAIN_DB_INCOMPATIBLE");
    expect(error.details).toMatchObject({ stored: "header-rlp", expected: "qbft-onchain" });
    expect(error.message).toContain("new data directory");
  });

  it("runs in a temporary directory removed at stop when no dataDir is given", async () => {
    const node = await start({ dev: true });
    await access(node.dataDir);
    await stopped(node);
    await expect(access(node.dataDir)).rejects.toThrow();
  });
});

describe("gas estimates at the head", () => {
  it("are for the next block, so a call whose path depends on block.number gets enough gas", async () => {
    const node = await start({ dev: true, devChain: { hospitals: 2 } });
    const keys = node.dev?.keys as NonNullable<CustosNode["dev"]>["keys"];
    const provider = new JsonRpcProvider(node.rpcUrl, undefined, {
      cacheTimeout: -1,
      pollingInterval: 50,
    });
    try {
      const [a, b] = keys.hospitals.map((h) => new Wallet(h.account.privateKey, provider)) as [
        Wallet,
        Wallet,
      ];
      const consortium = new Contract(keys.contracts.consortium, consortiumAbi, provider);
      await (
        await (consortium.connect(a) as Contract).getFunction("proposeAddOrganisation")({
          role: 1,
          metadata: id("hospital c"),
          accounts: [Wallet.createRandom().address],
          recorders: [],
          validator: Wallet.createRandom().address,
        })
      ).wait();
      // The proposal is Pending in the head's block and Open from the next one on: the vote
      // takes the longer path when it executes.
      const vote = consortium.interface.encodeFunctionData("vote", [1n]);
      const estimate = await provider.estimateGas({
        from: b.address,
        to: keys.contracts.consortium,
        data: vote,
      });
      const receipt = await (
        await b.sendTransaction({
          to: keys.contracts.consortium,
          data: vote,
          gasLimit: estimate,
        })
      ).wait();
      expect(receipt?.status).toBe(1);
      expect(receipt?.gasUsed).toBe(estimate);
    } finally {
      provider.destroy();
    }
  });
});

describe("startNode (genesis file)", () => {
  async function writeChain(hospitals = 2) {
    const { genesis, keys } = createDevGenesis({
      hospitals,
      randomBytes: seededRandomBytes("start-node"),
    });
    const genesisFile = join(dir.path, `genesis-${hospitals}.json`);
    await writeFile(genesisFile, JSON.stringify(genesis));
    return { genesis, keys, genesisFile };
  }

  it("produces sealed blocks with the validator key of a one-validator chain, none without one", async () => {
    const { keys, genesisFile } = await writeChain(1);
    const keyFile = join(dir.path, "validator.key");
    await writeFile(keyFile, `${keys.hospitals[0]?.validator.privateKey}\n`, { mode: 0o600 });
    const validating = await start({
      dataDir: join(dir.path, "a"),
      chain: { genesisFile },
      validator: { keyFile },
    });
    const validator = keys.hospitals[0]?.validator.address.toLowerCase();
    expect(bytesToHex(validating.validator ?? new Uint8Array())).toBe(validator);
    await expect
      .poll(() => validating.api.head().header.number, { timeout: 10_000 })
      .toBeGreaterThan(0n);
    const head = validating.api.head();
    expect(head.header.coinbase.toString()).toBe(validator);
    expect(
      verifySealedHeader(head.header, [hexToBytes(validator as `0x${string}`)]).map(bytesToHex),
    ).toEqual([validator]);
    expect(bytesToHex(head.hash())).toBe(bytesToHex(qbftOnchainHash(head.header)));

    const observer = await start({ dataDir: join(dir.path, "b"), chain: { genesisFile } });
    expect(observer.validator).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(observer.api.head().header.number).toBe(0n);
  });

  it("produces nothing with one validator key of two: one seal is no quorum", async () => {
    const { keys, genesisFile } = await writeChain(2);
    const keyFile = join(dir.path, "validator.key");
    await writeFile(keyFile, `${keys.hospitals[1]?.validator.privateKey}\n`, { mode: 0o600 });
    const node = await start({
      dataDir: join(dir.path, "short"),
      chain: { genesisFile },
      validator: { keyFile },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(node.api.head().header.number).toBe(0n);
  });

  it("refuses a validator key that is not in the genesis validator set", async () => {
    const { keys, genesisFile } = await writeChain();
    const keyFile = join(dir.path, "other.key");
    await writeFile(keyFile, keys.regulator.privateKey.slice(2), { mode: 0o600 });
    const error = await expectCustosError(
      start({ dataDir: join(dir.path, "c"), chain: { genesisFile }, validator: { keyFile } }),
      "CONFIG_INVALID",
    );
    expect(error.details.field).toBe("validator.keyFile");
  });

  it("refuses a database that holds another chain", async () => {
    const { genesisFile } = await writeChain();
    const dataDir = join(dir.path, "d");
    await stopped(await start({ dataDir, chain: { genesisFile } }));
    const other = createDevGenesis({ hospitals: 2, randomBytes: seededRandomBytes("other") });
    const otherFile = join(dir.path, "other.json");
    await writeFile(otherFile, JSON.stringify(other.genesis));
    await expectCustosError(
      start({ dataDir, chain: { genesisFile: otherFile } }),
      "GENESIS_INVALID",
    );
  });

  it("reports a port in use as NODE_START_FAILED and releases the database", async () => {
    const { genesisFile } = await writeChain();
    const first = await start({ dataDir: join(dir.path, "e"), chain: { genesisFile } });
    const port = Number(new URL(first.rpcUrl).port);
    const dataDir = join(dir.path, "f");
    await mkdir(dataDir);
    await expectCustosError(
      start({ dataDir, chain: { genesisFile }, rpc: { port } }),
      "NODE_START_FAILED",
    );
    // The database was closed: the same directory opens again.
    await stopped(await start({ dataDir, chain: { genesisFile } }));
  });
});

describe("startNode --reindex", () => {
  it("replays the stored chain into a fresh database and serves the same head and state", async () => {
    const dataDir = join(dir.path, "dev");
    const node = await start({ dev: true, dataDir });
    const { subject } = await grantOne(node);
    await grantOne(node);
    await stopped(node);
    const stoppedHead = node.api.head();

    const replayed = await start({ dev: true, dataDir }, true);
    expect(replayed.reindexed?.blocks).toBe(Number(stoppedHead.header.number));
    expect(replayed.reindexed?.transactions).toBe(2);
    const block = await replayed.api.blockByNumber(stoppedHead.header.number);
    expect(block?.hash()).toEqual(stoppedHead.hash());
    expect(await consentStatus(replayed, subject)).toBe(1n);
  });
});
