import { open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { CustosError } from "../../../src/errors/index.ts";
import { syncDirectory } from "../../fs/index.ts";
import type { QbftSigningRecord } from "../core/index.ts";
import type { SigningRecordStore } from "./SigningRecordStore.ts";
import { decodeSigningRecordFile, encodeSigningRecordFile } from "./signingRecordFile.ts";

/** The record's file name inside a node's data directory (beside `chain/`, not in it). */
export const SIGNING_RECORD_FILE = "consensus-record.bin";

function failed(path: string, operation: string, cause: unknown): CustosError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new CustosError(
    "CONSENSUS_RECORD_STORE_FAILED",
    `the signing record ${path} cannot be ${operation === "load" ? "read" : "made durable"}`,
    { details: { path, operation, code }, cause },
  );
}

/**
 * The signing record in its own small file, by default {@link SIGNING_RECORD_FILE} in the
 * node's data directory, beside the chain database and never inside it: the record is the
 * validator's promise about what it signed, while the chain database can be wiped and
 * resynced from peers at any time (`custos db` repair, a restore, an operator's `rm -rf
 * chain/`). A wiped database that took the record with it would let the validator come back
 * at a height it already voted on, forget its votes and sign conflicting ones; with the
 * record kept apart it syncs up to the record's height and resumes from it.
 *
 * Each save writes `<path>.tmp`, fsyncs it, renames it over `path` and fsyncs the directory,
 * so a crash leaves the old record or the new one, whole; a torn `.tmp` left by a crash is
 * ignored by `load` and overwritten by the next save. Saves run one after another in call
 * order. The file is checksummed ({@link encodeSigningRecordFile}): damage is refused, never
 * guessed around.
 *
 * @throws CustosError (from `load`) `CONSENSUS_RECORD_CORRUPT` for a damaged file,
 *   `CONSENSUS_RECORD_STORE_FAILED` when it cannot be read; (from `save`)
 *   `CONSENSUS_RECORD_STORE_FAILED` when it cannot be written, synced or renamed (a full
 *   disk, a read-only directory).
 * @example
 * ```ts
 * const store = createFileSigningRecordStore(join(dataDir, SIGNING_RECORD_FILE));
 * await store.save(record);
 * (await store.load())?.height; // record.height
 * ```
 */
export function createFileSigningRecordStore(path: string): SigningRecordStore {
  return new FileSigningRecordStore(path);
}

class FileSigningRecordStore implements SigningRecordStore {
  readonly #path: string;
  #last: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.#path = path;
  }

  async load(): Promise<QbftSigningRecord | undefined> {
    let bytes: Uint8Array;
    try {
      // A plain Uint8Array: the record's digests are slices of it, and a Buffer's `slice`
      // would hand out views of Node's pooled memory.
      bytes = new Uint8Array(await readFile(this.#path));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw failed(this.#path, "load", cause);
    }
    return decodeSigningRecordFile(bytes, this.#path);
  }

  save(record: QbftSigningRecord): Promise<void> {
    const bytes = encodeSigningRecordFile(record);
    // One write at a time: two saves racing on the same temporary file could rename a
    // mixture of both.
    const next = this.#last.then(() => this.#write(bytes));
    this.#last = next.catch(() => undefined);
    return next;
  }

  async #write(bytes: Uint8Array): Promise<void> {
    const temporary = `${this.#path}.tmp`;
    try {
      const handle = await open(temporary, "w", 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.#path);
      await syncDirectory(dirname(this.#path));
    } catch (cause) {
      throw failed(this.#path, "save", cause);
    }
  }
}
