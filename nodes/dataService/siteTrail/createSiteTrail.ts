import { type FileHandle, mkdir, open, truncate } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson } from "../../../src/canonical/index.ts";
import { CustosError } from "../../../src/errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { readSiteTrail } from "./readSiteTrail.ts";
import type {
  SitePolicyDetails,
  SiteTrailDetailsByKind,
  SiteTrailEntry,
  SiteTrailEntryOf,
  SiteTrailHead,
  SiteTrailKind,
} from "./SiteTrailEntry.ts";
import { siteTrailAnchorMismatch } from "./siteTrailAnchorMismatch.ts";
import { siteTrailEntryHash } from "./siteTrailEntryHash.ts";

/** The trail file's name in the trail's directory. */
export const SITE_TRAIL_FILE = "trail.jsonl";

/** A hospital's site trail, open for appending (docs/data-service.md, "The site trail"). */
export interface SiteTrail {
  /** The trail file. */
  readonly file: string;
  /** The last durable entry (seq 0 for an empty trail). */
  head(): SiteTrailHead;
  /** The details of the last `policy` entry, or null. */
  lastPolicy(): SitePolicyDetails | null;
  /**
   * Appends an entry and resolves once it is on disk (fdatasync): a caller answers or acts
   * only after this. Appends are numbered in call order; those arriving while a write is in
   * flight share the next write and sync.
   *
   * @throws CustosError `INTERNAL` when the entry could not be written (nothing of it stays).
   */
  append<K extends SiteTrailKind>(
    kind: K,
    details: SiteTrailDetailsByKind[K],
  ): Promise<SiteTrailEntryOf<K>>;
  /** Waits for appends in flight, then closes the file; later appends fail. */
  close(): Promise<void>;
}

/** Options of {@link createSiteTrail}. */
export interface SiteTrailOptions {
  /** Unix seconds: each entry's time. */
  readonly now: () => number;
  readonly log?: Logger;
  /**
   * The hospital's latest on-chain anchor (seq 0: none): the trail must hold an entry with
   * that hash at that sequence, or it was rewritten or lost since.
   */
  readonly anchor?: SiteTrailHead;
}

interface Pending {
  readonly kind: SiteTrailKind;
  readonly details: SiteTrailDetailsByKind[SiteTrailKind];
  readonly time: number;
  readonly resolve: (entry: SiteTrailEntry) => void;
  readonly reject: (error: unknown) => void;
}

function writeFailed(operation: string, cause: unknown): CustosError {
  return new CustosError("INTERNAL", `site trail ${operation} failed`, {
    details: { operation },
    cause,
  });
}

/** Makes a new file's directory entry durable: a synced file in an unsynced directory can vanish. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens (or creates) the site trail in `directory`: reads `trail.jsonl` and checks its hash
 * chain, checks it against the hospital's latest on-chain anchor, cuts an append a crash
 * left half written (never acknowledged: its sync had not returned), and returns the trail
 * for appending. One process appends at a time: the data service opens it after its job
 * store, whose lock keeps a second service on the same data directory out.
 *
 * @throws CustosError `DATA_SERVICE_TRAIL_CORRUPT` when the chain breaks (naming the entry),
 *   `DATA_SERVICE_TRAIL_ANCHOR_MISMATCH` when the entry at the anchored sequence is missing or
 *   differs from the anchored head, `INTERNAL` when the file cannot be read or written.
 * @example
 * ```ts
 * const trail = await createSiteTrail(join(dataDir, "site-trail"), { now, anchor });
 * await trail.append("runFailed", { queryId: "7", attempt: 1, errorCode: "OMOP_STORE_UNAVAILABLE", timedOut: false, interrupted: false, retry: true });
 * ```
 */
export async function createSiteTrail(
  directory: string,
  options: SiteTrailOptions,
): Promise<SiteTrail> {
  const file = join(directory, SITE_TRAIL_FILE);
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw writeFailed("open", error);
  }
  const anchor = options.anchor;
  let anchoredHash: string | null = null;
  const reading = await readSiteTrail(file, {
    onEntry: (entry) => {
      if (anchor !== undefined && entry.seq === anchor.seq) anchoredHash = entry.hash;
    },
  });
  if (anchor !== undefined && anchor.seq > 0 && anchoredHash !== anchor.hash) {
    throw siteTrailAnchorMismatch(anchor.seq, anchor.hash, anchoredHash, null);
  }
  let handle: FileHandle;
  try {
    if (reading.partialTail > 0) {
      options.log?.warn(
        { bytes: reading.partialTail, seq: reading.head.seq },
        "site trail: cutting an append a crash left unfinished",
      );
      await truncate(file, reading.validBytes);
    }
    const created = reading.validBytes === 0 && reading.partialTail === 0;
    handle = await open(file, "a", 0o600);
    if (reading.partialTail > 0) await handle.datasync();
    if (created) await syncDirectory(directory);
  } catch (error) {
    throw writeFailed("open", error);
  }

  let head = reading.head;
  let size = reading.validBytes;
  let lastPolicy = reading.lastPolicy;
  let queue: Pending[] = [];
  // Set before a drain starts and cleared in the same tick as its last look at the queue, so
  // an append either joins the running drain or starts one (a drain may finish synchronously).
  let draining = false;
  let idle: Promise<void> = Promise.resolve();
  let closed = false;

  /** Writes everything queued, a batch per write and sync, until the queue is empty. */
  const drain = async () => {
    while (queue.length > 0) {
      let batch = queue;
      queue = [];
      let next = head;
      const entries: SiteTrailEntry[] = [];
      const lines: string[] = [];
      // An entry that cannot be serialised (a caller's bug) fails alone, not its batch.
      batch = batch.filter((item) => {
        try {
          const body = {
            seq: next.seq + 1,
            time: item.time,
            kind: item.kind,
            details: item.details,
            prevHash: next.hash,
          } as Omit<SiteTrailEntry, "hash">;
          const entry = { ...body, hash: siteTrailEntryHash(body) } as SiteTrailEntry;
          lines.push(`${canonicalJson(entry)}\n`);
          entries.push(entry);
          next = { seq: entry.seq, hash: entry.hash };
          return true;
        } catch (error) {
          item.reject(error);
          return false;
        }
      });
      if (batch.length === 0) continue;
      const bytes = Buffer.from(lines.join(""), "utf8");
      try {
        let written = 0;
        while (written < bytes.length) {
          written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
        }
        await handle.datasync();
      } catch (error) {
        // Nothing of a failed batch may stay: the next entry chains to the durable head.
        await handle.truncate(size).catch(() => {
          closed = true;
        });
        options.log?.error({ err: error, seq: head.seq }, "site trail append failed");
        for (const item of batch) item.reject(writeFailed("append", error));
        continue;
      }
      size += bytes.length;
      head = next;
      batch.forEach((item, i) => {
        const entry = entries[i] as SiteTrailEntry;
        if (entry.kind === "policy") lastPolicy = entry.details;
        item.resolve(entry);
      });
    }
    draining = false;
  };

  return {
    file,
    head: () => head,
    lastPolicy: () => lastPolicy,
    append: <K extends SiteTrailKind>(kind: K, details: SiteTrailDetailsByKind[K]) =>
      new Promise<SiteTrailEntryOf<K>>((resolve, reject) => {
        if (closed) {
          reject(writeFailed("append", new Error("the site trail is closed")));
          return;
        }
        queue.push({
          kind,
          details,
          time: options.now(),
          resolve: resolve as (entry: SiteTrailEntry) => void,
          reject,
        });
        if (!draining) {
          draining = true;
          idle = drain();
        }
      }),
    close: async () => {
      closed = true;
      await idle;
      await handle.close().catch(() => undefined);
    },
  };
}
