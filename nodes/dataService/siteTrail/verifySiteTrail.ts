import { readSiteTrail } from "./readSiteTrail.ts";
import type { SiteTrailHead, SiteTrailKind, TrailHash } from "./SiteTrailEntry.ts";
import { siteTrailAnchorMismatch } from "./siteTrailAnchorMismatch.ts";

/** One on-chain anchor of a trail (a `SiteTrailAnchored` event). */
export interface SiteTrailAnchorRecord {
  readonly seq: number;
  readonly head: TrailHash;
  /** Where the chain recorded it (for the report), or null. */
  readonly blockNumber: number | null;
  readonly transactionHash: string | null;
}

/** What a verified trail holds. */
export interface SiteTrailVerification {
  /** Entries in the trail. */
  readonly entries: number;
  readonly head: SiteTrailHead;
  /** Entries per kind. */
  readonly kinds: Readonly<Record<SiteTrailKind, number>>;
  /** Anchors checked, each equal to the trail's entry at its sequence. */
  readonly anchors: number;
  /** The last anchor checked (null: none). */
  readonly lastAnchored: SiteTrailHead | null;
  /**
   * Entries after the last anchor: chained, but a rewrite of them together with the file's
   * later hashes would not show until the next anchor.
   */
  readonly unanchored: number;
  /** Bytes of an append a crash cut short at the end of the file (never acknowledged). */
  readonly partialTail: number;
}

/**
 * Checks a trail file against the hospital's on-chain anchors: the hash chain holds entry by
 * entry, and the entry at every anchored sequence has exactly the anchored hash — so no
 * anchored entry, nor any before it, was rewritten, removed or reordered since it was
 * anchored. Reads the file once, streaming; does not change it.
 *
 * @throws CustosError `DATA_SERVICE_TRAIL_CORRUPT` naming the first entry that breaks the
 *   chain; `DATA_SERVICE_TRAIL_ANCHOR_MISMATCH` naming the first anchored sequence whose
 *   entry differs or is missing; `INTERNAL` when the file cannot be read.
 * @example
 * ```ts
 * const report = await verifySiteTrail(file, [{ seq: 12, head: "0x…", blockNumber: 40, transactionHash: "0x…" }]);
 * report.lastAnchored; // { seq: 12, hash: "0x…" }
 * ```
 */
export async function verifySiteTrail(
  file: string,
  anchors: readonly SiteTrailAnchorRecord[],
): Promise<SiteTrailVerification> {
  const bySeq = new Map(anchors.map((anchor) => [anchor.seq, anchor]));
  const kinds: Record<SiteTrailKind, number> = {
    policy: 0,
    requestDenied: 0,
    queryDeclined: 0,
    runFailed: 0,
    manualRelease: 0,
  };
  let checked = 0;
  let lastAnchored: SiteTrailHead | null = null;
  const reading = await readSiteTrail(file, {
    onEntry: (entry) => {
      kinds[entry.kind]++;
      const anchor = bySeq.get(entry.seq);
      if (anchor === undefined) return;
      if (anchor.head !== entry.hash) {
        throw siteTrailAnchorMismatch(entry.seq, anchor.head, entry.hash, locationOf(anchor));
      }
      checked++;
      lastAnchored = { seq: entry.seq, hash: entry.hash };
    },
  });
  const beyond = anchors
    .filter((anchor) => anchor.seq > reading.head.seq)
    .sort((a, b) => a.seq - b.seq)[0];
  if (beyond !== undefined) {
    throw siteTrailAnchorMismatch(beyond.seq, beyond.head, null, locationOf(beyond));
  }
  const last = lastAnchored as SiteTrailHead | null;
  return {
    entries: reading.head.seq,
    head: reading.head,
    kinds,
    anchors: checked,
    lastAnchored: last,
    unanchored: reading.head.seq - (last?.seq ?? 0),
    partialTail: reading.partialTail,
  };
}

function locationOf(anchor: SiteTrailAnchorRecord) {
  return anchor.blockNumber === null || anchor.transactionHash === null
    ? null
    : { blockNumber: anchor.blockNumber, transactionHash: anchor.transactionHash };
}
