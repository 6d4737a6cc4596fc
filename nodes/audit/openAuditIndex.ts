import { rm } from "node:fs/promises";
import { Level } from "level";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import type { AuditReader } from "./AuditReader.ts";
import { type AuditBlock, type AuditLevel, auditBlockBatch } from "./auditBlockBatch.ts";
import { type AuditHead, decodeAuditHead, encodeAuditHead } from "./auditHead.ts";
import { AUDIT_HEAD_KEY, AUDIT_INDEX_VERSION, AUDIT_VERSION_KEY } from "./auditKeyspaces.ts";
import { createAuditIndexReader } from "./createAuditIndexReader.ts";

/** Options of {@link openAuditIndex}. */
export interface AuditIndexOptions {
  /** The index's directory, e.g. `<dataDir>/audit`. */
  readonly location: string;
  /** Delete what is there first (a `--reindex`, or an index found damaged). */
  readonly fresh?: boolean;
}

/** A node's audit index: its reads and the one writer that files blocks in order. */
export interface AuditIndex {
  readonly location: string;
  readonly reader: AuditReader;
  /** The last indexed block; undefined for an empty index. */
  head(): AuditHead | undefined;
  /**
   * Files one block's entries and moves the head to it, in ONE batch: the block must follow
   * the head (number + 1, parent hash = head hash), or be block 0 of an empty index.
   *
   * @throws CustosError `AUDIT_INDEX_GAP` for any other block (nothing is written);
   *   `AUDIT_INDEX_CORRUPT`; `AUDIT_INDEX_UNAVAILABLE` when closed or the write fails.
   */
  writeBlock(block: AuditBlock): Promise<void>;
  /**
   * Moves the head over blocks that hold no log of the Custos contracts (the caller found
   * none in the chain's log index), writing only the head marker.
   *
   * @throws CustosError `AUDIT_INDEX_GAP` when `head` is not above the current head;
   *   `AUDIT_INDEX_UNAVAILABLE` when closed or the write fails.
   */
  advance(head: AuditHead): Promise<void>;
  /** Deletes every record (to rebuild from block 0). */
  clear(): Promise<void>;
  /** Waits for a write in progress, then closes the database. */
  close(): Promise<void>;
}

/**
 * LevelDB settings: a derived index, so no sync per write (a power cut loses at most the
 * latest blocks, which are indexed again), snappy compression (JSON values repeat field
 * names and block hashes) and modest buffers beside the chain database's.
 */
const storage = {
  writeBufferSize: 16 * 1024 * 1024,
  cacheSize: 16 * 1024 * 1024,
  maxFileSize: 8 * 1024 * 1024,
  compression: true,
} as const;

function unavailable(message: string, location: string, cause: unknown): CustosError {
  return new CustosError("AUDIT_INDEX_UNAVAILABLE", message, {
    details: { path: location },
    cause,
  });
}

async function openLevel(location: string): Promise<AuditLevel> {
  const level = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: "view",
    valueEncoding: "view",
    ...storage,
  });
  try {
    await level.open();
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    if ((cause as { code?: string }).code === "LEVEL_CORRUPTION") {
      throw new CustosError("AUDIT_INDEX_CORRUPT", `the audit index ${location} is damaged`, {
        details: { path: location },
        cause: error,
      });
    }
    throw unavailable(`the audit index ${location} cannot be opened`, location, error);
  }
  return level;
}

/** Empties an index of another layout version (or of none), leaving the current version. */
async function settleVersion(level: AuditLevel): Promise<void> {
  const stored = await level.get(AUDIT_VERSION_KEY);
  const version = stored === undefined ? undefined : new DataView(stored.buffer).getUint32(0);
  if (version === AUDIT_INDEX_VERSION) return;
  await level.clear();
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, AUDIT_INDEX_VERSION);
  await level.put(AUDIT_VERSION_KEY, bytes);
}

function gap(
  block: { readonly number: number; readonly parentHash?: string },
  head: AuditHead | undefined,
): CustosError {
  return new CustosError(
    "AUDIT_INDEX_GAP",
    `block ${block.number} does not follow the audit index head (${head?.number ?? "empty"})`,
    {
      details: {
        blockNumber: block.number,
        parentHash: block.parentHash ?? null,
        headNumber: head?.number ?? null,
        headHash: head?.hash ?? null,
      },
    },
  );
}

/**
 * Opens (creating it if needed) a node's audit index: a level database of its own, whose
 * records are all derived from the chain (see `auditKeyspaces`). An index written with
 * another layout version is cleared, to be rebuilt from block 0.
 *
 * @throws CustosError `AUDIT_INDEX_CORRUPT` when LevelDB reports the files damaged (delete
 *   the directory, or open with `fresh`); `AUDIT_INDEX_UNAVAILABLE` when it cannot be opened.
 * @example
 * ```ts
 * const index = await openAuditIndex({ location: join(dataDir, "audit") });
 * await index.writeBlock(await readAuditBlock(chainDb, 0, genesis.contracts));
 * ```
 */
export async function openAuditIndex(options: AuditIndexOptions): Promise<AuditIndex> {
  const { location } = options;
  if (options.fresh === true) await rm(location, { recursive: true, force: true });
  const level = await openLevel(location);
  let head: AuditHead | undefined;
  try {
    await settleVersion(level);
    const stored = await level.get(AUDIT_HEAD_KEY);
    head = stored === undefined ? undefined : decodeAuditHead(stored);
  } catch (error) {
    await level.close();
    throw isCustosError(error)
      ? error
      : unavailable("the audit index cannot be read", location, error);
  }
  let writing: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = writing.then(work);
    writing = result.catch(() => undefined);
    return result;
  };
  const assertOpen = () => {
    if (level.status !== "open") {
      throw new CustosError("AUDIT_INDEX_UNAVAILABLE", "the audit index is closed", {
        details: { path: location, status: level.status },
      });
    }
  };
  return {
    location,
    reader: createAuditIndexReader(level, () => head),
    head: () => head,
    writeBlock: (block) =>
      serial(async () => {
        assertOpen();
        const follows =
          head === undefined
            ? block.number === 0
            : block.number === head.number + 1 && block.parentHash === head.hash;
        if (!follows) throw gap(block, head);
        const puts = await auditBlockBatch(level, block);
        try {
          await level.batch(puts);
        } catch (cause) {
          throw unavailable(`the audit index cannot store block ${block.number}`, location, cause);
        }
        head = { number: block.number, hash: block.hash };
      }),
    advance: (next) =>
      serial(async () => {
        assertOpen();
        if (head !== undefined && next.number <= head.number) throw gap(next, head);
        try {
          await level.put(AUDIT_HEAD_KEY, encodeAuditHead(next));
        } catch (cause) {
          throw unavailable(`the audit index cannot move to block ${next.number}`, location, cause);
        }
        head = { number: next.number, hash: next.hash };
      }),
    clear: () =>
      serial(async () => {
        assertOpen();
        await level.clear();
        head = undefined;
        await settleVersion(level);
      }),
    close: () =>
      serial(async () => {
        if (level.status === "open") await level.close();
      }),
  };
}
