import { CustosError } from "../errors/index.ts";
import type { TrustAnchor } from "./TrustAnchor.ts";

const ADDRESS = /^0x[0-9a-f]{40}$/;

function invalid(field: string, reason: string): CustosError {
  return new CustosError("INVALID_ARGUMENT", `trust anchor ${field} ${reason}`, {
    details: { field: `anchor.${field}`, reason },
  });
}

/**
 * Checks that `anchor` is a well-formed {@link TrustAnchor}: a positive safe-integer chain
 * id, a lowercase Consortium address, a non-empty ascending set of distinct lowercase
 * validator addresses and a non-negative safe-integer `fromBlock`.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field.
 * @example
 * ```ts
 * checkTrustAnchor(anchor);
 * ```
 */
export function checkTrustAnchor(anchor: TrustAnchor): void {
  if (!Number.isSafeInteger(anchor.chainId) || anchor.chainId < 1) {
    throw invalid("chainId", "is not a positive integer");
  }
  if (typeof anchor.consortium !== "string" || !ADDRESS.test(anchor.consortium)) {
    throw invalid("consortium", "is not a lowercase 20-byte hex address");
  }
  if (!Array.isArray(anchor.validators) || anchor.validators.length === 0) {
    throw invalid("validators", "is not a non-empty list");
  }
  anchor.validators.forEach((validator, i) => {
    if (typeof validator !== "string" || !ADDRESS.test(validator)) {
      throw invalid(`validators[${i}]`, "is not a lowercase 20-byte hex address");
    }
    if (i > 0 && validator <= (anchor.validators[i - 1] as string)) {
      throw invalid("validators", "are not ascending and distinct");
    }
  });
  if (!Number.isSafeInteger(anchor.fromBlock) || anchor.fromBlock < 0) {
    throw invalid("fromBlock", "is not a non-negative integer");
  }
}
