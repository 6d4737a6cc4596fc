import { createHash } from "node:crypto";
import { canonicalJson } from "../../../src/canonical/index.ts";
import type { SiteTrailEntry, TrailHash } from "./SiteTrailEntry.ts";

/** The `prevHash` of a trail's first entry, and the head of an empty trail. */
export const EMPTY_TRAIL_HASH: TrailHash = `0x${"0".repeat(64)}`;

/**
 * The hash of a trail entry: SHA-256 of the RFC 8785 JSON of `{ seq, time, kind, details,
 * prevHash }`. SHA-256 rather than keccak so that a regulator can recompute it with any tool
 * (`sha256sum` over the canonical JSON); the chain's anchor takes it as a bytes32.
 *
 * @throws CustosError `INVALID_ARGUMENT` when a value cannot be canonicalised (not finite).
 * @example
 * ```ts
 * siteTrailEntryHash({ seq: 1, time: 1800000000, kind: "runFailed", details, prevHash: EMPTY_TRAIL_HASH });
 * ```
 */
export function siteTrailEntryHash(entry: Omit<SiteTrailEntry, "hash">): TrailHash {
  const body = canonicalJson({
    seq: entry.seq,
    time: entry.time,
    kind: entry.kind,
    details: entry.details,
    prevHash: entry.prevHash,
  });
  return `0x${createHash("sha256").update(body, "utf8").digest("hex")}`;
}
