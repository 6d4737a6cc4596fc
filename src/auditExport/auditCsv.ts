import { stringify } from "csv-stringify/sync";
import type { AuditEntry } from "../audit/index.ts";
import { AUDIT_ROW_COLUMNS, type AuditRowOptions, auditRowOf } from "./auditRowOf.ts";

/** Options of {@link auditCsv}. */
export interface AuditCsvOptions extends AuditRowOptions {
  /** Write the header line (default true; false for the pages after the first of a stream). */
  readonly header?: boolean;
}

/**
 * Audit entries as RFC 4180 CSV (CRLF line ends, fields quoted where needed, written by
 * csv-stringify): a header line, then one line per entry with the {@link AUDIT_ROW_COLUMNS}
 * — location, time, contract, area, event, actor, query, hospital, subject pseudonyms,
 * purpose — and the event's fields as one JSON column. Absent values are empty cells. The
 * same entries give the same bytes.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` for a value that is not an audit entry.
 * @example
 * ```ts
 * writeFileSync("audit.csv", auditCsv(page.items, { querySummary: (id) => summaries.get(id) }));
 * ```
 */
export function auditCsv(entries: readonly AuditEntry[], options: AuditCsvOptions = {}): string {
  const records = entries.map((entry) => {
    const row = auditRowOf(entry, options);
    return AUDIT_ROW_COLUMNS.map((column) => {
      const value = row[column];
      if (value === null) return "";
      return column === "fields" ? JSON.stringify(value) : String(value);
    });
  });
  return stringify(records, {
    header: options.header ?? true,
    columns: [...AUDIT_ROW_COLUMNS],
    record_delimiter: "windows",
  });
}
