import { describe, expect, it } from "vitest";
import { applyBudgetEntry, type EpsilonBudget } from "../../src/audit/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { address, hash32, synthetic, syntheticBlock } from "../nodes/audit/syntheticAudit.ts";

const setter = address("admin");
const recorder = address("recorder");

describe("applyBudgetEntry", () => {
  it("keeps a limit, charges each result's ε and never reports a negative remainder", () => {
    const entries = syntheticBlock(3, 300, (c) => [
      synthetic.result(c.at(), {
        queryId: 1,
        hospitalId: 2,
        researcherOrg: 6,
        recorder,
        epsilon: 0n,
        subjectCount: 5,
      }),
      synthetic.limitSet(c.at(), {
        researcherOrg: 6,
        hospitalId: 2,
        setter,
        limit: 3_000_000n,
        spent: 0n,
      }),
      synthetic.result(c.at(), {
        queryId: 2,
        hospitalId: 2,
        researcherOrg: 6,
        recorder,
        epsilon: 2_000_000n,
        subjectCount: 5,
      }),
      synthetic.limitSet(c.at(), {
        researcherOrg: 6,
        hospitalId: 2,
        setter,
        limit: 1_000_000n,
        spent: 2_000_000n,
      }),
    ]).entries;
    const seen: EpsilonBudget[] = [];
    let budget: EpsilonBudget | undefined;
    for (const entry of entries) {
      budget = applyBudgetEntry(budget, entry);
      seen.push(budget);
    }
    expect(seen.map((b) => [b.limit, b.spent, b.remaining, b.results, b.limitSetAt])).toEqual([
      ["0", "0", "0", 1, null],
      ["3000000", "0", "3000000", 1, 300],
      ["3000000", "2000000", "1000000", 2, 300],
      ["1000000", "2000000", "0", 2, 300],
    ]);
    expect(budget).toMatchObject({
      researcherOrg: 6,
      hospitalId: 2,
      updatedBlock: 3,
      updatedAt: 300,
    });
  });

  it("refuses another event and another pair's budget", () => {
    const [limit, other, grant] = syntheticBlock(1, 100, (c) => [
      synthetic.limitSet(c.at(), { researcherOrg: 6, hospitalId: 2, setter, limit: 1n, spent: 0n }),
      synthetic.limitSet(c.at(), { researcherOrg: 6, hospitalId: 3, setter, limit: 1n, spent: 0n }),
      synthetic.granted(c.at(), {
        subject: hash32("s"),
        custodian: 1,
        actor: recorder,
        version: 1,
      }),
    ]).entries;
    const budget = applyBudgetEntry(undefined, limit as never);
    expectCustosError(() => applyBudgetEntry(budget, other as never), "INVALID_ARGUMENT");
    expectCustosError(() => applyBudgetEntry(undefined, grant as never), "INVALID_ARGUMENT");
  });
});
