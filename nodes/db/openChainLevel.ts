import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Level } from "level";
import { CustosError } from "../../src/errors/index.ts";
import { storageError } from "./storageError.ts";

/** LevelDB options the chain database opens with (see `defaultChainDbOptions.storage`). */
export interface ChainLevelStorage {
  readonly writeBufferSize: number;
  readonly maxFileSize: number;
  readonly cacheSize: number;
  readonly compression: boolean;
}

/** Options of {@link openChainLevel}. */
export interface OpenChainLevelOptions {
  readonly storage: ChainLevelStorage;
  /** Create the database when the directory is missing or empty (default true). */
  readonly create?: boolean;
}

/** What a database directory holds before it is opened. */
type DirectoryState = "missing" | "empty" | "database";

const CURRENT = "CURRENT";
const MANIFEST_NAME = /^MANIFEST-\d+$/;
/** LevelDB's data files: tables and write-ahead logs. */
const DATA_FILE = /^\d+\.(ldb|sst|log)$/;

function corruptFile(location: string, file: string, reason: string, cause?: unknown): CustosError {
  return new CustosError(
    "CHAIN_DB_CORRUPT",
    `the chain database ${location} is damaged: ${file} ${reason}`,
    {
      details: { keyspace: "(files)", file, path: join(location, file), reason },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/**
 * Looks at the directory before LevelDB does: LevelDB treats a database without CURRENT as
 * absent and, asked to create it, starts an empty one and deletes the old files as
 * obsolete. So a directory holding tables or logs but no valid CURRENT, or a CURRENT naming a
 * missing or empty MANIFEST, is reported as damaged, naming the file, and never opened.
 */
async function inspect(location: string): Promise<DirectoryState> {
  let entries: string[];
  try {
    entries = await readdir(location);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw storageError(location, cause);
  }
  if (!entries.includes(CURRENT)) {
    if (entries.some((e) => DATA_FILE.test(e))) {
      throw corruptFile(location, CURRENT, "is missing while table and log files remain");
    }
    // Nothing stored yet (an empty directory, or a creation interrupted before CURRENT).
    return "empty";
  }
  let current: string;
  try {
    current = await readFile(join(location, CURRENT), "latin1");
  } catch (cause) {
    throw storageError(join(location, CURRENT), cause);
  }
  const manifest = current.endsWith("\n") ? current.slice(0, -1) : "";
  if (!MANIFEST_NAME.test(manifest)) {
    throw corruptFile(location, CURRENT, "does not name a MANIFEST file");
  }
  try {
    const info = await stat(join(location, manifest));
    if (info.size === 0) throw corruptFile(location, manifest, "is empty");
  } catch (cause) {
    if (cause instanceof CustosError) throw cause;
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") {
      throw corruptFile(location, manifest, "is missing (named by CURRENT)");
    }
    throw storageError(join(location, manifest), cause);
  }
  return "database";
}

/** The file LevelDB names in a corruption message, else the MANIFEST CURRENT names. */
async function damagedFile(location: string, message: string): Promise<string> {
  const named = /(MANIFEST-\d+|CURRENT|\d+\.(?:ldb|sst|log))/.exec(message)?.[1];
  if (named !== undefined) return basename(named);
  try {
    const current = await readFile(join(location, CURRENT), "latin1");
    return current.trim() || CURRENT;
  } catch {
    return CURRENT;
  }
}

/**
 * Opens the chain database's LevelDB directory with clear errors instead of level's generic
 * "Database failed to open":
 *
 * - held by another process (LevelDB's LOCK) → `NODE_START_FAILED`, details `reason: "in use"`;
 * - a missing or malformed CURRENT, a missing or empty MANIFEST, or a corruption LevelDB
 *   reports while opening → `CHAIN_DB_CORRUPT` naming the file;
 * - any other I/O failure (permissions, a file where a directory should be, a full disk) →
 *   `NODE_START_FAILED` naming the path and the cause.
 *
 * @throws CustosError `NODE_START_FAILED`, `CHAIN_DB_CORRUPT` as above.
 * @example
 * ```ts
 * const level = await openChainLevel("/var/lib/custos/chain", { storage: defaultChainDbOptions.storage });
 * ```
 */
export async function openChainLevel(
  location: string,
  options: OpenChainLevelOptions,
): Promise<Level<Uint8Array, Uint8Array>> {
  const state = await inspect(location);
  const create = options.create ?? true;
  if (state !== "database" && !create) {
    throw new CustosError("NODE_START_FAILED", `there is no chain database in ${location}`, {
      details: { path: location, reason: "no database" },
    });
  }
  const level = new Level<Uint8Array, Uint8Array>(location, {
    keyEncoding: "view",
    valueEncoding: "view",
    createIfMissing: state !== "database",
    ...options.storage,
  });
  try {
    await level.open();
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const code = (cause as { code?: string }).code;
    const message = cause instanceof Error ? cause.message : String(cause);
    if (code === "LEVEL_LOCKED") {
      throw new CustosError(
        "NODE_START_FAILED",
        `the chain database ${location} is in use by another process`,
        { details: { path: location, reason: "in use" }, cause: error },
      );
    }
    if (code === "LEVEL_CORRUPTION") {
      const file = await damagedFile(location, message);
      throw corruptFile(location, file, `cannot be read (${message})`, error);
    }
    throw storageError(location, cause);
  }
  return level;
}
