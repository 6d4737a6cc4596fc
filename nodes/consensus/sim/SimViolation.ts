/**
 * What a checker can find. Safety: `agreement` (two different blocks committed at one height
 * on non-Byzantine nodes), `validity` (a committed block that does not verify: wrong parent,
 * too few or foreign commit seals, not proposed by its round's proposer, not built by a
 * proposer, or failing execution), `signing` (an honest validator signed two different
 * payloads for one height, round and type), `accusation` (an honest validator named in
 * evidence, or its message dropped for a reason that scores its peer down), `crash` (a core
 * threw). Liveness: `liveness` (after the heal, a non-Byzantine
 * node went longer than the bound without its next block), `runaway` (the run's event budget
 * ran out).
 */
export type SimViolationKind =
  | "agreement"
  | "validity"
  | "signing"
  | "accusation"
  | "crash"
  | "liveness"
  | "runaway";

/** A checker's finding: what, when and where. */
export interface SimViolation {
  readonly kind: SimViolationKind;
  /** Virtual time, milliseconds. */
  readonly time: number;
  /** The node it concerns (-1 for the whole network). */
  readonly node: number;
  readonly height: bigint;
  readonly detail: string;
}

/**
 * Whether a violation breaks safety (else it is a liveness failure).
 *
 * @example
 * ```ts
 * const unsafe = result.violations.filter(isSimSafetyViolation);
 * ```
 */
export function isSimSafetyViolation(violation: SimViolation): boolean {
  return violation.kind !== "liveness" && violation.kind !== "runaway";
}
