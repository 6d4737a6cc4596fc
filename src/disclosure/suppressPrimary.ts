import { cellStatus } from "./cellStatus.ts";
import type { CountTable } from "./createCountTable.ts";
import type { DisclosurePolicy } from "./resolveDisclosurePolicy.ts";

/**
 * Primary suppression: marks every extended cell (interior or margin) whose count is in
 * `1 … minCellSize − 1`, and zero cells too when `releaseZeros` is false. Margins are
 * checked like cells because a small total is as disclosive as a small cell.
 *
 * @example
 * ```ts
 * const status = suppressPrimary(table, resolveDisclosurePolicy());
 * status[0] === cellStatus.primary; // when the first cell holds 1..10
 * ```
 */
export function suppressPrimary(
  table: CountTable,
  policy: Pick<DisclosurePolicy, "minCellSize" | "releaseZeros">,
): Uint8Array {
  const { values } = table;
  const status = new Uint8Array(values.length);
  const min = policy.minCellSize;
  const zeroSuppressed = !policy.releaseZeros;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if ((v > 0 && v < min) || (v === 0 && zeroSuppressed)) status[i] = cellStatus.primary;
  }
  return status;
}
