import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDateShifter, createPseudonymiser } from "../../src/pseudonym/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { projectA, projectB } from "./keys.ts";

const SEED = 1123;
const subjects = createPseudonymiser({ key: projectA });
const subjectArb = fc
  .bigInt({ min: 0n, max: 2n ** 62n })
  .map((n) => subjects.pseudonymise(n.toString()));
const DAY = 86_400_000;

describe("createDateShifter", () => {
  it("is deterministic, within ±max and never 0 by default (property)", () => {
    const shifter = createDateShifter({ key: projectA, maxShiftDays: 30 });
    const again = createDateShifter({ key: projectA, maxShiftDays: 30 });
    fc.assert(
      fc.property(subjectArb, (subject) => {
        const s = shifter.shiftDays(subject);
        expect(Number.isInteger(s)).toBe(true);
        expect(Math.abs(s)).toBeGreaterThanOrEqual(1);
        expect(Math.abs(s)).toBeLessThanOrEqual(30);
        expect(again.shiftDays(subject)).toBe(s);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("preserves intervals within a subject (property)", () => {
    const shifter = createDateShifter({ key: projectA });
    const day = fc
      .integer({ min: 0, max: 60_000 })
      .map((d) => new Date(Date.UTC(1900, 0, 1) + d * DAY).toISOString().slice(0, 10));
    fc.assert(
      fc.property(subjectArb, day, day, (subject, a, b) => {
        const before = Date.parse(b) - Date.parse(a);
        const after =
          Date.parse(shifter.shiftDate(b, subject)) - Date.parse(shifter.shiftDate(a, subject));
        expect(after).toBe(before);
        expect(Math.abs(Date.parse(shifter.shiftDate(a, subject)) - Date.parse(a)) / DAY).toBe(
          Math.abs(shifter.shiftDays(subject)),
        );
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("covers the whole range uniformly, including 0 when allowed", () => {
    const shifter = createDateShifter({ key: projectA, maxShiftDays: 3, allowZero: true });
    const counts = new Map<number, number>();
    for (let i = 0; i < 7000; i++) {
      const s = shifter.shiftDays(subjects.pseudonymise(String(i)));
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((x, y) => x - y)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    // 1000 expected per value; chi-square, 6 d.o.f., 99.9 % quantile ≈ 22.5.
    const chi = [...counts.values()].reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
    expect(chi).toBeLessThan(22.5);
  });

  it("uses a key separate from the pseudonym key: other projects shift differently", () => {
    const a = createDateShifter({ key: projectA });
    const b = createDateShifter({ key: projectB });
    const ids = Array.from({ length: 50 }, (_, i) => subjects.pseudonymise(String(i)));
    const differing = ids.filter((s) => a.shiftDays(s) !== b.shiftDays(s)).length;
    expect(differing).toBeGreaterThan(45);
  });

  it("shifts date-times keeping the time and zone, and accepts bytes", () => {
    const shifter = createDateShifter({ key: projectA, maxShiftDays: 10 });
    const subject = subjects.pseudonymise("77");
    const s = shifter.shiftDays(subject);
    const date = shifter.shiftDate("2020-02-28", subject);
    expect(date).toBe(new Date(Date.UTC(2020, 1, 28) + s * DAY).toISOString().slice(0, 10));
    expect(shifter.shiftDate("2020-02-28T13:45:00+01:00", subject)).toBe(`${date}T13:45:00+01:00`);
    const bytes = Uint8Array.from(Buffer.from(subject.slice(2), "hex"));
    expect(shifter.shiftDays(bytes)).toBe(s);
  });

  it("refuses bad options, subjects and dates without echoing them", () => {
    expect(
      expectCustosError(
        () => createDateShifter({ key: projectA, maxShiftDays: 0 }),
        "INVALID_ARGUMENT",
      ).details,
    ).toEqual({ field: "maxShiftDays" });
    const shifter = createDateShifter({ key: projectA });
    expect(expectCustosError(() => shifter.shiftDays("0x12"), "INVALID_ARGUMENT").details).toEqual({
      field: "subject",
    });
    const subject = subjects.pseudonymise("1");
    for (const bad of ["1987-02-30", "1987-13-01", "87-01-01", "1987-01-01 10:00", ""]) {
      const error = expectCustosError(() => shifter.shiftDate(bad, subject), "INVALID_ARGUMENT");
      expect(error.details).toMatchObject({ field: "date" });
      if (bad !== "") expect(String(error)).not.toContain(bad);
    }
  });
});
