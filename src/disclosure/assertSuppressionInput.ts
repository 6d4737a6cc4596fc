import { CustosError } from "../errors/index.ts";
import type { CountTable } from "./createCountTable.ts";

/**
 * Validates the arguments shared by the suppression and audit functions: a status array
 * parallel to the table and a positive integer protection interval.
 *
 * @throws CustosError `DISCLOSURE_INVALID_TABLE` if the status length differs from the
 * table's; `DISCLOSURE_POLICY_INVALID` if the interval is not a positive integer.
 * @example
 * ```ts
 * assertSuppressionInput(table, status, 10);
 * ```
 */
export function assertSuppressionInput(
  table: CountTable,
  status: Uint8Array,
  protectionInterval: number,
): void {
  if (!(status instanceof Uint8Array) || status.length !== table.values.length) {
    throw new CustosError("DISCLOSURE_INVALID_TABLE", "status must parallel the table values", {
      details: { field: "status", expected: table.values.length, actual: status?.length },
    });
  }
  if (!Number.isSafeInteger(protectionInterval) || protectionInterval < 1) {
    throw new CustosError("DISCLOSURE_POLICY_INVALID", "protectionInterval: must be >= 1", {
      details: { field: "protectionInterval", value: String(protectionInterval) },
    });
  }
}
