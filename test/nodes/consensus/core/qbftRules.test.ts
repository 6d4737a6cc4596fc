import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  defaultQbftRoundTimeout,
  qbftMaxFaulty,
  qbftQuorum,
  qbftRoundSkipTarget,
  qbftRoundTimeoutMs,
  selectQbftProposer,
} from "../../../../nodes/consensus/core/index.ts";
import { compareBytes } from "../../../../nodes/consensus/core/qbftBytes.ts";
import { expectCustosError } from "../../../expectCustosError.ts";

function address(last: number, first = 0): Uint8Array {
  const bytes = new Uint8Array(20);
  bytes[0] = first;
  bytes[19] = last;
  return bytes;
}

describe("qbftQuorum and qbftMaxFaulty", () => {
  it("match Besu's BftHelpers for small networks", () => {
    const quorums = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(qbftQuorum);
    expect(quorums).toEqual([1, 2, 2, 3, 4, 4, 5, 6, 6, 7]);
    const faulty = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(qbftMaxFaulty);
    expect(faulty).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
  });

  it("equals the Dafny spec's (2n − 1) / 3 + 1", () => {
    for (let n = 1; n <= 1000; n++) expect(qbftQuorum(n)).toBe(Math.floor((2 * n - 1) / 3) + 1);
  });

  it("makes two quorums share an honest validator and the honest ones a quorum (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        const q = qbftQuorum(n);
        const f = qbftMaxFaulty(n);
        expect(2 * q - n).toBeGreaterThanOrEqual(f + 1);
        expect(q).toBeLessThanOrEqual(n - f);
      }),
    );
  });

  it("seal nothing with an empty set and refuse a count that is not a non-negative integer", () => {
    expect(qbftQuorum(0)).toBe(1);
    expect(qbftMaxFaulty(0)).toBe(0);
    expectCustosError(() => qbftQuorum(-1), "INVALID_ARGUMENT");
    expectCustosError(() => qbftMaxFaulty(2.5), "INVALID_ARGUMENT");
  });
});

describe("selectQbftProposer", () => {
  const validators = [address(10), address(20), address(30), address(40)];

  it("takes the validator after the previous proposer, plus the round", () => {
    const names = [0, 1, 2, 3, 4].map(
      (round) => selectQbftProposer(validators, address(20), round)[19],
    );
    expect(names).toEqual([30, 40, 10, 20, 30]);
  });

  it("starts from the first validator above a previous proposer that left, without the +1", () => {
    expect(selectQbftProposer(validators, address(25), 0)[19]).toBe(30);
    expect(selectQbftProposer(validators, address(25), 1)[19]).toBe(40);
    expect(selectQbftProposer(validators, address(250), 0)[19]).toBe(10);
  });

  it("starts at the first validator after the genesis block's zero coinbase", () => {
    expect(selectQbftProposer(validators, new Uint8Array(20), 0)[19]).toBe(10);
  });

  it("matches Besu's algorithm written over a sorted set (property)", () => {
    const set = fc
      .uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 })
      .map((values) => values.map((v) => address(v, v % 7)).sort(compareBytes));
    fc.assert(
      fc.property(set, fc.integer({ min: 0, max: 255 }), fc.nat(1000), (list, prev, round) => {
        const previous = address(prev, prev % 7);
        const keys = list.map((a) => Buffer.from(a).toString("hex"));
        const prevKey = Buffer.from(previous).toString("hex");
        let base: number;
        let offset: number;
        if (keys.includes(prevKey)) {
          base = keys.indexOf(prevKey);
          offset = round + 1;
        } else {
          const later = keys.filter((key) => key > prevKey);
          base = keys.indexOf(later.length === 0 ? (keys[0] as string) : (later[0] as string));
          offset = round;
        }
        const expected = list[(base + offset) % list.length] as Uint8Array;
        expect(selectQbftProposer(list, previous, round)).toEqual(expected);
      }),
    );
  });
});

describe("qbftRoundTimeoutMs", () => {
  it("doubles from the base and stops at base × maxFactor", () => {
    const delays = [0, 1, 2, 3, 4, 11, 1000, 0x7fffffff].map((round) =>
      qbftRoundTimeoutMs(round, defaultQbftRoundTimeout),
    );
    expect(delays).toEqual([2000, 4000, 8000, 16000, 16000, 16000, 16000, 16000]);
  });

  it("never exceeds the cap and never shrinks as rounds grow (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.nat(0x7fffffff),
        (baseMs, maxFactor, round) => {
          const settings = { baseMs, maxFactor };
          const delay = qbftRoundTimeoutMs(round, settings);
          expect(delay).toBeLessThanOrEqual(baseMs * maxFactor);
          expect(delay).toBeGreaterThanOrEqual(baseMs);
          expect(qbftRoundTimeoutMs(round + 1, settings)).toBeGreaterThanOrEqual(delay);
        },
      ),
    );
  });
});

describe("qbftRoundSkipTarget", () => {
  it("needs f + 1 validators above the current round", () => {
    expect(qbftRoundSkipTarget(2, [5, 1, 1], 1)).toBeUndefined();
    expect(qbftRoundSkipTarget(2, [5, 7, 1], 1)).toBe(5);
    expect(qbftRoundSkipTarget(0, [3, 9, 7, 1], 1)).toBe(7);
    expect(qbftRoundSkipTarget(0, [3, 9, 7, 1], 2)).toBe(3);
    expect(qbftRoundSkipTarget(4, [4, 4, 4], 0)).toBeUndefined();
  });

  it("picks the highest round that f + 1 validators are at or beyond (property)", () => {
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.array(fc.nat(30), { maxLength: 10 }),
        fc.nat(3),
        (current, asked, f) => {
          const target = qbftRoundSkipTarget(current, asked, f);
          const atOrAbove = (round: number) =>
            asked.filter((r) => r >= round && r > current).length;
          if (target === undefined) {
            expect(asked.filter((r) => r > current).length).toBeLessThan(f + 1);
            return;
          }
          expect(target).toBeGreaterThan(current);
          expect(asked).toContain(target);
          expect(atOrAbove(target)).toBeGreaterThanOrEqual(f + 1);
          expect(atOrAbove(target + 1)).toBeLessThan(f + 1);
        },
      ),
    );
  });
});
