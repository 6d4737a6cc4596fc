import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  auditSuppression,
  type CountTable,
  cellStatus,
  createCountTable,
  hypercubeWidth,
  resolveDisclosurePolicy,
  suppressComplementary,
  suppressPrimary,
} from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { lineRelations, lpBounds } from "./lpBounds.ts";

const count = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 4, arbitrary: fc.integer({ min: 11, max: 60 }) },
);

function tableOf(shape: number[], counts: number[]): CountTable {
  return createCountTable({
    dimensions: shape.map((n, d) => ({
      name: `d${d}`,
      categories: Array.from({ length: n }, (_, k) => `c${k}`),
    })),
    counts,
  });
}

const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 8 })).map((s) => [...s]),
  fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 })).map((s) => [...s]),
);
const tableArb = (shapes: fc.Arbitrary<number[]>) =>
  shapes.chain((shape) =>
    fc
      .array(count, {
        minLength: shape.reduce((a, b) => a * b, 1),
        maxLength: shape.reduce((a, b) => a * b, 1),
      })
      .map((counts) => tableOf(shape, counts)),
  );
const policyArb = fc
  .record({
    minCellSize: fc.constantFrom(3, 5, 11),
    releaseZeros: fc.boolean(),
    protectionFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ minCellSize, releaseZeros, protectionFraction }) =>
    resolveDisclosurePolicy({
      minCellSize,
      releaseZeros,
      protectionInterval: 1 + Math.floor(protectionFraction * (minCellSize - 1)),
    }),
  );

describe("suppression (primary + hypercube complementary)", () => {
  it("suppresses every small cell and margin, and only releases 0 or counts >= min", () => {
    fc.assert(
      fc.property(tableArb(shapeArb), policyArb, (table, policy) => {
        const { status } = suppressComplementary(table, suppressPrimary(table, policy), policy);
        table.values.forEach((v, i) => {
          if (status[i] !== cellStatus.released) return;
          if (policy.releaseZeros) expect(v === 0 || v >= policy.minCellSize).toBe(true);
          else expect(v).toBeGreaterThanOrEqual(policy.minCellSize);
        });
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it("never leaves a single suppressed entry in a line relation (cells + total)", () => {
    fc.assert(
      fc.property(tableArb(shapeArb), policyArb, (table, policy) => {
        const { status } = suppressComplementary(table, suppressPrimary(table, policy), policy);
        for (const relation of lineRelations(table)) {
          const hidden = relation.filter(({ cell }) => status[cell] !== cellStatus.released);
          expect(hidden.length).not.toBe(1);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("leaves every suppressed cell an exact LP interval at least the protection interval wide (1-D, 2-D)", () => {
    fc.assert(
      fc.property(tableArb(shapeArb), policyArb, (table, policy) => {
        const { status } = suppressComplementary(table, suppressPrimary(table, policy), policy);
        const lowerBound = policy.releaseZeros ? 1 : 0;
        const bounds = lpBounds(table, (c) => status[c] !== cellStatus.released, lowerBound);
        for (const [cell, { min, max }] of bounds) {
          const v = table.values[cell] ?? 0;
          expect(min).toBeLessThanOrEqual(v);
          expect(max).toBeGreaterThanOrEqual(v);
          expect(max - min).toBeGreaterThanOrEqual(policy.protectionInterval);
        }
        // Never a zero among suppressed cells when zeros are released (lower bound 1 holds).
        if (policy.releaseZeros) {
          for (const cell of bounds.keys()) expect(table.values[cell]).toBeGreaterThan(0);
        }
      }),
      { seed: 2020, numRuns: 150 },
    );
  });

  it("protects 3-D tables with verified hypercube certificates, confirmed by the LP", () => {
    const shape3 = fc
      .tuple(
        fc.integer({ min: 2, max: 3 }),
        fc.integer({ min: 2, max: 3 }),
        fc.integer({ min: 2, max: 3 }),
      )
      .map((s) => [...s]);
    fc.assert(
      fc.property(tableArb(shape3), policyArb, (table, policy) => {
        const { status, hypercubes } = suppressComplementary(
          table,
          suppressPrimary(table, policy),
          policy,
        );
        const lowerBound = policy.releaseZeros ? 1 : 0;
        for (const cube of hypercubes) {
          expect(hypercubeWidth(table, status, cube, lowerBound)).toBeGreaterThanOrEqual(
            policy.protectionInterval,
          );
        }
        const audit = auditSuppression(table, status, { ...policy, hypercubes });
        expect(audit.method).toBe("hypercube-certificate");
        expect(audit.passed).toBe(true);
        const bounds = lpBounds(table, (c) => status[c] !== cellStatus.released, lowerBound);
        for (const { min, max } of bounds.values()) {
          expect(max - min).toBeGreaterThanOrEqual(policy.protectionInterval);
        }
      }),
      { seed: 3, numRuns: 40 },
    );
  });

  it("protects the classic 2x2 case by suppressing the whole square", () => {
    const table = tableOf([2, 2], [3, 40, 25, 30]);
    const policy = resolveDisclosurePolicy({ minCellSize: 11 });
    const { status } = suppressComplementary(table, suppressPrimary(table, policy), policy);
    // extended layout 3x3: cells 0,1,3,4 are interior; the rest margins.
    expect([0, 1, 3, 4].map((i) => status[i])).toEqual([
      cellStatus.primary,
      cellStatus.secondary,
      cellStatus.secondary,
      cellStatus.secondary,
    ]);
    expect([2, 5, 6, 7, 8].every((i) => status[i] === cellStatus.released)).toBe(true);
  });

  it("suppresses the margins when no interior complement is wide enough", () => {
    // Row 0 = [1, 2]: no interior pair in its row can give width 10, so margins step in.
    const table = tableOf([1, 2], [1, 2]);
    const policy = resolveDisclosurePolicy({ minCellSize: 11 });
    const { status } = suppressComplementary(table, suppressPrimary(table, policy), policy);
    expect(Array.from(status).every((s) => s !== cellStatus.released)).toBe(true);
    expect(auditSuppression(table, status, policy).passed).toBe(true);
  });

  it("rejects a status not parallel to the table", () => {
    const table = tableOf([2, 2], [3, 40, 25, 30]);
    expectCustosError(
      () => suppressComplementary(table, new Uint8Array(2), resolveDisclosurePolicy()),
      "DISCLOSURE_INVALID_TABLE",
    );
  });

  it("does not modify its input status", () => {
    const table = tableOf([2, 2], [3, 40, 25, 30]);
    const primary = suppressPrimary(table, resolveDisclosurePolicy());
    const before = Uint8Array.from(primary);
    suppressComplementary(table, primary, resolveDisclosurePolicy());
    expect(primary).toEqual(before);
  });
});
