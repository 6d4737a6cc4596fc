import { fhirError } from "./fhirPath.ts";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const PARTIAL = /^\d{4}(-\d{2})?$/;

/**
 * A FHIR `date`/`dateTime` as unix seconds. A date alone is read in UTC and stands for its
 * whole day: its first second as a start, its last second as an (inclusive) end.
 *
 * @throws CustosError `CONSENT_FHIR_UNSUPPORTED` for partial dates (year, year-month),
 * fractional seconds or times before 1970 (which on-chain unsigned times cannot hold);
 * `CONSENT_FHIR_INVALID` for anything that is not a FHIR dateTime.
 * @example
 * ```ts
 * fhirDateTimeToUnix("2030-12-31", "Consent.provision.period.end", "end"); // 1924991999
 * ```
 */
export function fhirDateTimeToUnix(value: unknown, path: string, edge: "start" | "end"): number {
  if (typeof value === "string" && PARTIAL.test(value)) {
    throw fhirError("CONSENT_FHIR_UNSUPPORTED", path, "partial dates are not precise enough");
  }
  const text = typeof value === "string" ? value : "";
  const date = DATE.exec(text);
  const full = DATE_TIME.exec(text);
  if (full?.[7] !== undefined) {
    throw fhirError("CONSENT_FHIR_UNSUPPORTED", path, "fractional seconds are not representable");
  }
  const [, y, mo, d] = date ?? full ?? [];
  const ms = Date.parse(date === null ? text : `${text}T00:00:00Z`);
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (
    (date === null && full === null) ||
    Number.isNaN(ms) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(full?.[4] ?? 0) > 23 ||
    Number(full?.[5] ?? 0) > 59 ||
    Number(full?.[6] ?? 0) > 59
  ) {
    throw fhirError("CONSENT_FHIR_INVALID", path, "must be a FHIR date or dateTime with time zone");
  }
  const seconds = ms / 1000 + (date !== null && edge === "end" ? 86_399 : 0);
  if (seconds < 0) {
    throw fhirError("CONSENT_FHIR_UNSUPPORTED", path, "times before 1970 are not representable");
  }
  return seconds;
}

/**
 * Unix seconds as a FHIR dateTime in UTC with second precision.
 *
 * @example
 * ```ts
 * unixToFhirDateTime(0); // "1970-01-01T00:00:00Z"
 * ```
 */
export function unixToFhirDateTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}
