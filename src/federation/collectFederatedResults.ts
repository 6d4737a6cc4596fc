import { CustosError, isCustosError } from "../errors/index.ts";
import type { QueryId } from "../ledger/index.ts";
import { type QuerySpec, querySpecHash } from "../query/index.ts";
import { declineReasonName } from "./declineReasons.ts";
import type {
  FederatedQueryReport,
  FederationIssue,
  HospitalOutcome,
  HospitalStatus,
  QueryStatus,
} from "./FederatedQueryReport.ts";
import type { FederationPorts } from "./FederationPorts.ts";
import { poolQueryResults, type VerifiedHospitalResult } from "./poolQueryResults.ts";
import type { QueryResultDocument, SignedQueryResult } from "./QueryResultDocument.ts";
import { type ResultCheck, verifyHospitalResult } from "./verifyHospitalResult.ts";

/** Options of {@link collectFederatedResults}. */
export interface CollectFederatedResultsOptions {
  /** Hospitals a pooled figure needs behind it. */
  readonly minimumSites: number;
  /** The last status the wait read: its job states explain unanswered hospitals. */
  readonly status?: QueryStatus | null;
  readonly signal?: AbortSignal;
}

/**
 * Fetches, verifies and pools a query's results: for every target hospital, a declined
 * answer is reported with its reason's name; a recorded one is fetched from its data service
 * and verified (`verifyHospitalResult`: hash, document, chain, signature), then pooled if it
 * passes or reported `invalid` with the failed check; a hospital without an answer, or
 * whose recorded result cannot be fetched, is `unanswered`. Verified results are pooled with
 * `poolQueryResults`; with fewer of them than `minimumSites`, nothing is pooled and
 * `notPooled` says so. `partial` is true whenever some target did not contribute.
 *
 * @throws CustosError `FEDERATION_SPEC_MISMATCH` (details `specHash`, `onChain`) when the
 * spec is not the one the query was submitted with; the ledger codes when the chain cannot
 * be read.
 * @example
 * ```ts
 * const report = await collectFederatedResults(queryId, spec, ports, { minimumSites: 2 });
 * if (report.partial) warn(report.hospitals.filter((h) => h.status !== "verified"));
 * ```
 */
export async function collectFederatedResults(
  queryId: QueryId,
  spec: QuerySpec,
  ports: FederationPorts,
  options: CollectFederatedResultsOptions,
): Promise<FederatedQueryReport> {
  const { ledger } = ports;
  const specHash = querySpecHash(spec);
  const [query, targets] = await Promise.all([ledger.query(queryId), ledger.targetsOf(queryId)]);
  if (query.specHash.toLowerCase() !== specHash) {
    throw new CustosError("FEDERATION_SPEC_MISMATCH", "the spec is not the query's", {
      details: { queryId: query.id.toString(), specHash, onChain: query.specHash },
    });
  }
  const known = new Map<number, HospitalStatus>(
    (options.status?.hospitals ?? []).map((h) => [h.hospitalId, h]),
  );
  const verified: VerifiedHospitalResult[] = [];
  const outcome = async (hospitalId: number): Promise<HospitalOutcome> => {
    const response = await ledger.responseOf(queryId, hospitalId);
    if (response.status === "declined") {
      return {
        hospitalId,
        status: "declined",
        reasonCode: response.reasonCode,
        reason: declineReasonName(response.reasonCode) ?? "unknown",
      };
    }
    const last = known.get(hospitalId);
    const unanswered = (issue: FederationIssue | null): HospitalOutcome => ({
      hospitalId,
      status: "unanswered",
      recordedOnChain: response.status === "recorded",
      jobState: last?.job?.state ?? null,
      issue,
    });
    if (response.status === "none") return unanswered(last?.issue ?? null);
    const service = ports.dataServices[hospitalId];
    if (service === undefined) {
      return unanswered({
        code: "INVALID_ARGUMENT",
        message: `no data service configured for hospital ${hospitalId}`,
      });
    }
    let signed: SignedQueryResult;
    try {
      signed = await service.result(
        queryId,
        options.signal === undefined ? {} : { signal: options.signal },
      );
    } catch (error) {
      return unanswered(
        isCustosError(error)
          ? { code: error.code, message: error.shortMessage }
          : { code: "INTERNAL", message: String(error) },
      );
    }
    let document: QueryResultDocument;
    try {
      document = await verifyHospitalResult({
        ledger,
        provider: ports.provider,
        queryId,
        hospitalId,
        signed,
        specHash,
      });
    } catch (error) {
      if (!isCustosError(error, "FEDERATION_RESULT_INVALID")) throw error;
      const details = error.details as { check: ResultCheck; reason: string };
      return { hospitalId, status: "invalid", check: details.check, reason: details.reason };
    }
    verified.push({ hospitalId, document });
    return {
      hospitalId,
      status: "verified",
      resultHash: signed.resultHash,
      consentBlock: document.consent.block,
      subjectCount: document.consent.subjectCount,
      epsilonMicro: document.epsilonMicro,
    };
  };
  const hospitals = await Promise.all([...new Set(targets)].sort((a, b) => a - b).map(outcome));
  const enough = verified.length >= options.minimumSites;
  return {
    schema: "custos.federated-query-report/1",
    queryId: query.id.toString(),
    specHash,
    queryStatus: query.status,
    hospitals,
    pooled: enough
      ? poolQueryResults(spec, verified, { minimumSites: options.minimumSites })
      : null,
    notPooled: enough
      ? null
      : {
          code: "FEDERATION_TOO_FEW_SITES",
          verified: verified.length,
          minimum: options.minimumSites,
        },
    partial: hospitals.some((h) => h.status !== "verified"),
  };
}
