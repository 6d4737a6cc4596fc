import { type AuditEntry, auditEntryRefs, type QuerySummary } from "../../src/audit/index.ts";
import type { AuditReader } from "../audit/index.ts";

/**
 * The summaries of the queries a page of entries belongs to, in one read of the index: what
 * the FHIR and CSV exports look a result's researcher and request up in.
 *
 * @example
 * ```ts
 * const summaries = await querySummariesOf(reader, page.items);
 * auditEventBundle(page.items, { ...facts, querySummary: (id) => summaries.get(id) });
 * ```
 */
export async function querySummariesOf(
  reader: AuditReader,
  entries: readonly AuditEntry[],
): Promise<Map<string, QuerySummary>> {
  const ids = new Set<string>();
  for (const entry of entries) {
    const { queryId } = auditEntryRefs(entry);
    if (queryId !== null && queryId !== undefined) ids.add(String(queryId));
  }
  const list = [...ids];
  const found = await reader.querySummaries(list);
  const summaries = new Map<string, QuerySummary>();
  list.forEach((id, i) => {
    const summary = found[i];
    if (summary !== undefined) summaries.set(id, summary);
  });
  return summaries;
}
