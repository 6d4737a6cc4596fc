import { describe, expect, it } from "vitest";
import {
  createCryptoRandomSource,
  createInMemoryDifferencingStore,
  createInMemoryPrivacyBudgetStore,
} from "../../src/disclosure/index.ts";
import {
  formatScaledDecimal,
  type QueryAggregates,
  type ReleasedMeasure,
  releaseQueryResult,
} from "../../src/query/index.ts";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function sums(values: readonly number[]) {
  // Exact fixed-point sums, scale 4 for values and 8 for squares, as the engines compute them.
  const scaled = values.map((v) => BigInt(Math.round(v * 10_000)));
  const abs = scaled.map((v) => (v < 0n ? -v : v)).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const at8 = (v: bigint) => formatScaledDecimal(v * 10_000n);
  return {
    n: values.length,
    total: at8(scaled.reduce((a, b) => a + b, 0n)),
    totalSquares: formatScaledDecimal(scaled.reduce((a, b) => a + b * b, 0n)),
    totalAbs: at8(abs.reduce((a, b) => a + b, 0n)),
    topTwoAbs: at8((abs[0] ?? 0n) + (abs[1] ?? 0n)),
  };
}

function aggregates(cohortSize: number, extra: Partial<QueryAggregates> = {}): QueryAggregates {
  return {
    attrition: [
      { step: "index event", persons: cohortSize + 40 },
      { step: "observation", persons: cohortSize + 5 },
      { step: "adults", persons: cohortSize },
    ],
    cohortSize,
    measures: [{ name: "n", type: "count", n: cohortSize }],
    ...extra,
  };
}

const request = (cohort: readonly number[]) => ({
  requester: "0xresearcher",
  hospital: "1",
  queryId: "0xq",
  cohort,
});

function measure<T extends ReleasedMeasure["type"]>(
  measures: readonly ReleasedMeasure[],
  type: T,
): Extract<ReleasedMeasure, { type: T }> {
  const found = measures.find((m) => m.type === type);
  if (found === undefined) throw new Error(`no ${type}`);
  return found as Extract<ReleasedMeasure, { type: T }>;
}

describe("releaseQueryResult", () => {
  it("declines a cohort below the minimum cell and says so in the report", async () => {
    const release = await releaseQueryResult(
      aggregates(10),
      { disclosure: {} },
      {},
      request(range(1, 11)),
    );
    expect(release.status).toBe("declined");
    expect(release.status === "declined" && release.code).toBe("QUERY_COHORT_TOO_SMALL");
    expect(release.report.decline?.code).toBe("QUERY_COHORT_TOO_SMALL");
    expect(JSON.stringify(release.report)).not.toContain('"persons"');
  });

  it("refuses a cohort that differs by one person from an earlier one of the same researcher", async () => {
    const differencing = createInMemoryDifferencingStore();
    const first = await releaseQueryResult(
      aggregates(50),
      { disclosure: {} },
      { differencing },
      request(range(1, 51)),
    );
    expect(first.status).toBe("released");
    const second = await releaseQueryResult(
      aggregates(49),
      { disclosure: {} },
      { differencing },
      request(range(2, 51)),
    );
    expect(second.status === "declined" && second.code).toBe("DISCLOSURE_DIFFERENCING");
    const other = await releaseQueryResult(
      aggregates(49),
      { disclosure: {} },
      { differencing },
      { ...request(range(2, 51)), requester: "0xother" },
    );
    expect(other.status).toBe("released");
  });

  it("suppresses small histogram cells with their complements and keeps margins", async () => {
    const release = await releaseQueryResult(
      aggregates(100, {
        measures: [
          {
            name: "bySex",
            type: "histogram",
            dimensions: [{ name: "sex", categories: ["female", "male", "other"] }],
            counts: [60, 37, 3],
          },
        ],
      }),
      { disclosure: {} },
      {},
      request(range(1, 101)),
    );
    if (release.status !== "released") throw new Error(release.code);
    const table = measure(release.statistics.measures, "histogram").table;
    // "other" (3) is primary; one more cell hides it; the total (100) is released.
    expect(table.values[2]).toBeNull();
    expect(table.values.filter((v) => v === null)).toHaveLength(2);
    expect(table.values[3]).toBe(100);
    expect(release.report.measures[0]?.tables[0]?.suppression?.primary).toEqual([[2]]);
  });

  it("releases an exact mean and variance, and withholds them below minN or when dominated", async () => {
    const values = [5.5, 6.25, 7, 7.1234, 8, 6.5, 6.75, 5.9, 7.7, 8.8, 6.1, 7.25];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
    const release = await releaseQueryResult(
      aggregates(100, {
        measures: [
          { name: "ok", type: "summary", sums: sums(values) },
          { name: "few", type: "summary", sums: sums(values.slice(0, 10)) },
          { name: "dominated", type: "summary", sums: sums([...values.slice(0, 10), 900, 800]) },
        ],
      }),
      { disclosure: {} },
      {},
      request(range(1, 101)),
    );
    if (release.status !== "released") throw new Error(release.code);
    const [ok, few, dominated] = release.statistics.measures as Extract<
      ReleasedMeasure,
      { type: "summary" }
    >[];
    expect(ok?.n).toBe(12);
    expect(ok?.mean).toBeCloseTo(mean, 12);
    expect(ok?.variance).toBeCloseTo(variance, 12);
    expect(few).toMatchObject({ n: null, mean: null, variance: null, withheld: "minN" });
    expect(dominated).toMatchObject({ mean: null, withheld: "dominance" });
    expect(release.report.measures.map((m) => m.withheld)).toEqual([null, "minN", "dominance"]);
  });

  it("withholds attrition steps that are small or remove few persons", async () => {
    const release = await releaseQueryResult(
      {
        attrition: [
          { step: "index event", persons: 120 },
          { step: "observation", persons: 117 },
          { step: "adults", persons: 100 },
          { step: "female", persons: 100 },
        ],
        cohortSize: 100,
        measures: [{ name: "n", type: "count", n: 100 }],
      },
      { disclosure: {} },
      {},
      request(range(1, 101)),
    );
    if (release.status !== "released") throw new Error(release.code);
    expect(release.statistics.attrition.map((s) => s.persons)).toEqual([120, null, 100, 100]);
    expect(release.report.attrition.withheld).toEqual([1]);
  });

  it("charges ε for noisy counts and declines once the budget is spent", async () => {
    const budget = createInMemoryPrivacyBudgetStore({ limitMicro: 1_500_000 });
    const ports = { budget, random: createCryptoRandomSource() };
    const rules = {
      disclosure: { noise: { mechanism: "discreteLaplace" as const, epsilonMicro: 1_000_000 } },
    };
    const first = await releaseQueryResult(aggregates(500), rules, ports, request(range(1, 501)));
    expect(first.status).toBe("released");
    expect(first.epsilonMicro).toBe(1_000_000);
    const second = await releaseQueryResult(aggregates(500), rules, ports, request(range(1, 501)));
    expect(second.status === "declined" && second.code).toBe("DISCLOSURE_BUDGET_EXCEEDED");
    expect(second.epsilonMicro).toBe(0);
  });

  it("withholds a table whose small cell only the public total could hide", async () => {
    const release = await releaseQueryResult(
      aggregates(53, {
        measures: [
          {
            name: "cornered",
            type: "histogram",
            dimensions: [
              { name: "a", categories: ["a0", "a1"] },
              { name: "b", categories: ["b0", "b1"] },
            ],
            counts: [3, 0, 0, 50],
          },
        ],
      }),
      { disclosure: {} },
      {},
      request(range(1, 54)),
    );
    if (release.status !== "released") throw new Error(release.code);
    expect(
      measure(release.statistics.measures, "histogram").table.values.every((v) => v === null),
    ).toBe(true);
    expect(release.report.measures[0]?.withheld).toBe("unprotectable");
  });

  it("gives equal inputs the same report hash", async () => {
    const a = await releaseQueryResult(
      aggregates(80),
      { disclosure: {} },
      {},
      request(range(1, 81)),
    );
    const b = await releaseQueryResult(
      aggregates(80),
      { disclosure: {} },
      {},
      request(range(1, 81)),
    );
    expect(a.reportHash).toBe(b.reportHash);
  });
});
