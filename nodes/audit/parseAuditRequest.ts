import { type PurposeLabel, purposeCodes } from "../../src/consent/index.ts";
import { CustosError } from "../../src/errors/index.ts";

const MAX_UINT64 = (1n << 64n) - 1n;

function invalid(field: string, reason: string): CustosError {
  return new CustosError("AUDIT_REQUEST_INVALID", `${field}: ${reason}`, {
    details: { field, reason },
  });
}

/**
 * A query id given as a decimal string, a safe integer or a bigint, as a uint64.
 *
 * @throws CustosError `AUDIT_REQUEST_INVALID` for anything else or a value out of range.
 * @example
 * ```ts
 * parseQueryId("42"); // 42n
 * ```
 */
export function parseQueryId(value: unknown, field = "queryId"): bigint {
  let id: bigint | undefined;
  if (typeof value === "bigint") id = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) id = BigInt(value);
  else if (typeof value === "string" && /^\d{1,20}$/.test(value)) id = BigInt(value);
  if (id === undefined || id < 0n || id > MAX_UINT64) throw invalid(field, "not a uint64 query id");
  return id;
}

/**
 * A uint32 (organisation id, custodian, hospital).
 *
 * @throws CustosError `AUDIT_REQUEST_INVALID` for anything else.
 * @example
 * ```ts
 * parseUint32(3, "org"); // 3
 * ```
 */
export function parseUint32(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw invalid(field, "not a uint32");
  }
  return value;
}

/**
 * A unix time in seconds (a non-negative safe integer).
 *
 * @throws CustosError `AUDIT_REQUEST_INVALID` for anything else.
 * @example
 * ```ts
 * parseUnixTime(1_700_000_000, "from");
 * ```
 */
export function parseUnixTime(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(field, "not a unix time in seconds");
  }
  return value;
}

/**
 * A 0x-prefixed hex string of `bytes` bytes (an address, a pseudonym), lowercase.
 *
 * @throws CustosError `AUDIT_REQUEST_INVALID` for anything else.
 * @example
 * ```ts
 * parseHexBytes("0xAbC…", 20, "researcher"); // "0xabc…"
 * ```
 */
export function parseHexBytes(value: unknown, bytes: number, field: string): `0x${string}` {
  if (typeof value !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(value)) {
    throw invalid(field, `not ${bytes} bytes of 0x-prefixed hex`);
  }
  return value.toLowerCase() as `0x${string}`;
}

/**
 * A purpose given as a DUO permission label ("HMB") or its bit, as the bit.
 *
 * @throws CustosError `AUDIT_REQUEST_INVALID` for a condition label, an unknown label or a
 *   number that is not a permission bit.
 * @example
 * ```ts
 * parsePurpose("HMB"); // 4
 * ```
 */
export function parsePurpose(value: unknown): number {
  const permissions = Object.values(purposeCodes).filter((c) => c.kind === "permission");
  const code =
    typeof value === "string"
      ? permissions.find((c) => c.label === (value as PurposeLabel))
      : permissions.find((c) => c.bit === value);
  if (code === undefined) throw invalid("purpose", "not a DUO permission label or bit");
  return code.bit;
}

/**
 * A block number (a non-negative safe integer).
 *
 * @throws CustosError `AUDIT_REQUEST_INVALID` for anything else.
 * @example
 * ```ts
 * parseBlockNumber(12, "fromBlock");
 * ```
 */
export function parseBlockNumber(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(field, "not a block number");
  }
  return value;
}

/**
 * Checks that a range's start is not after its end.
 *
 * @throws CustosError `AUDIT_REQUEST_INVALID` naming `field` when `from > to`.
 * @example
 * ```ts
 * assertRange(from, to, "from");
 * ```
 */
export function assertRange(from: number, to: number, field: string): void {
  if (from > to) throw invalid(field, "the range starts after it ends");
}
