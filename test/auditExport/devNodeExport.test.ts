import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import {
  type AuditEntry,
  foldQuerySummary,
  isQueryEntry,
  projectAuditLog,
  type QuerySummary,
} from "../../src/audit/index.ts";
import {
  type AuditExportContext,
  auditCsv,
  auditEventBundle,
  auditEventOf,
  auditJsonLines,
  disclosureAuditEventOf,
} from "../../src/auditExport/index.ts";
import { readChainAuditLogs, runAuditWorkload, workloadSubjects } from "../audit/auditWorkload.ts";
import { balpViolations } from "./balpConformance.ts";
import { expectedPattern } from "./expectedPatterns.ts";
import { type FhirValidators, fhirValidators, schemaErrors } from "./fhirSchema.ts";

/**
 * The exports over a real `custos node --dev` chain: the audit workload makes every event the
 * three contracts emit, eth_getLogs returns them, `projectAuditLog` makes the entries, and
 * every export of them is checked (FHIR schema, BALP, pseudonyms only, CSV round trip).
 */
let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;
let entries: AuditEntry[];
let context: AuditExportContext;
let validators: FhirValidators;

beforeAll(async () => {
  validators = fhirValidators();
  dataDir = await mkdtemp(join(tmpdir(), "custos-audit-export-"));
  node = await spawnDevNode({ dataDir });
  keys = await node.devKeys();
  await runAuditWorkload(node.rpcUrl, keys);
  entries = (await readChainAuditLogs(node.rpcUrl, keys.contracts)).auditLogs.map((log) => {
    const entry = projectAuditLog(log, keys.contracts);
    if (entry === null) throw new Error("a Custos log projected to null");
    return entry;
  });
  const trails = new Map<string, AuditEntry[]>();
  for (const entry of entries.filter(isQueryEntry)) {
    const id = entry.fields.queryId;
    trails.set(id, [...(trails.get(id) ?? []), entry]);
  }
  const summaries = new Map<string, QuerySummary>();
  for (const [id, trail] of trails) {
    const summary = foldQuerySummary(trail);
    if (summary !== undefined) summaries.set(id, summary);
  }
  context = {
    chainId: keys.chainId,
    observer: "dev-node",
    contracts: keys.contracts,
    querySummary: (id) => summaries.get(id),
  };
}, 240_000);

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

describe("the exports of a dev node's audit entries", () => {
  it("cover every event the contracts emit", () => {
    expect(new Set(entries.map((e) => e.event)).size).toBe(32);
  });

  it("give one AuditEvent per entry, valid FHIR R4 and following its BALP pattern", () => {
    for (const entry of entries) {
      const event = auditEventOf(entry, context);
      const label = `${entry.event} at ${entry.at.blockNumber}/${entry.at.logIndex}`;
      expect(schemaErrors(validators.auditEvent, event), label).toEqual([]);
      const [profile, failure] = expectedPattern(entry.event);
      expect(balpViolations(event, profile, failure), label).toEqual([]);
    }
  });

  it("name patients only by the workload's pseudonyms", () => {
    const pseudonyms = new Set<string>(Object.values(workloadSubjects));
    const patients = entries
      .map((entry) => auditEventOf(entry, context))
      .flatMap((event) => event.entity.filter((e) => e.role?.code === "1"));
    expect(patients.length).toBeGreaterThan(10);
    for (const patient of patients) {
      expect(Object.keys(patient).sort()).toEqual(["role", "type", "what"]);
      expect(Object.keys(patient.what ?? {}).sort()).toEqual(["identifier", "type"]);
      expect(patient.what?.identifier?.system).toMatch(/^urn:custos:subject:[1-4]$/);
      expect(pseudonyms.has(patient.what?.identifier?.value ?? "")).toBe(true);
    }
  });

  it("bundle into a valid FHIR collection, the same bytes twice", () => {
    const bundle = auditEventBundle(entries, context);
    expect(schemaErrors(validators.bundle, bundle)).toEqual([]);
    expect(bundle.entry).toHaveLength(entries.length);
    expect(JSON.stringify(auditEventBundle(entries, context))).toBe(JSON.stringify(bundle));
  });

  it("give a valid PrivacyDisclosure.Source for a subject of the result", () => {
    const result = entries.find((e) => e.event === "ResultRecorded");
    if (result?.event !== "ResultRecorded") throw new Error("no result");
    const event = disclosureAuditEventOf(result, workloadSubjects.s1, context);
    expect(schemaErrors(validators.auditEvent, event)).toEqual([]);
    expect(balpViolations(event, "PrivacyDisclosure.Source")).toEqual([]);
  });

  it("round-trip through CSV and JSON Lines", () => {
    const records = parse(auditCsv(entries, context), { columns: true }) as Record<
      string,
      string
    >[];
    const lines = auditJsonLines(entries, context).trimEnd().split("\n");
    expect(records).toHaveLength(entries.length);
    expect(lines).toHaveLength(entries.length);
    entries.forEach((entry, i) => {
      const record = records[i] ?? {};
      expect(JSON.parse(record.fields ?? "")).toEqual(entry.fields);
      expect([record.txHash, record.logIndex, record.event]).toEqual([
        entry.at.txHash,
        String(entry.at.logIndex),
        entry.event,
      ]);
      expect(JSON.parse(lines[i] ?? "").fields).toEqual(entry.fields);
    });
  });
});
