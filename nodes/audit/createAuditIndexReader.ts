import type {
  AuditEntry,
  ConsentDayCounts,
  EpsilonBudget,
  QuerySummary,
} from "../../src/audit/index.ts";
import { consentDayOf } from "../../src/audit/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import { uint64Bytes } from "../db/index.ts";
import type {
  AuditBlockRange,
  AuditIndexStatus,
  AuditPage,
  AuditPageRequest,
  AuditReader,
  QueryListFilter,
  QueryTrail,
} from "./AuditReader.ts";
import { MAX_AUDIT_PAGE_SIZE, MAX_AUDIT_SCAN } from "./AuditReader.ts";
import type { AuditLevel } from "./auditBlockBatch.ts";
import {
  type AuditCursorKind,
  auditPageLimit,
  decodeAuditCursor,
  encodeAuditCursor,
} from "./auditCursor.ts";
import type { AuditHead } from "./auditHead.ts";
import {
  type AuditKeyspace,
  auditKey,
  auditKeyspaces,
  blockPart,
  hexPart,
  prefixEnd,
  u32Part,
} from "./auditKeyspaces.ts";
import { decodeAuditRecord } from "./auditRecord.ts";
import {
  assertRange,
  parseBlockNumber,
  parseHexBytes,
  parsePurpose,
  parseQueryId,
  parseUint32,
  parseUnixTime,
} from "./parseAuditRequest.ts";

/** Width of an entry's position (block 8 ‖ log index 4) at the end of pointer keys. */
const POSITION = 12;
/** Width of a query's listing position (submission time 8 ‖ query id 8). */
const LISTING = 16;
/** Keys read per step while a listing is filtered. */
const SCAN_STEP = 256;

/** A key range in level's terms. */
interface KeyRange {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * An ascending range over `prefix ‖ position` from `low` to `high` (inclusive), starting
 * after the cursor's position when there is one (never below `low`).
 */
function rangeAfter(
  kind: AuditCursorKind,
  prefix: Uint8Array,
  width: number,
  page: AuditPageRequest | undefined,
  low: Uint8Array = prefix,
  high: Uint8Array = prefixEnd(prefix, width),
): KeyRange {
  if (page?.cursor === undefined) return { gte: low, lte: high };
  const after = concat(prefix, decodeAuditCursor(kind, page.cursor, width));
  return Buffer.compare(after, low) < 0 ? { gte: low, lte: high } : { gt: after, lte: high };
}

/** The reads of an audit index over its level database. */
class IndexReader implements AuditReader {
  /** A read of a closed index fails with a Custos error, not level's. */
  #assertOpen(): void {
    if (this.#level.status !== "open") {
      throw new CustosError("AUDIT_INDEX_UNAVAILABLE", "the audit index is closed", {
        details: { status: this.#level.status },
      });
    }
  }

  readonly #level: AuditLevel;
  readonly #head: () => AuditHead | undefined;

  constructor(level: AuditLevel, head: () => AuditHead | undefined) {
    this.#level = level;
    this.#head = head;
  }

  async #getAll(keys: readonly Uint8Array[]): Promise<Uint8Array[]> {
    if (keys.length === 0) return [];
    const values = await this.#level.getMany([...keys]);
    return values.map((value, i) => {
      if (value === undefined) {
        throw new CustosError("AUDIT_INDEX_CORRUPT", "an audit index list names a missing record", {
          details: { key: Buffer.from(keys[i] as Uint8Array).toString("hex") },
        });
      }
      return value;
    });
  }

  /** One page of entries listed by pointer keys ending in their position. */
  async #pointerPage(
    kind: AuditCursorKind,
    prefix: Uint8Array,
    page: AuditPageRequest | undefined,
  ): Promise<AuditPage<AuditEntry>> {
    const limit = auditPageLimit(page);
    const keys = await this.#level
      .keys({ ...rangeAfter(kind, prefix, POSITION, page), limit: limit + 1 })
      .all();
    const shown = keys.slice(0, limit);
    const entryKeys = shown.map((k) =>
      concat(Uint8Array.of(auditKeyspaces.entry), k.subarray(k.length - POSITION)),
    );
    const values = await this.#getAll(entryKeys);
    const items = values.map((v, i) =>
      decodeAuditRecord<AuditEntry>(v, entryKeys[i] as Uint8Array),
    );
    return this.#page(kind, items, shown, keys.length > limit, POSITION);
  }

  /** One page of records stored in a keyspace range. */
  async #valuePage<T>(
    kind: AuditCursorKind,
    range: KeyRange,
    width: number,
    limit: number,
  ): Promise<AuditPage<T>> {
    const pairs = await this.#level.iterator({ ...range, limit: limit + 1 }).all();
    const shown = pairs.slice(0, limit);
    const items = shown.map(([key, value]) => decodeAuditRecord<T>(value, key));
    return this.#page(
      kind,
      items,
      shown.map(([key]) => key),
      pairs.length > limit,
      width,
    );
  }

  #page<T>(
    kind: AuditCursorKind,
    items: T[],
    keys: readonly Uint8Array[],
    more: boolean,
    width: number,
  ): AuditPage<T> {
    const last = keys[keys.length - 1];
    return more && last !== undefined
      ? { items, cursor: encodeAuditCursor(kind, last.subarray(last.length - width)) }
      : { items };
  }

  async listQueries(filter: QueryListFilter = {}): Promise<AuditPage<QuerySummary>> {
    this.#assertOpen();
    const limit = auditPageLimit(filter);
    const researcher =
      filter.researcher === undefined
        ? undefined
        : parseHexBytes(filter.researcher, 20, "researcher");
    const org = filter.org === undefined ? undefined : parseUint32(filter.org, "org");
    const hospital =
      filter.hospital === undefined ? undefined : parseUint32(filter.hospital, "hospital");
    const purpose = filter.purpose === undefined ? undefined : parsePurpose(filter.purpose);
    const from = filter.from === undefined ? 0 : parseUnixTime(filter.from, "from");
    const to = filter.to === undefined ? Number.MAX_SAFE_INTEGER : parseUnixTime(filter.to, "to");
    assertRange(from, to, "from");
    const order = filter.order ?? "desc";
    if (order !== "desc" && order !== "asc") {
      throw new CustosError("AUDIT_REQUEST_INVALID", "order: must be desc or asc", {
        details: { field: "order", reason: "not desc or asc" },
      });
    }
    // The most selective list given drives the scan; the other filters are checked on
    // each summary (every list is ordered by submission time, so from/to bound them all).
    const prefix =
      researcher !== undefined
        ? auditKey(auditKeyspaces.queryByResearcher, hexPart(researcher))
        : hospital !== undefined
          ? auditKey(auditKeyspaces.queryByHospital, u32Part(hospital))
          : org !== undefined
            ? auditKey(auditKeyspaces.queryByOrg, u32Part(org))
            : purpose !== undefined
              ? auditKey(auditKeyspaces.queryByPurpose, u32Part(purpose))
              : Uint8Array.of(auditKeyspaces.queryByTime);
    const low = concat(prefix, uint64Bytes(BigInt(from)));
    const high = prefixEnd(concat(prefix, uint64Bytes(BigInt(to))), 8);
    const range: KeyRange = { gte: low, lte: high, reverse: order === "desc" };
    if (filter.cursor !== undefined) {
      const at = concat(prefix, decodeAuditCursor("queries", filter.cursor, LISTING));
      if (order === "asc" && Buffer.compare(at, low) >= 0) {
        delete range.gte;
        range.gt = at;
      }
      if (order === "desc" && Buffer.compare(at, high) <= 0) {
        delete range.lte;
        range.lt = at;
      }
    }
    const matches = (s: QuerySummary) =>
      (researcher === undefined || s.researcher.toLowerCase() === researcher) &&
      (org === undefined || s.researcherOrg === org) &&
      (hospital === undefined || s.targets.includes(hospital)) &&
      (purpose === undefined || s.purpose === purpose);
    const items: QuerySummary[] = [];
    let lastItem: Uint8Array | undefined;
    let lastScanned: Uint8Array | undefined;
    let scanned = 0;
    const iterator = this.#level.keys(range);
    try {
      for (;;) {
        // First as many keys as a page needs when every one matches, then more at a time.
        const keys = await iterator.nextv(
          scanned === 0 ? Math.min(SCAN_STEP, limit + 1) : SCAN_STEP,
        );
        if (keys.length === 0) return { items };
        const summaryKeys = keys.map((k) =>
          concat(Uint8Array.of(auditKeyspaces.querySummary), k.subarray(k.length - 8)),
        );
        const values = await this.#getAll(summaryKeys);
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i] as Uint8Array;
          const summary = decodeAuditRecord<QuerySummary>(values[i] as Uint8Array, key);
          if (matches(summary)) {
            if (items.length === limit) {
              return { items, cursor: encodeAuditCursor("queries", lastItem as Uint8Array) };
            }
            items.push(summary);
            lastItem = key.subarray(key.length - LISTING);
          }
          lastScanned = key.subarray(key.length - LISTING);
          if (++scanned >= MAX_AUDIT_SCAN) {
            return { items, cursor: encodeAuditCursor("queries", lastScanned) };
          }
        }
      }
    } finally {
      await iterator.close();
    }
  }

  async queryTrail(
    queryId: string | number | bigint,
    page?: AuditPageRequest,
  ): Promise<QueryTrail | undefined> {
    this.#assertOpen();
    const id = blockPart(parseQueryId(queryId));
    const summaryKey = auditKey(auditKeyspaces.querySummary, id);
    const stored = await this.#level.get(summaryKey);
    if (stored === undefined) return undefined;
    const summary = decodeAuditRecord<QuerySummary>(stored, summaryKey);
    const entries = await this.#pointerPage("trail", auditKey(auditKeyspaces.queryEntry, id), page);
    return { summary, ...entries };
  }

  async querySummaries(
    queryIds: readonly (string | number | bigint)[],
  ): Promise<(QuerySummary | undefined)[]> {
    this.#assertOpen();
    if (queryIds.length > MAX_AUDIT_PAGE_SIZE) {
      throw new CustosError(
        "AUDIT_PAGE_TOO_LARGE",
        `at most ${MAX_AUDIT_PAGE_SIZE} queries at once`,
        {
          details: { field: "queryIds", max: MAX_AUDIT_PAGE_SIZE },
        },
      );
    }
    const keys = queryIds.map((id) =>
      auditKey(auditKeyspaces.querySummary, blockPart(parseQueryId(id))),
    );
    if (keys.length === 0) return [];
    const values = await this.#level.getMany(keys);
    return values.map((value, i) =>
      value === undefined
        ? undefined
        : decodeAuditRecord<QuerySummary>(value, keys[i] as Uint8Array),
    );
  }

  async subjectHistory(
    custodian: number,
    subject: string,
    page?: AuditPageRequest,
  ): Promise<AuditPage<AuditEntry>> {
    this.#assertOpen();
    const prefix = auditKey(
      auditKeyspaces.subjectEntry,
      u32Part(parseUint32(custodian, "custodian")),
      hexPart(parseHexBytes(subject, 32, "subject")),
    );
    return this.#pointerPage("subject", prefix, page);
  }

  async budgets(org?: number, page?: AuditPageRequest): Promise<AuditPage<EpsilonBudget>> {
    this.#assertOpen();
    const limit = auditPageLimit(page);
    const prefix =
      org === undefined
        ? Uint8Array.of(auditKeyspaces.budget)
        : auditKey(auditKeyspaces.budget, u32Part(parseUint32(org, "org")));
    const width = 8;
    const full = Uint8Array.of(auditKeyspaces.budget);
    const range = rangeAfter(
      "budgets",
      full,
      width,
      page,
      prefix,
      prefixEnd(prefix, width - (prefix.length - 1)),
    );
    return this.#valuePage<EpsilonBudget>("budgets", range, width, limit);
  }

  async consentSeries(
    from: number,
    to: number,
    page?: AuditPageRequest,
  ): Promise<AuditPage<ConsentDayCounts>> {
    this.#assertOpen();
    const limit = auditPageLimit(page);
    const first = consentDayOf(parseUnixTime(from, "from"));
    const last = consentDayOf(parseUnixTime(to, "to"));
    assertRange(first, last, "from");
    const space = Uint8Array.of(auditKeyspaces.consentDay);
    const range = rangeAfter(
      "series",
      space,
      8,
      page,
      auditKey(auditKeyspaces.consentDay, u32Part(first)),
      prefixEnd(auditKey(auditKeyspaces.consentDay, u32Part(last)), 4),
    );
    return this.#valuePage<ConsentDayCounts>("series", range, 8, limit);
  }

  async governance(page?: AuditPageRequest): Promise<AuditPage<AuditEntry>> {
    this.#assertOpen();
    return this.#pointerPage("governance", Uint8Array.of(auditKeyspaces.governance), page);
  }

  async entries(range: AuditBlockRange = {}): Promise<AuditPage<AuditEntry>> {
    this.#assertOpen();
    const limit = auditPageLimit(range);
    const fromBlock =
      range.fromBlock === undefined ? 0 : parseBlockNumber(range.fromBlock, "fromBlock");
    const toBlock =
      range.toBlock === undefined
        ? Number.MAX_SAFE_INTEGER
        : parseBlockNumber(range.toBlock, "toBlock");
    assertRange(fromBlock, toBlock, "fromBlock");
    const space: AuditKeyspace = auditKeyspaces.entry;
    const keys = rangeAfter(
      "entries",
      Uint8Array.of(space),
      POSITION,
      range,
      auditKey(space, blockPart(fromBlock), u32Part(0)),
      auditKey(space, blockPart(toBlock), u32Part(0xffff_ffff)),
    );
    return this.#valuePage<AuditEntry>("entries", keys, POSITION, limit);
  }

  async status(): Promise<AuditIndexStatus> {
    const head = this.#head();
    return {
      indexedBlock: head?.number ?? null,
      indexedHash: head?.hash ?? null,
      headBlock: null,
      behind: null,
      fault: null,
    };
  }
}

/**
 * The reads of an audit index (see {@link AuditReader}) over its level database; `head`
 * gives the last indexed block for `status()`.
 *
 * @example
 * ```ts
 * const reader = createAuditIndexReader(level, () => head);
 * const { items, cursor } = await reader.listQueries({ hospital: 2, limit: 50 });
 * ```
 */
export function createAuditIndexReader(
  level: AuditLevel,
  head: () => AuditHead | undefined,
): AuditReader {
  return new IndexReader(level, head);
}
