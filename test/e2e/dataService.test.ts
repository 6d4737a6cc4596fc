import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getBytes, JsonRpcProvider, verifyMessage, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeOmopData } from "../../nodes/bin/commands/data/writeOmopData.ts";
import {
  type DataServiceHandle,
  resolveDataServiceConfig,
  startDataService,
} from "../../nodes/dataService/index.ts";
import { loadSyntheticConsents } from "../../nodes/localnet/loadSyntheticConsents.ts";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { encodeCategories, purposeCodes } from "../../src/consent/index.ts";
import { createInMemoryDifferencingStore } from "../../src/disclosure/index.ts";
import {
  resultDocumentHash,
  type SignedQueryResult,
  signResearcherRequest,
} from "../../src/federation/index.ts";
import { createAccessLedgerClient, createConsentRegistryClient } from "../../src/ledger/index.ts";
import {
  parseQuerySpec,
  type QuerySpec,
  querySpecCategories,
  querySpecHash,
  releaseQueryResult,
} from "../../src/query/index.ts";
import { evaluateReference, readOmopCsvDirectory } from "../query/reference/index.ts";
import { readSyntheticPersons } from "./harness/syntheticPersons.ts";

const HOSPITAL = 1;

/** What the data service answers: a job, a signed result or an error. */
interface ServiceAnswer {
  readonly state?: string;
  readonly reason?: string | null;
  readonly error?: { readonly code: string };
  readonly [field: string]: unknown;
}
const spec = parseQuerySpec(
  JSON.parse(
    await readFile(new URL("../fixtures/query/diabetes.spec.json", import.meta.url), "utf8"),
  ),
);

let dir: string;
let node: NodeProcess;
let service: DataServiceHandle;
let keys: DevKeysFile;
let provider: JsonRpcProvider;
let hospitalDir: string;

function wallet(privateKey: string): Wallet {
  return new Wallet(privateKey, provider);
}

/** A signed request to the data service, as the researcher (or `signer`) sends it. */
async function call(path: string, init: { method?: string; body?: string; signer?: Wallet } = {}) {
  const method = init.method ?? "GET";
  const body = init.body === undefined ? undefined : new TextEncoder().encode(init.body);
  const signer = init.signer ?? wallet(keys.researcher.privateKey);
  const headers = await signResearcherRequest(
    signer,
    { method, path, ...(body ? { body } : {}) },
    Date.now() / 1000,
  );
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...headers, "content-type": "application/json" },
    ...(body ? { body } : {}),
  });
  const json = (await response.json()) as ServiceAnswer;
  return { status: response.status, body: json, headers };
}

/** Submits and approves a query for `querySpec`; returns its id. */
async function submitApproved(querySpec: QuerySpec): Promise<bigint> {
  const researcher = createAccessLedgerClient({
    address: keys.contracts.accessLedger,
    runner: wallet(keys.researcher.privateKey),
  });
  const board = createAccessLedgerClient({
    address: keys.contracts.accessLedger,
    runner: wallet(keys.reviewBoard.privateKey),
  });
  const { queryId } = await researcher.submitQuery({
    specHash: querySpecHash(querySpec),
    use: purposeCodes.HMB.bit,
    categories: encodeCategories(querySpecCategories(querySpec)),
    targets: [HOSPITAL],
    approvalRef: `0x${"ab".repeat(32)}`,
    expiry: Math.floor(Date.now() / 1000) + 3600,
  });
  await board.approveQuery(queryId);
  return queryId;
}

/**
 * Delivers the spec as a researcher's client does: the service learns of a query from the
 * chain, so right after submission it may answer `DATA_SERVICE_QUERY_UNKNOWN` until its
 * next scan; the delivery is retried then.
 */
async function deliverSpec(queryId: bigint, body: unknown) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await call(`/queries/${queryId}/spec`, {
      method: "PUT",
      body: JSON.stringify(body),
    });
    if (answer.body.error?.code !== "DATA_SERVICE_QUERY_UNKNOWN" || Date.now() > deadline) {
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitForFinal(queryId: bigint): Promise<ServiceAnswer> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await call(`/queries/${queryId}`);
    if (["recorded", "declined", "cancelled"].includes(body.state ?? "")) return body;
    if (Date.now() > deadline) throw new Error(`query ${queryId} stuck in ${body.state}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Consenting, unrevoked person ids of the hospital, worked out from its files alone. */
async function consentingPersons(): Promise<number[]> {
  return (await readSyntheticPersons(hospitalDir)).consenting();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-data-service-"));
  const data = await writeOmopData({
    out: join(dir, "omop"),
    persons: 3000,
    hospitals: 1,
    seed: 11,
    consentRate: 0.8,
    revocationRate: 0.1,
  });
  hospitalDir = data.hospitals[0]?.dir as string;
  node = await spawnDevNode({ dataDir: join(dir, "node") });
  keys = await node.devKeys();
  provider = new JsonRpcProvider(node.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
  });
  const recorder = keys.hospitals[0]?.recorder.privateKey as string;
  await loadSyntheticConsents(
    hospitalDir,
    createConsentRegistryClient({
      address: keys.contracts.consentRegistry,
      runner: wallet(recorder),
      custodian: HOSPITAL,
    }),
  );
  await writeFile(join(dir, "recorder.key"), recorder, { mode: 0o600 });
  const config = resolveDataServiceConfig(
    {
      hospitalId: HOSPITAL,
      rpcUrl: node.rpcUrl,
      recorderKeyFile: "recorder.key",
      contracts: {
        accessLedger: keys.contracts.accessLedger,
        consentRegistry: keys.contracts.consentRegistry,
      },
      omop: { engine: "duckdb", path: hospitalDir },
      pseudonymKeyFile: join(hospitalDir, "pseudonym-key.json"),
      dataDir: "service",
      policy: {
        purposes: ["HMB", "GRU"],
        measures: ["count", "histogram", "incidenceRate", "summary", "quantiles", "twoByTwo"],
      },
      jobs: { pollIntervalMs: 200 },
      logLevel: "warn",
    },
    dir,
  );
  service = await startDataService(config);
}, 180_000);

afterAll(async () => {
  await service?.stop();
  provider?.destroy();
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the data service", () => {
  it("runs an approved query over consenting patients only and records a verifiable result", async () => {
    const queryId = await submitApproved(spec);
    expect((await deliverSpec(queryId, spec)).status).toBe(202);
    expect((await waitForFinal(queryId)).state).toBe("recorded");
    const { status, body } = await call(`/queries/${queryId}/result`);
    expect(status).toBe(200);
    const signed = body as unknown as SignedQueryResult;
    expect(resultDocumentHash(signed.document)).toBe(signed.resultHash);
    const recorder = keys.hospitals[0]?.recorder.address.toLowerCase();
    expect(verifyMessage(getBytes(signed.resultHash), signed.signature).toLowerCase()).toBe(
      recorder,
    );
    const ledger = createAccessLedgerClient({
      address: keys.contracts.accessLedger,
      runner: provider,
    });
    const doc = signed.document;
    expect(
      await ledger.matchesResult(queryId, HOSPITAL, {
        resultHash: signed.resultHash,
        consentBlock: BigInt(doc.consent.block),
        consentRoot: doc.consent.root,
        subjectCount: doc.consent.subjectCount,
        disclosureReportHash: doc.disclosureReportHash,
        epsilon: BigInt(doc.epsilonMicro),
      }),
    ).toBe(true);

    // The same statistics, computed here from the CSVs over the consenting patients, with
    // the same disclosure rules.
    const reference = evaluateReference(
      await readOmopCsvDirectory(hospitalDir),
      spec,
      await consentingPersons(),
    );
    const expected = await releaseQueryResult(
      reference.aggregates,
      { disclosure: { minCellSize: 11, minCohortDifference: 11 }, statistics: { minN: 11 } },
      { differencing: createInMemoryDifferencingStore() },
      { requester: "x", hospital: "1", queryId: "x", cohort: reference.cohortPersonIds },
    );
    expect(expected.status).toBe("released");
    expect(doc.statistics).toEqual(expected.status === "released" ? expected.statistics : null);
    expect(doc.specHash).toBe(querySpecHash(spec));
  });

  it("refuses a spec whose hash is not the on-chain one, unsigned and foreign requests, and replays", async () => {
    const queryId = await submitApproved({ ...spec, title: "another" });
    const mismatch = await deliverSpec(queryId, spec);
    expect([mismatch.status, mismatch.body.error?.code]).toEqual([409, "FEDERATION_SPEC_MISMATCH"]);
    const unsigned = await fetch(`${service.url}/queries/${queryId}`);
    expect(((await unsigned.json()) as ServiceAnswer).error?.code).toBe(
      "FEDERATION_REQUEST_UNAUTHORISED",
    );
    const foreign = await call(`/queries/${queryId}`, {
      signer: wallet(keys.regulator.privateKey),
    });
    expect([foreign.status, foreign.body.error?.code]).toEqual([
      401,
      "FEDERATION_REQUEST_UNAUTHORISED",
    ]);
    const first = await call(`/queries/${queryId}`);
    const replay = await fetch(`${service.url}/queries/${queryId}`, { headers: first.headers });
    expect(((await replay.json()) as ServiceAnswer).error?.code).toBe(
      "FEDERATION_REQUEST_REPLAYED",
    );
  });

  it("declines the same cohort less one revoked patient (differencing)", async () => {
    const first = await submitApproved({ ...spec, title: "first" });
    expect((await deliverSpec(first, { ...spec, title: "first" })).status).toBe(202);
    expect((await waitForFinal(first)).state).toBe("recorded");
    // One consenting member of the cohort revokes; the same question again would tell
    // their values apart.
    const reference = evaluateReference(
      await readOmopCsvDirectory(hospitalDir),
      spec,
      await consentingPersons(),
    );
    const target = reference.cohortPersonIds[0] as number;
    const subject = (await readSyntheticPersons(hospitalDir)).subjectOf(target);
    const registry = createConsentRegistryClient({
      address: keys.contracts.consentRegistry,
      runner: wallet(keys.hospitals[0]?.recorder.privateKey as string),
      custodian: HOSPITAL,
    });
    await registry.revoke(subject, `0x${"cd".repeat(32)}`);
    const second = await submitApproved({ ...spec, title: "second" });
    expect((await deliverSpec(second, { ...spec, title: "second" })).status).toBe(202);
    const job = await waitForFinal(second);
    expect([job.state, job.reason]).toEqual(["declined", "differencing"]);
    const ledger = createAccessLedgerClient({
      address: keys.contracts.accessLedger,
      runner: provider,
    });
    expect((await ledger.responseOf(second, HOSPITAL)).status).toBe("declined");
    const result = await call(`/queries/${second}/result`);
    expect([result.status, result.body.error?.code]).toEqual([403, "DATA_SERVICE_QUERY_REFUSED"]);
  });
});
