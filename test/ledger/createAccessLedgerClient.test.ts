import { id, ZeroHash } from "ethers";
import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
import { type LedgerResult, resultDigest } from "../../src/ledger/index.ts";
import { connectLedger, expectLedgerError, ORG } from "./ledgerFixture.ts";

const env = await connectLedger();
const { accounts } = env;
const use = purposeCodes.HMB.bit | purposeCodes.NCU.bit;
const categories = dataCategories.CONDITIONS.bit;

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function setup() {
  const stack = await env.deploy();
  const researcher = stack.ledger(accounts.researcher);
  const submission = async (label: string, targets = [ORG.hospitalA, ORG.hospitalB]) => ({
    specHash: id(`spec:${label}`) as Bytes32,
    use,
    categories,
    targets,
    approvalRef: id(`approval:${label}`) as Bytes32,
    expiry: (await env.now()) + 3_600,
  });
  return { stack, researcher, submission };
}

const result = (label: string, epsilon: bigint, consentBlock: bigint): LedgerResult => ({
  resultHash: id(`result:${label}`) as Bytes32,
  consentBlock,
  consentRoot: id(`root:${label}`) as Bytes32,
  subjectCount: 120,
  disclosureReportHash: id(`report:${label}`) as Bytes32,
  epsilon,
});

describe("createAccessLedgerClient", () => {
  it("runs a query through its lifecycle with typed reads", async () => {
    const { stack, researcher, submission } = await setup();
    const input = await submission("life");
    const submitted = await researcher.submitQuery(input);
    expect(submitted.queryId).toBe(1n);
    const event = submitted.events[0];
    expect(event?.name).toBe("QuerySubmitted");
    if (event?.name !== "QuerySubmitted") throw new Error("unreachable");
    expect(event.args.targets).toEqual([ORG.hospitalA, ORG.hospitalB]);
    expect(event.args.purpose).toBe(purposeCodes.HMB.bit);

    const reader = stack.ledger(env.ethers.provider);
    expect(await reader.queryCount()).toBe(1n);
    expect(await reader.requiredApprovals()).toBe(1);
    const submittedBlock = BigInt(submitted.blockNumber);
    expect(await reader.query(1n)).toEqual({
      id: 1n,
      researcher: accounts.researcher.address,
      researcherOrg: ORG.researcher,
      expiry: input.expiry,
      status: "submitted",
      approvals: 0,
      targetCount: 2,
      use,
      categories,
      responseCount: 0,
      submittedBlock,
      specHash: input.specHash,
      approvalRef: input.approvalRef,
    });
    expect(await reader.targetsOf(1n)).toEqual([ORG.hospitalA, ORG.hospitalB]);

    const approved = await stack.ledger(accounts.reviewBoard).approveQuery(1n);
    const approval = approved.events[0];
    expect(approval?.name === "QueryApproved" && approval.args.approved).toBe(true);
    expect(await reader.hasApproved(1n, ORG.reviewBoard)).toBe(true);
    expect((await reader.query(1n)).status).toBe("approved");

    await stack
      .ledger(accounts.hospitalA)
      .setBudgetLimit(ORG.hospitalA, ORG.researcher, 2_000_000n);
    const consentBlock = BigInt(await env.ethers.provider.getBlockNumber());
    const recordedResult = result("A", 500_000n, consentBlock);
    const recorded = await stack
      .ledger(accounts.recorderA)
      .recordResult(1n, ORG.hospitalA, recordedResult);
    const recordedEvent = recorded.events[0];
    expect(recordedEvent?.name).toBe("ResultRecorded");
    if (recordedEvent?.name !== "ResultRecorded") throw new Error("unreachable");
    expect(recordedEvent.args.result).toEqual(recordedResult);
    expect(await reader.budget(ORG.researcher, ORG.hospitalA)).toEqual({
      limit: 2_000_000n,
      spent: 500_000n,
      remaining: 1_500_000n,
    });
    const response = await reader.responseOf(1n, ORG.hospitalA);
    expect(response).toMatchObject({
      status: "recorded",
      subjectCount: 120,
      consentBlock,
      epsilon: 500_000n,
      resultDigest: resultDigest(recordedResult),
    });
    expect(await reader.matchesResult(1n, ORG.hospitalA, recordedResult)).toBe(true);
    expect(
      await reader.matchesResult(1n, ORG.hospitalA, { ...recordedResult, subjectCount: 121 }),
    ).toBe(false);

    await stack.ledger(accounts.recorderB).declineQuery(1n, ORG.hospitalB, 7);
    expect(await reader.responseOf(1n, ORG.hospitalB)).toMatchObject({
      status: "declined",
      reasonCode: 7,
    });
    const closed = await stack.ledger(accounts.outsider).closeQuery(1n);
    expect(closed.events.map((e) => e.name)).toEqual(["QueryClosed"]);
    expect((await reader.query(1n)).status).toBe("closed");
  });

  it("maps ledger errors to their codes", async () => {
    const { stack, researcher, submission } = await setup();
    await expectLedgerError(
      stack.ledger(accounts.hospitalA).submitQuery(await submission("x")),
      "MEMBERSHIP_DENIED",
      { error: "AccessLedgerNotResearcher", args: { account: accounts.hospitalA.address } },
    );
    await expectLedgerError(
      researcher.submitQuery({ ...(await submission("x")), specHash: ZeroHash as Bytes32 }),
      "LEDGER_INVALID_INPUT",
      { error: "AccessLedgerMissingSpecHash", args: {} },
    );
    await expectLedgerError(researcher.query(9n), "LEDGER_NOT_FOUND", {
      error: "AccessLedgerUnknownQuery",
      args: { queryId: "9" },
    });
    const { queryId } = await researcher.submitQuery(await submission("errors"));
    await expectLedgerError(
      stack.ledger(accounts.researcher).approveQuery(queryId),
      "MEMBERSHIP_DENIED",
      { error: "AccessLedgerNotReviewBoard" },
    );
    const submittedBlock = (await researcher.query(queryId)).submittedBlock;
    await expectLedgerError(
      stack
        .ledger(accounts.recorderA)
        .recordResult(queryId, ORG.hospitalA, result("e", 0n, submittedBlock)),
      "LEDGER_CONFLICT",
      { error: "AccessLedgerUnexpectedStatus", args: { queryId: String(queryId), status: "0" } },
    );
    await stack.ledger(accounts.reviewBoard).approveQuery(queryId);
    await expectLedgerError(
      stack.ledger(accounts.reviewBoard).approveQuery(queryId),
      "LEDGER_CONFLICT",
      { error: "AccessLedgerUnexpectedStatus" },
    );
    await expectLedgerError(
      stack
        .ledger(accounts.recorderA)
        .recordResult(queryId, ORG.hospitalA, result("e", 1n, submittedBlock)),
      "LEDGER_BUDGET_EXCEEDED",
      {
        error: "AccessLedgerBudgetExceeded",
        args: {
          researcherOrg: String(ORG.researcher),
          hospitalId: String(ORG.hospitalA),
          requested: "1",
          remaining: "0",
        },
      },
    );
    await expectLedgerError(
      stack
        .ledger(accounts.recorderB)
        .recordResult(queryId, ORG.hospitalA, result("e", 0n, submittedBlock)),
      "MEMBERSHIP_DENIED",
      { error: "AccessLedgerNotRecorder" },
    );
    // Admin accounts do not answer for the hospital; recorders do not set ε limits.
    await expectLedgerError(
      stack
        .ledger(accounts.hospitalA)
        .recordResult(queryId, ORG.hospitalA, result("e", 0n, submittedBlock)),
      "MEMBERSHIP_DENIED",
      {
        error: "AccessLedgerNotRecorder",
        args: { hospitalId: String(ORG.hospitalA), account: accounts.hospitalA.address },
      },
    );
    await expectLedgerError(
      stack.ledger(accounts.recorderA).setBudgetLimit(ORG.hospitalA, ORG.researcher, 1n),
      "MEMBERSHIP_DENIED",
      {
        error: "AccessLedgerNotHospitalAdmin",
        args: { hospitalId: String(ORG.hospitalA), account: accounts.recorderA.address },
      },
    );
    await expectLedgerError(
      stack.ledger(accounts.hospitalA).setBudgetLimit(ORG.hospitalA, ORG.hospitalB, 1n),
      "LEDGER_INVALID_INPUT",
      { error: "AccessLedgerNotResearcherOrganisation" },
    );
    await expectLedgerError(
      stack.ledger(accounts.outsider).closeQuery(queryId),
      "MEMBERSHIP_DENIED",
      {
        error: "AccessLedgerCloseNotAllowed",
      },
    );
    await env.advance(7_200);
    const expired = await expectLedgerError(
      stack.ledger(accounts.recorderA).declineQuery(queryId, ORG.hospitalA, 1),
      "LEDGER_QUERY_EXPIRED",
      { error: "AccessLedgerQueryExpired" },
    );
    expect(expired.details).toMatchObject({
      contract: "AccessLedger",
      args: { queryId: String(queryId) },
    });
  });

  it("refuses a consent snapshot from before the submission or from an unfinished block", async () => {
    const { stack, researcher, submission } = await setup();
    const staleFrom = BigInt(await env.ethers.provider.getBlockNumber());
    const { queryId, blockNumber } = await researcher.submitQuery(await submission("snap"));
    await stack.ledger(accounts.reviewBoard).approveQuery(queryId);
    const recorder = stack.ledger(accounts.recorderA);
    // A snapshot older than the query may miss revocations made since.
    await expectLedgerError(
      recorder.recordResult(queryId, ORG.hospitalA, result("old", 0n, staleFrom)),
      "LEDGER_INVALID_INPUT",
      {
        error: "AccessLedgerInvalidConsentBlock",
        args: {
          queryId: String(queryId),
          consentBlock: String(staleFrom),
          submittedBlock: String(blockNumber),
          currentBlock: String(blockNumber + 2),
        },
      },
    );
    // The block that records the result is not final yet: its snapshot cannot be used.
    const head = BigInt(await env.ethers.provider.getBlockNumber());
    await expectLedgerError(
      recorder.recordResult(queryId, ORG.hospitalA, result("now", 0n, head + 1n)),
      "LEDGER_INVALID_INPUT",
      { error: "AccessLedgerInvalidConsentBlock" },
    );
    // At the submission block itself, and any final block after it, the snapshot is current.
    await recorder.recordResult(queryId, ORG.hospitalA, result("ok", 0n, BigInt(blockNumber)));
    expect((await recorder.responseOf(queryId, ORG.hospitalA)).consentBlock).toBe(
      BigInt(blockNumber),
    );
  });

  it("refuses approvals and answers once the researcher organisation lost its role", async () => {
    const { stack, researcher, submission } = await setup();
    const pending = await researcher.submitQuery(await submission("expelled-pending"));
    const approved = await researcher.submitQuery(await submission("expelled-approved"));
    await stack.ledger(accounts.reviewBoard).approveQuery(approved.queryId);
    const a = stack.consortium(accounts.hospitalA);
    const { proposalId } = await a.proposeChangeRole(ORG.researcher, "regulator");
    await stack.consortium(accounts.hospitalB).vote(proposalId);
    await a.execute(proposalId);
    await expectLedgerError(
      stack.ledger(accounts.reviewBoard).approveQuery(pending.queryId),
      "MEMBERSHIP_DENIED",
      {
        error: "AccessLedgerResearcherNotActive",
        args: { queryId: String(pending.queryId), researcherOrg: String(ORG.researcher) },
      },
    );
    const consentBlock = BigInt(await env.ethers.provider.getBlockNumber());
    await expectLedgerError(
      stack
        .ledger(accounts.recorderA)
        .recordResult(approved.queryId, ORG.hospitalA, result("x", 0n, consentBlock)),
      "MEMBERSHIP_DENIED",
      { error: "AccessLedgerResearcherNotActive" },
    );
    await expectLedgerError(
      stack.ledger(accounts.recorderB).declineQuery(approved.queryId, ORG.hospitalB, 1),
      "MEMBERSHIP_DENIED",
      { error: "AccessLedgerResearcherNotActive" },
    );
  });

  it("refuses a board's approval of its own organisation's query", async () => {
    const { stack, researcher, submission } = await setup();
    const { queryId } = await researcher.submitQuery(await submission("self"));
    const a = stack.consortium(accounts.hospitalA);
    const { proposalId } = await a.proposeChangeRole(ORG.researcher, "reviewBoard");
    await stack.consortium(accounts.hospitalB).vote(proposalId);
    await a.execute(proposalId);
    await expectLedgerError(
      stack.ledger(accounts.researcher).approveQuery(queryId),
      "MEMBERSHIP_DENIED",
      {
        error: "AccessLedgerSelfApproval",
        args: { queryId: String(queryId), reviewBoardOrg: String(ORG.researcher) },
      },
    );
  });

  it("anchors site-trail heads per hospital, reads the latest and lists the anchors", async () => {
    const { stack } = await setup();
    const reader = stack.ledger(env.ethers.provider);
    const from = (await env.ethers.provider.getBlockNumber()) + 1;
    expect(await reader.siteTrailHead(ORG.hospitalA)).toEqual({
      sequence: 0n,
      anchoredAt: 0,
      head: ZeroHash,
    });
    const recorderA = stack.ledger(accounts.recorderA);
    const first = await recorderA.anchorSiteTrail(ORG.hospitalA, 3n, id("trail:3") as Bytes32);
    expect(first.events.map((e) => e.name)).toEqual(["SiteTrailAnchored"]);
    await stack
      .ledger(accounts.recorderB)
      .anchorSiteTrail(ORG.hospitalB, 1, id("trail:b1") as Bytes32);
    await recorderA.anchorSiteTrail(ORG.hospitalA, 9n, id("trail:9") as Bytes32);
    const head = await reader.siteTrailHead(ORG.hospitalA);
    expect([head.sequence, head.head]).toEqual([9n, id("trail:9")]);
    expect(head.anchoredAt).toBeGreaterThan(0);

    const anchors = await collect(
      reader.siteTrailAnchors({ hospitalId: ORG.hospitalA, fromBlock: from, pageSize: 1 }),
    );
    expect(anchors.map((a) => [a.hospitalId, a.sequence, a.head, a.recorder])).toEqual([
      [ORG.hospitalA, 3n, id("trail:3"), accounts.recorderA.address],
      [ORG.hospitalA, 9n, id("trail:9"), accounts.recorderA.address],
    ]);
    expect(anchors[0]?.transactionHash).toBe(first.hash);
    expect((await collect(reader.siteTrailAnchors({ fromBlock: from }))).length).toBe(3);

    await expectLedgerError(
      recorderA.anchorSiteTrail(ORG.hospitalA, 9n, id("rewritten") as Bytes32),
      "LEDGER_CONFLICT",
      {
        error: "AccessLedgerStaleTrailSequence",
        args: { hospitalId: String(ORG.hospitalA), sequence: "9", anchored: "9" },
      },
    );
    await expectLedgerError(
      recorderA.anchorSiteTrail(ORG.hospitalA, 10n, ZeroHash as Bytes32),
      "LEDGER_INVALID_INPUT",
      { error: "AccessLedgerMissingTrailHead", args: {} },
    );
    await expectLedgerError(
      stack.ledger(accounts.hospitalA).anchorSiteTrail(ORG.hospitalA, 10n, id("x") as Bytes32),
      "MEMBERSHIP_DENIED",
      { error: "AccessLedgerNotRecorder" },
    );
  });

  it("pages queries by id and query events by block range", async () => {
    const { stack, researcher, submission } = await setup();
    const from = (await env.ethers.provider.getBlockNumber()) + 1;
    for (let i = 0; i < 7; i++) await researcher.submitQuery(await submission(`p${i}`));
    await stack.ledger(accounts.reviewBoard).approveQuery(3n);
    await stack.ledger(accounts.recorderA).declineQuery(3n, ORG.hospitalA, 2);

    const reader = stack.ledger(env.ethers.provider);
    const all = await collect(reader.queries({ pageSize: 3 }));
    expect(all.map((q) => q.id)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect((await collect(reader.queries({ fromId: 6n, pageSize: 1 }))).map((q) => q.id)).toEqual([
      6n,
      7n,
    ]);
    await expectLedgerError(collect(reader.queries({ fromId: 0 })), "INVALID_ARGUMENT");

    const events = await collect(reader.queryEvents({ fromBlock: from, pageSize: 2 }));
    expect(events.map((e) => e.name)).toEqual([
      ...Array.from({ length: 7 }, () => "QuerySubmitted"),
      "QueryApproved",
      "QueryDeclined",
    ]);
    expect(events.map((e) => e.name === "QuerySubmitted" && e.args.queryId).slice(0, 7)).toEqual([
      1n,
      2n,
      3n,
      4n,
      5n,
      6n,
      7n,
    ]);
    const third = await collect(reader.queryEvents({ fromBlock: from, queryId: 3n, pageSize: 1 }));
    expect(third.map((e) => e.name)).toEqual(["QuerySubmitted", "QueryApproved", "QueryDeclined"]);
  });
});
