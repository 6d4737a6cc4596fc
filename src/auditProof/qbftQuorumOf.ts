/**
 * How many commit seals a block of `validators` validators needs: ⌈2n/3⌉, Besu's
 * `BftHelpers.calculateRequiredValidatorQuorum` (the node's `qbftQuorum`, which the SDK
 * cannot import); 1 for an empty set.
 *
 * @example
 * ```ts
 * qbftQuorumOf(4); // 3
 * qbftQuorumOf(7); // 5
 * ```
 */
export function qbftQuorumOf(validators: number): number {
  return validators === 0 ? 1 : Math.ceil((2 * validators) / 3);
}
