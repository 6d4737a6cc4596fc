import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createDataServiceStore,
  type DataServiceStore,
  type QueryJob,
} from "../../../nodes/dataService/index.ts";

const waiting: QueryJob = {
  queryId: "9",
  state: "awaiting-spec",
  specHash: `0x${"11".repeat(32)}`,
  researcher: `0x${"22".repeat(20)}`,
  researcherOrg: 6,
  submittedBlock: "3",
  expiry: 1_900_000_000,
  use: 4,
  categories: 3,
  approved: false,
  spec: null,
  attempts: 0,
  reason: null,
  errorCode: null,
  result: null,
  ledgerResult: null,
  report: null,
  updatedAt: 1_800_000_000,
};

let dir: string;
let store: DataServiceStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-service-store-"));
  store = await createDataServiceStore(join(dir, "store"));
  await store.putJob(waiting);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("createDataServiceStore.updateJob", () => {
  it("applies concurrent updates in turn, each to what the one before wrote", async () => {
    // The chain scan approves while the researcher's spec arrives: neither change is lost.
    const spec = { title: "t" } as unknown as QueryJob["spec"];
    const [approved, specified] = await Promise.all([
      store.updateJob("9", (job) => (job === null ? null : { ...job, approved: true })),
      store.updateJob("9", (job) =>
        job === null
          ? null
          : { ...job, spec, state: job.approved ? "queued" : "awaiting-approval" },
      ),
    ]);
    expect(approved?.approved).toBe(true);
    expect(specified).toMatchObject({ approved: true, spec, state: "queued" });
    expect(await store.job("9")).toEqual(specified);
  });

  it("writes nothing when the change returns null, and goes on after a failed change", async () => {
    await expect(
      store.updateJob("9", () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await store.updateJob("9", () => null)).toBeNull();
    expect(await store.updateJob("404", (job) => job)).toBeNull();
    expect(await store.job("9")).toEqual(waiting);
  });
});
