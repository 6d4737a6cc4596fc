import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeOmopData } from "../../nodes/bin/commands/data/writeOmopData.ts";
import type { DevGenesisKeys } from "../../nodes/chain/index.ts";
import {
  createLocalNetwork,
  findFreePortRange,
  type LocalDataServiceProcess,
  type LocalDataServices,
  type LocalNetwork,
  loadLocalConsents,
  startLocalDataService,
  startLocalDataServices,
  startLocalNetwork,
  stopLocalNetwork,
  writeLocalDataServices,
} from "../../nodes/localnet/index.ts";
import { canonicalHash } from "../../src/canonical/index.ts";
import { purposeCodes } from "../../src/consent/index.ts";
import { createInMemoryDifferencingStore } from "../../src/disclosure/index.ts";
import {
  awaitQueryAnswers,
  collectFederatedResults,
  createDataServiceClient,
  type FederatedQueryReport,
  type FederationPorts,
  poolQueryResults,
  type QueryResultDocument,
  resultDocumentHash,
  type SignedQueryResult,
  signQueryResult,
  submitFederatedQuery,
  verifyHospitalResult,
} from "../../src/federation/index.ts";
import { createAccessLedgerClient, createConsentRegistryClient } from "../../src/ledger/index.ts";
import {
  parseQuerySpec,
  type QuerySpec,
  querySpecHash,
  releaseQueryResult,
} from "../../src/query/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import {
  evaluateReference,
  type ReferenceOmopData,
  readOmopCsvDirectory,
} from "../query/reference/index.ts";
import { readSyntheticPersons, type SyntheticPersons } from "./harness/syntheticPersons.ts";

/**
 * The federated query flow end to end on a real 4-hospital network (validators and data
 * services, each a process on 127.0.0.1), checked against the same statistics computed here
 * from the hospitals' files: consenting patients only (a revocation between submission and
 * execution included), results that verify against the chain, tampering and forgery
 * detected, a differencing attack refused, and ε over the cap refused.
 */
const HOSPITALS = [1, 2, 3, 4] as const;
const RULES = {
  disclosure: { minCellSize: 11, minCohortDifference: 11 },
  statistics: { minN: 11 },
};

const spec = parseQuerySpec(
  JSON.parse(
    await readFile(new URL("../fixtures/query/diabetes.spec.json", import.meta.url), "utf8"),
  ),
);

let root: string;
let network: LocalNetwork;
let data: LocalDataServices;
let services: LocalDataServiceProcess[];
let keys: DevGenesisKeys;
let accessLedger: string;
let consentRegistry: string;
let provider: JsonRpcProvider;
let ports: FederationPorts;
const omop = new Map<number, { data: ReferenceOmopData; persons: SyntheticPersons }>();
/** Subjects revoked on chain by the tests, per hospital. */
const revokedLater = new Map<number, Set<string>>(HOSPITALS.map((h) => [h, new Set()]));

const wallet = (key: string) => new Wallet(key, provider);
const recorderOf = (hospital: number) =>
  wallet(keys.hospitals[hospital - 1]?.recorder.privateKey as string);

function local(hospital: number) {
  const found = omop.get(hospital);
  if (found === undefined) throw new Error(`no data for hospital ${hospital}`);
  return found;
}

/** Consenting persons now, by the hospital's files and the revocations made since. */
const consenting = (hospital: number) =>
  local(hospital).persons.consenting(revokedLater.get(hospital));

async function revoke(hospital: number, personId: number): Promise<void> {
  const subject = local(hospital).persons.subjectOf(personId);
  const registry = createConsentRegistryClient({
    address: consentRegistry,
    runner: recorderOf(hospital),
    custodian: hospital,
  });
  await registry.revoke(subject, canonicalHash({ revoked: subject }));
  revokedLater.get(hospital)?.add(subject);
}

/** Submits a query, runs `beforeApproval`, approves it, and collects the verified report. */
async function runQuery(
  querySpec: QuerySpec,
  targets: readonly number[],
  beforeApproval: (queryId: bigint) => Promise<void> = async () => {},
): Promise<{ queryId: bigint; report: FederatedQueryReport }> {
  const { queryId } = await submitFederatedQuery(ports.ledger, {
    spec: querySpec,
    targets,
    use: purposeCodes.HMB.bit,
    approvalRef: canonicalHash({ approval: querySpec.title }),
    expiry: Math.floor(Date.now() / 1000) + 3600,
  });
  await beforeApproval(queryId);
  await createAccessLedgerClient({
    address: accessLedger,
    runner: wallet(keys.reviewBoard.privateKey),
  }).approveQuery(queryId);
  const answers = await awaitQueryAnswers(queryId, ports, {
    deadline: Date.now() + 90_000,
    spec: querySpec,
    pollIntervalMs: 300,
  });
  const report = await collectFederatedResults(queryId, querySpec, ports, {
    minimumSites: 2,
    status: answers.status,
  });
  return { queryId, report };
}

async function signedResult(queryId: bigint, hospital: number): Promise<SignedQueryResult> {
  const client = ports.dataServices[hospital];
  if (client === undefined) throw new Error(`no data service ${hospital}`);
  return client.result(queryId);
}

/** What a hospital must release for `querySpec`, computed here from its files. */
async function expectedRelease(hospital: number, querySpec: QuerySpec) {
  const reference = evaluateReference(local(hospital).data, querySpec, consenting(hospital));
  const release = await releaseQueryResult(
    reference.aggregates,
    RULES,
    { differencing: createInMemoryDifferencingStore() },
    {
      requester: "test",
      hospital: String(hospital),
      queryId: "test",
      cohort: reference.cohortPersonIds,
    },
  );
  if (release.status !== "released")
    throw new Error(`expected a release at ${hospital}: ${release.code}`);
  return { reference, statistics: release.statistics };
}

/** All four hospitals' rows as one data set (person ids are unique in the network). */
function union(): ReferenceOmopData {
  const parts = HOSPITALS.map((h) => local(h).data);
  const all = <K extends keyof ReferenceOmopData>(key: K) =>
    parts.flatMap((p) => (p[key] ?? []) as unknown[]) as never;
  return {
    person: all("person"),
    observationPeriod: all("observationPeriod"),
    visitOccurrence: all("visitOccurrence"),
    conditionOccurrence: all("conditionOccurrence"),
    drugExposure: all("drugExposure"),
    measurement: all("measurement"),
    procedureOccurrence: all("procedureOccurrence"),
    observation: all("observation"),
    concept: parts[0]?.concept ?? null,
    conceptAncestor: parts[0]?.conceptAncestor ?? null,
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "custos-e2e-federated-"));
  const generated = await writeOmopData({
    out: join(root, "omop"),
    persons: 8000,
    hospitals: 4,
    seed: 21,
    consentRate: 0.8,
    revocationRate: 0.05,
  });
  const [basePort, p2pBasePort, dataBasePort] = await Promise.all([
    findFreePortRange(4),
    findFreePortRange(4),
    findFreePortRange(4),
  ]);
  network = await createLocalNetwork({
    dir: join(root, "net"),
    hospitals: 4,
    basePort,
    p2pBasePort,
  });
  data = await writeLocalDataServices(network, {
    omopDir: generated.out,
    basePort: dataBasePort,
    logLevel: "warn",
  });
  await startLocalNetwork(network, { logLevel: "warn" });
  await loadLocalConsents(network, data);
  services = await startLocalDataServices(data);
  keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as {
    contracts: { accessLedger: string; consentRegistry: string };
  };
  ({ accessLedger, consentRegistry } = genesis.contracts);
  provider = new JsonRpcProvider(`http://127.0.0.1:${network.nodes[0]?.rpcPort}`, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
  });
  const researcher = wallet(keys.researcher.privateKey);
  ports = {
    ledger: createAccessLedgerClient({ address: accessLedger, runner: researcher }),
    provider,
    dataServices: Object.fromEntries(
      data.services.map((s) => [
        s.hospitalId,
        createDataServiceClient({ baseUrl: s.url, signer: researcher }),
      ]),
    ),
    clock: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  for (const service of data.services) {
    omop.set(service.hospitalId, {
      data: await readOmopCsvDirectory(service.omopDir),
      persons: await readSyntheticPersons(service.omopDir),
    });
  }
}, 300_000);

afterAll(async () => {
  provider?.destroy();
  if (network !== undefined) await stopLocalNetwork(network);
  await rm(root, { recursive: true, force: true });
}, 120_000);

describe("a federated query on four hospitals", () => {
  let first: { queryId: bigint; report: FederatedQueryReport };
  /** Hospital 1's cohort member who revokes between submission and execution. */
  let revokedPerson: number;

  it("pools exactly what the hospitals' consenting patients give, a revocation after submission included", async () => {
    const before = evaluateReference(local(1).data, spec, consenting(1));
    revokedPerson = before.cohortPersonIds[0] as number;
    first = await runQuery(spec, HOSPITALS, () => revoke(1, revokedPerson));
    const { report } = first;
    expect(report.partial).toBe(false);
    expect(report.hospitals.map((h) => h.status)).toEqual([
      "verified",
      "verified",
      "verified",
      "verified",
    ]);

    const documents: { hospitalId: number; document: QueryResultDocument }[] = [];
    for (const hospital of HOSPITALS) {
      const { document } = await signedResult(first.queryId, hospital);
      const expected = await expectedRelease(hospital, spec);
      // Every statistic is what the hospital's consenting patients give under the rules.
      expect(document.statistics).toEqual(expected.statistics);
      // The consent snapshot holds exactly the consenting subjects: revoked and never
      // consenting persons are not in it.
      expect(document.consent.subjectCount).toBe(consenting(hospital).length);
      expect(expected.reference.cohortPersonIds).not.toContain(hospital === 1 ? revokedPerson : -1);
      documents.push({ hospitalId: hospital, document });
    }
    // The revocation between submission and execution counted: with the revoked patient, the
    // first hospital's cohort would have been one larger.
    const hospital1 = documents[0]?.document.statistics.measures[0];
    expect(hospital1?.type === "count" && hospital1.n).toBe(before.aggregates.cohortSize - 1);

    // The researcher's pooled answer is the pooling of those releases …
    expect(report.pooled).toEqual(poolQueryResults(spec, documents, { minimumSites: 2 }));
    // … and where nothing was suppressed, the statistics of the union of consenting rows.
    const allConsenting = HOSPITALS.flatMap((h) => consenting(h));
    const whole = evaluateReference(union(), spec, allConsenting).aggregates;
    const pooled = report.pooled?.measures ?? [];
    const count = pooled.find((m) => m.name === "n");
    expect(count?.type === "count" && count.value).toBe(whole.cohortSize);
    const summary = pooled.find((m) => m.name === "bmi");
    const bmi = whole.measures.find((m) => m.name === "bmi");
    if (summary?.type !== "summary" || bmi?.type !== "summary") throw new Error("no bmi summary");
    expect(summary.n).toBe(bmi.sums.n);
    expect(summary.mean).toBeCloseTo(Number(bmi.sums.total) / bmi.sums.n, 9);
    const histogram = pooled.find((m) => m.name === "ageSex");
    expect(histogram?.type === "histogram" && histogram.table?.values.at(-1)).toBe(
      whole.cohortSize,
    );
  });

  it("detects a tampered result, a forged signature and a spec that is not the one on chain", async () => {
    const signed = await signedResult(first.queryId, 2);
    const verify = (candidate: SignedQueryResult, specHash = querySpecHash(spec)) =>
      verifyHospitalResult({
        ledger: ports.ledger,
        provider,
        queryId: first.queryId,
        hospitalId: 2,
        signed: candidate,
        specHash,
      });
    await expect(verify(signed)).resolves.toEqual(signed.document);
    const count = signed.document.statistics.measures[0];
    const tampered: QueryResultDocument = {
      ...signed.document,
      statistics: {
        ...signed.document.statistics,
        measures: [
          {
            ...(count as { name: string; type: "count"; n: number }),
            n: ((count as { n: number }).n ?? 0) + 1,
          },
          ...signed.document.statistics.measures.slice(1),
        ],
      },
    };
    const hashCheck = await expectCustosError(
      verify({ ...signed, document: tampered }),
      "FEDERATION_RESULT_INVALID",
    );
    expect(hashCheck.details.check).toBe("hash");
    const forger = Wallet.createRandom();
    const rehashed = await signQueryResult(forger, tampered);
    expect(rehashed.resultHash).toBe(resultDocumentHash(tampered));
    const chainCheck = await expectCustosError(verify(rehashed), "FEDERATION_RESULT_INVALID");
    expect(chainCheck.details.check).toBe("chain");
    const forged = {
      ...signed,
      signature: (await signQueryResult(forger, signed.document)).signature,
    };
    const signatureCheck = await expectCustosError(verify(forged), "FEDERATION_RESULT_INVALID");
    expect(signatureCheck.details.check).toBe("signature");
    const other = parseQuerySpec({ ...spec, title: "another question" });
    const documentCheck = await expectCustosError(
      verify(signed, querySpecHash(other)),
      "FEDERATION_RESULT_INVALID",
    );
    expect(documentCheck.details.check).toBe("document");

    // A data service refuses a spec whose hash is not the one the query recorded.
    const { queryId } = await submitFederatedQuery(ports.ledger, {
      spec: other,
      targets: [3],
      use: purposeCodes.HMB.bit,
      approvalRef: canonicalHash({ approval: "other" }),
      expiry: Math.floor(Date.now() / 1000) + 3600,
    });
    const client = ports.dataServices[3];
    await expect(async () => {
      await waitForJob(queryId, 3);
      await client?.putSpec(queryId, spec);
    }).rejects.toMatchObject({ code: "FEDERATION_SPEC_MISMATCH" });
  });

  it("refuses a differencing attack: the same question after one patient left", async () => {
    const cohort = evaluateReference(local(2).data, spec, consenting(2)).cohortPersonIds;
    await revoke(2, cohort[0] as number);
    const again = parseQuerySpec({ ...spec, title: "the same question again" });
    const { report } = await runQuery(again, HOSPITALS);
    const byHospital = new Map(report.hospitals.map((h) => [h.hospitalId, h]));
    expect(byHospital.get(2)).toMatchObject({ status: "declined", reason: "differencing" });
    // The other hospitals' cohorts did not change: they answer as before.
    for (const hospital of [1, 3, 4]) expect(byHospital.get(hospital)?.status).toBe("verified");
    expect(report.partial).toBe(true);
  });

  it("refuses ε over the researcher organisation's cap", async () => {
    // Hospital 4 adds discrete Laplace noise (0.4 ε per released table); its admin gives the
    // researcher organisation 0.5 ε: one count fits, a second does not.
    const service = services.find((s) => s.service.hospitalId === 4) as LocalDataServiceProcess;
    service.child.kill("SIGTERM");
    await service.exited;
    const config = JSON.parse(await readFile(service.service.configFile, "utf8"));
    config.policy.epsilonMicro = 400_000;
    await writeFile(service.service.configFile, JSON.stringify(config));
    await startLocalDataService(service.service);
    const researcherOrg = Number((await ports.ledger.query(first.queryId)).researcherOrg);
    const admin = createAccessLedgerClient({
      address: accessLedger,
      runner: wallet(keys.hospitals[3]?.account.privateKey as string),
    });
    await admin.setBudgetLimit(4, researcherOrg, 500_000n);
    const countOnly = (title: string) =>
      parseQuerySpec({ ...spec, title, measures: [{ name: "n", type: "count" }] });
    const fits = await runQuery(countOnly("noisy count 1"), [4]);
    expect(fits.report.hospitals[0]).toMatchObject({ status: "verified", epsilonMicro: 400_000 });
    const over = await runQuery(countOnly("noisy count 2"), [4]);
    expect(over.report.hospitals[0]).toMatchObject({
      status: "declined",
      reason: "budgetExceeded",
    });
    const budget = await createAccessLedgerClient({
      address: accessLedger,
      runner: provider,
    }).budget(researcherOrg, 4);
    expect(budget.spent).toBe(400_000n);
  });
});

/** Waits until a hospital's data service has seen a query on chain. */
async function waitForJob(queryId: bigint, hospital: number): Promise<void> {
  const client = ports.dataServices[hospital];
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await client?.job(queryId);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
