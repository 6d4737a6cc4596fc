import type { ResultRecordedEntry } from "../audit/index.ts";
import type { Hex } from "../ledger/index.ts";
import { type AuditExportContext, checkAuditExportContext } from "./AuditExportContext.ts";
import { queryRef, requiredSummary } from "./auditEventOf.ts";
import {
  accountAgent,
  auditEventId,
  checkLocation,
  fieldDetails,
  locationEntity,
  observerOf,
  organisationAgent,
  patientEntity,
  purposeOfEvent,
  recordedAt,
  sourceOf,
} from "./auditEventParts.ts";
import { auditCodes, balpProfiles } from "./balpVocabulary.ts";
import { checkAuditEntry } from "./checkAuditEntry.ts";
import { exportInputInvalid } from "./exportInputInvalid.ts";
import type { FhirAuditEvent } from "./FhirAuditEvent.ts";

const PSEUDONYM = /^0x[0-9a-fA-F]{64}$/;

/**
 * One line of a subject's accounting of disclosures: the BALP PrivacyDisclosure.Source
 * AuditEvent saying that the hospital released a result computed over this subject's data
 * to the researcher. The chain holds only the Merkle root of the consenting subjects a result
 * used, so the hospital, which holds the set (its allow-list at the result's consent block),
 * names the subject; this function does not check membership. Recorded by the releasing
 * side, as the profile wants: the observer is the hospital's node and the source agent.
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` (not a ResultRecorded entry, a malformed
 *   pseudonym or context), `AUDIT_EXPORT_QUERY_UNKNOWN` (no summary of the entry's query).
 * @example
 * ```ts
 * for (const subject of allowListAt(result.fields.result.consentBlock)) {
 *   events.push(disclosureAuditEventOf(result, subject, { chainId, observer, contracts, querySummary }));
 * }
 * ```
 */
export function disclosureAuditEventOf(
  entry: ResultRecordedEntry,
  subject: Hex,
  context: AuditExportContext,
): FhirAuditEvent {
  const checked = checkAuditExportContext(context);
  checkAuditEntry(entry);
  if (entry.event !== "ResultRecorded") {
    throw exportInputInvalid("entry.event", "must be ResultRecorded for a disclosure");
  }
  checkLocation(entry.at);
  if (typeof subject !== "string" || !PSEUDONYM.test(subject)) {
    throw exportInputInvalid("subject", "must be a bytes32 pseudonym");
  }
  const pseudonym = subject.toLowerCase() as Hex;
  const { chainId } = checked;
  const { queryId, hospitalId, researcherOrg, recorder } = entry.fields;
  const summary = requiredSummary(queryId, checked);
  return {
    resourceType: "AuditEvent",
    id: auditEventId(chainId, entry.at, `/disclosure/${pseudonym}`),
    meta: { profile: [balpProfiles.PrivacyDisclosureSource] },
    type: auditCodes.export,
    subtype: [auditCodes.disclose],
    action: "R",
    recorded: recordedAt(entry.at),
    outcome: "0",
    purposeOfEvent: purposeOfEvent(summary.purpose),
    agent: [
      {
        // BALP: the source agent is the recorder of the event (source.observer); it released
        // the result through the hospital's recorder account.
        ...accountAgent(auditCodes.sourceRole, recorder, chainId, false),
        who: observerOf(checked),
      },
      accountAgent(auditCodes.destinationRole, summary.researcher, chainId, false),
      organisationAgent(auditCodes.recordKeeper, hospitalId, "hospital", chainId, false),
      organisationAgent(
        auditCodes.informationRecipient,
        researcherOrg,
        "researcher",
        chainId,
        true,
      ),
    ],
    source: sourceOf(checked),
    entity: [
      patientEntity(hospitalId, pseudonym),
      {
        what: queryRef(queryId, chainId),
        type: auditCodes.systemObject,
        role: auditCodes.report,
        detail: fieldDetails(entry.fields),
      },
      locationEntity(entry, chainId),
    ],
  };
}
