import { bytesToHex } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import type { Hex } from "../../src/ledger/index.ts";
import { hexPart } from "./auditKeyspaces.ts";

/** The last block an audit index holds. */
export interface AuditHead {
  readonly number: number;
  readonly hash: Hex;
}

/**
 * The head marker's value: block number (8 bytes, big-endian) ‖ block hash (32).
 *
 * @example
 * ```ts
 * encodeAuditHead({ number: 12, hash }); // 40 bytes
 * ```
 */
export function encodeAuditHead(head: AuditHead): Uint8Array {
  const bytes = new Uint8Array(40);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(head.number));
  bytes.set(hexPart(head.hash), 8);
  return bytes;
}

/**
 * Reads a head marker written by {@link encodeAuditHead}.
 *
 * @throws CustosError `AUDIT_INDEX_CORRUPT` when the value is not 40 bytes.
 * @example
 * ```ts
 * const { number, hash } = decodeAuditHead(bytes);
 * ```
 */
export function decodeAuditHead(bytes: Uint8Array): AuditHead {
  if (bytes.length !== 40) {
    throw new CustosError("AUDIT_INDEX_CORRUPT", "the audit index head marker is damaged", {
      details: { key: "m‖head", length: bytes.length },
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { number: Number(view.getBigUint64(0)), hash: bytesToHex(bytes.subarray(8)) as Hex };
}
