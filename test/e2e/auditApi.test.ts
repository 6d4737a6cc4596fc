import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { signResearcherRequest } from "../../src/federation/index.ts";
import {
  type AuditWorkload,
  DEV_ORG,
  runAuditWorkload,
  workloadSubjects,
} from "../audit/auditWorkload.ts";
import { fhirValidators, schemaErrors } from "../auditExport/fhirSchema.ts";

let dir: string;
let node: NodeProcess;
let keys: DevKeysFile;
let workload: AuditWorkload;

/** A JSON answer, read field by field in the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the API's JSON answers field by field
type Json = any;

/** A GET to the node's audit API, signed by `privateKey` (or not at all). */
async function get(
  path: string,
  privateKey?: string,
): Promise<{ status: number; type: string; body: Json; next: string | null }> {
  const headers =
    privateKey === undefined
      ? {}
      : await signResearcherRequest(
          new Wallet(privateKey),
          { method: "GET", path },
          Date.now() / 1000,
        );
  const response = await fetch(`${node.rpcUrl}${path}`, { headers });
  const type = response.headers.get("content-type") ?? "";
  const body =
    type.includes("json") && !type.includes("ndjson")
      ? await response.json()
      : await response.text();
  return {
    status: response.status,
    type,
    body,
    next: response.headers.get("x-custos-next-cursor"),
  };
}

const regulator = () => keys.regulator.privateKey;
const hospital = (i: number) => keys.hospitals[i - 1]?.account.privateKey as string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-audit-api-e2e-"));
  node = await spawnDevNode({ dataDir: join(dir, "node") });
  keys = await node.devKeys();
  workload = await runAuditWorkload(node.rpcUrl, keys);
  // The index follows committed blocks: wait until it has the workload's last block.
  const last = Math.max(...workload.steps.map((s) => s.blockNumber));
  for (;;) {
    const status = await get("/audit/v1/status");
    if ((status.body.auditIndex.indexedBlock ?? -1) >= last) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the audit API of a node", () => {
  it("lists queries by filter and gives a query's full trail", async () => {
    const all = await get("/audit/v1/queries?order=asc", regulator());
    expect(all.status).toBe(200);
    expect(all.body.items.map((q: { queryId: string }) => q.queryId)).toEqual([
      workload.queries.q1,
      workload.queries.q2,
    ]);
    const atHospital2 = await get("/audit/v1/queries?hospital=2", hospital(1));
    expect(atHospital2.body.items.map((q: { queryId: string }) => q.queryId)).toContain(
      workload.queries.q1,
    );
    const byOrg = await get(`/audit/v1/queries?org=${DEV_ORG.regulator}`, regulator());
    expect(byOrg.body.items).toEqual([]);

    const trail = await get(`/audit/v1/queries/${workload.queries.q1}`, regulator());
    expect(trail.status).toBe(200);
    const responses = trail.body.summary.responses as {
      hospitalId: number;
      status: string;
      epsilon: string | null;
    }[];
    expect(responses.map((r) => [r.hospitalId, r.status])).toEqual([
      [1, "recorded"],
      [2, "declined"],
    ]);
    expect(responses[0]?.epsilon).toBe(workload.epsilon.toString());
    expect(trail.body.items.map((e: { event: string }) => e.event)).toEqual(
      expect.arrayContaining([
        "QuerySubmitted",
        "QueryApproved",
        "ResultRecorded",
        "QueryDeclined",
        "QueryClosed",
      ]),
    );
    const unknown = await get("/audit/v1/queries/999999", regulator());
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "AUDIT_API_NOT_FOUND"]);
  });

  it("serves a subject's history to regulators and its own custodian only", async () => {
    const path = `/audit/v1/subjects/1/${workloadSubjects.s1}/consents`;
    const own = await get(path, hospital(1));
    expect(own.status).toBe(200);
    expect(own.body.items[0].event).toBe("ConsentGranted");
    expect((await get(path, regulator())).body).toEqual(own.body);
    const other = await get(path, hospital(2));
    expect([other.status, other.body.error.code, other.body.error.details.reason]).toEqual([
      403,
      "AUDIT_API_FORBIDDEN",
      "custodian",
    ]);
    const anonymous = await get(path);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, "AUDIT_API_UNAUTHORISED"]);
    const researcher = await get(path, keys.researcher.privateKey);
    expect([researcher.status, researcher.body.error.code]).toEqual([403, "AUDIT_API_FORBIDDEN"]);
    const researcherList = await get("/audit/v1/queries", keys.researcher.privateKey);
    expect(researcherList.status).toBe(403);
    const badSubject = await get("/audit/v1/subjects/1/0x1234/consents", regulator());
    expect([badSubject.status, badSubject.body.error.details.field]).toEqual([400, "subject"]);
  });

  it("reports ε budgets, consent counts per day and governance", async () => {
    const budgets = await get("/audit/v1/budgets", regulator());
    const atHospital1 = budgets.body.items.find(
      (b: { researcherOrg: number; hospitalId: number }) =>
        b.researcherOrg === DEV_ORG.researcher && b.hospitalId === 1,
    );
    expect(atHospital1).toMatchObject({
      spent: workload.epsilon.toString(),
      limit: workload.limit.toString(),
    });
    const now = Math.floor(Date.now() / 1000);
    const series = await get(
      `/audit/v1/consents/series?from=${now - 86_400}&to=${now}`,
      regulator(),
    );
    const grants = series.body.items.reduce(
      (sum: number, d: { grants: number }) => sum + d.grants,
      0,
    );
    const granted = workload.steps
      .flatMap((s) => s.expected)
      .filter((e) => e.event === "ConsentGranted").length;
    expect(grants).toBe(granted);
    const governance = await get("/audit/v1/governance?limit=1000", hospital(3));
    expect(governance.body.items.length).toBeGreaterThan(0);
    expect(governance.body.items.every((e: { area: string }) => e.area === "governance")).toBe(
      true,
    );
  });

  it("exports the entry stream as a FHIR AuditEvent Bundle, CSV and JSON Lines, to regulators only", async () => {
    const fhir = await get("/audit/v1/exports/audit-events?limit=1000", regulator());
    expect(fhir.type).toBe("application/fhir+json; charset=utf-8");
    const bundle = fhir.body;
    const validators = fhirValidators();
    expect(schemaErrors(validators.bundle, bundle)).toEqual([]);
    for (const entry of bundle.entry)
      expect(schemaErrors(validators.auditEvent, entry.resource)).toEqual([]);
    const entries = await get("/audit/v1/entries?limit=1000", regulator());
    expect(bundle.entry).toHaveLength(entries.body.items.length);

    const csv = await get("/audit/v1/exports/entries.csv?limit=1000", regulator());
    expect(csv.type).toBe("text/csv; charset=utf-8");
    expect(parse(csv.body as string, { columns: true })).toHaveLength(entries.body.items.length);
    const lines = await get("/audit/v1/exports/entries.jsonl?limit=1000", regulator());
    expect((lines.body as string).trim().split("\n")).toHaveLength(entries.body.items.length);

    // Paging: two pages of the CSV hold the same rows as one, the header only on the first.
    const first = await get("/audit/v1/exports/entries.csv?limit=5", regulator());
    const second = await get(
      `/audit/v1/exports/entries.csv?limit=1000&cursor=${encodeURIComponent(first.next as string)}`,
      regulator(),
    );
    expect(`${first.body}${second.body}`).toBe(csv.body);

    const hospitalExport = await get("/audit/v1/exports/audit-events", hospital(1));
    expect([hospitalExport.status, hospitalExport.body.error.code]).toEqual([
      403,
      "AUDIT_API_FORBIDDEN",
    ]);
  });

  it("logs every audit read, and documents the API in OpenAPI", async () => {
    const reads = await get("/audit/v1/reads?limit=1000", regulator());
    const routes = reads.body.items.map((r: { route: string }) => r.route);
    expect(routes).toContain("GET /audit/v1/subjects/:custodian/:subject/consents");
    expect(routes).toContain("GET /audit/v1/exports/audit-events");
    const refused = reads.body.items.filter((r: { status: number }) => r.status === 403);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    const openapi = await get("/openapi.json");
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        "/audit/v1/queries",
        "/audit/v1/queries/{id}",
        "/audit/v1/subjects/{custodian}/{subject}/consents",
        "/audit/v1/exports/audit-events",
        "/audit/v1/me",
      ]),
    );
  });
});
