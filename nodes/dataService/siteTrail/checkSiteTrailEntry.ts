import { CustosError } from "../../../src/errors/index.ts";
import {
  type SiteTrailEntry,
  type SiteTrailHead,
  type SiteTrailKind,
  siteTrailKinds,
} from "./SiteTrailEntry.ts";
import { siteTrailEntryHash } from "./siteTrailEntryHash.ts";

/** Why a trail entry does not follow from the one before it. */
export type SiteTrailFault = "json" | "format" | "sequence" | "prevHash" | "hash";

const HASH = /^0x[0-9a-f]{64}$/;
const FIELDS = ["seq", "time", "kind", "details", "prevHash", "hash"];
const kinds = new Set<string>(siteTrailKinds);

/**
 * The error of a trail whose chain breaks at entry `seq` (the position the entry holds or
 * should hold: one after the last good entry).
 *
 * @example
 * ```ts
 * throw siteTrailCorrupt(7, 7, "hash", "the entry's hash is not the hash of its fields");
 * ```
 */
export function siteTrailCorrupt(
  seq: number,
  line: number,
  fault: SiteTrailFault,
  reason: string,
): CustosError {
  return new CustosError(
    "DATA_SERVICE_TRAIL_CORRUPT",
    `the site trail breaks at entry ${seq} (line ${line}): ${reason}`,
    { details: { seq, line, fault, reason } },
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses one line of a trail file and checks that it is the entry after `previous`: well
 * formed, numbered `previous.seq + 1`, chained to `previous.hash`, and its hash the SHA-256
 * of its fields. Pure.
 *
 * @throws CustosError `DATA_SERVICE_TRAIL_CORRUPT` naming the entry's sequence number, the
 *   line and the fault (`json`, `format`, `sequence`, `prevHash`, `hash`).
 * @example
 * ```ts
 * let head = { seq: 0, hash: EMPTY_TRAIL_HASH };
 * for (const [i, line] of lines.entries()) head = checkSiteTrailEntry(line, head, i + 1);
 * ```
 */
export function checkSiteTrailEntry(
  line: string,
  previous: SiteTrailHead,
  lineNumber: number,
): SiteTrailEntry {
  const seq = previous.seq + 1;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw siteTrailCorrupt(seq, lineNumber, "json", "the line is not JSON");
  }
  if (
    !isPlainObject(value) ||
    Object.keys(value).length !== FIELDS.length ||
    !FIELDS.every((field) => field in value) ||
    !Number.isSafeInteger(value.seq) ||
    !Number.isSafeInteger(value.time) ||
    (value.time as number) < 0 ||
    typeof value.kind !== "string" ||
    !kinds.has(value.kind) ||
    !isPlainObject(value.details) ||
    typeof value.prevHash !== "string" ||
    !HASH.test(value.prevHash) ||
    typeof value.hash !== "string" ||
    !HASH.test(value.hash)
  ) {
    throw siteTrailCorrupt(seq, lineNumber, "format", "the line is not a trail entry");
  }
  const entry = value as unknown as SiteTrailEntry & { kind: SiteTrailKind };
  if (entry.seq !== seq) {
    throw siteTrailCorrupt(seq, lineNumber, "sequence", `the entry is numbered ${entry.seq}`);
  }
  if (entry.prevHash !== previous.hash) {
    throw siteTrailCorrupt(
      seq,
      lineNumber,
      "prevHash",
      "the entry does not chain to the hash of the entry before it",
    );
  }
  if (siteTrailEntryHash(entry) !== entry.hash) {
    throw siteTrailCorrupt(
      seq,
      lineNumber,
      "hash",
      "the entry's hash is not the hash of its fields",
    );
  }
  return entry;
}
