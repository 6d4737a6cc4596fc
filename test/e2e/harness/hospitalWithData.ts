import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { writeOmopData } from "../../../nodes/bin/commands/data/writeOmopData.ts";
import {
  type DataServiceHandle,
  resolveDataServiceConfig,
  startDataService,
} from "../../../nodes/dataService/index.ts";
import { loadSyntheticConsents } from "../../../nodes/localnet/loadSyntheticConsents.ts";
import type { DevKeysFile } from "../../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../../scripts/spawnDevNode.ts";
import { encodeCategories, purposeCodes } from "../../../src/consent/index.ts";
import { signResearcherRequest } from "../../../src/federation/index.ts";
import {
  createAccessLedgerClient,
  createConsentRegistryClient,
} from "../../../src/ledger/index.ts";
import { type QuerySpec, querySpecCategories, querySpecHash } from "../../../src/query/index.ts";

/** The hospital id of the single hospital. */
export const HOSPITAL = 1;

/** A dev node with one hospital's synthetic data, its consents on chain and its data service. */
export interface HospitalWithData {
  readonly dir: string;
  readonly node: NodeProcess;
  readonly keys: DevKeysFile;
  readonly provider: JsonRpcProvider;
  readonly service: DataServiceHandle;
  /** The hospital's generated OMOP directory (CSVs, pseudonym key, consents, revocations). */
  readonly hospitalDir: string;
  /** A wallet on the node. */
  wallet(privateKey: string): Wallet;
  /** Submits a query for `spec` targeting the hospital, approves it; returns its id. */
  submitApproved(spec: QuerySpec): Promise<bigint>;
  /** A request to the data service signed by the researcher (or `signer`). */
  call(
    path: string,
    init?: { readonly method?: string; readonly body?: string; readonly signer?: Wallet },
  ): Promise<{ status: number; body: ServiceAnswer; headers: Record<string, string> }>;
  /**
   * Delivers the spec as a researcher's client does: the service learns of a query from the
   * chain, so right after submission it may answer `DATA_SERVICE_QUERY_UNKNOWN` until its
   * next scan; the delivery is retried then.
   */
  deliverSpec(queryId: bigint, spec: unknown): ReturnType<HospitalWithData["call"]>;
  /** Waits until the job is recorded, declined or cancelled; returns it. */
  waitForFinal(queryId: bigint): Promise<ServiceAnswer>;
  stop(): Promise<void>;
}

/** What the data service answers: a job, a signed result or an error. */
export interface ServiceAnswer {
  readonly state?: string;
  readonly reason?: string | null;
  readonly error?: { readonly code: string };
  readonly [field: string]: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts what the single-hospital end-to-end tests share: `persons` synthetic persons
 * (`custos data generate`, 80 % consent, 10 % revoked), a dev node, every consent on chain
 * through the hospital's recorder, and the hospital's data service on DuckDB accepting HMB
 * and GRU queries of every measure type.
 */
export async function startHospitalWithData(options: {
  readonly persons: number;
  readonly seed: number;
  /** Fields of the data service's configuration to set instead (e.g. `policy`, `siteTrail`). */
  readonly serviceConfig?: Readonly<Record<string, unknown>>;
}): Promise<HospitalWithData> {
  const dir = await mkdtemp(join(tmpdir(), "custos-hospital-"));
  const data = await writeOmopData({
    out: join(dir, "omop"),
    persons: options.persons,
    hospitals: 1,
    seed: options.seed,
    consentRate: 0.8,
    revocationRate: 0.1,
  });
  const hospitalDir = data.hospitals[0]?.dir as string;
  // The node serves the accounting of disclosures through the data service started below.
  const node = await spawnDevNode({
    dataDir: join(dir, "node"),
    args: ["--portal-data-service-connection-file", join(dir, "service", "connection.json")],
  });
  const keys = await node.devKeys();
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
  });
  const wallet = (privateKey: string) => new Wallet(privateKey, provider);
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
  const service = await startDataService(
    resolveDataServiceConfig(
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
        ...options.serviceConfig,
      },
      dir,
    ),
  );

  const call: HospitalWithData["call"] = async (path, init = {}) => {
    const method = init.method ?? "GET";
    const body = init.body === undefined ? undefined : new TextEncoder().encode(init.body);
    const headers = await signResearcherRequest(
      init.signer ?? wallet(keys.researcher.privateKey),
      { method, path, ...(body ? { body } : {}) },
      Date.now() / 1000,
    );
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { ...headers, "content-type": "application/json" },
      ...(body ? { body } : {}),
    });
    return { status: response.status, body: (await response.json()) as ServiceAnswer, headers };
  };

  return {
    dir,
    node,
    keys,
    provider,
    service,
    hospitalDir,
    wallet,
    call,
    async submitApproved(spec) {
      const researcher = createAccessLedgerClient({
        address: keys.contracts.accessLedger,
        runner: wallet(keys.researcher.privateKey),
      });
      const board = createAccessLedgerClient({
        address: keys.contracts.accessLedger,
        runner: wallet(keys.reviewBoard.privateKey),
      });
      const { queryId } = await researcher.submitQuery({
        specHash: querySpecHash(spec),
        use: purposeCodes.HMB.bit,
        categories: encodeCategories(querySpecCategories(spec)),
        targets: [HOSPITAL],
        approvalRef: `0x${"ab".repeat(32)}`,
        expiry: Math.floor(Date.now() / 1000) + 3600,
      });
      await board.approveQuery(queryId);
      return queryId;
    },
    async deliverSpec(queryId, spec) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const answer = await call(`/queries/${queryId}/spec`, {
          method: "PUT",
          body: JSON.stringify(spec),
        });
        if (answer.body.error?.code !== "DATA_SERVICE_QUERY_UNKNOWN" || Date.now() > deadline) {
          return answer;
        }
        await sleep(200);
      }
    },
    async waitForFinal(queryId) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { body } = await call(`/queries/${queryId}`);
        if (["recorded", "declined", "cancelled"].includes(body.state ?? "")) return body;
        if (Date.now() > deadline) throw new Error(`query ${queryId} stuck in ${body.state}`);
        await sleep(200);
      }
    },
    async stop() {
      await service.stop();
      provider.destroy();
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
