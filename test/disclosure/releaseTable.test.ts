import { describe, expect, it } from "vitest";
import { canonicalHash } from "../../src/canonical/index.ts";
import {
  assertReleased,
  auditSuppression,
  type CountTable,
  cellStatus,
  createCountTable,
  createInMemoryDifferencingStore,
  createInMemoryPrivacyBudgetStore,
  type DisclosureReport,
  releaseTable,
  resolveDisclosurePolicy,
} from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { seededRandomSource } from "./seededRandomSource.ts";

function grid(rows: number, columns: number, seed: number): CountTable {
  const random = seededRandomSource(seed);
  const counts: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const mean = 400 / ((i + 1) * (j + 1));
      counts.push(Math.floor((random.nextUint32() / 2 ** 32) * 2 * mean));
    }
  }
  return createCountTable({
    dimensions: [
      { name: "site", categories: Array.from({ length: rows }, (_, i) => `s${i}`) },
      { name: "diagnosis", categories: Array.from({ length: columns }, (_, j) => `d${j}`) },
    ],
    counts,
  });
}

const request = { requester: "0xresearcher", hospital: "hospital-a", queryId: "0xspec" };

describe("releaseTable", () => {
  it("releases only safe values, nulls suppressed cells and reports both kinds", async () => {
    const table = grid(8, 9, 1);
    const outcome = assertReleased(await releaseTable(table, {}, {}, request));
    const { values } = outcome.table;
    const policy = resolveDisclosurePolicy();
    values.forEach((v, i) => {
      if (v !== null) expect(v === 0 || v >= policy.minCellSize).toBe(true);
      else expect(table.values[i]).toBeGreaterThan(0);
    });
    const report = outcome.report;
    const suppressed = values.filter((v) => v === null).length;
    expect(report.suppression?.primary.length).toBeGreaterThan(0);
    expect(
      (report.suppression?.primary.length ?? 0) + (report.suppression?.secondary.length ?? 0),
    ).toBe(suppressed);
    expect(report.audit).toMatchObject({ method: "network-flow", passed: true, lowerBound: 1 });
    expect(report.resultHash).toBe(canonicalHash(outcome.table));
    expect(outcome.reportHash).toBe(canonicalHash(report));
    // The released nulls pass an audit without any certificate (pure network flow).
    const status = Uint8Array.from(values, (v) => (v === null ? cellStatus.secondary : 0));
    expect(auditSuppression(table, status, policy).passed).toBe(true);
  });

  it("rounds released cells and margins independently, never touching suppressed cells", async () => {
    const table = grid(6, 6, 2);
    const plain = assertReleased(await releaseTable(table, {}, {}, request));
    const rounded = assertReleased(
      await releaseTable(table, { rounding: { base: 5, mode: "nearest" } }, {}, request),
    );
    rounded.table.values.forEach((v, i) => {
      expect(v === null).toBe(plain.table.values[i] === null);
      if (v !== null) {
        expect(v % 5).toBe(0);
        expect(Math.abs(v - (table.values[i] ?? 0))).toBeLessThanOrEqual(2.5);
      }
    });
    expect(rounded.report.policy).toMatchObject({ roundingBase: 5, roundingMode: "nearest" });
    await expectCustosError(
      releaseTable(table, { rounding: { base: 5, mode: "random" } }, {}, request),
      "DISCLOSURE_POLICY_INVALID",
    );
    const random = assertReleased(
      await releaseTable(
        table,
        { rounding: { base: 5, mode: "random" } },
        { random: seededRandomSource(1) },
        request,
      ),
    );
    for (const v of random.table.values) if (v !== null) expect(v % 5).toBe(0);
  });

  it("refuses a near-duplicate cohort of the same requester and records released ones", async () => {
    const table = grid(4, 4, 3);
    const differencing = createInMemoryDifferencingStore();
    const cohort = Array.from({ length: 500 }, (_, i) => i * 2);
    const first = await releaseTable(table, {}, { differencing }, { ...request, cohort });
    expect(first.status).toBe("released");
    expect(first.report.differencing).toEqual({ checked: true, compared: 0 });
    const minusThree = cohort.slice(3);
    const second = await releaseTable(
      table,
      {},
      { differencing },
      { ...request, cohort: minusThree },
    );
    expect(second).toMatchObject({ status: "refused", reason: "differencing" });
    expect(second.report.refusal).toEqual({
      reason: "differencing",
      detail: { symmetricDifference: 3, minDifference: 11 },
    });
    expect(second.report.suppression).toBeNull();
    expectCustosError(() => assertReleased(second), "DISCLOSURE_DIFFERENCING");
    const other = await releaseTable(
      table,
      {},
      { differencing },
      {
        ...request,
        requester: "0xother",
        cohort: minusThree,
      },
    );
    expect(other.status).toBe("released");
    const far = cohort.slice(20);
    expect(
      (await releaseTable(table, {}, { differencing }, { ...request, cohort: far })).status,
    ).toBe("released");
  });

  it("adds exact DP noise, charges the budget and refuses over-spend", async () => {
    const table = grid(5, 5, 4);
    const budget = createInMemoryPrivacyBudgetStore({ limitMicro: 1_000_000 });
    const ports = { budget, random: seededRandomSource(8) };
    const policy = { noise: { mechanism: "discreteLaplace" as const, epsilonMicro: 600_000 } };
    const first = assertReleased(await releaseTable(table, policy, ports, request));
    expect(first.report.noise).toEqual({
      mechanism: "discreteLaplace",
      epsilonMicro: 600_000,
      laplaceScale: "5/3",
      gaussianSigmaSquared: null,
      rhoMicro: null,
      delta: null,
      budgetSpentMicro: 600_000,
    });
    expect(first.table.values).not.toEqual(Array.from(table.values));
    const second = await releaseTable(table, policy, ports, request);
    expect(second).toMatchObject({ status: "refused", reason: "budget" });
    expect(second.report.refusal?.detail).toEqual({
      spentMicro: 600_000,
      requestedMicro: 600_000,
      limitMicro: 1_000_000,
    });
    expectCustosError(() => assertReleased(second), "DISCLOSURE_BUDGET_EXCEEDED");
    expect(await budget.spent("0xresearcher", "hospital-a")).toBe(600_000);
    const gaussian = assertReleased(
      await releaseTable(
        table,
        { noise: { mechanism: "discreteGaussian", rhoMicro: 100_000, delta: 1e-6 } },
        {
          budget: createInMemoryPrivacyBudgetStore({ limitMicro: 5_000_000 }),
          random: seededRandomSource(9),
        },
        request,
      ),
    );
    expect(gaussian.report.noise).toMatchObject({
      gaussianSigmaSquared: "5/1",
      rhoMicro: 100_000,
      epsilonMicro: 2_450_789,
    });
    expect(gaussian.report.audit?.passed).toBe(true);
  });

  it("is deterministic for a fixed random source", async () => {
    const table = grid(5, 5, 5);
    const run = async () => {
      const budget = createInMemoryPrivacyBudgetStore({ limitMicro: 10_000_000 });
      return releaseTable(
        table,
        { noise: { mechanism: "discreteGaussian", rhoMicro: 500_000, delta: 1e-9 } },
        { budget, random: seededRandomSource(21) },
        request,
      );
    };
    const [a, b] = [await run(), await run()];
    expect(a.reportHash).toBe(b.reportHash);
  });

  it("needs the ports and request fields its policy uses", async () => {
    const table = grid(3, 3, 6);
    const noise = { noise: { mechanism: "discreteLaplace" as const, epsilonMicro: 1 } };
    const refused = async (release: Promise<unknown>) =>
      (await expectCustosError(release, "DISCLOSURE_POLICY_INVALID")).details;
    expect(await refused(releaseTable(table, noise, {}, request))).toMatchObject({
      field: "ports.random",
    });
    expect(
      await refused(releaseTable(table, noise, { random: seededRandomSource(1) }, request)),
    ).toMatchObject({ field: "ports.budget" });
    expect(await refused(releaseTable(table, {}, {}, { cohort: [1, 2] }))).toMatchObject({
      field: "ports.differencing",
    });
    const forged = { ...table, values: new Float64Array(3) };
    await expectCustosError(releaseTable(forged, {}, {}), "DISCLOSURE_INVALID_TABLE");
    expect(await refused(releaseTable(table, { minCellSize: 0 }, {}, {}))).toMatchObject({
      field: "minCellSize",
    });
    const gaussian = { noise: { mechanism: "discreteGaussian", rhoMicro: 5, delta: 2 } } as const;
    expect(await refused(releaseTable(table, gaussian, {}, {}))).toMatchObject({
      field: "noise.delta",
    });
  });
});

describe("releaseTable on 1-D and n-D tables", () => {
  it("protects a 1-D frequency table through its total", async () => {
    const table = createCountTable({
      dimensions: [{ name: "ageBand", categories: ["0-17", "18-44", "45-64", "65+"] }],
      counts: [4, 120, 90, 60],
    });
    const outcome = assertReleased(await releaseTable(table, {}, {}));
    expect(outcome.table.values[0]).toBeNull();
    expect(outcome.table.values.filter((v) => v === null)).toHaveLength(2);
    expect(outcome.report.suppression?.primary).toEqual([[0]]);
    expect(outcome.report.audit?.method).toBe("network-flow");
  });

  it("protects a 3-D table with certificates and names margins as total", async () => {
    const random = seededRandomSource(33);
    const counts = Array.from({ length: 27 }, () => random.nextUint32() % 40);
    const table = createCountTable({
      dimensions: ["a", "b", "c"].map((name) => ({ name, categories: ["x", "y", "z"] })),
      counts,
    });
    const outcome = assertReleased(await releaseTable(table, { minCellSize: 5 }, {}));
    expect(outcome.report.audit).toMatchObject({ method: "hypercube-certificate", passed: true });
    const coords = [
      ...(outcome.report.suppression?.primary ?? []),
      ...(outcome.report.suppression?.secondary ?? []),
    ];
    for (const c of coords) {
      expect(c).toHaveLength(3);
      for (const x of c)
        expect(x === "total" || (typeof x === "number" && x >= 0 && x < 3)).toBe(true);
    }
    outcome.table.values.forEach((v) => {
      if (v !== null) expect(v === 0 || v >= 5).toBe(true);
    });
  });
});

describe("disclosure report hash", () => {
  it("is stable under key order and changes when any field changes", async () => {
    const outcome = assertReleased(await releaseTable(grid(5, 6, 7), {}, {}, request));
    const report = outcome.report;
    const reversed = JSON.parse(
      JSON.stringify(report, (_, v) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).reverse())
          : v,
      ),
    ) as DisclosureReport;
    expect(Object.keys(reversed)[0]).not.toBe(Object.keys(report)[0]);
    expect(canonicalHash(reversed)).toBe(outcome.reportHash);

    // Flip every leaf in turn: each change must change the hash.
    const leaves: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      if (v !== null && typeof v === "object") {
        for (const [k, child] of Object.entries(v))
          walk(child, [...path, Array.isArray(v) ? Number(k) : k]);
      } else leaves.push(path);
    };
    walk(report, []);
    expect(leaves.length).toBeGreaterThan(20);
    const seen = new Set([outcome.reportHash]);
    for (const path of leaves) {
      const copy = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
      let node: Record<string | number, unknown> = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      const last = path[path.length - 1] as string | number;
      const value = node[last];
      node[last] =
        typeof value === "number"
          ? value + 1
          : typeof value === "boolean"
            ? !value
            : value === null
              ? 0
              : `${value}x`;
      const hash = canonicalHash(copy);
      expect(seen.has(hash)).toBe(false);
      seen.add(hash);
    }
  });
});

describe("releaseTable with public cells", () => {
  const table = (counts: number[]) =>
    createCountTable({
      dimensions: [
        { name: "a", categories: ["a0", "a1"] },
        { name: "b", categories: ["b0", "b1"] },
      ],
      counts,
    });
  const grandTotal = 8;

  it("never hides a public grand total, and protects small cells without it", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = grid(6, 7, seed);
      const last = random.values.length - 1;
      const plain = assertReleased(await releaseTable(random, {}, {}, request));
      const withPublic = assertReleased(
        await releaseTable(random, {}, {}, { ...request, publicCells: [last] }),
      );
      expect(withPublic.table.values[last]).toBe(random.values[last]);
      // Same primary cells either way; only the complements may differ.
      expect(withPublic.report.suppression?.primary).toEqual(plain.report.suppression?.primary);
    }
  });

  it("refuses a table whose small cell only the public total could protect", async () => {
    // Knowing the grand total 53 and the released 50 would give the first row (3) away.
    const cornered = table([3, 0, 0, 50]);
    const hidden = assertReleased(await releaseTable(cornered, {}, {}, request));
    expect(hidden.table.values[grandTotal]).toBeNull();
    await expectCustosError(
      releaseTable(cornered, {}, {}, { ...request, publicCells: [grandTotal] }),
      "DISCLOSURE_AUDIT_FAILED",
    );
    await expectCustosError(
      releaseTable(cornered, {}, {}, { ...request, publicCells: [9] }),
      "DISCLOSURE_POLICY_INVALID",
    );
  });
});
