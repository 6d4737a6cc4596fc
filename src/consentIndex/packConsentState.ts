import { CustosError } from "../errors/index.ts";
import type { ConsentState } from "./ConsentChange.ts";
import { MAX_TIMESTAMP } from "./SubjectTable.ts";

/** Bytes of a packed record. */
export const PACKED_CONSENT_BYTES = 30;

/** Format byte leading every packed record, so the layout can evolve without a migration. */
const FORMAT = 1;

const statusCodes = { active: 1, revoked: 2 } as const;

function isUint32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function isTime(value: unknown): value is number {
  return (
    typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TIMESTAMP
  );
}

function writeUint48(view: DataView, offset: number, value: number): void {
  view.setUint16(offset, Math.floor(value / 2 ** 32));
  view.setUint32(offset + 2, value >>> 0);
}

function readUint48(view: DataView, offset: number): number {
  return view.getUint16(offset) * 2 ** 32 + view.getUint32(offset + 2);
}

/**
 * Packs a record into 30 bytes, big-endian: format (1), status (1), purposes (4),
 * categories (4), validFrom (6), validUntil (6), version (4), custodian (4).
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the field that does not fit.
 * @example
 * ```ts
 * const bytes = packConsentState(index.getRecord(subject)); // Uint8Array(30)
 * ```
 */
export function packConsentState(state: ConsentState): Uint8Array {
  const bad = (field: string) =>
    new CustosError("INVALID_ARGUMENT", `record ${field} cannot be stored`, {
      details: { field },
    });
  if (state.status !== "active" && state.status !== "revoked") throw bad("status");
  if (!isUint32(state.purposes)) throw bad("purposes");
  if (!isUint32(state.categories)) throw bad("categories");
  if (!isTime(state.validFrom)) throw bad("validFrom");
  if (!isTime(state.validUntil)) throw bad("validUntil");
  if (!isUint32(state.version) || state.version === 0) throw bad("version");
  if (!isUint32(state.custodian)) throw bad("custodian");
  const out = new Uint8Array(PACKED_CONSENT_BYTES);
  const view = new DataView(out.buffer);
  view.setUint8(0, FORMAT);
  view.setUint8(1, statusCodes[state.status]);
  view.setUint32(2, state.purposes);
  view.setUint32(6, state.categories);
  writeUint48(view, 10, state.validFrom);
  writeUint48(view, 16, state.validUntil);
  view.setUint32(22, state.version);
  view.setUint32(26, state.custodian);
  return out;
}

/**
 * Unpacks a record written by {@link packConsentState}.
 *
 * @throws CustosError `CONSENT_INDEX_STORE_CORRUPT` for a wrong length, format or status.
 * @example
 * ```ts
 * const state = unpackConsentState(bytes); // { status: "active", purposes, … }
 * ```
 */
export function unpackConsentState(bytes: Uint8Array): ConsentState {
  const corrupt = (problem: string) =>
    new CustosError("CONSENT_INDEX_STORE_CORRUPT", `stored consent record ${problem}`, {
      details: { key: "record", problem },
    });
  if (bytes.length !== PACKED_CONSENT_BYTES) throw corrupt("has the wrong length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== FORMAT) throw corrupt("has an unknown format");
  const status = view.getUint8(1);
  if (status !== statusCodes.active && status !== statusCodes.revoked) {
    throw corrupt("has an unknown status");
  }
  const version = view.getUint32(22);
  if (version === 0) throw corrupt("has version 0");
  return {
    status: status === statusCodes.active ? "active" : "revoked",
    purposes: view.getUint32(2),
    categories: view.getUint32(6),
    validFrom: readUint48(view, 10),
    validUntil: readUint48(view, 16),
    version,
    custodian: view.getUint32(26),
  };
}
