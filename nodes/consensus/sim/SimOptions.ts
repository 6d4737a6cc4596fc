import { CustosError } from "../../../src/errors/index.ts";
import { qbftSimCore, type SimCore } from "./SimCore.ts";
import { defaultSimFaultBudget, type SimFaultBudget } from "./SimFaultBudget.ts";
import { checkSimFaultPlan, type SimFaultPlan } from "./SimFaultPlan.ts";
import { defaultSimTimings, type SimTimings } from "./SimTimings.ts";

/** One run: (validators, seed, heights, fault budget), and how to carry it out. */
export interface SimOptions {
  /** Validators, 1 to 64. */
  readonly validators: number;
  /** 0 to 2^32 − 1: the same seed replays the same run. */
  readonly seed: number;
  /**
   * Height every non-Byzantine node must reach (at least two heights past the heal are
   * always required as well), 1 to 1,000.
   */
  readonly heights: number;
  /** Overrides of {@link defaultSimFaultBudget}. */
  readonly budget?: Partial<SimFaultBudget>;
  /** Overrides of {@link defaultSimTimings}. */
  readonly timings?: Partial<SimTimings>;
  /**
   * A fault plan to run instead of the one the seed draws (the seed still draws every
   * delay): for a scenario a test wants exactly.
   */
  readonly plan?: SimFaultPlan;
  /** The core to run (default: the real one). */
  readonly core?: SimCore;
  /** Items the event loop may process before the run counts as a runaway (default 5 M). */
  readonly maxEvents?: number;
  /** Receives a line per notable event (faults, commits, syncs). */
  readonly log?: (line: string) => void;
}

/** {@link SimOptions} checked and completed. */
export interface SimSettings {
  readonly validators: number;
  readonly seed: number;
  readonly heights: number;
  readonly budget: SimFaultBudget;
  readonly timings: SimTimings;
  readonly core: SimCore;
  readonly plan: SimFaultPlan | undefined;
  readonly maxEvents: number;
  readonly log: ((line: string) => void) | undefined;
}

function integer(value: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CustosError("INVALID_ARGUMENT", `${field} must be an integer from ${min} to ${max}`, {
      details: { field, value },
    });
  }
  return value;
}

/**
 * Checks a run's options and fills in the defaults.
 *
 * @throws CustosError `INVALID_ARGUMENT` when validators, seed, heights or maxEvents are out
 *   of range, or a given fault plan does not fit the model ({@link checkSimFaultPlan}).
 * @example
 * ```ts
 * const settings = resolveSimOptions({ validators: 4, seed: 1, heights: 6 });
 * settings.budget.faulty; // 1
 * ```
 */
export function resolveSimOptions(options: SimOptions): SimSettings {
  const validators = integer(options.validators, "validators", 1, 64);
  if (options.plan !== undefined) checkSimFaultPlan(options.plan, validators);
  return {
    validators,
    seed: integer(options.seed, "seed", 0, 0xffffffff),
    heights: integer(options.heights, "heights", 1, 1_000),
    budget: { ...defaultSimFaultBudget(validators), ...options.budget },
    timings: { ...defaultSimTimings, ...options.timings },
    core: options.core ?? qbftSimCore,
    plan: options.plan,
    maxEvents: integer(options.maxEvents ?? 5_000_000, "maxEvents", 1, Number.MAX_SAFE_INTEGER),
    log: options.log,
  };
}
