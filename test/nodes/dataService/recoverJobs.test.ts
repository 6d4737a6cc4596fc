import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createDataServiceStore,
  createSiteTrail,
  type DataServiceStore,
  type JobContext,
  type QueryJob,
  readSiteTrail,
  recoverJobs,
  resolveDataServiceConfig,
  type SiteTrail,
  type SiteTrailEntry,
} from "../../../nodes/dataService/index.ts";
import { createLogger } from "../../../nodes/log/index.ts";

const NOW = 1_900_000_000;

/** A ledger that records what the service sends and answers with a settable response. */
function fakeLedger(response: "none" | "recorded" | "declined") {
  const sent: string[] = [];
  const ledger = {
    responseOf: async () => ({ status: response }),
    query: async () => ({ status: "approved", expiry: NOW + 3600 }),
    recordResult: async (queryId: bigint) => {
      sent.push(`record ${queryId}`);
      response = "recorded";
    },
    declineQuery: async (queryId: bigint, _hospital: number, reason: number) => {
      sent.push(`decline ${queryId} ${reason}`);
      response = "declined";
    },
  };
  return { ledger, sent };
}

function job(state: QueryJob["state"], attempts: number): QueryJob {
  return {
    queryId: "7",
    state,
    specHash: `0x${"11".repeat(32)}`,
    researcher: `0x${"22".repeat(20)}`,
    researcherOrg: 6,
    submittedBlock: "3",
    expiry: NOW + 3600,
    use: 4,
    categories: 3,
    approved: true,
    spec: null,
    attempts,
    reason: null,
    errorCode: null,
    result: null,
    ledgerResult:
      state === "recording"
        ? {
            resultHash: `0x${"33".repeat(32)}`,
            consentBlock: "5",
            consentRoot: `0x${"44".repeat(32)}`,
            subjectCount: 100,
            disclosureReportHash: `0x${"55".repeat(32)}`,
            epsilon: "0",
          }
        : null,
    report: null,
    updatedAt: NOW - 10,
  };
}

describe("recoverJobs (a restart after a crash)", () => {
  let dir: string;
  let store: DataServiceStore;
  let siteTrail: SiteTrail;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "custos-recover-"));
    store = await createDataServiceStore(join(dir, "jobs"));
    siteTrail = await createSiteTrail(join(dir, "site-trail"), { now: () => NOW });
  });
  afterEach(async () => {
    await siteTrail.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function trail(): Promise<SiteTrailEntry[]> {
    const entries: SiteTrailEntry[] = [];
    await readSiteTrail(siteTrail.file, { onEntry: (e) => entries.push(e) });
    return entries;
  }

  function context(ledger: unknown): JobContext {
    const config = resolveDataServiceConfig(
      {
        hospitalId: 1,
        rpcUrl: "http://127.0.0.1:1",
        recorderKeyFile: "key",
        contracts: {
          accessLedger: `0x${"aa".repeat(20)}`,
          consentRegistry: `0x${"bb".repeat(20)}`,
        },
        omop: { engine: "duckdb", path: "omop" },
        pseudonymKeyFile: "key.json",
        dataDir: "state",
        jobs: { retries: 2 },
      },
      dir,
    );
    return {
      config,
      ledger,
      store,
      siteTrail,
      now: () => NOW,
      log: createLogger({ level: "silent" }),
    } as unknown as JobContext;
  }

  it("requeues a job that died running while it has retries, and declines it after", async () => {
    const { ledger, sent } = fakeLedger("none");
    await store.putJob(job("running", 2));
    await recoverJobs(context(ledger));
    expect((await store.job("7"))?.state).toBe("queued");
    expect(sent).toEqual([]);
    await store.putJob(job("running", 3));
    await recoverJobs(context(ledger));
    expect(await store.job("7")).toMatchObject({ state: "declined", reason: "failed" });
    expect(sent).toEqual(["decline 7 12"]);
    // Each interrupted run is a failed run in the site trail, the last one with its decline.
    expect((await trail()).map((e) => [e.kind, e.details])).toEqual([
      [
        "runFailed",
        {
          queryId: "7",
          attempt: 2,
          errorCode: null,
          timedOut: false,
          interrupted: true,
          retry: true,
        },
      ],
      [
        "runFailed",
        {
          queryId: "7",
          attempt: 3,
          errorCode: null,
          timedOut: false,
          interrupted: true,
          retry: false,
        },
      ],
      [
        "queryDeclined",
        {
          queryId: "7",
          reason: "failed",
          reasonCode: 12,
          errorCode: "DATA_SERVICE_JOB_FAILED",
          attempts: 3,
        },
      ],
    ]);
  });

  it("sends a signed result left in flight once, and never when the chain already has it", async () => {
    const inFlight = fakeLedger("none");
    await store.putJob(job("recording", 1));
    await recoverJobs(context(inFlight.ledger));
    await recoverJobs(context(inFlight.ledger));
    expect((await store.job("7"))?.state).toBe("recorded");
    expect(inFlight.sent).toEqual(["record 7"]);

    const landed = fakeLedger("recorded");
    await store.putJob(job("recording", 1));
    await recoverJobs(context(landed.ledger));
    expect((await store.job("7"))?.state).toBe("recorded");
    expect(landed.sent).toEqual([]);
  });
});
