import { id } from "ethers";
import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import { purposeCodes } from "../../src/consent/index.ts";
import {
  type DataServiceClient,
  declineReasons,
  type FederatedQueryProgress,
  type FederationPorts,
  runFederatedQuery,
} from "../../src/federation/index.ts";
import { connectLedger, ORG } from "../ledger/ledgerFixture.ts";
import { type FakeAnswer, fakeDataService } from "./fakeDataService.ts";
import { federationChain } from "./federationChain.ts";
import { spec } from "./federationFixtures.ts";

const env = await connectLedger();
const { accounts } = env;

/**
 * Runs the fixture query on a fresh chain with fake data services for hospitals A and B,
 * on a virtual clock: every sleep advances it at once, and the review board approves during
 * the first one.
 */
async function run(
  answers: (
    chain: Awaited<ReturnType<typeof federationChain>>,
    queryId: () => bigint,
  ) => {
    a: FakeAnswer;
    b: FakeAnswer;
  },
  options: { waitMs: number; minimumSites: number },
) {
  const chain = await federationChain(env);
  let queryId: bigint | undefined;
  const current = () => {
    if (queryId === undefined) throw new Error("not submitted yet");
    return queryId;
  };
  const approved = async () => (await chain.reader.query(current())).status === "approved";
  const { a, b } = answers(chain, current);
  const services: Record<number, DataServiceClient & { calls: string[] }> = {
    [ORG.hospitalA]: fakeDataService(a, approved),
    [ORG.hospitalB]: fakeDataService(b, approved),
  };
  const start = (await env.now()) * 1000;
  let now = start;
  const slept: number[] = [];
  const ports: FederationPorts = {
    ledger: chain.researcher,
    provider: env.ethers.provider,
    dataServices: services,
    clock: () => now,
    sleep: async (ms) => {
      if (slept.length === 0) await chain.approve(current());
      slept.push(ms);
      now += ms;
    },
  };
  const progress: FederatedQueryProgress[] = [];
  const report = await runFederatedQuery(
    {
      spec,
      targets: [ORG.hospitalA, ORG.hospitalB],
      use: purposeCodes.HMB.bit,
      approvalRef: id("approval") as Bytes32,
      expiry: Math.floor(start / 1000) + 3_600,
    },
    ports,
    {
      ...options,
      pollIntervalMs: 5_000,
      onProgress: (event) => {
        if (event.type === "submitted") queryId = BigInt(event.queryId);
        progress.push(event);
      },
    },
  );
  return { report, progress, services, elapsed: now - start, slept };
}

describe("runFederatedQuery", () => {
  it("reports a hospital that never finishes as unanswered at the deadline, the result partial", async () => {
    const { report, progress, elapsed, services } = await run(
      (chain, queryId) => ({
        a: {
          kind: "record",
          act: () => chain.record(queryId(), ORG.hospitalA, accounts.recorderA),
        },
        b: { kind: "stuck" },
      }),
      { waitMs: 60_000, minimumSites: 1 },
    );
    expect(report.partial).toBe(true);
    expect(report.hospitals).toEqual([
      expect.objectContaining({
        hospitalId: ORG.hospitalA,
        status: "verified",
        subjectCount: 1_000,
      }),
      {
        hospitalId: ORG.hospitalB,
        status: "unanswered",
        recordedOnChain: false,
        jobState: "running",
        issue: null,
      },
    ]);
    expect(report.pooled?.hospitals).toEqual([ORG.hospitalA]);
    expect(report.notPooled).toBeNull();
    // The wait ended at the deadline, not before and not much after.
    expect(elapsed).toBe(60_000);
    expect(progress.at(-1)).toEqual({ type: "deadline", unanswered: [ORG.hospitalB] });
    const statuses = progress.flatMap((p) => (p.type === "query" ? [p.status.status] : []));
    expect(statuses).toEqual(["submitted", "approved"]);
    // The spec was delivered once per service, then only polled.
    expect(services[ORG.hospitalA]?.calls.filter((c) => c.startsWith("put"))).toHaveLength(1);
  });

  it("carries a decline's reason name and stops waiting once every hospital answered", async () => {
    const { report, elapsed } = await run(
      (chain, queryId) => ({
        a: {
          kind: "decline",
          reason: "cohortTooSmall",
          act: () =>
            chain.decline(
              queryId(),
              ORG.hospitalA,
              accounts.recorderA,
              declineReasons.cohortTooSmall,
            ),
        },
        b: {
          kind: "record",
          act: () => chain.record(queryId(), ORG.hospitalB, accounts.recorderB),
        },
      }),
      { waitMs: 600_000, minimumSites: 2 },
    );
    expect(report.hospitals).toEqual([
      { hospitalId: ORG.hospitalA, status: "declined", reasonCode: 7, reason: "cohortTooSmall" },
      expect.objectContaining({ hospitalId: ORG.hospitalB, status: "verified" }),
    ]);
    expect(report.partial).toBe(true);
    expect(report.pooled).toBeNull();
    expect(report.notPooled).toEqual({ code: "FEDERATION_TOO_FEW_SITES", verified: 1, minimum: 2 });
    expect(elapsed).toBeLessThan(600_000);
  });

  it("reports a data service that is down as unanswered with its issue", async () => {
    const { report, progress } = await run(
      (chain, queryId) => ({
        a: {
          kind: "record",
          act: () => chain.record(queryId(), ORG.hospitalA, accounts.recorderA),
        },
        b: { kind: "down" },
      }),
      { waitMs: 20_000, minimumSites: 1 },
    );
    expect(report.hospitals[1]).toEqual({
      hospitalId: ORG.hospitalB,
      status: "unanswered",
      recordedOnChain: false,
      jobState: null,
      issue: { code: "DATA_SERVICE_UNAVAILABLE", message: "data service cannot be reached" },
    });
    const hospitalB = progress.filter(
      (p) => p.type === "hospital" && p.hospital.hospitalId === ORG.hospitalB,
    );
    // Reported once: an unchanged state is not reported again on every poll.
    expect(hospitalB).toHaveLength(1);
  });

  it("reports a result that fails verification as invalid with the failed check", async () => {
    const { report } = await run(
      (chain, queryId) => ({
        a: {
          kind: "record",
          act: async () => {
            const signed = await chain.record(queryId(), ORG.hospitalA, accounts.recorderA);
            return { ...signed, document: { ...signed.document, epsilonMicro: 1 } };
          },
        },
        b: {
          kind: "record",
          act: () => chain.record(queryId(), ORG.hospitalB, accounts.recorderB),
        },
      }),
      { waitMs: 60_000, minimumSites: 1 },
    );
    expect(report.hospitals[0]).toEqual({
      hospitalId: ORG.hospitalA,
      status: "invalid",
      check: "hash",
      reason: "the document does not hash to resultHash",
    });
    expect(report.pooled?.hospitals).toEqual([ORG.hospitalB]);
    expect(report.partial).toBe(true);
  });
});
