import { compareBytes, equalBytes } from "./qbftBytes.ts";

/**
 * The proposer of (height, round), as Besu's `BftProposerSelector` with `changeEachBlock`
 * (what QBFT uses): `validators` is the height's set sorted ascending by address and
 * `previousProposer` the proposer (coinbase) of the parent block.
 *
 * - When the previous proposer is still a validator at index i, the proposer is
 *   `validators[(i + 1 + round) mod n]`.
 * - When it is not (voted out, or the genesis coinbase), Besu starts from the first validator
 *   above it (wrapping to the first) and adds only the round: `validators[(j + round) mod n]`
 *   with j the index the previous proposer would be inserted at. So the "+1" is already in j:
 *   the previous proposer is counted as sitting just before its successor.
 *
 * @example
 * ```ts
 * selectQbftProposer([a, b, c, d], b, 0); // c
 * selectQbftProposer([a, b, c, d], b, 3); // b
 * ```
 */
export function selectQbftProposer(
  validators: readonly Uint8Array[],
  previousProposer: Uint8Array,
  round: number,
): Uint8Array {
  const n = validators.length;
  const index = validators.findIndex((validator) => equalBytes(validator, previousProposer));
  let first: number;
  if (index >= 0) {
    first = index + 1;
  } else {
    first = validators.findIndex((validator) => compareBytes(validator, previousProposer) > 0);
    if (first < 0) first = 0;
  }
  return validators[(first + (round % n)) % n] as Uint8Array;
}
