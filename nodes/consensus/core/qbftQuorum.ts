import { CustosError } from "../../../src/errors/index.ts";

function checkCount(validators: number): void {
  if (!Number.isSafeInteger(validators) || validators < 0) {
    throw new CustosError("INVALID_ARGUMENT", "a validator count must be a non-negative integer", {
      details: { field: "validators", value: validators },
    });
  }
}

/**
 * How many commit seals (and PREPARE/COMMIT messages) a block of `validators` validators
 * needs: ⌈2n/3⌉, Besu's `BftHelpers.calculateRequiredValidatorQuorum` (the Dafny spec's
 * `(2n − 1) / 3 + 1` is the same number). With no validators it is 1, as Besu's integer
 * arithmetic has it, so an empty set seals nothing.
 *
 * @throws CustosError `INVALID_ARGUMENT` when `validators` is not a non-negative integer.
 * @example
 * ```ts
 * qbftQuorum(4); // 3
 * qbftQuorum(7); // 5
 * ```
 */
export function qbftQuorum(validators: number): number {
  checkCount(validators);
  return validators === 0 ? 1 : Math.ceil((2 * validators) / 3);
}

/**
 * How many faulty validators a set of `validators` tolerates: f = ⌊(n − 1)/3⌋ (0 for an
 * empty set). f + 1 is Besu's `calculateRequiredFutureRCQuorum`: that many round changes
 * for higher rounds include one from an honest validator.
 *
 * @throws CustosError `INVALID_ARGUMENT` when `validators` is not a non-negative integer.
 * @example
 * ```ts
 * qbftMaxFaulty(4); // 1
 * qbftMaxFaulty(3); // 0
 * ```
 */
export function qbftMaxFaulty(validators: number): number {
  checkCount(validators);
  return validators === 0 ? 0 : Math.floor((validators - 1) / 3);
}
