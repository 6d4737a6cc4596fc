import { describe, expect, it } from "vitest";
import { ProgressRate } from "../../src/consentImport/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("ProgressRate", () => {
  it("knows no rate before two samples span some time", () => {
    const rate = new ProgressRate(10_000);
    expect(rate.estimate(0, 100)).toEqual({ perSecond: undefined, etaSeconds: undefined });
    rate.record(0, 0);
    expect(rate.estimate(0, 100)).toEqual({ perSecond: undefined, etaSeconds: undefined });
  });

  it("gives the rate over the recent window, not since the start", () => {
    const rate = new ProgressRate(10_000);
    rate.record(0, 0);
    // A slow start: 100 rows in the first 20 s …
    rate.record(20_000, 100);
    // … then 1,000 rows/s for 20 s, sampled every second.
    for (let s = 21; s <= 40; s++) rate.record(s * 1000, 100 + (s - 20) * 1000);
    const { perSecond, etaSeconds } = rate.estimate(40_000, 40_100);
    expect(perSecond).toBe(1000);
    expect(etaSeconds).toBe(20);
  });

  it("keeps one sample before the window so the rate spans the whole window", () => {
    const rate = new ProgressRate(10_000);
    rate.record(0, 0);
    rate.record(5_000, 500);
    rate.record(25_000, 2_500);
    // The window [15 s, 25 s] holds one sample: the rate reaches back to the one before it.
    expect(rate.estimate(25_000, 5_000).perSecond).toBe(100);
  });

  it("lets the rate decay and the ETA grow while nothing lands", () => {
    const rate = new ProgressRate(10_000);
    rate.record(0, 0);
    rate.record(10_000, 1_000);
    expect(rate.estimate(10_000, 2_000)).toEqual({ perSecond: 100, etaSeconds: 10 });
    expect(rate.estimate(20_000, 2_000)).toEqual({ perSecond: 50, etaSeconds: 20 });
  });

  it("says 0 s when everything is done and no ETA when the rate is zero", () => {
    const rate = new ProgressRate(10_000);
    rate.record(0, 5);
    rate.record(1_000, 5);
    expect(rate.estimate(1_000, 10)).toEqual({ perSecond: 0, etaSeconds: undefined });
    expect(rate.estimate(1_000, 5)).toEqual({ perSecond: 0, etaSeconds: 0 });
  });

  it("keeps a bounded number of samples however many are recorded", () => {
    const rate = new ProgressRate(1_000);
    for (let t = 0; t <= 1_000_000; t += 10) rate.record(t, t);
    expect(rate.estimate(1_000_000, 2_000_000)).toEqual({ perSecond: 1000, etaSeconds: 1000 });
  });

  it("refuses a window that is not a positive number", () => {
    expectCustosError(() => new ProgressRate(0), "INVALID_ARGUMENT");
    expectCustosError(() => new ProgressRate(Number.NaN), "INVALID_ARGUMENT");
  });
});
