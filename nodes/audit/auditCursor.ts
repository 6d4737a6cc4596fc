import { CustosError } from "../../src/errors/index.ts";
import {
  type AuditPageRequest,
  DEFAULT_AUDIT_PAGE_SIZE,
  MAX_AUDIT_PAGE_SIZE,
} from "./AuditReader.ts";

/** The reads a cursor can belong to; each has its own tag and position width. */
const cursorTags = {
  queries: 1,
  trail: 2,
  subject: 3,
  budgets: 4,
  series: 5,
  governance: 6,
  entries: 7,
} as const;

/** A read whose pages are joined by cursors. */
export type AuditCursorKind = keyof typeof cursorTags;

/**
 * An opaque cursor: the read's tag and the position of the page's last item (the sort key
 * after the keyspace prefix), base64url.
 *
 * @example
 * ```ts
 * encodeAuditCursor("trail", position); // "AgAAAAAAAAAMAAAAAw"
 * ```
 */
export function encodeAuditCursor(kind: AuditCursorKind, position: Uint8Array): string {
  const bytes = new Uint8Array(position.length + 1);
  bytes[0] = cursorTags[kind];
  bytes.set(position, 1);
  return Buffer.from(bytes).toString("base64url");
}

/**
 * The position a cursor of read `kind` names.
 *
 * @throws CustosError `AUDIT_CURSOR_INVALID` for a cursor that is not base64url, another
 *   read's, or of the wrong length.
 * @example
 * ```ts
 * const position = decodeAuditCursor("trail", page.cursor, 12);
 * ```
 */
export function decodeAuditCursor(
  kind: AuditCursorKind,
  cursor: string,
  width: number,
): Uint8Array {
  const bytes = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url") : undefined;
  if (bytes === undefined || bytes.length !== width + 1 || bytes[0] !== cursorTags[kind]) {
    throw new CustosError("AUDIT_CURSOR_INVALID", `the cursor is not one of this ${kind} read`, {
      details: { field: "cursor", read: kind },
    });
  }
  return new Uint8Array(bytes.subarray(1));
}

/**
 * The page size a request asks for.
 *
 * @throws CustosError `AUDIT_PAGE_TOO_LARGE` above {@link MAX_AUDIT_PAGE_SIZE};
 *   `AUDIT_REQUEST_INVALID` for a limit that is not a positive integer.
 * @example
 * ```ts
 * const limit = auditPageLimit(page); // 100 by default
 * ```
 */
export function auditPageLimit(page: AuditPageRequest | undefined): number {
  const limit = page?.limit ?? DEFAULT_AUDIT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new CustosError("AUDIT_REQUEST_INVALID", "limit: must be a positive integer", {
      details: { field: "limit" },
    });
  }
  if (limit > MAX_AUDIT_PAGE_SIZE) {
    throw new CustosError(
      "AUDIT_PAGE_TOO_LARGE",
      `limit: at most ${MAX_AUDIT_PAGE_SIZE} items per page`,
      { details: { field: "limit", limit, max: MAX_AUDIT_PAGE_SIZE } },
    );
  }
  return limit;
}
