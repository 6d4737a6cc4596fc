/**
 * The most a seed's fault plan may contain; the plan draws what it uses within these bounds.
 * Faults other than Byzantine behaviour last only until the plan's heal time.
 */
export interface SimFaultBudget {
  /**
   * Validators that may be faulty: Byzantine, or with their storage wiped (a wiped validator
   * forgot what it signed, so it may sign twice). Capped at f = ⌊(n − 1)/3⌋.
   */
  readonly faulty: number;
  /** Crashes of validators that keep their storage (not faulty: they restart from it). */
  readonly crashes: number;
  /** Network partitions (two sides cut from each other for a while). */
  readonly partitions: number;
  /** One-way links cut for a while. */
  readonly linkCuts: number;
  /** The longest the fault phase lasts, in virtual milliseconds. */
  readonly faultWindowMs: number;
  /** Highest per-message drop probability while faults last. */
  readonly dropRate: number;
  /** Highest per-message duplication probability. */
  readonly duplicateRate: number;
  /** Highest probability that a message is slow while faults last. */
  readonly slowRate: number;
}

/**
 * The full budget for `validators` validators: f faulty, as many crashes as validators, 3
 * partitions, 4 cut links, up to 40 s of faults, up to 20 % of messages dropped, 10 %
 * duplicated and 20 % slow.
 *
 * @example
 * ```ts
 * defaultSimFaultBudget(4).faulty; // 1
 * ```
 */
export function defaultSimFaultBudget(validators: number): SimFaultBudget {
  return {
    faulty: Math.max(0, Math.floor((validators - 1) / 3)),
    crashes: validators,
    partitions: 3,
    linkCuts: 4,
    faultWindowMs: 40_000,
    dropRate: 0.2,
    duplicateRate: 0.1,
    slowRate: 0.2,
  };
}
