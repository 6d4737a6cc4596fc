/**
 * Consent benchmarks (`npm run bench:consent`), written to bench/results/consent.json:
 *
 * 1. the consent index at 10 M subjects (checkAccessPerSec, checkAccessP99Us,
 *    filterCohort10MMs, filterCohort10MPeakMiB) — `measureConsentIndex` of
 *    bench/consentIndex.ts, run first so that the process peak RSS is the index's;
 * 2. pseudonymsPerSec: medians of repeated runs;
 * 3. indexVsEthCallRatio: the index's checkAccess against per-subject `isPermitted`
 *    eth_calls to the hospital's own node (`custos node --dev` as a process, JSON-RPC over
 *    HTTP), on the same ≥ 1,000 subjects synced from the registry's events; the answers must
 *    be identical or the benchmark fails. The same against Hardhat's EDR in this process
 *    (indexVsEdrInProcessRatio: no HTTP, the fastest eth_call there is), and the cohort path's
 *    per-subject rate against the node's eth_call (cohortVsEthCallRatio).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  id,
  JsonRpcProvider,
  NonceManager,
  type Provider,
  type Signer,
  Wallet,
  ZeroAddress,
} from "ethers";
import { deployContracts, Role } from "../scripts/deployContracts.ts";
import { spawnDevNode } from "../scripts/spawnDevNode.ts";
import { type Bytes32, dataCategories, purposeCodes } from "../src/consent/index.ts";
import {
  createConsentIndex,
  createConsentIndexSync,
  createRegistryEventSource,
} from "../src/consentIndex/index.ts";
import { type ConsentRegistryClient, createConsentRegistryClient } from "../src/ledger/index.ts";
import { createMasterKey, createPseudonymiser, deriveProjectKey } from "../src/pseudonym/index.ts";
import { measureConsentIndex } from "./consentIndex.ts";

interface Benchmark {
  /** Result key in consent.json. */
  readonly name: string;
  /** What one operation is. */
  readonly unit: string;
  /** Builds the inputs once, outside the timing. */
  readonly setup: () => () => number;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const IDENTIFIERS = 1_000_000;

const benchmarks: readonly Benchmark[] = [
  {
    name: "pseudonymsPerSec",
    unit: "OMOP person_id identifiers pseudonymised per second (pseudonymiseMany, 1 M per run)",
    setup: () => {
      // A fixed, non-secret benchmark key: the figure does not depend on the key's value.
      const key = deriveProjectKey(createMasterKey(new Uint8Array(32).fill(0x42)), {
        projectId: "bench",
      });
      const pseudonymiser = createPseudonymiser({ key, kind: "person_id" });
      const ids = Array.from({ length: IDENTIFIERS }, (_, i) => String(1_000_000 + i * 7));
      return () => {
        const start = performance.now();
        pseudonymiser.pseudonymiseMany(ids);
        return IDENTIFIERS / ((performance.now() - start) / 1000);
      };
    },
  },
];

const loadAverage = () => loadavg().map((l) => Math.round(l * 100) / 100);
const loadAtStart = loadAverage();

const index = await measureConsentIndex(Number(process.env.SUBJECTS ?? 10_000_000));

const results: Record<string, { median: number; runs: number[]; unit: string }> = {};
for (const bench of benchmarks) {
  const run = bench.setup();
  run(); // warm-up: JIT and caches
  const runs = Array.from({ length: RUNS }, () => Math.round(run()));
  results[bench.name] = { median: Math.round(median(runs)), runs, unit: bench.unit };
  console.log(
    `${bench.name}: median ${Math.round(median(runs)).toLocaleString("en")} (${runs.join(", ")})`,
  );
}

/** Subjects granted on chain for the comparison, and extra subjects the chain never saw. */
const SAMPLE = 1_200;
const UNKNOWN = 60;
const INDEX_PASSES = 200;

/**
 * A chain to compare against: the consent recorders of two hospitals (organisation ids 1 and
 * 2, the custodians of their records), a reader, and the registry address.
 */
interface ComparisonChain {
  readonly label: string;
  readonly provider: Provider;
  readonly registry: string;
  readonly recorders: readonly [Signer, Signer];
  readonly fromBlock: number;
  readonly close: () => Promise<void>;
}

/** The hospital's own node: `custos node --dev` as a process, eth_call over HTTP. */
async function custosNodeChain(): Promise<ComparisonChain> {
  const dataDir = await mkdtemp(join(tmpdir(), "custos-bench-consent-"));
  const node = await spawnDevNode({ dataDir, args: ["--dev-chain-hospitals", "2"] });
  const keys = await node.devKeys();
  // batchMaxCount 1: ethers otherwise holds each request 10 ms (batchStallTime) hoping to
  // batch it, which would make every sequential eth_call look 10 ms slower than the node is.
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
    staticNetwork: true,
    batchMaxCount: 1,
  });
  const [a, b] = keys.hospitals;
  if (a === undefined || b === undefined) throw new Error("dev chain without two hospitals");
  return {
    label: "custos node over HTTP",
    provider,
    registry: keys.contracts.consentRegistry,
    recorders: [
      new NonceManager(new Wallet(a.recorder.privateKey, provider)),
      new NonceManager(new Wallet(b.recorder.privateKey, provider)),
    ],
    fromBlock: 0,
    close: async () => {
      provider.destroy();
      await node.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Hardhat's EDR in the same process: no HTTP, no separate process (the fastest eth_call). */
async function edrChain(): Promise<ComparisonChain> {
  const { default: hre } = await import("hardhat");
  const { ethers } = await hre.network.create();
  const signers = await ethers.getSigners();
  // Admin accounts 1 and 2, consent recorders 3 and 4 (an admin account is never a recorder).
  const [deployer, adminA, adminB, recorderA, recorderB] = signers;
  if (
    deployer === undefined ||
    adminA === undefined ||
    adminB === undefined ||
    recorderA === undefined ||
    recorderB === undefined
  ) {
    throw new Error("Hardhat has too few accounts");
  }
  const hospital = (admin: string, recorder: string, name: string, validator: number) => ({
    role: Role.Hospital,
    metadata: id(name),
    accounts: [admin],
    recorders: [recorder],
    validator: (signers[validator] ?? deployer).address,
  });
  const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
  const deployed = await deployContracts(deployer, {
    organisations: [
      hospital(adminA.address, recorderA.address, "Hospital A", 15),
      hospital(adminB.address, recorderB.address, "Hospital B", 16),
      {
        role: Role.Regulator,
        metadata: id("Regulator"),
        accounts: [(signers[5] ?? deployer).address],
        recorders: [],
        validator: ZeroAddress,
      },
      // AccessLedger needs a review board for its one required approval.
      {
        role: Role.ReviewBoard,
        metadata: id("Review board"),
        accounts: [(signers[6] ?? deployer).address],
        recorders: [],
        validator: ZeroAddress,
      },
    ],
    executionDelay: 1,
    votingPeriod: 100,
    requiredApprovals: 1,
  });
  return {
    label: "Hardhat EDR in-process",
    provider: ethers.provider,
    registry: await deployed.registry.getAddress(),
    recorders: [recorderA, recorderB],
    fromBlock,
    close: async () => undefined,
  };
}

/**
 * Grants the same consents on `chain` in hospital A's records (custodian 1), syncs hospital
 * A's consent index from its events, checks every subject both ways (the answers must be
 * identical), and times per-subject `isPermitted` eth_calls against the index's checkAccess
 * on the same requests. Hospital B (custodian 2) grants some of the same pseudonyms in its
 * own records: neither answer may see them.
 */
async function measureIndexVsEthCall(chain: ComparisonChain) {
  const [hospitalA, hospitalB] = chain.recorders.map((runner, i) =>
    createConsentRegistryClient({ address: chain.registry, runner, custodian: i + 1 }),
  ) as [ConsentRegistryClient, ConsentRegistryClient];
  const reader = createConsentRegistryClient({
    address: chain.registry,
    runner: chain.provider,
    custodian: hospitalA.custodian,
  });
  const P = purposeCodes;
  const C = dataCategories;
  const AT = 1_900_000_000;
  const subject = (i: number) => id(`bench-subject-${i}`) as Bytes32;
  const termsOf = [
    {
      purposes: P.HMB.bit | P.NCU.bit,
      categories: C.DRUGS.bit | C.CONDITIONS.bit,
      validFrom: 0,
      validUntil: 0,
    },
    { purposes: P.GRU.bit, categories: C.DRUGS.bit, validFrom: 0, validUntil: AT - 1 },
    { purposes: P.DS.bit, categories: C.DRUGS.bit, validFrom: 0, validUntil: 0 },
    { purposes: P.HMB.bit, categories: C.GENOMICS.bit, validFrom: AT + 1, validUntil: 0 },
  ];
  const GROUP = SAMPLE / termsOf.length;
  for (let g = 0; g < termsOf.length; g++) {
    const entries = Array.from({ length: GROUP }, (_, k) => ({
      subject: subject(g * GROUP + k),
      documentHash: id(`bench-document-${g * GROUP + k}`) as Bytes32,
    }));
    const result = await hospitalA.batchGrant(entries, termsOf[g] as (typeof termsOf)[number]);
    if (result.failed.length > 0 || result.remaining.length > 0)
      throw new Error("batchGrant failed");
  }
  // Every tenth subject of the first group revoked.
  const revoked = Array.from({ length: GROUP / 10 }, (_, k) => ({
    subject: subject(k * 10),
    documentHash: id(`bench-revocation-${k}`) as Bytes32,
  }));
  const revocation = await hospitalA.batchRevoke(revoked);
  if (revocation.failed.length > 0 || revocation.remaining.length > 0)
    throw new Error("batchRevoke failed");
  // Hospital B's own records of the first group's pseudonyms (revoked ones included), on the
  // broadest terms: they must change nothing at hospital A.
  const atB = await hospitalB.batchGrant(
    Array.from({ length: GROUP }, (_, k) => ({
      subject: subject(k),
      documentHash: id(`bench-document-b-${k}`) as Bytes32,
    })),
    termsOf[0] as (typeof termsOf)[number],
  );
  if (atB.failed.length > 0 || atB.remaining.length > 0) throw new Error("batchGrant at B failed");

  const consentIndex = createConsentIndex({ now: () => AT });
  await createConsentIndexSync({
    index: consentIndex,
    source: createRegistryEventSource({
      client: reader,
      provider: chain.provider,
      subscribe: false,
    }),
    fromBlock: chain.fromBlock,
    now: () => AT,
  }).syncOnce();

  const use = P.HMB.bit | P.NCU.bit;
  const categories = C.DRUGS.bit;
  const subjects = Array.from({ length: SAMPLE + UNKNOWN }, (_, i) => subject(i));
  const requests = subjects.map((s) => ({ subject: s, use, categories, at: AT }));

  let t0 = performance.now();
  const onChain: boolean[] = [];
  for (const s of subjects) onChain.push(await reader.isPermitted(s, use, categories, AT));
  const ethCallPerSec = subjects.length / ((performance.now() - t0) / 1000);

  // Subject 0: revoked at hospital A, active at hospital B.
  if (onChain[0] !== false) throw new Error("hospital B's record answered for hospital A");
  const fromIndex = requests.map((r) => consentIndex.checkAccess(r).allowed);
  const differing = fromIndex.filter((allowed, i) => allowed !== onChain[i]).length;
  if (differing > 0) throw new Error(`index and isPermitted differ on ${differing} subjects`);

  let allowed = 0;
  t0 = performance.now();
  for (let pass = 0; pass < INDEX_PASSES; pass++) {
    for (const r of requests) if (consentIndex.checkAccess(r).allowed) allowed++;
  }
  const indexPerSec = (subjects.length * INDEX_PASSES) / ((performance.now() - t0) / 1000);
  const figures = {
    chain: chain.label,
    subjects: subjects.length,
    allowed: onChain.filter(Boolean).length,
    identical: true,
    ethCallPerSec: Math.round(ethCallPerSec),
    indexPerSec: Math.round(indexPerSec),
    indexPasses: INDEX_PASSES,
    ratio: Math.round(indexPerSec / ethCallPerSec),
    indexAllowedChecks: allowed,
  };
  console.log(
    `index vs eth_call (${figures.chain}) on ${figures.subjects} subjects (${figures.allowed} allowed, answers identical): ` +
      `index ${figures.indexPerSec.toLocaleString("en")}/s, isPermitted eth_call ${figures.ethCallPerSec.toLocaleString("en")}/s, ratio ${figures.ratio.toLocaleString("en")}`,
  );
  return figures;
}

async function compareWith(open: () => Promise<ComparisonChain>) {
  const chain = await open();
  console.log(`comparison chain ready: ${chain.label}`);
  try {
    return await measureIndexVsEthCall(chain);
  } finally {
    await chain.close();
  }
}

const indexVsEthCall = await compareWith(custosNodeChain);
const indexVsEdr = await compareWith(edrChain);
// The cohort path answers the same question for every subject at once: its per-subject rate
// (10 M subjects / filterCohort time) against the node's per-subject eth_call rate.
const cohortVsEthCallRatio = Math.round(
  10_000_000 / (index.filterCohort10MMs / 1000) / indexVsEthCall.ethCallPerSec,
);
console.log(
  `filterCohort per subject vs eth_call (custos node over HTTP): ratio ${cohortVsEthCallRatio.toLocaleString("en")}`,
);

const report = {
  date: new Date().toISOString(),
  node: process.version,
  runs: RUNS,
  ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.median])),
  checkAccessPerSec: index.checkAccessPerSec,
  checkAccessP99Us: index.checkAccessP99Us,
  filterCohort10MMs: index.filterCohort10MMs,
  filterCohort10MPeakMiB: index.filterCohort10MPeakMiB,
  indexVsEthCallRatio: indexVsEthCall.ratio,
  indexVsEdrInProcessRatio: indexVsEdr.ratio,
  cohortVsEthCallRatio,
  loadAverage: { start: loadAtStart, end: loadAverage() },
  details: { ...results, consentIndex: index, indexVsEthCall, indexVsEdr },
};
await writeFile(
  new URL("./results/consent.json", import.meta.url),
  `${JSON.stringify(report, null, 2)}\n`,
);
console.log("wrote bench/results/consent.json");
