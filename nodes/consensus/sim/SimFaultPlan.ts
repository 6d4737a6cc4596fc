import { CustosError } from "../../../src/errors/index.ts";
import { qbftMaxFaulty } from "../core/index.ts";
import { drawSimByzantineTactics, type SimByzantineTactics } from "./SimByzantineTactics.ts";
import type { SimFaultBudget } from "./SimFaultBudget.ts";
import type { SimRandom } from "./SimRandom.ts";

/** A validator going down at `at` and coming back at `restartAt`. */
export interface SimCrash {
  readonly node: number;
  readonly at: number;
  readonly restartAt: number;
  /**
   * Crash right after the node's next `persist` from `at` on (its record is durable, the
   * sends that followed are lost), rather than between two events.
   */
  readonly afterPersist: boolean;
  /** Its storage is lost: chain and signing record (only for a validator counted faulty). */
  readonly wipe: boolean;
}

/** Two sides cut from each other from `start` to `end`. */
export interface SimPartition {
  readonly start: number;
  readonly end: number;
  /** The nodes on one side; the others are on the other. */
  readonly side: readonly number[];
}

/** Messages from `from` to `to` are lost from `start` to `end` (also those in flight). */
export interface SimLinkCut {
  readonly from: number;
  readonly to: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Everything that goes wrong in one run, drawn from the seed. Byzantine validators misbehave
 * for the whole run; every other fault is over by `healAt`, from when the network delivers
 * every message within the latency range and every crashed node is back.
 */
export interface SimFaultPlan {
  readonly healAt: number;
  /** Byzantine validators (by node index) and how each misbehaves. */
  readonly byzantine: ReadonlyMap<number, SimByzantineTactics>;
  /**
   * Validators whose storage is wiped at their crash with `wipe`: chain and signing record
   * are lost together, so on restart such a validator may sign a second, different message
   * at a height and round it had signed before (the hazard `QbftSigningRecord` guards
   * against). It is therefore counted faulty: Byzantine and wiped validators together are
   * never more than f. A validator that keeps its storage is never counted faulty, however
   * often it crashes.
   */
  readonly wiped: readonly number[];
  readonly crashes: readonly SimCrash[];
  readonly partitions: readonly SimPartition[];
  readonly cuts: readonly SimLinkCut[];
  /** Per-message probabilities while faults last (duplicates also after). */
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly slowRate: number;
}

/** An interval [start, end) inside the fault phase, ending by `healAt`. */
function interval(random: SimRandom, healAt: number, longest: number) {
  const start = random.int(0, healAt - 1);
  return { start, end: Math.min(healAt, start + random.int(200, longest)) };
}

/**
 * Draws a seed's faults within `budget`: 0 to min(budget, f) faulty validators, each
 * Byzantine (three times in five) or wiped; one seed in ten has a clean network; otherwise
 * the fault phase lasts 2 s to the budget's window, with crashes of any validator but a
 * Byzantine one (half of them right after a `persist`), partitions, cut links and drop,
 * duplicate and slow rates up to the budget's. A wiped validator crashes once with its
 * storage lost. Crashed validators are back by the heal.
 *
 * @example
 * ```ts
 * const plan = planSimFaults(new SimRandom(7), 4, defaultSimFaultBudget(4));
 * ```
 */
export function planSimFaults(
  random: SimRandom,
  validators: number,
  budget: SimFaultBudget,
): SimFaultPlan {
  const nodes = Array.from({ length: validators }, (_, index) => index);
  const faultyCount = random.int(0, Math.min(budget.faulty, qbftMaxFaulty(validators)));
  const faulty = random.shuffle(nodes).slice(0, faultyCount);
  const byzantine = new Map<number, SimByzantineTactics>();
  const wiped: number[] = [];
  for (const node of faulty) {
    if (random.chance(0.6)) byzantine.set(node, drawSimByzantineTactics(random));
    else wiped.push(node);
  }
  const clean = wiped.length === 0 && random.chance(0.1);
  const healAt = clean ? 0 : random.int(2_000, Math.max(2_000, budget.faultWindowMs));
  const crashes: SimCrash[] = [];
  const partitions: SimPartition[] = [];
  const cuts: SimLinkCut[] = [];
  if (healAt > 0) {
    const crashable = nodes.filter((node) => !byzantine.has(node));
    const crashCount = crashable.length === 0 ? 0 : random.int(0, budget.crashes);
    for (let i = 0; i < crashCount; i++) {
      const { start, end } = interval(random, healAt, 30_000);
      const node = random.pick(crashable);
      crashes.push({
        node,
        at: start,
        restartAt: end,
        afterPersist: random.chance(0.5),
        wipe: false,
      });
    }
    for (const node of wiped) {
      const { start, end } = interval(random, healAt, 20_000);
      crashes.push({
        node,
        at: start,
        restartAt: end,
        afterPersist: random.chance(0.5),
        wipe: true,
      });
    }
    const partitionCount = validators < 2 ? 0 : random.int(0, budget.partitions);
    for (let i = 0; i < partitionCount; i++) {
      const side = random.shuffle(nodes).slice(0, random.int(1, validators - 1));
      partitions.push({ ...interval(random, healAt, 20_000), side: side.sort((a, b) => a - b) });
    }
    const cutCount = validators < 2 ? 0 : random.int(0, budget.linkCuts);
    for (let i = 0; i < cutCount; i++) {
      const [from, to] = random.shuffle(nodes) as [number, number];
      cuts.push({ from, to, ...interval(random, healAt, 20_000) });
    }
  }
  return {
    healAt,
    byzantine,
    wiped,
    crashes,
    partitions,
    cuts,
    dropRate: healAt === 0 ? 0 : random.float() * budget.dropRate,
    duplicateRate: random.float() * budget.duplicateRate,
    slowRate: healAt === 0 ? 0 : random.float() * budget.slowRate,
  };
}

function invalid(field: string, message: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", `fault plan: ${message}`, { details: { field } });
}

/**
 * Checks a hand-made fault plan against the simulator's model: node indices in range, at
 * most f validators faulty (Byzantine and wiped together, never both), no crash of a
 * Byzantine validator, storage wiped only for a wiped one, each crash ending after it starts,
 * probabilities within [0, 1].
 *
 * @throws CustosError `INVALID_ARGUMENT`, details naming the field.
 * @example
 * ```ts
 * checkSimFaultPlan(plan, 4);
 * ```
 */
export function checkSimFaultPlan(plan: SimFaultPlan, validators: number): void {
  const inRange = (node: number) => Number.isInteger(node) && node >= 0 && node < validators;
  const byzantine = [...plan.byzantine.keys()];
  if (![...byzantine, ...plan.wiped].every(inRange))
    throw invalid("byzantine", "a faulty node is out of range");
  if (plan.wiped.some((node) => plan.byzantine.has(node)))
    throw invalid("wiped", "a node is both wiped and Byzantine");
  if (new Set([...byzantine, ...plan.wiped]).size > qbftMaxFaulty(validators)) {
    throw invalid("wiped", `more than f = ${qbftMaxFaulty(validators)} faulty validators`);
  }
  for (const crash of plan.crashes) {
    if (!inRange(crash.node) || plan.byzantine.has(crash.node))
      throw invalid("crashes", "a crash of a Byzantine or unknown node");
    if (crash.wipe && !plan.wiped.includes(crash.node))
      throw invalid("crashes", "storage wiped on a validator not counted faulty");
    if (!(crash.at < crash.restartAt))
      throw invalid("crashes", "a crash that ends before it starts");
  }
  for (const cut of plan.cuts)
    if (!inRange(cut.from) || !inRange(cut.to)) throw invalid("cuts", "a link to an unknown node");
  for (const partition of plan.partitions)
    if (!partition.side.every(inRange)) throw invalid("partitions", "an unknown node");
  for (const rate of [plan.dropRate, plan.duplicateRate, plan.slowRate]) {
    if (!(rate >= 0 && rate <= 1)) throw invalid("dropRate", "a probability outside [0, 1]");
  }
  if (!(plan.healAt >= 0)) throw invalid("healAt", "a negative heal time");
}
