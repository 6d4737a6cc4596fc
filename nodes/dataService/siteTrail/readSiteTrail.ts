import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { CustosError, isCustosError } from "../../../src/errors/index.ts";
import { checkSiteTrailEntry } from "./checkSiteTrailEntry.ts";
import type { SitePolicyDetails, SiteTrailEntry, SiteTrailHead } from "./SiteTrailEntry.ts";
import { EMPTY_TRAIL_HASH } from "./siteTrailEntryHash.ts";

/** What reading a trail file found. */
export interface SiteTrailReading {
  /** The last complete entry (seq 0 and the zero hash for an empty trail). */
  readonly head: SiteTrailHead;
  /** Bytes of complete lines: where the next entry goes. */
  readonly validBytes: number;
  /**
   * Bytes after the last newline: an append a crash cut short, which was never acknowledged
   * (0 when the file ends with a complete line).
   */
  readonly partialTail: number;
  /** The details of the last `policy` entry, or null. */
  readonly lastPolicy: SitePolicyDetails | null;
}

/** Options of {@link readSiteTrail}. */
export interface ReadSiteTrailOptions {
  /** Called with every entry, in order, once it checked. */
  readonly onEntry?: (entry: SiteTrailEntry) => void;
}

const CHUNK = 64 * 1024;

/** The length of the file up to and including its last newline. */
async function completeLength(handle: FileHandle, size: number): Promise<number> {
  const buffer = Buffer.alloc(CHUNK);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, end - start, start);
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

function unreadable(file: string, cause: unknown): CustosError {
  return new CustosError("INTERNAL", `cannot read the site trail ${file}`, {
    details: { operation: "read", path: file },
    cause,
  });
}

/**
 * Reads a trail file (JSON Lines, one entry a line) and checks its hash chain entry by
 * entry, streaming: memory stays flat however long the trail. Bytes after the last newline
 * are reported, not read: an append cut short by a crash.
 *
 * @throws CustosError `DATA_SERVICE_TRAIL_CORRUPT` naming the first entry that breaks the
 *   chain; `INTERNAL` when the file cannot be read; a missing file reads as an empty trail.
 * @example
 * ```ts
 * const { head } = await readSiteTrail(join(dataDir, "site-trail", "trail.jsonl"));
 * ```
 */
export async function readSiteTrail(
  file: string,
  options: ReadSiteTrailOptions = {},
): Promise<SiteTrailReading> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return {
        head: { seq: 0, hash: EMPTY_TRAIL_HASH },
        validBytes: 0,
        partialTail: 0,
        lastPolicy: null,
      };
    }
    throw unreadable(file, error);
  }
  let head: SiteTrailHead = { seq: 0, hash: EMPTY_TRAIL_HASH };
  let lastPolicy: SitePolicyDetails | null = null;
  let validBytes: number;
  let size: number;
  try {
    size = (await handle.stat()).size;
    validBytes = await completeLength(handle, size);
  } catch (error) {
    await handle.close();
    throw unreadable(file, error);
  }
  try {
    if (validBytes > 0) {
      const lines = createInterface({
        input: createReadStream("", {
          fd: handle.fd,
          start: 0,
          end: validBytes - 1,
          autoClose: false,
        }),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      let lineNumber = 0;
      for await (const line of lines) {
        lineNumber++;
        const entry = checkSiteTrailEntry(line, head, lineNumber);
        head = { seq: entry.seq, hash: entry.hash };
        if (entry.kind === "policy") lastPolicy = entry.details;
        options.onEntry?.(entry);
      }
    }
  } catch (error) {
    throw isCustosError(error) ? error : unreadable(file, error);
  } finally {
    await handle.close();
  }
  return { head, validBytes, partialTail: size - validBytes, lastPolicy };
}
