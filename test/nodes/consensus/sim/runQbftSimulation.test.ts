import { describe, expect, it } from "vitest";
import {
  createQbftState,
  type QbftEffect,
  type QbftStepResult,
  type QbftValidatorSet,
  qbftStep,
} from "../../../../nodes/consensus/core/index.ts";
import {
  defaultSimTimings,
  drawSimByzantineTactics,
  isSimSafetyViolation,
  runQbftSimulation,
  type SimCore,
  type SimFaultPlan,
  SimRandom,
  type SimResult,
  SimTally,
  simLivenessBoundMs,
} from "../../../../nodes/consensus/sim/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { quietSimFaultPlan } from "./quietSimFaultPlan.ts";

/** Seeds per validator count that CI runs (the 10,000-seed runs are `npm run sim`). */
const CI_SEEDS = 200;
const HEIGHTS = 6;

function failures(results: readonly SimResult[]): string[] {
  return results.flatMap((result) =>
    result.violations.map(
      (violation) =>
        `seed ${result.seed}: ${violation.kind} (node ${violation.node}) ${violation.detail}`,
    ),
  );
}

/** The first seed from 1 whose run shows a violation of `kind`, trying at most `limit`. */
function firstSeedFailing(
  kind: string,
  options: { validators: number; core: SimCore; limit: number },
): SimResult | undefined {
  for (let seed = 1; seed <= options.limit; seed++) {
    const result = runQbftSimulation({ ...options, seed, heights: HEIGHTS });
    if (result.violations.some((violation) => violation.kind === kind)) return result;
  }
  return undefined;
}

/** A core that filters or rewrites its own effects (a mutant living only in this test). */
function withEffects(map: (effects: readonly QbftEffect[]) => readonly QbftEffect[]): SimCore {
  const wrap = (result: QbftStepResult): QbftStepResult => ({
    state: result.state,
    effects: map(result.effects),
  });
  return {
    create: (config, start) => wrap(createQbftState(config, start)),
    step: (state, event) => wrap(qbftStep(state, event)),
  };
}

/** Mutant: every height's validator set claims a quorum one below ⌈2n/3⌉. */
function loweredQuorum(): SimCore {
  const lowered = new WeakSet<QbftValidatorSet>();
  const patch = (result: QbftStepResult): QbftStepResult => {
    const height = result.state.core?.height;
    if (height !== undefined && !lowered.has(height.validators)) {
      const validators = { ...height.validators, quorum: height.validators.quorum - 1 };
      lowered.add(validators);
      Object.assign(height, { validators });
    }
    return result;
  };
  return {
    create: (config, start) => patch(createQbftState(config, start)),
    step: (state, event) => patch(qbftStep(state, event)),
  };
}

describe.each([4, 7])("runQbftSimulation with %i validators", (validators) => {
  it(`keeps safety and liveness over ${CI_SEEDS} seeds of faults`, () => {
    const results: SimResult[] = [];
    const tally = new SimTally();
    for (let seed = 1; seed <= CI_SEEDS; seed++) {
      const result = runQbftSimulation({ validators, seed, heights: HEIGHTS });
      results.push(result);
      tally.add(result);
    }
    expect(failures(results)).toEqual([]);
    const summary = tally.summary();
    expect(summary.seeds).toBe(CI_SEEDS);
    // The seeds exercise what they claim to: faults of every kind, rounds past 0, evidence.
    const faults = results.map((result) => result.faults);
    expect(faults.some((fault) => fault.byzantine.length > 0)).toBe(true);
    expect(faults.some((fault) => fault.wiped.length > 0)).toBe(true);
    expect(faults.some((fault) => fault.partitions > 0 && fault.crashes > 0)).toBe(true);
    expect(summary.maxCommitRound).toBeGreaterThan(0);
    expect(summary.evidence).toBeGreaterThan(0);
    for (const result of results) expect(result.reached).toBeGreaterThanOrEqual(HEIGHTS);
  });

  it("replays a seed exactly, and different seeds differ", () => {
    const first = runQbftSimulation({ validators, seed: 7, heights: HEIGHTS });
    const again = runQbftSimulation({ validators, seed: 7, heights: HEIGHTS });
    expect(again).toEqual(first);
    const hashes = new Set(
      [7, 8, 9, 10].map(
        (seed) => runQbftSimulation({ validators, seed, heights: HEIGHTS }).traceHash,
      ),
    );
    expect(hashes.size).toBe(4);
  });
});

describe("the checkers catch planted bugs", () => {
  it("agreement fails when the quorum is one too low", () => {
    const found = firstSeedFailing("agreement", {
      validators: 4,
      core: loweredQuorum(),
      limit: 200,
    });
    expect(found?.violations.some(isSimSafetyViolation)).toBe(true);
  });

  it("validity fails when commits carry one seal too few", () => {
    const found = firstSeedFailing("validity", { validators: 7, core: loweredQuorum(), limit: 50 });
    expect(found?.violations.find((violation) => violation.kind === "validity")?.detail).toMatch(
      /commit seals, quorum/,
    );
  });

  it("liveness fails when validators never send round changes", () => {
    const core = withEffects((effects) =>
      effects.filter(
        (effect) => effect.type !== "broadcast" || effect.message.type !== "roundChange",
      ),
    );
    const found = firstSeedFailing("liveness", { validators: 4, core, limit: 200 });
    expect(found?.ok).toBe(false);
  });

  it("signing fails when a validator restarts without its signing record", () => {
    const core: SimCore = {
      create: (config, start) => createQbftState(config, { ...start, record: undefined }),
      step: qbftStep,
    };
    expect(firstSeedFailing("signing", { validators: 4, core, limit: 200 })).toBeDefined();
  });
});

describe("runQbftSimulation on scenarios", () => {
  it("keeps liveness without the absent-proposer shortcut, on seeds that once deadlocked the core", () => {
    // Before validators waited for a quorum at their round, these seeds (4 validators, one
    // Byzantine) left one honest validator a round ahead of the other two for good: with
    // capped timeouts they all climbed at one pace and no round ever held a quorum.
    const timings = {
      roundTimeout: { ...defaultSimTimings.roundTimeout, absentProposerMs: 16_000 },
    };
    for (const seed of [28, 262, 622]) {
      const result = runQbftSimulation({ validators: 4, seed, heights: HEIGHTS, timings });
      expect(failures([result])).toEqual([]);
    }
  });

  it("runs a given fault plan: two honest validators down together while a silent Byzantine one never helps", () => {
    const silent = { ...drawSimByzantineTactics(new SimRandom(1)), silent: true };
    const plan: SimFaultPlan = {
      ...quietSimFaultPlan(60_000),
      byzantine: new Map([[3, silent]]),
      crashes: [
        { node: 1, at: 2_500, restartAt: 45_000, afterPersist: false, wipe: false },
        { node: 2, at: 2_600, restartAt: 52_000, afterPersist: true, wipe: false },
      ],
    };
    const lines: string[] = [];
    const result = runQbftSimulation({
      validators: 4,
      seed: 9,
      heights: 4,
      plan,
      log: (line) => lines.push(line),
    });
    expect(failures([result])).toEqual([]);
    expect(result.faults).toMatchObject({ healAt: 60_000, byzantine: [3], crashes: 2 });
    expect(lines.some((line) => line.includes("node 3 is Byzantine: silent"))).toBe(true);
    expect(
      lines.some(
        (line) => line.includes("node 2 crashes") && line.includes("right after its next persist"),
      ),
    ).toBe(true);
    expect(result.longestWaitMs).toBeLessThanOrEqual(simLivenessBoundMs(4, defaultSimTimings));
  });

  it("refuses a plan outside the model: more than f faulty, a wipe of an honest validator, a crash of a Byzantine one", () => {
    const quiet = quietSimFaultPlan(1_000);
    const tactics = drawSimByzantineTactics(new SimRandom(2));
    const crash = { node: 0, at: 10, restartAt: 20, afterPersist: false, wipe: false };
    for (const plan of [
      { ...quiet, byzantine: new Map([[0, tactics]]), wiped: [1] },
      { ...quiet, crashes: [{ ...crash, wipe: true }] },
      { ...quiet, byzantine: new Map([[0, tactics]]), crashes: [crash] },
      { ...quiet, wiped: [9] },
      { ...quiet, dropRate: 2 },
    ]) {
      expectCustosError(
        () => runQbftSimulation({ validators: 4, seed: 1, heights: 1, plan }),
        "INVALID_ARGUMENT",
      );
    }
  });
});

describe("runQbftSimulation's options", () => {
  it("refuses out-of-range runs", () => {
    expectCustosError(
      () => runQbftSimulation({ validators: 0, seed: 1, heights: 1 }),
      "INVALID_ARGUMENT",
    );
    expectCustosError(
      () => runQbftSimulation({ validators: 4, seed: -1, heights: 1 }),
      "INVALID_ARGUMENT",
    );
    expectCustosError(
      () => runQbftSimulation({ validators: 4, seed: 1, heights: 0 }),
      "INVALID_ARGUMENT",
    );
  });

  it("reaches the heights asked for on a clean network, at round 0", () => {
    const budget = {
      faulty: 0,
      crashes: 0,
      partitions: 0,
      linkCuts: 0,
      faultWindowMs: 2_000,
      dropRate: 0,
      slowRate: 0,
    };
    const result = runQbftSimulation({ validators: 4, seed: 3, heights: 10, budget });
    expect(result.ok).toBe(true);
    expect(result.reached).toBeGreaterThanOrEqual(10);
    expect(result.maxCommitRound).toBe(0);
  });
});
