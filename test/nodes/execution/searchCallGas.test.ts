import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CallResult, searchCallGas } from "../../../nodes/execution/index.ts";

/**
 * A call that needs `need` gas to succeed but reports using only `used` (the 63/64 rule and
 * refunds make a call need more than it used), and counts its runs.
 */
function fakeCall(need: bigint, used: bigint) {
  const runs: bigint[] = [];
  const run = async (gas: bigint): Promise<CallResult> => {
    runs.push(gas);
    if (gas < need) return { returnData: new Uint8Array(0), gasUsed: gas, error: "out of gas" };
    return { returnData: new Uint8Array(0), gasUsed: used };
  };
  return { run, runs };
}

describe("searchCallGas", () => {
  it("answers the used gas after two runs when it suffices", async () => {
    const call = fakeCall(50_000n, 50_000n);
    expect(await searchCallGas(call.run, 1_000_000n)).toEqual({ ok: true, gas: 50_000n });
    expect(call.runs).toEqual([1_000_000n, 50_000n]);
  });

  it("finds the exact smallest gas when the call needs more than it used", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 21_000n, max: 10_000_000n }),
        fc.bigInt({ min: 0n, max: 100_000n }),
        async (need, short) => {
          const used = need - short < 21_000n ? 21_000n : need - short;
          const call = fakeCall(need, used);
          expect(await searchCallGas(call.run, 16_777_216n)).toEqual({ ok: true, gas: need });
          // Binary search: a run at the cap, one at the used gas, then ~log2 of the gap.
          expect(call.runs.length).toBeLessThanOrEqual(27);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("returns the failing run at the cap", async () => {
    const call = fakeCall(2_000_000n, 2_000_000n);
    const outcome = await searchCallGas(call.run, 1_000_000n);
    expect(outcome).toEqual({
      ok: false,
      gas: 1_000_000n,
      result: { returnData: new Uint8Array(0), gasUsed: 1_000_000n, error: "out of gas" },
    });
    expect(call.runs).toEqual([1_000_000n]);
  });

  it("answers the cap when the call succeeds only with all of it", async () => {
    const call = fakeCall(1_000_000n, 1_000_000n);
    expect(await searchCallGas(call.run, 1_000_000n)).toEqual({ ok: true, gas: 1_000_000n });
  });
});
