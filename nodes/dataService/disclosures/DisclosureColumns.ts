import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { readFile, rename, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CustosError } from "../../../src/errors/index.ts";
import { syncDirectory } from "../../fs/index.ts";

/** Queries per chunk: one 64-bit word per person and plane. */
export const DISCLOSURE_CHUNK_WIDTH = 64;
/** Words per person in a chunk: allowed (2 × 32 bits), then counted (2 × 32 bits). */
const WORDS = 4;
const BYTES_PER_PERSON = WORDS * 4;
const FORMAT = "custos-disclosures/1";

/** Where one query's sets live in a roster's columns. */
export interface ColumnRef {
  readonly chunk: number;
  readonly column: number;
}

/** A recorded query as the chunk index lists it. */
export interface ColumnEntry {
  /** Decimal uint64. */
  readonly queryId: string;
  /** The consent snapshot root the hospital recorded on chain for it (0x hex). */
  readonly root: string;
  /** Store-wide record sequence: a later record of the same query supersedes this one. */
  readonly seq: number;
}

/** A query whose consent snapshot held a roster position. */
export interface PositionHit extends ColumnRef {
  readonly entry: ColumnEntry;
  /** Whether the person was in the query's cohort too (its statistics counted them). */
  readonly counted: boolean;
}

function isColumnEntry(value: unknown): value is ColumnEntry {
  const entry = value as Partial<ColumnEntry> | null;
  return (
    typeof entry === "object" &&
    entry !== null &&
    typeof entry.queryId === "string" &&
    /^\d{1,20}$/.test(entry.queryId) &&
    typeof entry.root === "string" &&
    /^0x[0-9a-f]{64}$/.test(entry.root) &&
    Number.isSafeInteger(entry.seq) &&
    (entry.seq as number) >= 0
  );
}

function corrupt(file: string, reason: string): CustosError {
  return new CustosError(
    "DISCLOSURE_STORE_CORRUPT",
    `the disclosure store file ${file} is damaged: ${reason}`,
    { details: { file, reason } },
  );
}

async function readChunkIndex(file: string, size: number): Promise<ColumnEntry[][]> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (text === null) return [[]];
  let parsed: { format?: unknown; size?: unknown; chunks?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt(file, "not JSON");
  }
  const valid =
    parsed.format === FORMAT &&
    parsed.size === size &&
    Array.isArray(parsed.chunks) &&
    parsed.chunks.length > 0 &&
    parsed.chunks.every(
      (entries) =>
        Array.isArray(entries) &&
        entries.length <= DISCLOSURE_CHUNK_WIDTH &&
        entries.every(isColumnEntry),
    );
  if (!valid) throw corrupt(file, "not a chunk index of this roster");
  return parsed.chunks as ColumnEntry[][];
}

/**
 * The membership bits of every recorded query over one roster, person-major so that one
 * person's queries are one 16-byte read per 64 queries:
 * - `columns.bin`: sealed chunks back to back, each `size × 16` bytes, append-only;
 * - `tail.log`: the records of the chunk being filled (chunk, column, then the allowed and
 *   counted bitsets), appended and flushed one by one, so a record costs two bitsets and a
 *   torn write loses only the record being written;
 * - `chunks.json`: each chunk's entries by column, replaced atomically after the bits.
 * A crash between the steps leaves the bits of an unlisted column (ignored, and cleared
 * before that column is used) or a sealed chunk still in the log (its records name the old
 * chunk and are skipped).
 */
export class DisclosureColumns {
  readonly #dir: string;
  readonly #size: number;
  readonly #region: number;
  readonly #planeBytes: number;
  readonly #columnsFd: number;
  readonly #tailFd: number;
  #chunks: ColumnEntry[][];
  #sealed: number;
  #current: Uint32Array;

  private constructor(
    dir: string,
    size: number,
    fds: { readonly columns: number; readonly tail: number },
    chunks: ColumnEntry[][],
    sealed: number,
    current: Uint32Array,
  ) {
    this.#dir = dir;
    this.#size = size;
    this.#region = size * BYTES_PER_PERSON;
    this.#planeBytes = Math.ceil(size / 32) * 4;
    this.#columnsFd = fds.columns;
    this.#tailFd = fds.tail;
    this.#chunks = chunks;
    this.#sealed = sealed;
    this.#current = current;
  }

  /**
   * Opens (or creates) the columns of a roster of `size` persons in `dir`.
   *
   * @throws CustosError `DISCLOSURE_STORE_CORRUPT` naming the damaged file.
   */
  static async open(dir: string, size: number): Promise<DisclosureColumns> {
    const region = size * BYTES_PER_PERSON;
    let chunks = await readChunkIndex(join(dir, "chunks.json"), size);
    const columnsFile = join(dir, "columns.bin");
    const tailFile = join(dir, "tail.log");
    const columns = openSync(columnsFile, "a+", 0o600);
    const tail = openSync(tailFile, "a+", 0o600);
    try {
      const length = (await stat(columnsFile)).size;
      const last = chunks.length - 1;
      let sealed = region === 0 ? last : Math.floor(length / region);
      // A torn append of a chunk whose records the log still holds.
      if (region > 0 && length !== sealed * region) await truncate(columnsFile, sealed * region);
      if (sealed > last + 1 || sealed < last) {
        throw corrupt(columnsFile, `holds ${sealed} chunks where the index lists ${chunks.length}`);
      }
      if (sealed === last + 1) {
        // The last listed chunk was sealed but the next one not yet begun.
        chunks = [...chunks, []];
      }
      sealed = chunks.length - 1;
      const opened = new DisclosureColumns(
        dir,
        size,
        { columns, tail },
        chunks,
        sealed,
        new Uint32Array(size * WORDS),
      );
      await opened.#replayTail(tailFile);
      return opened;
    } catch (error) {
      closeSync(columns);
      closeSync(tail);
      throw error;
    }
  }

  get #recordBytes(): number {
    return 8 + 2 * this.#planeBytes;
  }

  /** Applies the log's records of the open chunk's listed columns, in order. */
  async #replayTail(file: string): Promise<void> {
    const bytes = await readFile(file);
    const whole = Math.floor(bytes.length / this.#recordBytes) * this.#recordBytes;
    // A torn last record: cut, so the next append starts on a record boundary.
    if (whole !== bytes.length) await truncate(file, whole);
    const chunk = this.#chunks.length - 1;
    const listed = (this.#chunks[chunk] as ColumnEntry[]).length;
    for (let at = 0; at < whole; at += this.#recordBytes) {
      const view = new DataView(bytes.buffer, bytes.byteOffset + at, this.#recordBytes);
      const column = view.getUint32(4);
      if (view.getUint32(0) !== chunk || column >= listed) continue;
      const planes = bytes.subarray(at + 8, at + this.#recordBytes);
      this.#apply(column, planes);
    }
  }

  /** Writes one column's two bitsets (allowed, then counted) into the open chunk. */
  #apply(column: number, planes: Uint8Array): void {
    const current = this.#current;
    const word = column >>> 5;
    const bit = 1 << (column & 31);
    const allowed = planes.subarray(0, this.#planeBytes);
    const counted = planes.subarray(this.#planeBytes);
    for (let p = 0; p < this.#size; p++) {
      const mask = 1 << (p & 7);
      const at = p * WORDS + word;
      const a = ((allowed[p >>> 3] as number) & mask) !== 0;
      const c = ((counted[p >>> 3] as number) & mask) !== 0;
      current[at] = a ? (current[at] as number) | bit : (current[at] as number) & ~bit;
      current[at + 2] = c ? (current[at + 2] as number) | bit : (current[at + 2] as number) & ~bit;
    }
  }

  /** Entries by chunk and column, as recorded. */
  get chunks(): readonly (readonly ColumnEntry[])[] {
    return this.#chunks;
  }

  /**
   * Records a query's allowed and counted roster positions in the next free column, durably,
   * and returns where.
   *
   * @throws CustosError `INVALID_ARGUMENT` for a position outside the roster.
   */
  async record(entry: ColumnEntry, allowed: Uint32Array, counted: Uint32Array): Promise<ColumnRef> {
    if ((this.#chunks.at(-1) as ColumnEntry[]).length === DISCLOSURE_CHUNK_WIDTH) {
      await this.#seal();
    }
    const chunk = this.#chunks.length - 1;
    const column = (this.#chunks[chunk] as ColumnEntry[]).length;
    const record = new Uint8Array(this.#recordBytes);
    const view = new DataView(record.buffer);
    view.setUint32(0, chunk);
    view.setUint32(4, column);
    const set = (positions: Uint32Array, offset: number) => {
      for (const p of positions) {
        if (p >= this.#size) {
          throw new CustosError("INVALID_ARGUMENT", "a position lies outside the roster", {
            details: { field: "positions", position: p, size: this.#size },
          });
        }
        const at = offset + (p >>> 3);
        record[at] = (record[at] as number) | (1 << (p & 7));
      }
    };
    set(allowed, 8);
    set(counted, 8 + this.#planeBytes);
    writeSync(this.#tailFd, record);
    fsyncSync(this.#tailFd);
    this.#apply(column, record.subarray(8));
    const next = this.#chunks.map((c, i) => (i === chunk ? [...c, entry] : c));
    await this.#writeIndex(next);
    this.#chunks = next;
    return { chunk, column };
  }

  async #seal(): Promise<void> {
    writeSync(this.#columnsFd, new Uint8Array(this.#current.buffer));
    fsyncSync(this.#columnsFd);
    const next = [...this.#chunks, []];
    await this.#writeIndex(next);
    this.#chunks = next;
    this.#sealed = next.length - 1;
    this.#current = new Uint32Array(this.#size * WORDS);
    ftruncateSync(this.#tailFd, 0);
  }

  async #writeIndex(chunks: ColumnEntry[][]): Promise<void> {
    const file = join(this.#dir, "chunks.json");
    await writeFile(`${file}.tmp`, JSON.stringify({ format: FORMAT, size: this.#size, chunks }), {
      flush: true,
      mode: 0o600,
    });
    await rename(`${file}.tmp`, file);
    await syncDirectory(this.#dir);
  }

  /** The four words of `position` in chunk `chunk`. */
  #wordsAt(chunk: number, position: number): Uint32Array {
    if (chunk >= this.#sealed) {
      return this.#current.subarray(position * WORDS, (position + 1) * WORDS);
    }
    const words = new Uint32Array(WORDS);
    const read = readSync(
      this.#columnsFd,
      new Uint8Array(words.buffer),
      0,
      BYTES_PER_PERSON,
      chunk * this.#region + position * BYTES_PER_PERSON,
    );
    if (read !== BYTES_PER_PERSON) throw corrupt(join(this.#dir, "columns.bin"), "ends early");
    return words;
  }

  /** Every recorded query whose allowed set held `position`, in record order. */
  hitsAt(position: number): PositionHit[] {
    const hits: PositionHit[] = [];
    this.#chunks.forEach((entries, chunk) => {
      if (entries.length === 0) return;
      const words = this.#wordsAt(chunk, position);
      entries.forEach((_, column) => {
        const hit = this.#hitIn(words, { chunk, column });
        if (hit !== undefined) hits.push(hit);
      });
    });
    return hits;
  }

  /** The one column's hit at `position`, or undefined when its allowed set did not hold it. */
  hitAt(ref: ColumnRef, position: number): PositionHit | undefined {
    if (this.#chunks[ref.chunk]?.[ref.column] === undefined) return undefined;
    return this.#hitIn(this.#wordsAt(ref.chunk, position), ref);
  }

  #hitIn(words: Uint32Array, ref: ColumnRef): PositionHit | undefined {
    const entry = this.#chunks[ref.chunk]?.[ref.column] as ColumnEntry;
    const word = ref.column >>> 5;
    const bit = 1 << (ref.column & 31);
    if (((words[word] as number) & bit) === 0) return undefined;
    return { entry, ...ref, counted: ((words[2 + word] as number) & bit) !== 0 };
  }

  /** The allowed roster positions of one column, ascending. */
  allowedPositions(ref: ColumnRef): Uint32Array {
    let words: Uint32Array;
    if (ref.chunk >= this.#sealed) {
      words = this.#current;
    } else {
      const bytes = new Uint8Array(this.#region);
      const read = readSync(this.#columnsFd, bytes, 0, this.#region, ref.chunk * this.#region);
      if (read !== this.#region) throw corrupt(join(this.#dir, "columns.bin"), "ends early");
      words = new Uint32Array(bytes.buffer);
    }
    const word = ref.column >>> 5;
    const bit = 1 << (ref.column & 31);
    const out = new Uint32Array(this.#size);
    let n = 0;
    for (let p = 0; p < this.#size; p++) {
      if (((words[p * WORDS + word] as number) & bit) !== 0) out[n++] = p;
    }
    return out.slice(0, n);
  }

  /** Closes the files. */
  close(): void {
    closeSync(this.#columnsFd);
    closeSync(this.#tailFd);
  }
}
