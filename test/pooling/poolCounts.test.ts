import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertEnoughSites,
  poolCounts,
  poolCountTables,
  type SiteCountTable,
} from "../../src/pooling/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("poolCounts", () => {
  it("sums the counts and is complete when nothing is suppressed", () => {
    expect(
      poolCounts([
        { site: "H2", count: 30 },
        { site: "H1", count: 12 },
      ]),
    ).toEqual({ value: 42, complete: true, sites: ["H1", "H2"], suppressedSites: [] });
  });

  it("gives a lower bound and names the sites that suppressed", () => {
    expect(
      poolCounts([
        { site: "H3", count: null },
        { site: "H1", count: 120 },
        { site: "H2", count: null },
      ]),
    ).toEqual({
      value: 120,
      complete: false,
      sites: ["H1", "H2", "H3"],
      suppressedSites: ["H2", "H3"],
    });
  });

  it("sums exactly the released counts, whatever the answer order", () => {
    const answers = fc
      .array(fc.option(fc.nat(1_000_000), { nil: null }), { maxLength: 12 })
      .map((counts) => counts.map((count, i) => ({ site: `S${i}`, count })));
    fc.assert(
      fc.property(
        answers.chain((sites) =>
          fc.tuple(fc.constant(sites), fc.shuffledSubarray(sites, { minLength: sites.length })),
        ),
        ([sites, shuffled]) => {
          const pooled = poolCounts(sites);
          const released = sites.flatMap((s) => (s.count === null ? [] : [s.count]));
          expect(pooled.value).toBe(released.reduce((x, y) => x + y, 0));
          expect(pooled.complete).toBe(released.length === sites.length);
          expect(pooled.suppressedSites).toHaveLength(sites.length - released.length);
          expect(poolCounts(shuffled)).toEqual(pooled);
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });

  it("refuses malformed counts and site ids, naming the field and the site", () => {
    for (const count of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "3"]) {
      const error = expectCustosError(
        () => poolCounts([{ site: "H1", count: count as number }]),
        "INVALID_ARGUMENT",
      );
      expect(error.details).toMatchObject({ field: "count", site: "H1" });
    }
    expect(
      expectCustosError(
        () =>
          poolCounts([
            { site: "H1", count: 1 },
            { site: "H1", count: 2 },
          ]),
        "INVALID_ARGUMENT",
      ).details,
    ).toMatchObject({ field: "sites[1].site", site: "H1" });
    expectCustosError(() => poolCounts([{ site: "", count: 1 }]), "INVALID_ARGUMENT");
    expectCustosError(() => poolCounts({} as never), "INVALID_ARGUMENT");
    expectCustosError(
      () =>
        poolCounts([
          { site: "H1", count: Number.MAX_SAFE_INTEGER },
          { site: "H2", count: 1 },
        ]),
      "INVALID_ARGUMENT",
    );
  });
});

describe("poolCountTables", () => {
  const sexByAge = (site: string, counts: (number | null)[]): SiteCountTable => ({
    site,
    cells: [
      { key: ["F", "0-64"], count: counts[0] ?? null },
      { key: ["F", "65+"], count: counts[1] ?? null },
      { key: ["M", "0-64"], count: counts[2] ?? null },
      { key: ["M", "65+"], count: counts[3] ?? null },
    ],
  });

  it("aligns cells by key, not by position", () => {
    const h1 = sexByAge("H1", [40, 25, 38, 12]);
    const h2: SiteCountTable = {
      site: "H2",
      cells: [...sexByAge("H2", [20, 15, 18, 30]).cells].reverse(),
    };
    const pooled = poolCountTables([h2, h1]);
    expect(pooled.cells.map((cell) => [cell.key, cell.value])).toEqual([
      [["F", "0-64"], 60],
      [["F", "65+"], 40],
      [["M", "0-64"], 56],
      [["M", "65+"], 42],
    ]);
    expect(pooled.complete).toBe(true);
    expect(pooled.sites).toEqual(["H1", "H2"]);
  });

  it("marks suppressed cells as lower bounds and names the sites per cell", () => {
    const pooled = poolCountTables([
      sexByAge("H1", [40, null, 38, 12]),
      sexByAge("H2", [20, null, 18, null]),
      sexByAge("H3", [20, 15, 18, 30]),
    ]);
    expect(pooled.cells[1]).toEqual({
      key: ["F", "65+"],
      value: 15,
      complete: false,
      suppressedSites: ["H1", "H2"],
    });
    expect(pooled.cells[3]).toMatchObject({ value: 42, complete: false, suppressedSites: ["H2"] });
    expect(pooled.cells[0]).toMatchObject({ value: 80, complete: true, suppressedSites: [] });
    expect(pooled.complete).toBe(false);
    expect(pooled.suppressedSites).toEqual(["H1", "H2"]);
  });

  it("pools a histogram's cells keyed by bin label", () => {
    const pooled = poolCountTables([
      {
        site: "A",
        cells: [
          { key: ["[0,10)"], count: 12 },
          { key: ["[10,20)"], count: null },
        ],
      },
      {
        site: "B",
        cells: [
          { key: ["[10,20)"], count: 30 },
          { key: ["[0,10)"], count: 20 },
        ],
      },
    ]);
    expect(pooled.cells).toEqual([
      { key: ["[0,10)"], value: 32, complete: true, suppressedSites: [] },
      { key: ["[10,20)"], value: 30, complete: false, suppressedSites: ["A"] },
    ]);
  });

  it("rejects a missing cell by default and counts it 0 when asked", () => {
    const sites: SiteCountTable[] = [
      {
        site: "H1",
        cells: [
          { key: ["x"], count: 3 },
          { key: ["y"], count: 4 },
        ],
      },
      { site: "H2", cells: [{ key: ["x"], count: 5 }] },
    ];
    const error = expectCustosError(() => poolCountTables(sites), "INVALID_ARGUMENT");
    expect(error.details).toMatchObject({ rule: "sameCategories", site: "H2", key: ["y"] });
    expect(poolCountTables(sites, { absentCells: "zero" }).cells).toEqual([
      { key: ["x"], value: 8, complete: true, suppressedSites: [] },
      { key: ["y"], value: 4, complete: true, suppressedSites: [] },
    ]);
  });

  it("refuses malformed tables, naming the field and the site", () => {
    const bad = (cells: unknown, options = {}) =>
      expectCustosError(
        () => poolCountTables([{ site: "H1", cells: cells as never }], options),
        "INVALID_ARGUMENT",
      ).details;
    expect(bad("cells")).toMatchObject({ field: "cells", site: "H1" });
    expect(bad([{ key: [], count: 1 }])).toMatchObject({ field: "cells[0].key", site: "H1" });
    expect(bad([{ key: "x", count: 1 }])).toMatchObject({ field: "cells[0].key" });
    expect(bad([{ key: [1], count: 1 }])).toMatchObject({ field: "cells[0].key" });
    expect(
      bad([
        { key: ["a"], count: 1 },
        { key: ["a", "b"], count: 1 },
      ]),
    ).toMatchObject({ field: "cells[1].key", site: "H1" });
    expect(
      bad([
        { key: ["a"], count: 1 },
        { key: ["a"], count: 2 },
      ]),
    ).toMatchObject({ field: "cells[1].key", site: "H1" });
    expect(bad([{ key: ["a"], count: -2 }])).toMatchObject({ field: "cells[0].count", site: "H1" });
    expect(bad([], { absentCells: "guess" })).toMatchObject({ field: "options.absentCells" });
  });
});

describe("assertEnoughSites", () => {
  it("passes at or above the minimum", () => {
    expect(() => assertEnoughSites(3, 3)).not.toThrow();
    expect(() => assertEnoughSites(10, 1)).not.toThrow();
  });

  it("refuses fewer sites with the minimumSites rule in the details", () => {
    const error = expectCustosError(() => assertEnoughSites(2, 3), "INVALID_ARGUMENT");
    expect(error.details).toEqual({ rule: "minimumSites", answered: 2, minimum: 3 });
  });

  it("refuses a malformed minimum or count", () => {
    expect(
      expectCustosError(() => assertEnoughSites(2, 0), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "minimum" });
    expect(
      expectCustosError(() => assertEnoughSites(-1, 2), "INVALID_ARGUMENT").details,
    ).toMatchObject({ field: "answered" });
    expectCustosError(() => assertEnoughSites(Number.NaN, 2), "INVALID_ARGUMENT");
  });
});
