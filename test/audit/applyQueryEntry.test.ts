import { describe, expect, it } from "vitest";
import {
  applyQueryEntry,
  foldQuerySummary,
  isQueryEntry,
  type QuerySummary,
  queryStatusAt,
} from "../../src/audit/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { address, hash32, synthetic, syntheticBlock } from "../nodes/audit/syntheticAudit.ts";

const researcher = address("researcher");
const board1 = address("board-1");
const board2 = address("board-2");
const recorder1 = address("recorder-1");
const recorder2 = address("recorder-2");

/** Query 9 (targets 1 and 2) through two approvals, a result, a decline and closing. */
function lifecycle() {
  const b1 = syntheticBlock(10, 1000, (c) => [
    synthetic.submitted(c.at(), {
      queryId: 9,
      researcher,
      researcherOrg: 6,
      purpose: 4,
      targets: [1, 2],
      expiry: 5000,
    }),
  ]);
  const b2 = syntheticBlock(11, 1010, (c) => [
    synthetic.approved(c.at(), {
      queryId: 9,
      reviewBoardOrg: 7,
      approver: board1,
      approvals: 1,
      approved: false,
    }),
    synthetic.approved(c.at(), {
      queryId: 9,
      reviewBoardOrg: 8,
      approver: board2,
      approvals: 2,
      approved: true,
    }),
  ]);
  const b3 = syntheticBlock(12, 1020, (c) => [
    synthetic.declined(c.at(), {
      queryId: 9,
      hospitalId: 2,
      researcherOrg: 6,
      recorder: recorder2,
      reasonCode: 3,
    }),
    synthetic.result(c.at(), {
      queryId: 9,
      hospitalId: 1,
      researcherOrg: 6,
      recorder: recorder1,
      epsilon: 250_000n,
      subjectCount: 40,
    }),
  ]);
  const b4 = syntheticBlock(13, 1030, (c) => [
    synthetic.closed(c.at(), {
      queryId: 9,
      researcherOrg: 6,
      closedBy: researcher,
      responseCount: 2,
    }),
  ]);
  return [...b1.entries, ...b2.entries, ...b3.entries, ...b4.entries];
}

const step = (block: number, timestamp: number, i = 0) => ({
  blockNumber: block,
  timestamp,
  txHash: hash32(`tx-${block}-${i}`),
});

describe("applyQueryEntry", () => {
  it("folds a query's lifecycle into its summary", () => {
    const entries = lifecycle();
    const summary = foldQuerySummary(entries) as QuerySummary;
    const none = {
      recorder: null,
      respondedAt: null,
      blockNumber: null,
      txHash: null,
      resultHash: null,
      consentBlock: null,
      consentRoot: null,
      subjectCount: null,
      disclosureReportHash: null,
      epsilon: null,
      reasonCode: null,
      reason: null,
    };
    expect(summary).toEqual({
      queryId: "9",
      status: "closed",
      researcher,
      researcherOrg: 6,
      purpose: 4,
      purposeLabel: "HMB",
      use: 4 | 1024,
      useLabels: ["HMB", "IRB"],
      categories: 12,
      categoryNames: ["CONDITIONS", "DRUGS"],
      targets: [1, 2],
      specHash: hash32("spec-9"),
      approvalRef: hash32("approval-9"),
      expiry: 5000,
      submitted: step(10, 1000),
      approvals: [
        { reviewBoardOrg: 7, approver: board1, blockNumber: 11, timestamp: 1010 },
        { reviewBoardOrg: 8, approver: board2, blockNumber: 11, timestamp: 1010 },
      ],
      approved: step(11, 1010, 1),
      responses: [
        {
          ...none,
          hospitalId: 1,
          status: "recorded",
          recorder: recorder1,
          respondedAt: 1020,
          blockNumber: 12,
          txHash: hash32("tx-12-1"),
          resultHash: hash32("result-9-1"),
          consentBlock: "11",
          consentRoot: hash32("root-9-1"),
          subjectCount: 40,
          disclosureReportHash: hash32("report-9-1"),
          epsilon: "250000",
        },
        {
          ...none,
          hospitalId: 2,
          status: "declined",
          recorder: recorder2,
          respondedAt: 1020,
          blockNumber: 12,
          txHash: hash32("tx-12-0"),
          reasonCode: 3,
          reason: "purposeRefused",
        },
      ],
      responseCount: 2,
      epsilonTotal: "250000",
      closed: { ...step(13, 1030), closedBy: researcher },
      updated: step(13, 1030),
    });
    // The same entries give the same bytes, whichever path built the summary.
    let stepwise: QuerySummary | undefined;
    for (const entry of entries) stepwise = applyQueryEntry(stepwise, entry);
    expect(JSON.stringify(stepwise)).toBe(JSON.stringify(summary));
    expect(foldQuerySummary([])).toBeUndefined();
  });

  it("stays submitted, with no approval step, until the approval that reaches the threshold", () => {
    const [submitted, first] = lifecycle();
    const summary = foldQuerySummary([submitted, first] as never) as QuerySummary;
    expect(summary.status).toBe("submitted");
    expect(summary.approved).toBeNull();
    expect(summary.approvals).toHaveLength(1);
  });

  it("refuses entries out of order, of another query, another hospital or another kind", () => {
    const entries = lifecycle();
    const [submitted, approval] = entries;
    expectCustosError(() => applyQueryEntry(undefined, approval as never), "INVALID_ARGUMENT");
    const summary = applyQueryEntry(undefined, submitted as never);
    expectCustosError(() => applyQueryEntry(summary, submitted as never), "INVALID_ARGUMENT");
    const other = syntheticBlock(20, 2000, (c) => [
      synthetic.closed(c.at(), {
        queryId: 10,
        researcherOrg: 6,
        closedBy: researcher,
        responseCount: 0,
      }),
      synthetic.result(c.at(), {
        queryId: 9,
        hospitalId: 3,
        researcherOrg: 6,
        recorder: recorder1,
        epsilon: 0n,
        subjectCount: 1,
      }),
      synthetic.granted(c.at(), {
        subject: hash32("s"),
        custodian: 1,
        actor: recorder1,
        version: 1,
      }),
    ]).entries;
    for (const entry of other) {
      expectCustosError(() => applyQueryEntry(summary, entry), "INVALID_ARGUMENT");
    }
    expect(other.map(isQueryEntry)).toEqual([true, true, false]);
  });
});

describe("queryStatusAt", () => {
  it("is expired from the expiry second on, unless closed", () => {
    expect(queryStatusAt({ status: "submitted", expiry: 100 }, 99)).toBe("submitted");
    expect(queryStatusAt({ status: "approved", expiry: 100 }, 100)).toBe("expired");
    expect(queryStatusAt({ status: "closed", expiry: 100 }, 500)).toBe("closed");
  });
});
