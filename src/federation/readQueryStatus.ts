import { isCustosError } from "../errors/index.ts";
import type { LedgerResponse, QueryId } from "../ledger/index.ts";
import type { QuerySpec } from "../query/index.ts";
import type { DataServiceClient, DataServiceJob } from "./createDataServiceClient.ts";
import { declineReasonName } from "./declineReasons.ts";
import type { FederationIssue, HospitalStatus, QueryStatus } from "./FederatedQueryReport.ts";
import type { FederationPorts } from "./FederationPorts.ts";

/** Options of {@link readQueryStatus}. */
export interface ReadQueryStatusOptions {
  /**
   * The query's spec: delivered to each unanswered hospital whose data service is waiting
   * for it (job `awaiting-spec`) or does not know the query yet.
   */
  readonly spec?: QuerySpec;
  readonly signal?: AbortSignal;
}

function issueOf(error: unknown): FederationIssue {
  return isCustosError(error)
    ? { code: error.code, message: error.shortMessage }
    : { code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}

/** The job at one data service, delivering the spec first when it waits for it. */
async function jobAt(
  service: DataServiceClient,
  queryId: QueryId,
  spec: QuerySpec | undefined,
  signal: AbortSignal | undefined,
): Promise<{ job: DataServiceJob | null; issue: FederationIssue | null }> {
  const call = signal === undefined ? {} : { signal };
  let job: DataServiceJob | null = null;
  try {
    job = await service.job(queryId, call);
  } catch (error) {
    // The service learns of a query from the chain: right after submission it may not know
    // it yet, and delivering the spec is how to find out.
    if (spec === undefined || !isCustosError(error, "DATA_SERVICE_QUERY_UNKNOWN")) {
      return { job: null, issue: issueOf(error) };
    }
  }
  if (spec === undefined || (job !== null && job.state !== "awaiting-spec")) {
    return { job, issue: null };
  }
  try {
    return { job: await service.putSpec(queryId, spec, call), issue: null };
  } catch (error) {
    return { job, issue: issueOf(error) };
  }
}

function hospitalStatus(
  hospitalId: number,
  response: LedgerResponse,
  job: DataServiceJob | null,
  issue: FederationIssue | null,
): HospitalStatus {
  const declined = response.status === "declined";
  return {
    hospitalId,
    chain: response.status,
    reasonCode: declined ? response.reasonCode : 0,
    reason: declined ? (declineReasonName(response.reasonCode) ?? "unknown") : null,
    job,
    issue,
  };
}

/**
 * Reads a query's state: its status, approvals and expiry on chain, and per target hospital
 * its on-chain answer and, while it has not answered, its data service's job. With `spec`,
 * the spec is delivered to every unanswered hospital whose service waits for it, so calling
 * this again is how delivery is retried. Data services are asked concurrently; one that
 * cannot be reached is reported with its issue, never thrown.
 *
 * @throws CustosError the ledger codes (`LEDGER_NOT_FOUND` for an unknown query,
 * `LEDGER_UNAVAILABLE`, …) when the chain cannot be read.
 * @example
 * ```ts
 * const status = await readQueryStatus(7n, ports, { spec });
 * status.hospitals.map((h) => `${h.hospitalId}: ${h.chain} ${h.job?.state ?? "-"}`);
 * ```
 */
export async function readQueryStatus(
  queryId: QueryId,
  ports: FederationPorts,
  options: ReadQueryStatusOptions = {},
): Promise<QueryStatus> {
  const { ledger } = ports;
  const [query, targets, requiredApprovals] = await Promise.all([
    ledger.query(queryId),
    ledger.targetsOf(queryId),
    ledger.requiredApprovals(),
  ]);
  const hospitals = await Promise.all(
    targets.map(async (hospitalId) => {
      const response = await ledger.responseOf(queryId, hospitalId);
      if (response.status !== "none" || query.status === "closed") {
        return hospitalStatus(hospitalId, response, null, null);
      }
      const service = ports.dataServices[hospitalId];
      if (service === undefined) {
        return hospitalStatus(hospitalId, response, null, {
          code: "INVALID_ARGUMENT",
          message: `no data service configured for hospital ${hospitalId}`,
        });
      }
      const { job, issue } = await jobAt(service, queryId, options.spec, options.signal);
      return hospitalStatus(hospitalId, response, job, issue);
    }),
  );
  return {
    queryId: query.id.toString(),
    specHash: query.specHash,
    status: query.status,
    approvals: query.approvals,
    requiredApprovals,
    expiry: query.expiry,
    expired: ports.clock() / 1000 >= query.expiry,
    hospitals: [...hospitals].sort((a, b) => a.hospitalId - b.hospitalId),
  };
}
