import { CustosError, type ErrorDetails } from "../../../src/errors/index.ts";

/**
 * A `QBFT_EXTRA_DATA_INVALID` error naming the field at fault and why.
 *
 * @example
 * ```ts
 * throw extraDataInvalid("round", "has a leading zero byte");
 * ```
 */
export function extraDataInvalid(
  field: string,
  reason: string,
  details: ErrorDetails = {},
): CustosError {
  return new CustosError("QBFT_EXTRA_DATA_INVALID", `QBFT extraData ${field} ${reason}`, {
    details: { field, reason, ...details },
  });
}

/**
 * A `QBFT_SEAL_INVALID` error naming the rule that failed, the block and why.
 *
 * @example
 * ```ts
 * throw sealInvalid("quorum", "2 committers, 3 needed", { number: "7", committers: 2 });
 * ```
 */
export function sealInvalid(
  rule: string,
  reason: string,
  details: ErrorDetails,
  cause?: unknown,
): CustosError {
  return new CustosError("QBFT_SEAL_INVALID", `QBFT block seal check failed (${rule}): ${reason}`, {
    details: { rule, reason, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * A `BLOCK_INVALID` error for bytes or JSON that do not make a block header (field `header`).
 *
 * @example
 * ```ts
 * throw headerInvalid("14 fields, none of 15, 16, 17, 20 or 21");
 * ```
 */
export function headerInvalid(reason: string, cause?: unknown): CustosError {
  return new CustosError("BLOCK_INVALID", `not a block header: ${reason}`, {
    details: { field: "header", reason },
    ...(cause === undefined ? {} : { cause }),
  });
}
