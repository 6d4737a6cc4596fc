import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Log } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { type AuditEntry, projectAuditLog } from "../../src/audit/index.ts";
import { ledgerContracts } from "../../src/ledger/index.ts";
import {
  type AuditWorkload,
  type ChainAuditLogs,
  readChainAuditLogs,
  runAuditWorkload,
} from "./auditWorkload.ts";

/**
 * The audit model against a real `custos node --dev` process: the workload makes every
 * event of the three contracts through the SDK's clients; every log eth_getLogs returns is
 * projected and compared with what the workload did.
 */
let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;
let workload: AuditWorkload;
let logs: Log[];
let blocks: ChainAuditLogs["blocks"];
let entries: AuditEntry[];

const areas: Record<string, string> = {
  QuerySubmitted: "query",
  QueryApproved: "query",
  ResultRecorded: "query",
  QueryDeclined: "query",
  QueryClosed: "query",
  BudgetLimitSet: "budget",
  RequiredApprovalsChanged: "governance",
  SiteTrailAnchored: "siteTrail",
};

function contractOf(event: string): string {
  for (const name of ["AccessLedger", "ConsentRegistry", "Consortium"] as const) {
    if (ledgerContracts[name].iface.getEvent(event) !== null) return name;
  }
  throw new Error(`no contract has ${event}`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "custos-audit-projection-"));
  node = await spawnDevNode({ dataDir });
  keys = await node.devKeys();
  workload = await runAuditWorkload(node.rpcUrl, keys);
  const read = await readChainAuditLogs(node.rpcUrl, keys.contracts);
  logs = [...read.logs];
  blocks = read.blocks;
  entries = read.auditLogs.map((log) => {
    const entry = projectAuditLog(log, keys.contracts);
    if (entry === null) throw new Error("a Custos log projected to null");
    return entry;
  });
}, 240_000);

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

describe("projectAuditLog on a dev node's logs", () => {
  it("gives, per transaction, exactly the entries the workload made, with their fields", () => {
    expect(workload.steps.length).toBeGreaterThan(40);
    for (const step of workload.steps) {
      const mine = entries.filter((e) => e.at.txHash === step.hash.toLowerCase());
      expect(
        mine.map((e) => ({ event: e.event, actor: e.actor, fields: e.fields })),
        step.label,
      ).toEqual(step.expected);
      for (const entry of mine) {
        expect(entry.at.blockNumber, step.label).toBe(step.blockNumber);
        expect(entry.contract).toBe(contractOf(entry.event));
        const expectedArea =
          areas[entry.event] ?? (entry.contract === "ConsentRegistry" ? "consent" : "governance");
        expect(entry.area).toBe(expectedArea);
      }
    }
    const stepHashes = new Set(workload.steps.map((s) => s.hash.toLowerCase()));
    expect(entries.filter((e) => !stepHashes.has(e.at.txHash))).toEqual([]);
  });

  it("locates every entry as eth_getLogs and eth_getBlockByNumber do", () => {
    logs.forEach((log, i) => {
      const entry = entries[i] as AuditEntry;
      const block = blocks.get(log.blockNumber);
      expect(entry.at).toEqual({
        blockNumber: log.blockNumber,
        blockHash: block?.hash,
        blockTimestamp: block?.timestamp,
        txHash: log.transactionHash,
        txIndex: log.transactionIndex,
        logIndex: log.index,
      });
    });
  });

  it("covers every event the three contracts emit", () => {
    const all: string[] = [];
    for (const name of ["AccessLedger", "ConsentRegistry", "Consortium"] as const) {
      ledgerContracts[name].iface.forEachEvent((fragment) => {
        all.push(fragment.name);
      });
    }
    // ERC-5267's event, declared through OpenZeppelin's EIP712, is never emitted: the
    // registry's signing domain is fixed (a unit test projects a made-up log of it).
    const emitted = all.filter((name) => name !== "EIP712DomainChanged");
    expect([...new Set(entries.map((e) => e.event))].sort()).toEqual(emitted.sort());
  });

  it("serialises every entry as JSON without loss", () => {
    for (const entry of entries) expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });
});
