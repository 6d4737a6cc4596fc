import type { QuerySummary } from "../../src/audit/index.ts";
import { purposeCodes } from "../../src/consent/index.ts";
import { type CohortInclusionProof, verifyInclusion } from "../../src/consentIndex/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { Hex } from "../../src/ledger/index.ts";
import type { AuditReader } from "../audit/index.ts";
import type { DisclosureSource, SourceDisclosure } from "./createDisclosureSource.ts";

/**
 * One entry of a subject's accounting of disclosures (HIPAA 164.528): a result the custodian
 * hospital released on chain whose consent snapshot held the subject's record. It names the
 * study by organisation and purpose, never by its criteria.
 */
export interface AccountedDisclosure {
  readonly queryId: string;
  /** The hospital that ran the query over the record and released the result. */
  readonly hospitalId: number;
  readonly researcher: Hex;
  readonly researcherOrg: number;
  /** DUO permission label and its name in words (e.g. "HMB", "health or medical or biomedical research"). */
  readonly purposeLabel: string | null;
  readonly purposeName: string | null;
  readonly categoryNames: readonly string[];
  /** Unix seconds of the submission and of the result's block. */
  readonly submittedAt: number;
  readonly releasedAt: number | null;
  readonly blockNumber: number | null;
  readonly txHash: Hex | null;
  readonly resultHash: Hex | null;
  /** The released (rounded) count of consenting subjects. */
  readonly subjectCount: number | null;
  readonly consentBlock: string | null;
  /** The snapshot root recorded on chain. */
  readonly consentRoot: Hex | null;
  /** Whether the record matched the study's cohort, so that its statistics counted it. */
  readonly counted: boolean;
  /** Whether the hospital's kept snapshot has the root recorded on chain (false flags a fault). */
  readonly rootMatches: boolean;
}

/** An entry with its Merkle proof, checked against the root on chain. */
export interface ProvenDisclosure {
  readonly subject: `0x${string}`;
  readonly disclosure: AccountedDisclosure;
  readonly proof: CohortInclusionProof;
  /** `verifyInclusion(chain root, subject, proof)`, computed by this node. */
  readonly verified: boolean;
}

async function custodianCheck(source: DisclosureSource, custodian: number): Promise<void> {
  const linked = await source.custodian();
  if (linked !== custodian) {
    throw new CustosError(
      "AUDIT_API_NOT_CUSTODIAN",
      `hospital ${custodian}'s accounting of disclosures is kept by its own node`,
      {
        details: {
          reason: linked === null ? "no data service" : "other custodian",
          custodian,
          linked,
        },
      },
    );
  }
}

/** The entry with its facts from the chain, if the custodian's result is recorded there. */
function accounted(
  summary: QuerySummary | undefined,
  custodian: number,
  entry: SourceDisclosure,
): AccountedDisclosure | undefined {
  const response = summary?.responses.find(
    (r) => r.hospitalId === custodian && r.status === "recorded",
  );
  if (summary === undefined || response === undefined) return undefined;
  const label = summary.purposeLabel;
  return {
    queryId: summary.queryId,
    hospitalId: custodian,
    researcher: summary.researcher,
    researcherOrg: summary.researcherOrg,
    purposeLabel: label,
    purposeName: label === null ? null : purposeCodes[label].name,
    categoryNames: summary.categoryNames,
    submittedAt: summary.submitted.timestamp,
    releasedAt: response.respondedAt,
    blockNumber: response.blockNumber,
    txHash: response.txHash,
    resultHash: response.resultHash,
    subjectCount: response.subjectCount,
    consentBlock: response.consentBlock,
    consentRoot: response.consentRoot,
    counted: entry.counted,
    rootMatches: response.consentRoot?.toLowerCase() === entry.consentRoot.toLowerCase(),
  };
}

/**
 * A page of a subject's accounting: the custodian's data service lists the queries whose
 * snapshot held the record, and the audit index keeps those whose result the custodian
 * released on chain, with their facts from the chain. A page may hold fewer items than its
 * limit (a query run but not released); follow `next`.
 *
 * @throws CustosError `AUDIT_API_NOT_CUSTODIAN` when this node's data service is not the
 *   custodian's; `DATA_SERVICE_UNAVAILABLE`/`DATA_SERVICE_BAD_RESPONSE` from the service.
 */
export async function accountDisclosures(
  reader: AuditReader,
  source: DisclosureSource,
  custodian: number,
  subject: string,
  page: { readonly cursor?: string | undefined; readonly limit?: number | undefined },
): Promise<{ items: AccountedDisclosure[]; cursor?: string }> {
  await custodianCheck(source, custodian);
  const listed = await source.list(subject, {
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
    ...(page.limit === undefined ? {} : { limit: page.limit }),
  });
  const summaries = await reader.querySummaries(listed.items.map((entry) => entry.queryId));
  const items: AccountedDisclosure[] = [];
  listed.items.forEach((entry, i) => {
    const item = accounted(summaries[i], custodian, entry);
    if (item !== undefined) items.push(item);
  });
  return { items, ...(listed.next === null ? {} : { cursor: listed.next }) };
}

/**
 * One entry of the accounting with its inclusion proof, verified against the snapshot root
 * the custodian recorded on chain.
 *
 * @throws CustosError `AUDIT_API_NOT_FOUND` when no released result of the query held the
 *   record; otherwise as {@link accountDisclosures}.
 */
export async function proveDisclosure(
  reader: AuditReader,
  source: DisclosureSource,
  custodian: number,
  subject: string,
  queryId: string,
): Promise<ProvenDisclosure> {
  await custodianCheck(source, custodian);
  const proven = await source.prove(subject, queryId);
  const [summary] = proven === undefined ? [] : await reader.querySummaries([proven.queryId]);
  const disclosure = proven === undefined ? undefined : accounted(summary, custodian, proven);
  if (proven === undefined || disclosure === undefined) {
    throw new CustosError(
      "AUDIT_API_NOT_FOUND",
      `no released result of query ${queryId} held that record`,
      { details: { field: "id", queryId } },
    );
  }
  return {
    subject: proven.subject,
    disclosure,
    proof: proven.proof,
    verified:
      disclosure.consentRoot !== null &&
      verifyInclusion(disclosure.consentRoot, subject, proven.proof),
  };
}
