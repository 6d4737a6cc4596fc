/**
 * The audit API's proof routes on a real dev node (the API the node itself serves, so the
 * in-process JSON-RPC port is the one under test): a query's proof is the document
 * `custos audit prove --query` writes, it verifies offline against the dev chain's genesis
 * file and proves exactly the events of the query's trail; the genesis route serves the
 * genesis the node runs; both follow the API's authorisation, validation and read log. The
 * dashboard's check of such a proof against a query's trail (`checkQueryProof`, the DOM-free
 * part of its trail view) runs here on the same proofs.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { checkQueryProof, eventKey } from "../../../nodes/dashboard/app/checkQueryProof.ts";
import type { DevKeysFile } from "../../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../../scripts/spawnDevNode.ts";
import type { AuditEntry } from "../../../src/audit/index.ts";
import {
  createProofVerifier,
  type ProofDocument,
  trustAnchorFromGenesis,
  verifyChainProof,
} from "../../../src/auditProof/index.ts";
import { signResearcherRequest } from "../../../src/federation/index.ts";
import { type AuditWorkload, runAuditWorkload } from "../../audit/auditWorkload.ts";
import { captureIo } from "../bin/captureIo.ts";

let dir: string;
let node: NodeProcess;
let keys: DevKeysFile;
let workload: AuditWorkload;
let genesisFile: string;

/** A JSON answer, read field by field in the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the API's JSON answers field by field
type Json = any;

/** A GET to the node's audit API, signed by `privateKey` (or not at all). */
async function get(path: string, privateKey?: string): Promise<{ status: number; body: Json }> {
  const headers =
    privateKey === undefined
      ? {}
      : await signResearcherRequest(
          new Wallet(privateKey),
          { method: "GET", path },
          Date.now() / 1000,
        );
  const response = await fetch(`${node.rpcUrl}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

const regulator = () => keys.regulator.privateKey;
const hospitalAdmin = () => keys.hospitals[0]?.account.privateKey as string;

/** Where a log or an audit entry is: block, block-wide log index and transaction. */
const place = (block: number, logIndex: number, tx: string) =>
  `${block}/${logIndex}/${tx.toLowerCase()}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-audit-proof-api-"));
  node = await spawnDevNode({ dataDir: join(dir, "node") });
  keys = await node.devKeys();
  genesisFile = join(dir, "node", "dev-genesis.json");
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

describe("the audit API's proof routes", () => {
  it("serves a query's proof as `custos audit prove --query` writes it, proving exactly the query's trail", async () => {
    const { q1 } = workload.queries;
    const answer = await get(`/audit/v1/queries/${q1}/proof`, regulator());
    expect(answer.status).toBe(200);
    const proof = answer.body as ProofDocument;

    const out = join(dir, "q1-proof.json");
    const io = captureIo();
    const code = await runCli(
      [
        "audit",
        "prove",
        "--query",
        q1,
        "--rpc",
        node.rpcUrl,
        "--genesis",
        genesisFile,
        "--out",
        out,
      ],
      io.io,
    );
    expect([code, io.err()]).toEqual([0, ""]);
    expect(proof).toEqual(JSON.parse(await readFile(out, "utf8")));

    // Offline, against the genesis file alone: every event of the trail, and nothing else.
    const anchor = trustAnchorFromGenesis(JSON.parse(await readFile(genesisFile, "utf8")));
    const proven = verifyChainProof(proof, anchor);
    const trail = await get(`/audit/v1/queries/${q1}?limit=1000`, regulator());
    const entries = trail.body.items as {
      event: string;
      at: { blockNumber: number; blockHash: string; logIndex: number; txHash: string };
    }[];
    expect(entries.map((e) => e.event)).toEqual(
      expect.arrayContaining(["QuerySubmitted", "ResultRecorded", "QueryDeclined", "QueryClosed"]),
    );
    expect(proven.map((l) => place(l.blockNumber, l.logIndex, l.transactionHash))).toEqual(
      entries.map((e) => place(e.at.blockNumber, e.at.logIndex, e.at.txHash)),
    );
    expect(proven.map((l) => l.blockHash)).toEqual(entries.map((e) => e.at.blockHash));
    expect(new Set(proven.map((l) => l.address))).toEqual(
      new Set([keys.contracts.accessLedger.toLowerCase()]),
    );
  });

  it("gives hospital admins proofs too, and refuses researchers and unsigned requests", async () => {
    const { q2 } = workload.queries;
    const hospital = await get(`/audit/v1/queries/${q2}/proof`, hospitalAdmin());
    expect([hospital.status, hospital.body.schema]).toEqual([200, "custos.proof/1"]);
    const researcher = await get(`/audit/v1/queries/${q2}/proof`, keys.researcher.privateKey);
    expect([researcher.status, researcher.body.error.code]).toEqual([403, "AUDIT_API_FORBIDDEN"]);
    const unsigned = await get(`/audit/v1/queries/${q2}/proof`);
    expect([unsigned.status, unsigned.body.error.code]).toEqual([401, "AUDIT_API_UNAUTHORISED"]);
  });

  it("answers 404 for an unknown query and 400 naming a malformed parameter", async () => {
    const unknown = await get("/audit/v1/queries/999999/proof", regulator());
    expect([unknown.status, unknown.body.error.code, unknown.body.error.details.field]).toEqual([
      404,
      "AUDIT_API_NOT_FOUND",
      "id",
    ]);
    for (const [path, field] of [
      ["/audit/v1/queries/seven/proof", "id"],
      [`/audit/v1/queries/${"9".repeat(21)}/proof`, "id"],
      [`/audit/v1/queries/${workload.queries.q1}/proof?format=cbor`, "format"],
      ["/audit/v1/genesis?as=file", "as"],
    ] as const) {
      const answer = await get(path, regulator());
      expect([answer.status, answer.body.error.code, answer.body.error.details.field]).toEqual([
        400,
        "INVALID_ARGUMENT",
        field,
      ]);
    }
  });

  it("serves the genesis the node runs to signed callers", async () => {
    const served = await get("/audit/v1/genesis", hospitalAdmin());
    expect(served.status).toBe(200);
    const file = JSON.parse(await readFile(genesisFile, "utf8"));
    expect(served.body).toEqual(file);
    expect(trustAnchorFromGenesis(served.body)).toEqual(trustAnchorFromGenesis(file));
    const unsigned = await get("/audit/v1/genesis");
    expect([unsigned.status, unsigned.body.error.code]).toEqual([401, "AUDIT_API_UNAUTHORISED"]);
  });

  it("logs every proof and genesis read, and documents both routes in OpenAPI", async () => {
    const reads = await get("/audit/v1/reads?limit=1000", regulator());
    const items = reads.body.items as { route: string; status: number; params: object }[];
    const proofReads = items.filter((i) => i.route === "GET /audit/v1/queries/:id/proof");
    expect(proofReads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: 200, params: { id: workload.queries.q1 } }),
        expect.objectContaining({ status: 404, params: { id: "999999" } }),
        expect.objectContaining({ status: 403, params: { id: workload.queries.q2 } }),
      ]),
    );
    expect(items.some((i) => i.route === "GET /audit/v1/genesis" && i.status === 200)).toBe(true);

    const openapi = (await (await fetch(`${node.rpcUrl}/openapi.json`)).json()) as Json;
    const proofRoute = openapi.paths["/audit/v1/queries/{id}/proof"].get;
    expect(proofRoute.security).toEqual([{ custosSignature: [] }]);
    expect(
      proofRoute.responses["200"].content["application/json"].schema.properties.schema,
    ).toMatchObject({ enum: ["custos.proof/1"] });
    expect(Object.keys(proofRoute.responses)).toEqual(expect.arrayContaining(["404", "400"]));
    expect(openapi.paths["/audit/v1/genesis"].get.security).toEqual([{ custosSignature: [] }]);
  });
});

describe("the dashboard's check of a query's proof against its trail", () => {
  const proofAndTrail = async (queryId: string) => ({
    proof: (await get(`/audit/v1/queries/${queryId}/proof`, regulator())).body as ProofDocument,
    entries: (await get(`/audit/v1/queries/${queryId}?limit=1000`, regulator())).body
      .items as AuditEntry[],
  });
  const anchor = async () =>
    trustAnchorFromGenesis(JSON.parse(await readFile(genesisFile, "utf8")));

  it("verifies every event of the trail, with one warm verifier for several queries", async () => {
    const verifier = createProofVerifier();
    for (const queryId of [workload.queries.q2, workload.queries.q1]) {
      const { proof, entries } = await proofAndTrail(queryId);
      const check = checkQueryProof(verifier, proof, await anchor(), queryId, entries);
      expect(check.status).toBe("verified");
      expect([...check.events.keys()]).toEqual(entries.map((e) => eventKey(e.at)));
      expect(new Set([...check.events.values()].map((b) => b.status))).toEqual(
        new Set(["verified"]),
      );
    }
  });

  it("says unverified without a genesis, and names the failing link of a proof that fails", async () => {
    const { q1, q2 } = workload.queries;
    const { proof, entries } = await proofAndTrail(q1);
    const none = checkQueryProof(createProofVerifier(), proof, undefined, q1, entries);
    expect(none.status).toBe("unverified");
    expect([...none.events.values()].every((b) => b.status === "unverified")).toBe(true);

    // A claimed log changed in the proof: the verifier's `log` link, for every event.
    const block = proof.blocks[0] as ProofDocument["blocks"][number];
    const changed = {
      ...proof,
      blocks: [
        {
          ...block,
          logs: block.logs.map((l, i) => (i === 0 ? { ...l, data: `${l.data}00` } : l)),
        },
        ...proof.blocks.slice(1),
      ],
    };
    const tampered = checkQueryProof(createProofVerifier(), changed, await anchor(), q1, entries);
    expect([tampered.status, tampered.link]).toEqual(["failed", "log"]);
    expect([...tampered.events.values()].every((b) => b.status === "failed")).toBe(true);

    // Another chain's genesis: the anchor link.
    const otherChain = trustAnchorFromGenesis({
      ...JSON.parse(await readFile(genesisFile, "utf8")),
      chainId: 777,
    });
    const wrongChain = checkQueryProof(createProofVerifier(), proof, otherChain, q1, entries);
    expect([wrongChain.status, wrongChain.link]).toEqual(["failed", "anchor"]);

    // A valid proof of another query proves none of this trail's events.
    const other = (await proofAndTrail(q2)).proof;
    const mixed = checkQueryProof(createProofVerifier(), other, await anchor(), q1, entries);
    expect([mixed.status, mixed.link]).toEqual(["failed", "log"]);
  });

  it("fails an event the trail names differently from the proven log", async () => {
    const { q1 } = workload.queries;
    const { proof, entries } = await proofAndTrail(q1);
    const last = entries.at(-1) as AuditEntry;
    for (const forged of [
      { ...last, event: "QueryApproved" },
      { ...last, at: { ...last.at, txHash: `0x${"ab".repeat(32)}` } },
      { ...last, at: { ...last.at, blockTimestamp: last.at.blockTimestamp + 1 } },
    ] as AuditEntry[]) {
      const check = checkQueryProof(createProofVerifier(), proof, await anchor(), q1, [
        ...entries.slice(0, -1),
        forged,
      ]);
      expect([check.status, check.link]).toEqual(["failed", "log"]);
      expect(check.events.get(eventKey(last.at))).toMatchObject({ status: "failed", link: "log" });
      expect(entries.slice(0, -1).map((e) => check.events.get(eventKey(e.at))?.status)).toEqual(
        entries.slice(0, -1).map(() => "verified"),
      );
    }
  });
});
