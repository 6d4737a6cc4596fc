import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCountTable } from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const sexByAge = {
  dimensions: [
    { name: "sex", categories: ["F", "M"] },
    { name: "ageBand", categories: ["0-17", "18-64", "65+"] },
  ],
  counts: [3, 40, 25, 12, 38, 0],
};

describe("createCountTable", () => {
  it("lays out a 2-D table with row, column and grand totals", () => {
    const table = createCountTable(sexByAge);
    expect(table.extendedShape).toEqual([3, 4]);
    expect(Array.from(table.values)).toEqual([3, 40, 25, 68, 12, 38, 0, 50, 15, 78, 25, 118]);
  });

  it("builds 1-D and n-D tables whose every line sums to its total", () => {
    const one = createCountTable({
      dimensions: [{ name: "a", categories: ["x", "y"] }],
      counts: [4, 9],
    });
    expect(Array.from(one.values)).toEqual([4, 9, 13]);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.array(fc.nat(50), {
              minLength: shape.reduce((a, b) => a * b, 1),
              maxLength: shape.reduce((a, b) => a * b, 1),
            }),
          ),
        ),
        ([shape, counts]) => {
          const table = createCountTable({
            dimensions: shape.map((n, d) => ({
              name: `d${d}`,
              categories: Array.from({ length: n }, (_, k) => String(k)),
            })),
            counts,
          });
          const total = counts.reduce((a, b) => a + b, 0);
          expect(table.values[table.values.length - 1]).toBe(total);
          for (let d = 0; d < shape.length; d++) {
            const n = shape[d] ?? 0;
            const stride = table.strides[d] ?? 0;
            for (let base = 0; base < table.values.length; base++) {
              if (Math.floor(base / stride) % (n + 1) !== 0) continue;
              let sum = 0;
              for (let k = 0; k < n; k++) sum += table.values[base + k * stride] ?? 0;
              expect(table.values[base + n * stride]).toBe(sum);
            }
          }
        },
      ),
      { seed: 4, numRuns: 200 },
    );
  });

  it("names the cell, dimension or category at fault", () => {
    const cases: [unknown, Record<string, unknown>][] = [
      [
        { ...sexByAge, counts: [3, 40, -1, 12, 38, 0] },
        { cell: 2, coordinates: [0, 2] },
      ],
      [{ ...sexByAge, counts: [3, 40, 2.5, 12, 38, 0] }, { cell: 2 }],
      [
        { ...sexByAge, counts: [1, 2] },
        { field: "counts", expected: 6, actual: 2 },
      ],
      [{ dimensions: [], counts: [] }, { field: "dimensions" }],
      [
        {
          dimensions: Array.from({ length: 13 }, (_, d) => ({ name: `d${d}`, categories: ["x"] })),
          counts: [1],
        },
        { field: "dimensions", actual: 13 },
      ],
      [
        {
          dimensions: [
            { name: "a", categories: ["x"] },
            { name: "a", categories: ["y"] },
          ],
          counts: [1],
        },
        { dimension: "a" },
      ],
      [
        { dimensions: [{ name: "a", categories: ["x", "x"] }], counts: [1, 2] },
        { dimension: "a", category: 1 },
      ],
      [{ dimensions: [{ name: "a", categories: [] }], counts: [] }, { dimension: "a" }],
      [
        { dimensions: [{ name: "", categories: ["x"] }], counts: [1] },
        { dimension: 0, field: "name" },
      ],
    ];
    for (const [input, details] of cases) {
      const error = expectCustosError(
        () => createCountTable(input as Parameters<typeof createCountTable>[0]),
        "DISCLOSURE_INVALID_TABLE",
      );
      expect(error.details).toMatchObject(details);
    }
  });
});
