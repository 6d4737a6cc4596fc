import { keccak256 } from "ethers";
import type { CustosError, ErrorCode } from "../../../src/errors/index.ts";
import { type DeclineReason, declineReasons } from "../../../src/federation/index.ts";
import type { QueryJob } from "../QueryJob.ts";
import type {
  ManualReleaseDetails,
  QueryDeclinedDetails,
  RequestDeniedDetails,
  TrailHash,
} from "./SiteTrailEntry.ts";

/**
 * Errors that are not denials: a query the service has not read from the chain yet (the
 * researcher's client retries), a result still being computed, and the answer about a query
 * already declined (the decline itself is in the trail).
 */
const notDenials = new Set<ErrorCode>([
  "DATA_SERVICE_QUERY_UNKNOWN",
  "DATA_SERVICE_RESULT_PENDING",
  "DATA_SERVICE_QUERY_REFUSED",
]);

const HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const QUERY_ID = /^\d{1,20}$/;
const MAX_REASON = 200;

/** A refused HTTP request, as the server's error handler sees it. */
export interface DeniedRequest {
  readonly method: string;
  /** The matched route's template (`/queries/:id/spec`), or the path's first segment. */
  readonly route: string;
  /** The route's `id` parameter (a query id on every route that has one). */
  readonly id: string | undefined;
  /** The claimed signer header (`x-custos-address`). */
  readonly address: string | string[] | undefined;
  /** The body bytes, hashed for researcher routes only. */
  readonly body: Uint8Array | null;
}

/**
 * The `requestDenied` details of a refused request, or null when the error is not a denial
 * (see the codes above) or not a client error. Never the body itself: researcher routes'
 * bodies by keccak-256 (as their signature covers them); staff routes' bodies not at all,
 * since one of them carries a patient identifier, whose unkeyed hash would identify.
 *
 * @example
 * ```ts
 * const details = siteTrailDenialDetails(error, 401, { method: "GET", route: "/queries/:id", id: "7", address, body: null });
 * if (details !== null) await trail.append("requestDenied", details);
 * ```
 */
export function siteTrailDenialDetails(
  error: CustosError,
  status: number,
  request: DeniedRequest,
): RequestDeniedDetails | null {
  if (status < 400 || status >= 500 || notDenials.has(error.code)) return null;
  const details = (error.details ?? {}) as Record<string, unknown>;
  const reason = typeof details.reason === "string" ? details.reason.slice(0, MAX_REASON) : null;
  const specHash =
    typeof details.specHash === "string" && HASH.test(details.specHash)
      ? (details.specHash as TrailHash)
      : null;
  const address =
    typeof request.address === "string" && ADDRESS.test(request.address)
      ? request.address.toLowerCase()
      : null;
  const researcherRoute = request.route.startsWith("/queries");
  return {
    method: request.method,
    route: request.route,
    queryId: request.id !== undefined && QUERY_ID.test(request.id) ? request.id : null,
    code: error.code,
    status,
    reason,
    address,
    bodyHash:
      researcherRoute && request.body !== null && request.body.length > 0
        ? (keccak256(request.body) as TrailHash)
        : null,
    specHash,
  };
}

/**
 * The `queryDeclined` details of a job being declined.
 *
 * @example
 * ```ts
 * await trail.append("queryDeclined", siteTrailDeclineDetails(job, "measureRefused", null));
 * ```
 */
export function siteTrailDeclineDetails(
  job: QueryJob,
  reason: DeclineReason,
  errorCode: string | null,
): QueryDeclinedDetails {
  return {
    queryId: job.queryId,
    reason,
    reasonCode: declineReasons[reason],
    errorCode,
    attempts: job.attempts,
  };
}

/**
 * The `manualRelease` details of a staff decision on a held result.
 *
 * @example
 * ```ts
 * await trail.append("manualRelease", siteTrailReleaseDetails(job, "release"));
 * ```
 */
export function siteTrailReleaseDetails(
  job: QueryJob,
  action: "release" | "refuse",
): ManualReleaseDetails {
  return {
    queryId: job.queryId,
    action,
    resultHash: job.ledgerResult?.resultHash ?? null,
    subjectCount: job.ledgerResult?.subjectCount ?? null,
    epsilon: job.ledgerResult?.epsilon ?? null,
  };
}
