import type { Bytes32 } from "../../../../src/consent/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * A pseudonym or document hash given on the command line, lower-cased.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming `field` unless it is 0x-prefixed bytes32 hex.
 * @example
 * ```ts
 * const subject = bytes32Argument(positionals[0], "pseudonym");
 * ```
 */
export function bytes32Argument(value: string, field: string): Bytes32 {
  if (!BYTES32.test(value)) {
    throw new CustosError("INVALID_ARGUMENT", `${field} must be 0x-prefixed bytes32 hex`, {
      details: { field },
    });
  }
  return value.toLowerCase() as Bytes32;
}
