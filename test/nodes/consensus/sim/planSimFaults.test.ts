import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { qbftMaxFaulty } from "../../../../nodes/consensus/core/index.ts";
import {
  defaultSimFaultBudget,
  planSimFaults,
  SimRandom,
} from "../../../../nodes/consensus/sim/index.ts";

describe("planSimFaults", () => {
  it("stays within the budget: at most f faulty, faults over by the heal, no crash of a Byzantine validator, a wipe only for a wiped one (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.nat(0xffffffff), (validators, seed) => {
        const budget = defaultSimFaultBudget(validators);
        const plan = planSimFaults(new SimRandom(seed), validators, budget);
        const byzantine = [...plan.byzantine.keys()];
        expect(byzantine.length + plan.wiped.length).toBeLessThanOrEqual(qbftMaxFaulty(validators));
        for (const node of plan.wiped) expect(byzantine).not.toContain(node);
        expect(plan.healAt).toBeLessThanOrEqual(budget.faultWindowMs);
        for (const crash of plan.crashes) {
          expect(byzantine).not.toContain(crash.node);
          expect(crash.wipe ? plan.wiped.includes(crash.node) : true).toBe(true);
          expect(crash.at).toBeLessThan(crash.restartAt);
          expect(crash.restartAt).toBeLessThanOrEqual(plan.healAt);
        }
        const nonWipeCrashes = plan.crashes.filter((crash) => !crash.wipe).length;
        expect(nonWipeCrashes).toBeLessThanOrEqual(budget.crashes);
        for (const window of [...plan.partitions, ...plan.cuts]) {
          expect(window.start).toBeGreaterThanOrEqual(0);
          expect(window.end).toBeLessThanOrEqual(plan.healAt);
        }
        for (const partition of plan.partitions) {
          expect(partition.side.length).toBeGreaterThan(0);
          expect(partition.side.length).toBeLessThan(validators);
        }
        for (const cut of plan.cuts) expect(cut.from).not.toBe(cut.to);
        expect(plan.dropRate).toBeLessThanOrEqual(budget.dropRate);
        expect(plan.duplicateRate).toBeLessThanOrEqual(budget.duplicateRate);
        expect(plan.slowRate).toBeLessThanOrEqual(budget.slowRate);
      }),
    );
  });

  it("is a function of the seed", () => {
    const plan = (seed: number) => planSimFaults(new SimRandom(seed), 7, defaultSimFaultBudget(7));
    expect(plan(5)).toEqual(plan(5));
    expect(plan(5)).not.toEqual(plan(6));
  });

  it("draws every kind of fault over some seeds", () => {
    const plans = Array.from({ length: 200 }, (_, seed) =>
      planSimFaults(new SimRandom(seed), 7, defaultSimFaultBudget(7)),
    );
    expect(plans.some((plan) => plan.byzantine.size === 2)).toBe(true);
    expect(plans.some((plan) => plan.wiped.length > 0 && plan.byzantine.size > 0)).toBe(true);
    expect(plans.some((plan) => plan.crashes.some((crash) => crash.afterPersist))).toBe(true);
    expect(plans.some((plan) => plan.healAt === 0)).toBe(true);
    const tactics = plans.flatMap((plan) => [...plan.byzantine.values()]);
    for (const key of [
      "silent",
      "badSeals",
      "invalidBlocks",
      "bogusRoundChanges",
      "forgedProposals",
      "replays",
    ] as const) {
      expect(tactics.some((tactic) => tactic[key])).toBe(true);
    }
    expect(tactics.some((tactic) => tactic.equivocate > 0)).toBe(true);
  });

  it("honours a smaller budget", () => {
    for (let seed = 0; seed < 100; seed++) {
      const plan = planSimFaults(new SimRandom(seed), 7, {
        ...defaultSimFaultBudget(7),
        faulty: 0,
        crashes: 0,
      });
      expect(plan.byzantine.size + plan.wiped.length).toBe(0);
      expect(plan.crashes).toEqual([]);
    }
  });
});
