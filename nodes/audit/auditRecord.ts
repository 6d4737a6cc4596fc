import { bytesToHex } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A record value of the audit index: UTF-8 JSON. The values are built in a fixed key order,
 * so the same chain always gives the same bytes.
 *
 * @example
 * ```ts
 * batch.push({ type: "put", key, value: encodeAuditRecord(entry) });
 * ```
 */
export function encodeAuditRecord(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Reads a record value written by {@link encodeAuditRecord}.
 *
 * @throws CustosError `AUDIT_INDEX_CORRUPT` naming the key when the bytes are not JSON.
 * @example
 * ```ts
 * const summary = decodeAuditRecord<QuerySummary>(bytes, key);
 * ```
 */
export function decodeAuditRecord<T>(bytes: Uint8Array, key: Uint8Array): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (cause) {
    throw new CustosError("AUDIT_INDEX_CORRUPT", "an audit index record does not decode", {
      details: { key: bytesToHex(key) },
      cause,
    });
  }
}
