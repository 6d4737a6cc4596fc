import type { SimFaultPlan } from "../../../../nodes/consensus/sim/index.ts";

/**
 * A fault plan with no faults, healed at `healAt`: tests spread it and add the faults they
 * study.
 *
 * @example
 * ```ts
 * const plan = { ...quietSimFaultPlan(1_000), wiped: [1] };
 * ```
 */
export function quietSimFaultPlan(healAt: number): SimFaultPlan {
  return {
    healAt,
    byzantine: new Map(),
    wiped: [],
    crashes: [],
    partitions: [],
    cuts: [],
    dropRate: 0,
    duplicateRate: 0,
    slowRate: 0,
  };
}
