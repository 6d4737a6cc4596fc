import { canonicalHash } from "../../src/canonical/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { AuditCaller, PatientCaller } from "./AuditCaller.ts";

/** One audit API request, as the read log keeps it. */
export interface AuditRead {
  /** Position in the log, from 1. */
  readonly seq: number;
  /** Unix seconds. */
  readonly at: number;
  /** The verified caller (staff or a patient); null for a request refused before it was known. */
  readonly caller: AuditCaller | PatientCaller | null;
  /** The route, e.g. `GET /audit/v1/queries/:id`. */
  readonly route: string;
  /** Path and query parameters as received. */
  readonly params: Readonly<Record<string, string>>;
  /** The HTTP status answered. */
  readonly status: number;
  /** The hash of the entry before this one (zero for the first): the log is a hash chain. */
  readonly prevHash: `0x${string}`;
  /** keccak-256 of the RFC 8785 JSON of every field above. */
  readonly hash: `0x${string}`;
}

/** What a caller of {@link AuditReadLog.record} gives; the log adds the rest. */
export type AuditReadInput = Omit<AuditRead, "seq" | "prevHash" | "hash">;

/** A page of the read log, newest first. */
export interface AuditReadPage {
  readonly items: readonly AuditRead[];
  /** Pass as `before` for the next (older) page; null at the start of the log. */
  readonly next: number | null;
}

/**
 * The audit API's own trail: every request, refused ones included, in a hash chain, so who
 * read what is itself auditable and a removed or edited entry shows.
 */
export interface AuditReadLog {
  /** Appends a read; entries are written one at a time, in call order. */
  record(read: AuditReadInput): Promise<AuditRead>;
  /** Entries with `seq` below `before` (default: all), newest first, at most `limit`. */
  page(options: { readonly before?: number; readonly limit: number }): Promise<AuditReadPage>;
  /** The last entry's hash and seq (what an on-chain anchor commits to). */
  head(): Promise<{ readonly seq: number; readonly hash: `0x${string}` }>;
}

/** The slice of a level database (or sublevel) of string keys and values the log uses. */
export interface AuditReadLogDb {
  put(key: string, value: string): Promise<void>;
  values(options: {
    readonly lt?: string;
    readonly reverse: boolean;
    readonly limit: number;
  }): AsyncIterable<string>;
}

const ZERO_HASH = `0x${"0".repeat(64)}` as const;
const key = (seq: number) => seq.toString(16).padStart(12, "0");

function failed(operation: string, cause: unknown): CustosError {
  return new CustosError("INTERNAL", `audit read log ${operation} failed`, {
    details: { operation },
    cause,
  });
}

/**
 * A read log over a level database (or sublevel) of string keys and JSON values. Keys are the
 * zero-padded hex sequence number, so iteration order is log order.
 *
 * @example
 * ```ts
 * const log = await createAuditReadLog(db.sublevel("reads", { valueEncoding: "utf8" }));
 * await log.record({ at, caller, route: "GET /audit/v1/queries", params: {}, status: 200 });
 * ```
 */
export async function createAuditReadLog(db: AuditReadLogDb): Promise<AuditReadLog> {
  let last: { seq: number; hash: `0x${string}` } = { seq: 0, hash: ZERO_HASH };
  try {
    for await (const value of db.values({ reverse: true, limit: 1 })) {
      const entry = JSON.parse(value) as AuditRead;
      last = { seq: entry.seq, hash: entry.hash };
    }
  } catch (error) {
    throw failed("open", error);
  }
  let queue: Promise<unknown> = Promise.resolve();

  return {
    record(read) {
      const write = queue.then(async () => {
        const body = { ...read, seq: last.seq + 1, prevHash: last.hash };
        const entry: AuditRead = {
          ...body,
          hash: canonicalHash(body),
        };
        try {
          await db.put(key(entry.seq), JSON.stringify(entry));
        } catch (error) {
          throw failed("write", error);
        }
        last = { seq: entry.seq, hash: entry.hash };
        return entry;
      });
      queue = write.catch(() => undefined);
      return write;
    },
    async page({ before, limit }) {
      const items: AuditRead[] = [];
      try {
        const range = before === undefined ? {} : { lt: key(before) };
        for await (const value of db.values({ ...range, reverse: true, limit })) {
          items.push(JSON.parse(value) as AuditRead);
        }
      } catch (error) {
        throw failed("read", error);
      }
      const oldest = items.at(-1);
      return {
        items,
        next: items.length === limit && oldest !== undefined && oldest.seq > 1 ? oldest.seq : null,
      };
    },
    async head() {
      await queue;
      return last;
    },
  };
}
