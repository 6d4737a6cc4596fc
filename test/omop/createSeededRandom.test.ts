import { describe, expect, it } from "vitest";
import { createSeededRandom, formatOmopDate, omopDay } from "../../src/omop/index.ts";

describe("createSeededRandom", () => {
  it("repeats its sequence for a seed and spreads it uniformly", () => {
    const a = createSeededRandom("seed");
    const b = createSeededRandom("seed");
    const c = createSeededRandom("other");
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    const counts = new Array(10).fill(0);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = a.next();
      expect(u >= 0 && u < 1).toBe(true);
      counts[a.below(10)]++;
      const z = a.normal(0, 1);
      sum += z;
      squares += z * z;
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    expect(Math.abs(sum / 100_000)).toBeLessThan(0.02);
    expect(Math.abs(squares / 100_000 - 1)).toBeLessThan(0.03);
  });

  it("formats days as OMOP dates", () => {
    expect(omopDay("2024-12-31")).toBe(20_088);
    expect(formatOmopDate(20_088)).toBe("2024-12-31");
    expect(formatOmopDate(omopDay("1929-02-28"))).toBe("1929-02-28");
    expect(formatOmopDate(omopDay("1850-06-01"))).toBe("1850-06-01");
  });
});
