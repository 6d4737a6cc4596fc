import { CustosError } from "../errors/index.ts";

/**
 * The error of a malformed export input: `field` names it, `reason` says what is wrong.
 *
 * @example
 * ```ts
 * throw exportInputInvalid("context.chainId", "must be a positive safe integer");
 * ```
 */
export function exportInputInvalid(field: string, reason: string): CustosError {
  return new CustosError("AUDIT_EXPORT_INPUT_INVALID", `${field} ${reason}`, {
    details: { field, reason },
  });
}
