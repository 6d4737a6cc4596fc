import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimRandom } from "../../../../nodes/consensus/sim/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";

function draws(random: SimRandom, count: number): number[] {
  return Array.from({ length: count }, () => random.next());
}

describe("SimRandom", () => {
  it("gives the same stream for the same seed and different streams for different seeds", () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), (a, b) => {
        expect(draws(new SimRandom(a), 8)).toEqual(draws(new SimRandom(a), 8));
        if (a !== b) expect(draws(new SimRandom(a), 8)).not.toEqual(draws(new SimRandom(b), 8));
      }),
    );
  });

  it("draws 32-bit words, floats in [0, 1) and integers within their inclusive range", () => {
    fc.assert(
      fc.property(
        fc.nat(0xffffffff),
        fc.integer({ min: -50, max: 50 }),
        fc.nat(100),
        (seed, min, span) => {
          const random = new SimRandom(seed);
          for (let i = 0; i < 50; i++) {
            const word = random.next();
            expect(Number.isInteger(word) && word >= 0 && word <= 0xffffffff).toBe(true);
            const float = random.float();
            expect(float >= 0 && float < 1).toBe(true);
            const value = random.int(min, min + span);
            expect(value >= min && value <= min + span && Number.isInteger(value)).toBe(true);
          }
        },
      ),
    );
  });

  it("spreads integers evenly (chi-square over 10 buckets)", () => {
    const random = new SimRandom(12345);
    const counts = new Array<number>(10).fill(0);
    const samples = 100_000;
    for (let i = 0; i < samples; i++) {
      const bucket = random.int(0, 9);
      counts[bucket] = (counts[bucket] as number) + 1;
    }
    const expected = samples / 10;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: 27.9 is the 0.1 % critical value.
    expect(chiSquare).toBeLessThan(27.9);
  });

  it("forks independent streams and shuffles into permutations", () => {
    const random = new SimRandom(9);
    const a = random.fork();
    const b = random.fork();
    expect(draws(a, 4)).not.toEqual(draws(b, 4));
    const items = [1, 2, 3, 4, 5, 6, 7];
    const shuffled = random.shuffle(items);
    expect([...shuffled].sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(random.chance(0)).toBe(false);
    expect(random.chance(1)).toBe(true);
    expect(items).toContain(random.pick(items));
  });

  it("refuses seeds outside 0..2^32 − 1", () => {
    for (const seed of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expectCustosError(() => new SimRandom(seed), "INVALID_ARGUMENT");
    }
  });
});
