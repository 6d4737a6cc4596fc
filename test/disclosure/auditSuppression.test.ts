import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  auditSuppression,
  type CountTable,
  cellStatus,
  createCountTable,
} from "../../src/disclosure/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { lpBounds } from "./lpBounds.ts";

function tableOf(shape: number[], counts: number[]): CountTable {
  return createCountTable({
    dimensions: shape.map((n, d) => ({
      name: `d${d}`,
      categories: Array.from({ length: n }, (_, k) => `c${k}`),
    })),
    counts,
  });
}

/** A random table and an arbitrary suppression pattern (not from our algorithm). */
const caseArb = fc
  .oneof(
    fc.tuple(fc.integer({ min: 2, max: 7 })).map((s) => [...s]),
    fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 })).map((s) => [...s]),
  )
  .chain((shape) => {
    const interior = shape.reduce((a, b) => a * b, 1);
    const extended = shape.reduce((a, b) => a * (b + 1), 1);
    return fc.record({
      shape: fc.constant(shape),
      counts: fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 40 })), {
        minLength: interior,
        maxLength: interior,
      }),
      mask: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
        minLength: extended,
        maxLength: extended,
      }),
      density: fc.double({ min: 0.1, max: 0.8, noNaN: true }),
      releaseZeros: fc.boolean(),
      protectionInterval: fc.integer({ min: 1, max: 12 }),
    });
  });

describe("auditSuppression", () => {
  it("network-flow widths agree exactly with an independent rational LP (1-D, 2-D)", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const table = tableOf(c.shape, c.counts);
        const lowerBound = c.releaseZeros ? 1 : 0;
        const status = new Uint8Array(table.values.length);
        table.values.forEach((v, i) => {
          if ((c.mask[i] ?? 1) < c.density && v >= lowerBound) status[i] = cellStatus.secondary;
        });
        const audit = auditSuppression(table, status, c);
        expect(audit.method).toBe("network-flow");
        const bounds = lpBounds(table, (i) => status[i] !== cellStatus.released, lowerBound);
        expect(audit.checkedCells).toBe(bounds.size);
        const failing = new Map(audit.failures.map((f) => [f.cell, f.width]));
        for (const [cell, { min, max }] of bounds) {
          const width = max - min;
          if (width < c.protectionInterval) expect(failing.get(cell)).toBe(width);
          else expect(failing.has(cell)).toBe(false);
        }
        expect(audit.passed).toBe(failing.size === 0);
      }),
      { seed: 1474, numRuns: 400 },
    );
  });

  it("finds a cell pinned by its released row and column", () => {
    const table = tableOf([2, 2], [3, 40, 25, 30]);
    const status = new Uint8Array(table.values.length);
    status[0] = cellStatus.primary;
    const audit = auditSuppression(table, status, { protectionInterval: 1, releaseZeros: true });
    expect(audit.passed).toBe(false);
    expect(audit.failures).toEqual([{ cell: 0, coordinates: [0, 0], width: 0 }]);
  });

  it("sees the lower bound: a square of small cells moves less when zeros are released", () => {
    // [[2, 1], [1, 2]]: shifting by t needs 1 - t >= lb on the anti-diagonal.
    const table = tableOf([2, 2], [2, 1, 1, 2]);
    const status = new Uint8Array(table.values.length);
    for (const i of [0, 1, 3, 4]) status[i] = cellStatus.primary;
    const released = auditSuppression(table, status, { protectionInterval: 3, releaseZeros: true });
    expect(released.failures.map((f) => f.width)).toEqual([1, 1, 1, 1]);
    const hidden = auditSuppression(table, status, { protectionInterval: 3, releaseZeros: false });
    expect(hidden.passed).toBe(true);
  });

  it("rejects a status of the wrong length and a bad interval", () => {
    const table = tableOf([2, 2], [3, 40, 25, 30]);
    expectCustosError(
      () =>
        auditSuppression(table, new Uint8Array(4), { protectionInterval: 1, releaseZeros: true }),
      "DISCLOSURE_INVALID_TABLE",
    );
    expectCustosError(
      () =>
        auditSuppression(table, new Uint8Array(9), { protectionInterval: 0, releaseZeros: true }),
      "DISCLOSURE_POLICY_INVALID",
    );
  });

  it("refuses to certify an n-D cell without a certificate", () => {
    const table = tableOf([2, 2, 2], [5, 20, 20, 20, 20, 20, 20, 20]);
    const status = new Uint8Array(table.values.length);
    status[0] = cellStatus.primary;
    const audit = auditSuppression(table, status, { protectionInterval: 1, releaseZeros: true });
    expect(audit).toMatchObject({ method: "hypercube-certificate", passed: false });
    expect(audit.failures[0]?.coordinates).toEqual([0, 0, 0]);
  });
});
