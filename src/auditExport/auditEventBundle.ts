import type { AuditEntry } from "../audit/index.ts";
import { type AuditExportContext, checkAuditExportContext } from "./AuditExportContext.ts";
import { auditEventOfChecked } from "./auditEventOf.ts";
import { exportInputInvalid } from "./exportInputInvalid.ts";
import type { FhirAuditEvent, FhirAuditEventBundle } from "./FhirAuditEvent.ts";
import { AUDIT_EVENT_NAMESPACE, nameBasedUuid } from "./nameBasedUuid.ts";

/**
 * The AuditEvents of `entries` (see `auditEventOf`) as a FHIR R4 Bundle of type
 * `collection` — a set of resources packaged for distribution, which is what an export is (a
 * `searchset` answers a search; a `history` lists versions of resources). Entries keep their
 * order; each `fullUrl` is `urn:uuid:` + the event's id, derived from its chain location, and
 * the bundle's id from those ids, so the same entries give the same bytes.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` (a malformed entry or context, or two
 *   entries of the same log), `AUDIT_EXPORT_QUERY_UNKNOWN` (as `auditEventOf`).
 * @example
 * ```ts
 * const page = await reader.entries({ fromBlock: 0, limit: 1000 });
 * const body = JSON.stringify(auditEventBundle(page.items, context));
 * ```
 */
export function auditEventBundle(
  entries: readonly AuditEntry[],
  context: AuditExportContext,
): FhirAuditEventBundle {
  const checked = checkAuditExportContext(context);
  const seen = new Set<string>();
  const events: FhirAuditEvent[] = entries.map((entry, i) => {
    const event = auditEventOfChecked(entry, checked);
    if (seen.has(event.id)) {
      throw exportInputInvalid(`entries[${i}]`, "repeats the chain location of an earlier entry");
    }
    seen.add(event.id);
    return event;
  });
  return {
    resourceType: "Bundle",
    id: nameBasedUuid(AUDIT_EVENT_NAMESPACE, `bundle/${events.map((e) => e.id).join(",")}`),
    type: "collection",
    // FHIR JSON has no empty arrays: an empty export is a bundle without entries.
    ...(events.length === 0
      ? {}
      : { entry: events.map((resource) => ({ fullUrl: `urn:uuid:${resource.id}`, resource })) }),
  };
}
