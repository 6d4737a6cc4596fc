import type { AuditEntry } from "../audit/index.ts";
import { type AuditRowOptions, auditRowOf } from "./auditRowOf.ts";

/**
 * Audit entries as JSON Lines (NDJSON, the bulk format FHIR and the consent import use):
 * one {@link AuditRow} per line, `\n` after each, keys in column order, fields as JSON
 * values. Lines rather than one array so an export streams page by page and any prefix of
 * it parses; the same entries give the same bytes.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` for a value that is not an audit entry.
 * @example
 * ```ts
 * for (const line of auditJsonLines(page.items).split("\n").filter(Boolean)) JSON.parse(line);
 * ```
 */
export function auditJsonLines(
  entries: readonly AuditEntry[],
  options: AuditRowOptions = {},
): string {
  return entries.map((entry) => `${JSON.stringify(auditRowOf(entry, options))}\n`).join("");
}
