import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { CustosError } from "../errors/index.ts";
import type { Pseudonym } from "./createPseudonymiser.ts";
import type { ProjectKey } from "./deriveProjectKey.ts";
import { SecretKey, secretBytes } from "./secretKey.ts";

/** HKDF info of the date-shift sub-key: separate from the pseudonym key by construction. */
export const DATE_SHIFT_KEY_INFO = "custos/date-shift/v1";

/** Options of {@link createDateShifter}. */
export interface DateShifterOptions {
  /** The project key; the shift key is an HKDF sub-key of it. */
  readonly key: ProjectKey;
  /** Largest shift in days, 1–3650 (default 365): shifts are uniform in [-max, +max]. */
  readonly maxShiftDays?: number;
  /** Whether a shift of 0 days may occur (default false: every subject's dates move). */
  readonly allowZero?: boolean;
}

/** Defaults of {@link DateShifterOptions}. */
export const defaultDateShifterOptions = {
  maxShiftDays: 365,
  allowZero: false,
} as const satisfies Partial<DateShifterOptions>;

/** Per-subject deterministic date shifting. */
export interface DateShifter {
  /** The subject's shift in days (same subject, same shift: intervals are preserved). */
  readonly shiftDays: (subject: Pseudonym | Uint8Array) => number;
  /**
   * Shifts an ISO 8601 date ("YYYY-MM-DD") or date-time ("YYYY-MM-DDThh:mm:ss…"); the time
   * and zone suffix are kept as written.
   */
  readonly shiftDate: (date: string, subject: Pseudonym | Uint8Array) => string;
}

const DAY_MS = 86_400_000;
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

function subjectBytes(subject: Pseudonym | Uint8Array): Uint8Array {
  if (subject instanceof Uint8Array && subject.length === 32) return subject;
  if (typeof subject === "string" && /^0x[0-9a-fA-F]{64}$/.test(subject)) {
    return hexToBytes(subject.slice(2));
  }
  throw new CustosError("INVALID_ARGUMENT", "subject must be a 32-byte pseudonym", {
    details: { field: "subject" },
  });
}

/**
 * Creates a date shifter. A subject's shift is drawn from `HMAC-SHA-256(shiftKey, pseudonym)`
 * where `shiftKey = HKDF-SHA-256(projectKey, info = DATE_SHIFT_KEY_INFO)`: deterministic per
 * subject, unpredictable without the key, and uniform over its range by rejection sampling of
 * 32-bit words (a rejected word moves to the next; after all eight the HMAC is re-run with a
 * counter byte appended).
 *
 * @throws CustosError `INVALID_ARGUMENT` for a `maxShiftDays` outside 1–3650, and, from the
 * returned functions, for a malformed subject or date (the date is never echoed);
 * `PSEUDONYM_KEY_INVALID` if the key is not a project key.
 * @example
 * ```ts
 * const shifter = createDateShifter({ key, maxShiftDays: 180 });
 * shifter.shiftDate("2021-03-04", pseudonym); // e.g. "2020-11-27"
 * ```
 */
export function createDateShifter(options: DateShifterOptions): DateShifter {
  const maxShift = options.maxShiftDays ?? defaultDateShifterOptions.maxShiftDays;
  const allowZero = options.allowZero ?? defaultDateShifterOptions.allowZero;
  if (!Number.isInteger(maxShift) || maxShift < 1 || maxShift > 3650) {
    throw new CustosError("INVALID_ARGUMENT", "maxShiftDays must be an integer from 1 to 3650", {
      details: { field: "maxShiftDays" },
    });
  }
  if (!(options.key instanceof SecretKey) || !("projectId" in options.key)) {
    throw new CustosError("PSEUDONYM_KEY_INVALID", "key must come from deriveProjectKey", {
      details: { problem: "not_a_project_key" },
    });
  }
  const shiftKey = hkdf(
    sha256,
    secretBytes(options.key),
    undefined,
    utf8ToBytes(DATE_SHIFT_KEY_INFO),
    32,
  );
  const base = hmac.create(sha256, shiftKey);
  shiftKey.fill(0);
  const range = allowZero ? 2 * maxShift + 1 : 2 * maxShift;
  // Largest multiple of `range` below 2^32: words at or above it would bias the modulus.
  const limit = Math.floor(0x1_0000_0000 / range) * range;
  const message = new Uint8Array(33);

  function shiftDays(subject: Pseudonym | Uint8Array): number {
    message.set(subjectBytes(subject));
    for (let counter = 0; ; counter++) {
      message[32] = counter;
      const mac = base
        .clone()
        .update(counter === 0 ? message.subarray(0, 32) : message)
        .digest();
      const words = new DataView(mac.buffer, mac.byteOffset, mac.byteLength);
      for (let i = 0; i < 32; i += 4) {
        const word = words.getUint32(i);
        if (word >= limit) continue;
        const index = word % range;
        if (allowZero) return index - maxShift;
        return index < maxShift ? index - maxShift : index - maxShift + 1;
      }
    }
  }

  function shiftDate(date: string, subject: Pseudonym | Uint8Array): string {
    const match = typeof date === "string" ? ISO_DATE.exec(date) : null;
    const [, y, m, d, rest] = match ?? [];
    const day = new Date(0);
    // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
    day.setUTCFullYear(Number(y), Number(m) - 1, Number(d));
    if (
      match === null ||
      day.getUTCFullYear() !== Number(y) ||
      day.getUTCMonth() !== Number(m) - 1 ||
      day.getUTCDate() !== Number(d)
    ) {
      throw new CustosError("INVALID_ARGUMENT", "date must be an ISO 8601 calendar date", {
        details: { field: "date" },
      });
    }
    const shifted = new Date(day.getTime() + shiftDays(subject) * DAY_MS);
    const year = shifted.getUTCFullYear();
    if (year < 0 || year > 9999) {
      throw new CustosError("INVALID_ARGUMENT", "shifted date falls outside years 0000-9999", {
        details: { field: "date" },
      });
    }
    const yyyy = String(year).padStart(4, "0");
    const mm = String(shifted.getUTCMonth() + 1).padStart(2, "0");
    const dd = String(shifted.getUTCDate()).padStart(2, "0");
    return `${yyyy}-${mm}-${dd}${rest ?? ""}`;
  }

  return { shiftDays, shiftDate };
}
