import { createHash } from "node:crypto";
import { CustosError } from "../../../src/errors/index.ts";
import {
  decodeQbftSigningRecord,
  encodeQbftSigningRecord,
  type QbftSigningRecord,
} from "../core/index.ts";

const MAGIC = new TextEncoder().encode("CUSTOSQR");
const VERSION = 1;
const HEADER = MAGIC.length + 1 + 4;
const CHECKSUM = 32;
/** Far above any record (a certificate holds one block and ≤ 256 prepares). */
const MAX_PAYLOAD = 64 * 1024 * 1024;

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}

function damaged(path: string, reason: string, cause?: unknown): CustosError {
  return new CustosError(
    "CONSENSUS_RECORD_CORRUPT",
    `the signing record file ${path} is damaged: ${reason}`,
    { details: { field: "file", path, reason }, ...(cause === undefined ? {} : { cause }) },
  );
}

/**
 * A signing record file's bytes: `"CUSTOSQR"`, format version 1 (one byte), the record's
 * length (4 bytes, big-endian), the record (`encodeQbftSigningRecord`), then a SHA-256 of
 * everything before it. The record's own RLP would catch most tearing but not a flipped bit
 * inside a digest, which would let the validator resume from a record it never wrote; the
 * checksum tells any damage apart from a record.
 *
 * @example
 * ```ts
 * await handle.writeFile(encodeSigningRecordFile(record));
 * ```
 */
export function encodeSigningRecordFile(record: QbftSigningRecord): Uint8Array {
  const payload = encodeQbftSigningRecord(record);
  const out = new Uint8Array(HEADER + payload.length + CHECKSUM);
  out.set(MAGIC);
  out[MAGIC.length] = VERSION;
  new DataView(out.buffer).setUint32(MAGIC.length + 1, payload.length);
  out.set(payload, HEADER);
  out.set(sha256(out.subarray(0, HEADER + payload.length)), HEADER + payload.length);
  return out;
}

/**
 * Reads a file written by {@link encodeSigningRecordFile}.
 *
 * @throws CustosError `CONSENSUS_RECORD_CORRUPT` naming `path` and the reason (wrong magic or
 *   version, wrong length, checksum mismatch, or a record that does not decode).
 * @example
 * ```ts
 * const record = decodeSigningRecordFile(await readFile(path), path);
 * ```
 */
export function decodeSigningRecordFile(bytes: Uint8Array, path: string): QbftSigningRecord {
  if (bytes.length < HEADER + CHECKSUM) throw damaged(path, "too short");
  if (!MAGIC.every((byte, index) => bytes[index] === byte)) throw damaged(path, "not a record");
  if (bytes[MAGIC.length] !== VERSION) throw damaged(path, "unknown format version");
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    MAGIC.length + 1,
  );
  if (length > MAX_PAYLOAD || bytes.length !== HEADER + length + CHECKSUM) {
    throw damaged(path, "wrong length");
  }
  const expected = sha256(bytes.subarray(0, HEADER + length));
  const stored = bytes.subarray(HEADER + length);
  if (!expected.every((byte, index) => stored[index] === byte)) {
    throw damaged(path, "checksum mismatch");
  }
  try {
    return decodeQbftSigningRecord(bytes.slice(HEADER, HEADER + length));
  } catch (cause) {
    throw damaged(path, "the record does not decode", cause);
  }
}
