import { createHash } from "node:crypto";
import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { syncDirectory } from "../fs/index.ts";

/**
 * The head the node last committed, kept in a small file beside the chain database and made
 * durable after every commit, so damage that shortens or holes the database (a torn or
 * truncated write-ahead log, a lost directory) is noticed at the next start instead of being
 * served.
 */
export interface HeadMarker {
  /** Number of the last committed block. */
  readonly number: bigint;
  /** Its hash (32 bytes). */
  readonly hash: Uint8Array;
  /**
   * The oldest block whose records may still live only in LevelDB's write-ahead log (not
   * yet in a table file): the start-up check covers at least `logFrom..head`.
   */
  readonly logFrom: bigint;
}

/** The marker's file name inside a node's data directory (beside `chain/`). */
export const HEAD_MARKER_FILE = "chain-head.json";

const FORMAT = "custos-head-marker/1";

function digest(number: string, hash: string, logFrom: string): string {
  return createHash("sha256").update(`${FORMAT} ${number} ${hash} ${logFrom}`).digest("hex");
}

/**
 * The marker's file contents: one JSON line with a SHA-256 of its fields, so a damaged
 * marker is told apart from a damaged database.
 *
 * @example
 * ```ts
 * encodeHeadMarker({ number: 7n, hash, logFrom: 1n });
 * // '{"format":"custos-head-marker/1","number":"7","hash":"0x…","logFrom":"1","sha256":"…"}\n'
 * ```
 */
export function encodeHeadMarker(marker: HeadMarker): string {
  const number = marker.number.toString();
  const hash = bytesToHex(marker.hash);
  const logFrom = marker.logFrom.toString();
  const sha256 = digest(number, hash, logFrom);
  return `${JSON.stringify({ format: FORMAT, number, hash, logFrom, sha256 })}\n`;
}

function damaged(path: string, reason: string, cause?: unknown): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", `the head marker ${path} is damaged: ${reason}`, {
    details: { file: path, part: "marker", reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Parses a marker file's contents.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` naming the file when the text is not a marker or its
 *   checksum does not match.
 * @example
 * ```ts
 * const marker = decodeHeadMarker(text, "/var/lib/custos/chain-head.json");
 * ```
 */
export function decodeHeadMarker(text: string, path: string): HeadMarker {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw damaged(path, "not valid JSON", cause);
  }
  const { format, number, hash, logFrom, sha256 } = document ?? {};
  if (format !== FORMAT) throw damaged(path, `unknown format ${String(format)}`);
  if (
    typeof number !== "string" ||
    !/^\d{1,20}$/.test(number) ||
    typeof logFrom !== "string" ||
    !/^\d{1,20}$/.test(logFrom) ||
    typeof hash !== "string" ||
    !/^0x[0-9a-f]{64}$/.test(hash)
  ) {
    throw damaged(path, "malformed fields");
  }
  if (sha256 !== digest(number, hash, logFrom)) throw damaged(path, "checksum mismatch");
  return {
    number: BigInt(number),
    hash: hexToBytes(hash as `0x${string}`),
    logFrom: BigInt(logFrom),
  };
}

/**
 * Reads the marker; undefined when there is none (a new data directory, or one from before
 * markers).
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the file is damaged; `NODE_START_FAILED` when
 *   it cannot be read.
 * @example
 * ```ts
 * const marker = await readHeadMarker(join(dataDir, "chain-head.json"));
 * ```
 */
export async function readHeadMarker(path: string): Promise<HeadMarker | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new CustosError("NODE_START_FAILED", `the head marker ${path} cannot be read (${code})`, {
      details: { path, code, reason: "cannot be read" },
      cause,
    });
  }
  return decodeHeadMarker(text, path);
}

/**
 * Replaces the marker durably: writes `<path>.tmp`, fsyncs it, renames it over `path` and
 * fsyncs the directory, so after a crash or power cut the file holds the old or the new
 * marker, never a torn one. Errors (a full disk) are thrown as they come.
 *
 * @example
 * ```ts
 * await writeHeadMarker(path, { number: head.header.number, hash: head.hash(), logFrom });
 * ```
 */
export async function writeHeadMarker(path: string, marker: HeadMarker): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, "w", 0o644);
  try {
    await handle.writeFile(encodeHeadMarker(marker), "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}
