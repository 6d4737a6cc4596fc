import { Level } from "level";
import type { DifferencingStore } from "../../src/disclosure/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { QueryJob } from "./QueryJob.ts";

/** The data service's durable state: jobs, the chain scan position, released cohorts. */
export interface DataServiceStore {
  job(queryId: string): Promise<QueryJob | null>;
  /** Writes a job (durably: a crash after this returns keeps it). */
  putJob(job: QueryJob): Promise<void>;
  /**
   * Reads a job, lets `change` derive the next one from it (null: leave it) and writes that,
   * with no other `updateJob` in between: the chain scan and a researcher's spec arriving at
   * once must not write back each other's stale copy. Returns what was written, or null.
   */
  updateJob(
    queryId: string,
    change: (job: QueryJob | null) => QueryJob | null,
  ): Promise<QueryJob | null>;
  jobs(): Promise<QueryJob[]>;
  /** The last AccessLedger block scanned, or null before the first scan. */
  scannedBlock(): Promise<number | null>;
  setScannedBlock(block: number): Promise<void>;
  /** Released cohorts per researcher organisation, for the differencing guard. */
  readonly differencing: DifferencingStore;
  close(): Promise<void>;
}

const jobKey = (queryId: string) => queryId.padStart(20, "0");

function failed(operation: string, cause: unknown): CustosError {
  return new CustosError("INTERNAL", `data service store ${operation} failed`, {
    details: { operation },
    cause,
  });
}

/**
 * Opens the data service's level database in `directory`. Cohorts are stored per requester
 * as little-endian uint32 person ids with their size in the key, so `nearby` reads only
 * cohorts whose size is within the radius.
 */
export async function createDataServiceStore(directory: string): Promise<DataServiceStore> {
  const db = new Level<string, string>(directory, { valueEncoding: "utf8" });
  try {
    await db.open();
  } catch (error) {
    throw new CustosError(
      "NODE_START_FAILED",
      `cannot open the data service store in ${directory}`,
      {
        details: {
          path: directory,
          cause: (error as { cause?: { code?: string } }).cause?.code ?? "open",
        },
        cause: error,
      },
    );
  }
  const jobs = db.sublevel<string, string>("jobs", { valueEncoding: "utf8" });
  const meta = db.sublevel<string, string>("meta", { valueEncoding: "utf8" });
  const cohorts = db.sublevel<string, Uint8Array>("cohorts", { valueEncoding: "view" });
  const cohortKey = (requester: string, size: number, seq: number) =>
    `${requester}!${String(size).padStart(10, "0")}!${String(seq).padStart(10, "0")}`;
  let sequence = Date.now();
  /** The updates in turn: each starts once the one before it has been written. */
  let updates: Promise<unknown> = Promise.resolve();
  const guard = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw failed(operation, error);
    }
  };
  const readJob = (queryId: string) =>
    guard("read", async () => {
      const text = await jobs.get(jobKey(queryId));
      return text === undefined ? null : (JSON.parse(text) as QueryJob);
    });
  const writeJob = (job: QueryJob) =>
    guard("write", () =>
      db.batch(
        [{ type: "put", sublevel: jobs, key: jobKey(job.queryId), value: JSON.stringify(job) }],
        { sync: true },
      ),
    );
  return {
    job: readJob,
    putJob: writeJob,
    updateJob(queryId, change) {
      const update = updates.then(async () => {
        const next = change(await readJob(queryId));
        if (next !== null) await writeJob(next);
        return next;
      });
      updates = update.catch(() => undefined);
      return update;
    },
    jobs: () =>
      guard("read", async () =>
        (await jobs.values().all()).map((text) => JSON.parse(text) as QueryJob),
      ),
    scannedBlock: () =>
      guard("read", async () => {
        const text = await meta.get("scannedBlock");
        return text === undefined ? null : Number(text);
      }),
    setScannedBlock: (block) =>
      guard("write", () =>
        db.batch([{ type: "put", sublevel: meta, key: "scannedBlock", value: String(block) }], {
          sync: true,
        }),
      ),
    differencing: {
      nearby: (requester, size, radius) =>
        guard("read", async () => {
          const from = cohortKey(requester, Math.max(0, size - radius), 0);
          const to = cohortKey(requester, size + radius, Number.MAX_SAFE_INTEGER);
          const values = await cohorts.values({ gte: from, lte: to }).all();
          return values.map((bytes) => new Uint32Array(bytes.slice().buffer));
        }),
      record: (requester, cohort) =>
        guard("write", () =>
          db.batch(
            [
              {
                type: "put",
                sublevel: cohorts,
                key: cohortKey(requester, cohort.length, sequence++),
                value: new Uint8Array(cohort.buffer, cohort.byteOffset, cohort.byteLength).slice(),
              },
            ],
            { sync: true },
          ),
        ),
    },
    close: () => db.close(),
  };
}
