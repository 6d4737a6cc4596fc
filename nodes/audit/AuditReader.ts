import type {
  AuditEntry,
  ConsentDayCounts,
  EpsilonBudget,
  QuerySummary,
} from "../../src/audit/index.ts";
import type { Hex } from "../../src/ledger/index.ts";

/** Items per page when a read names no limit. */
export const DEFAULT_AUDIT_PAGE_SIZE = 100;
/** Most items one page may hold; a larger `limit` is refused with `AUDIT_PAGE_TOO_LARGE`. */
export const MAX_AUDIT_PAGE_SIZE = 1000;
/**
 * Most index keys one `listQueries` page looks at. A filter that few queries match (say a
 * researcher and a purpose together) may scan many keys per match: the page then ends early,
 * with a cursor, so one request never walks the whole index.
 */
export const MAX_AUDIT_SCAN = 10_000;

/**
 * Paging of a read: where the previous page ended, and how many items to return. Absent and
 * undefined fields mean the same (an HTTP layer can pass its query string through).
 */
export interface AuditPageRequest {
  /** The `cursor` of the previous page of the same read; absent for the first page. */
  readonly cursor?: string | undefined;
  /** Items to return, 1 to {@link MAX_AUDIT_PAGE_SIZE} (default {@link DEFAULT_AUDIT_PAGE_SIZE}). */
  readonly limit?: number | undefined;
}

/** One page of a read. */
export interface AuditPage<T> {
  readonly items: readonly T[];
  /**
   * Pass it back for the next page; absent when there is none. A `listQueries` page may hold
   * fewer items than asked and still have a cursor (see {@link MAX_AUDIT_SCAN}).
   */
  readonly cursor?: string;
}

/** Which queries `listQueries` returns; every given filter must hold. */
export interface QueryListFilter extends AuditPageRequest {
  /** The submitting account. */
  readonly researcher?: string | undefined;
  /** The researcher organisation. */
  readonly org?: number | undefined;
  /** A target hospital. */
  readonly hospital?: number | undefined;
  /** The purpose: a DUO permission label ("HMB") or its bit. */
  readonly purpose?: string | number | undefined;
  /** Submitted at or after this unix second. */
  readonly from?: number | undefined;
  /** Submitted at or before this unix second. */
  readonly to?: number | undefined;
  /** By submission time: newest first (default) or oldest first. */
  readonly order?: "desc" | "asc" | undefined;
}

/** A query's summary with its entries in chain order (paged). */
export interface QueryTrail extends AuditPage<AuditEntry> {
  readonly summary: QuerySummary;
}

/** Blocks of a range of entries. */
export interface AuditBlockRange extends AuditPageRequest {
  /** First block (default 0). */
  readonly fromBlock?: number | undefined;
  /** Last block, inclusive (default: the last indexed). */
  readonly toBlock?: number | undefined;
}

/** How far the audit index is. */
export interface AuditIndexStatus {
  /** The last indexed block, or null before block 0 is indexed. */
  readonly indexedBlock: number | null;
  readonly indexedHash: Hex | null;
  /** The chain's head as the follower last saw it (null from an index without a follower). */
  readonly headBlock: number | null;
  /** Blocks committed but not indexed yet (null when the head is unknown). */
  readonly behind: number | null;
  /** Why indexing stopped, until it resumes (it is tried again at the next block). */
  readonly fault: { readonly code: string; readonly message: string } | null;
}

/**
 * What the rest of the node reads from its audit index (the regulator API, exports, the
 * dashboard): every read is paged with an opaque cursor and capped at
 * {@link MAX_AUDIT_PAGE_SIZE} items.
 *
 * Reads throw CustosError `AUDIT_REQUEST_INVALID` (malformed argument),
 * `AUDIT_PAGE_TOO_LARGE` (limit above the cap), `AUDIT_CURSOR_INVALID` (a cursor of another
 * read), `AUDIT_INDEX_CORRUPT` and `AUDIT_INDEX_UNAVAILABLE`.
 */
export interface AuditReader {
  /** Query summaries, by submission time, narrowed by `filter`. */
  listQueries(filter?: QueryListFilter): Promise<AuditPage<QuerySummary>>;
  /** A query's summary and entries in chain order; undefined for an unknown query. */
  queryTrail(
    queryId: string | number | bigint,
    page?: AuditPageRequest,
  ): Promise<QueryTrail | undefined>;
  /**
   * The summaries of up to {@link MAX_AUDIT_PAGE_SIZE} queries in one read, in the order
   * asked; undefined for an unknown query.
   */
  querySummaries(
    queryIds: readonly (string | number | bigint)[],
  ): Promise<(QuerySummary | undefined)[]>;
  /** Every entry of one consent record (custodian, subject pseudonym), in chain order. */
  subjectHistory(
    custodian: number,
    subject: string,
    page?: AuditPageRequest,
  ): Promise<AuditPage<AuditEntry>>;
  /** ε budgets per (researcher organisation, hospital), of one organisation or all. */
  budgets(org?: number, page?: AuditPageRequest): Promise<AuditPage<EpsilonBudget>>;
  /**
   * Per UTC day and custodian, the consent grants, updates and revocations from the day of
   * unix second `from` to the day of `to`, inclusive (days without changes are absent).
   */
  consentSeries(
    from: number,
    to: number,
    page?: AuditPageRequest,
  ): Promise<AuditPage<ConsentDayCounts>>;
  /** Governance entries (Consortium, and AccessLedger's approval threshold), in chain order. */
  governance(page?: AuditPageRequest): Promise<AuditPage<AuditEntry>>;
  /** Every entry of a block range, in chain order (for exports). */
  entries(range?: AuditBlockRange): Promise<AuditPage<AuditEntry>>;
  /** How far the index is. */
  status(): Promise<AuditIndexStatus>;
}
