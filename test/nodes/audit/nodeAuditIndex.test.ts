import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUDIT_DIRECTORY,
  type AuditIndex,
  createAuditFollower,
  openAuditIndex,
  startAuditIndex,
} from "../../../nodes/audit/index.ts";
import { type NodeConfig, resolveConfig } from "../../../nodes/config/index.ts";
import { type ChainDb, createChainDb } from "../../../nodes/db/index.ts";
import { createCustosCommon } from "../../../nodes/execution/index.ts";
import { createLogger } from "../../../nodes/log/index.ts";
import { type CustosNode, startNode } from "../../../nodes/node/index.ts";
import type { AuditEntry } from "../../../src/audit/index.ts";
import {
  type AuditWorkload,
  DEV_ORG,
  type ExpectedEntry,
  runAuditWorkload,
  workloadSubjects as S,
} from "../../audit/auditWorkload.ts";
import { expectCustosError } from "../../expectCustosError.ts";

/**
 * The audit index of a running dev node (in process): built by the node's follower after
 * each commit, read through `node.audit`, and compared byte for byte with rebuilds from the
 * node's chain database — from scratch, after a follower stopped between blocks, and after a
 * write that never happened (a crash before a block's batch) — and rebuilt by `--reindex`.
 */
const modules = { logger: createLogger({ level: "silent" }), clientVersion: "custos/test" };
let dir: string;
let dataDir: string;
let node: CustosNode | undefined;
let workload: AuditWorkload;
let contracts: CustosNode["genesis"]["contracts"];
let chainId: number;

function config(reindexDir: string): NodeConfig {
  return resolveConfig(
    { dev: true, dataDir: reindexDir, rpc: { port: 0 } },
    { baseDir: dir, cwd: dir },
  );
}

/** Every record of a closed level database, as hex pairs in key order. */
async function dump(location: string): Promise<[string, string][]> {
  const level = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: "view",
    valueEncoding: "view",
  });
  try {
    const pairs = await level.iterator().all();
    return pairs.map(([k, v]) => [Buffer.from(k).toString("hex"), Buffer.from(v).toString("hex")]);
  } finally {
    await level.close();
  }
}

async function openChain(): Promise<ChainDb> {
  return createChainDb({
    location: join(dataDir, "chain"),
    common: createCustosCommon({ chainId: BigInt(chainId) }),
    create: false,
  });
}

/** Indexes the whole chain into a fresh index at `location`, then closes it. */
async function rebuildInto(chainDb: ChainDb, location: string): Promise<void> {
  const index = await openAuditIndex({ location, fresh: true });
  const follower = createAuditFollower({ chainDb, index, contracts });
  await follower.rebuild();
  await follower.stop();
  await index.close();
}

const strip = (entries: readonly AuditEntry[]) =>
  entries.map((e) => ({ event: e.event, actor: e.actor, fields: e.fields }));
const sortedJson = (items: readonly unknown[]) => items.map((i) => JSON.stringify(i)).sort();
const expectedWhere = (keep: (e: ExpectedEntry) => boolean) =>
  workload.steps.flatMap((s) => s.expected).filter(keep);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-audit-node-"));
  dataDir = join(dir, "node");
  node = await startNode({ config: config(dataDir) }, modules);
  contracts = node.genesis.contracts;
  chainId = node.genesis.chainId;
  workload = await runAuditWorkload(
    node.rpcUrl,
    node.dev?.keys as NonNullable<CustosNode["dev"]>["keys"],
  );
  const last = Math.max(...workload.steps.map((s) => s.blockNumber));
  for (let tries = 0; tries < 200; tries++) {
    if (((await node.audit.status()).indexedBlock ?? -1) >= last) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 240_000);

afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a running node's audit index", () => {
  it("follows the node's commits and reports how far it is", async () => {
    const status = await (node as CustosNode).audit.status();
    expect(status.fault).toBeNull();
    expect(status.indexedBlock).toBeGreaterThanOrEqual(
      Math.max(...workload.steps.map((s) => s.blockNumber)),
    );
    expect(status.headBlock).toBeGreaterThanOrEqual(status.indexedBlock as number);
    expect(status.behind).toBe((status.headBlock as number) - (status.indexedBlock as number));
  });

  it("lists the workload's queries with every filter", async () => {
    const audit = (node as CustosNode).audit;
    const { q1, q2 } = workload.queries;
    const list = async (filter: Parameters<typeof audit.listQueries>[0]) =>
      (await audit.listQueries(filter)).items.map((s) => s.queryId);
    expect(await list({})).toEqual([q2, q1]);
    expect(await list({ order: "asc" })).toEqual([q1, q2]);
    expect(await list({ researcher: workload.researcher })).toEqual([q2, q1]);
    expect(await list({ org: DEV_ORG.researcher })).toEqual([q2, q1]);
    expect(await list({ org: DEV_ORG.added })).toEqual([]);
    expect(await list({ hospital: 1 })).toEqual([q1]);
    expect(await list({ hospital: 3 })).toEqual([q2]);
    expect(await list({ purpose: "HMB" })).toEqual([q2, q1]);
    expect(await list({ purpose: "GRU" })).toEqual([]);
    expect(await list({ limit: 1 })).toEqual([q2]);
  });

  it("gives a query's trail and summary as the workload made them", async () => {
    const { q1 } = workload.queries;
    const trail = await (node as CustosNode).audit.queryTrail(q1);
    const expected = expectedWhere((e) => e.fields.queryId === q1);
    expect(expected).toHaveLength(5);
    expect(sortedJson(strip(trail?.items ?? []))).toEqual(sortedJson(expected));
    const positions = (trail?.items ?? []).map((e) => e.at.blockNumber * 1e6 + e.at.logIndex);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(trail?.summary).toMatchObject({
      queryId: q1,
      status: "closed",
      researcher: workload.researcher,
      researcherOrg: DEV_ORG.researcher,
      purposeLabel: "HMB",
      targets: [1, 2],
      responseCount: 2,
      epsilonTotal: workload.epsilon.toString(),
    });
    expect(trail?.summary.approvals).toHaveLength(1);
    expect(
      trail?.summary.responses.map((r) => [r.hospitalId, r.status, r.epsilon, r.reason]),
    ).toEqual([
      [1, "recorded", workload.epsilon.toString(), null],
      [2, "declined", null, "cohortTooSmall"],
    ]);
  });

  it("gives each consent record's history, transfers at both ends", async () => {
    const audit = (node as CustosNode).audit;
    const events = async (custodian: number, subject: string) =>
      (await audit.subjectHistory(custodian, subject)).items.map((e) => e.event);
    expect(await events(1, S.s1)).toEqual([
      "ConsentGranted",
      "ConsentUpdated",
      "PatientKeyChanged",
      "DelegateAdded",
      "DelegateRemoved",
      "SignaturesInvalidated",
    ]);
    expect(await events(2, S.s3)).toEqual([
      "ConsentGranted",
      "PatientKeyChanged",
      "ConsentRevoked",
      "SubjectTransferred",
    ]);
    expect(await events(1, S.t3)).toEqual([
      "ConsentGranted",
      "PatientKeyChanged",
      "SubjectTransferred",
    ]);
    expect(await events(2, S.s2)).toEqual([
      "ConsentGranted",
      "ConsentRevoked",
      "SubjectTransferSkipped",
    ]);
    expect(await events(1, S.s2)).toEqual([]);
  });

  it("gives the ε budget, the daily consent counts and the governance entries", async () => {
    const audit = (node as CustosNode).audit;
    const budgets = await audit.budgets(DEV_ORG.researcher);
    expect(budgets.items).toMatchObject([
      {
        researcherOrg: DEV_ORG.researcher,
        hospitalId: 1,
        limit: workload.limit.toString(),
        spent: workload.epsilon.toString(),
        remaining: (workload.limit - workload.epsilon).toString(),
        results: 1,
      },
    ]);
    const now = Math.floor(Date.now() / 1000);
    const series = await audit.consentSeries(now - 86_400, now + 86_400);
    const totals = new Map<number, [number, number, number]>();
    for (const day of series.items) {
      const [g, u, r] = totals.get(day.custodian) ?? [0, 0, 0];
      totals.set(day.custodian, [g + day.grants, u + day.updates, r + day.revocations]);
    }
    expect(Object.fromEntries(totals)).toEqual({ 1: [2, 1, 0], 2: [3, 0, 2], 3: [1, 0, 0] });
    const governance = await audit.governance({ limit: 1000 });
    const governanceEvents = new Set([
      ...workload.steps
        .flatMap((s) => s.expected)
        .map((e) => e.event)
        .filter(
          (e) =>
            !/^(Consent|Patient|Delegate|Signatures|Subject|Query|Result|Budget|SiteTrail)/.test(e),
        ),
    ]);
    expect(sortedJson(strip(governance.items))).toEqual(
      sortedJson(expectedWhere((e) => governanceEvents.has(e.event))),
    );
  });

  it("lists site-trail anchors among the entries of their blocks, in their own area", async () => {
    const audit = (node as CustosNode).audit;
    const anchors = expectedWhere((e) => e.event === "SiteTrailAnchored");
    expect(anchors).toHaveLength(2);
    const blocks = workload.steps
      .filter((s) => s.expected.some((e) => e.event === "SiteTrailAnchored"))
      .map((s) => s.blockNumber);
    const listed = (
      await audit.entries({
        fromBlock: Math.min(...blocks),
        toBlock: Math.max(...blocks),
        limit: 1000,
      })
    ).items.filter((e) => e.event === "SiteTrailAnchored");
    expect(listed.map((e) => e.area)).toEqual(["siteTrail", "siteTrail"]);
    expect(strip(listed)).toEqual(anchors);
  });

  it("refuses a page above the cap through the node's reader", async () => {
    await expectCustosError(
      (node as CustosNode).audit.governance({ limit: 5000 }),
      "AUDIT_PAGE_TOO_LARGE",
    );
  });
});

describe("rebuilding from the chain", () => {
  let chainDb: ChainDb;
  let rebuilt: [string, string][];

  beforeAll(async () => {
    await node?.stop();
    node = undefined;
    chainDb = await openChain();
    // The live index may be a block or two behind the head the node stopped at.
    const live = await openAuditIndex({ location: join(dataDir, AUDIT_DIRECTORY) });
    const follower = createAuditFollower({ chainDb, index: live, contracts });
    await follower.caughtUp();
    await follower.stop();
    await live.close();
    await rebuildInto(chainDb, join(dir, "rebuilt"));
    rebuilt = await dump(join(dir, "rebuilt"));
  }, 120_000);

  afterAll(async () => {
    await chainDb?.close();
  });

  it("gives byte for byte what the node built block by block", async () => {
    expect(rebuilt.length).toBeGreaterThan(100);
    expect(await dump(join(dataDir, AUDIT_DIRECTORY))).toEqual(rebuilt);
  });

  it("resumes after a follower stopped between blocks, without duplicates", async () => {
    const location = join(dir, "stopped");
    const batchBlock = workload.steps.find((s) => s.label === "batch grant")?.blockNumber as number;
    let index: AuditIndex = await openAuditIndex({ location, fresh: true });
    const stopping = createAuditFollower({
      chainDb: {
        head: () => chainDb.head(),
        headerByHash: (hash) => chainDb.headerByHash(hash),
        readRaw: (keys) => chainDb.readRaw(keys),
        logBlocks: (kind, key, from, to, limit) => chainDb.logBlocks(kind, key, from, to, limit),
        canonicalHash: async (number) => {
          if (number === BigInt(batchBlock)) void stopping.stop();
          return chainDb.canonicalHash(number);
        },
      },
      index,
      contracts,
    });
    await expectCustosError(stopping.caughtUp(), "AUDIT_INDEX_UNAVAILABLE");
    expect(index.head()?.number).toBe(batchBlock);
    await index.close();
    index = await openAuditIndex({ location });
    const resumed = createAuditFollower({ chainDb, index, contracts });
    await resumed.caughtUp();
    await resumed.stop();
    await index.close();
    expect(await dump(location)).toEqual(rebuilt);
  });

  it("resumes after a crash before a block's batch, without duplicates", async () => {
    const location = join(dir, "crashed");
    const resultBlock = workload.steps.find((s) => s.label === "result q1 at 1")
      ?.blockNumber as number;
    let index = await openAuditIndex({ location, fresh: true });
    const real = index;
    const crashing = createAuditFollower({
      chainDb,
      index: {
        ...real,
        writeBlock: (block) =>
          block.number === resultBlock
            ? Promise.reject(new Error("the process died before the batch"))
            : real.writeBlock(block),
      },
      contracts,
    });
    const fault = await expectCustosError(crashing.caughtUp(), "AUDIT_INDEX_UNAVAILABLE");
    expect(fault.cause).toBeInstanceOf(Error);
    expect((await crashing.reader.status()).fault?.code).toBe("AUDIT_INDEX_UNAVAILABLE");
    await crashing.stop();
    expect(index.head()?.number).toBe(resultBlock - 1);
    await index.close();
    index = await openAuditIndex({ location });
    const resumed = createAuditFollower({ chainDb, index, contracts });
    await resumed.caughtUp();
    expect((await resumed.reader.status()).fault).toBeNull();
    await resumed.stop();
    await index.close();
    expect(await dump(location)).toEqual(rebuilt);
  });

  it("starts over when the index holds another chain", async () => {
    const location = join(dir, "foreign");
    const index = await openAuditIndex({ location, fresh: true });
    await index.writeBlock({
      number: 0,
      hash: `0x${"ab".repeat(32)}`,
      parentHash: `0x${"00".repeat(32)}`,
      timestamp: 0,
      entries: [],
    });
    const follower = createAuditFollower({ chainDb, index, contracts });
    await follower.caughtUp();
    await follower.stop();
    await index.close();
    expect(await dump(location)).toEqual(rebuilt);
  });

  it("deletes and rebuilds an index whose LevelDB files are damaged", async () => {
    const dataDir2 = join(dir, "damaged");
    const location = join(dataDir2, AUDIT_DIRECTORY);
    await rebuildInto(chainDb, location);
    const manifest = (await readFile(join(location, "CURRENT"), "utf8")).trim();
    await writeFile(join(location, manifest), "not a manifest");
    await expectCustosError(openAuditIndex({ location }), "AUDIT_INDEX_CORRUPT");
    const audit = await startAuditIndex(
      { dataDir: dataDir2 },
      { chainDb, contracts, logger: modules.logger },
    );
    await audit.follower.caughtUp();
    await audit.stop();
    expect(await dump(location)).toEqual(rebuilt);
  });

  it("is rebuilt by --reindex", async () => {
    await chainDb.close();
    const location = join(dataDir, AUDIT_DIRECTORY);
    const level = new Level<Uint8Array, Uint8Array>(location, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await level.put(Uint8Array.of(0x7a), Uint8Array.of(1));
    await level.close();
    node = await startNode({ config: config(dataDir), reindex: true }, modules);
    expect(node.reindexed?.blocks).toBeGreaterThan(0);
    // The node indexes in the background from block 0 again.
    for (
      let tries = 0;
      tries < 200 && ((await node.audit.status()).indexedBlock ?? -1) < 1;
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await node.audit.status()).indexedBlock).toBeGreaterThanOrEqual(1);
    await node.stop();
    node = undefined;
    chainDb = await openChain();
    const records = await dump(location);
    expect(records.some(([key]) => key === "7a")).toBe(false);
    const live = await openAuditIndex({ location });
    const follower = createAuditFollower({ chainDb, index: live, contracts });
    await follower.caughtUp();
    await follower.stop();
    await live.close();
    await rebuildInto(chainDb, join(dir, "rebuilt-again"));
    expect(await dump(location)).toEqual(await dump(join(dir, "rebuilt-again")));
  });
});
