import { describe, expect, it } from "vitest";
import {
  defaultSimTimings,
  type SimFaultPlan,
  SimNetwork,
  SimRandom,
} from "../../../../nodes/consensus/sim/index.ts";
import { quietSimFaultPlan } from "./quietSimFaultPlan.ts";

const quiet = quietSimFaultPlan(10_000);

function network(plan: Partial<SimFaultPlan>, seed = 1): SimNetwork {
  return new SimNetwork({ ...quiet, ...plan }, defaultSimTimings, new SimRandom(seed));
}

describe("SimNetwork", () => {
  it("delivers every message once within the latency range on a quiet network", () => {
    const net = network({});
    const [min, max] = defaultSimTimings.latencyMs;
    for (let i = 0; i < 1_000; i++) {
      const delays = net.route(0, 1, i);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThanOrEqual(min);
      expect(delays[0]).toBeLessThanOrEqual(max);
    }
  });

  it("cuts a partition's two sides apart, both ways, only while it lasts", () => {
    const net = network({ partitions: [{ start: 100, end: 200, side: [0, 2] }] });
    expect(net.linked(0, 1, 150)).toBe(false);
    expect(net.linked(1, 0, 150)).toBe(false);
    expect(net.linked(0, 2, 150)).toBe(true);
    expect(net.linked(1, 3, 150)).toBe(true);
    expect(net.linked(0, 1, 99)).toBe(true);
    expect(net.linked(0, 1, 200)).toBe(true);
    expect(net.route(0, 1, 150)).toEqual([]);
  });

  it("cuts a link one way", () => {
    const net = network({ cuts: [{ from: 2, to: 3, start: 0, end: 500 }] });
    expect(net.linked(2, 3, 10)).toBe(false);
    expect(net.linked(3, 2, 10)).toBe(true);
  });

  it("drops, duplicates and slows messages at about their rates while faults last, and stops dropping at the heal", () => {
    const net = network({ dropRate: 0.3, duplicateRate: 0.2, slowRate: 0.25 });
    let lost = 0;
    let doubled = 0;
    let slow = 0;
    const samples = 20_000;
    for (let i = 0; i < samples; i++) {
      const delays = net.route(0, 1, 5_000);
      if (delays.length === 0) lost++;
      if (delays.length === 2) doubled++;
      if (delays.some((delay) => delay > defaultSimTimings.latencyMs[1])) slow++;
    }
    expect(lost / samples).toBeCloseTo(0.3, 1);
    expect(doubled / (samples - lost)).toBeCloseTo(0.2, 1);
    expect(slow / (samples - lost)).toBeGreaterThan(0.2);
    for (let i = 0; i < 2_000; i++) {
      const delays = net.route(0, 1, 10_000 + i);
      expect(delays.length).toBeGreaterThan(0);
      for (const delay of delays) expect(delay).toBeLessThanOrEqual(defaultSimTimings.latencyMs[1]);
    }
  });

  it("heals every partition and cut at the heal", () => {
    const net = network({
      healAt: 1_000,
      partitions: [{ start: 0, end: 5_000, side: [0] }],
      cuts: [{ from: 1, to: 0, start: 0, end: 5_000 }],
    });
    expect(net.linked(0, 1, 999)).toBe(false);
    expect(net.linked(0, 1, 1_000)).toBe(true);
    expect(net.linked(1, 0, 1_000)).toBe(true);
  });
});
