import type { Signer } from "ethers";
import { canonicalJson } from "../canonical/index.ts";
import { CustosError, isErrorCode } from "../errors/index.ts";
import type { QuerySpec } from "../query/index.ts";
import type { SignedQueryResult } from "./QueryResultDocument.ts";
import { signResearcherRequest } from "./researcherRequest.ts";

/**
 * The states of a data service's job for one query, roughly in the order they are passed:
 * `recording` and `declining` are written before the transaction is sent; `recorded`,
 * `declined` and `cancelled` are final.
 */
export const dataServiceJobStates = Object.freeze([
  "awaiting-spec",
  "awaiting-approval",
  "queued",
  "running",
  "awaiting-release",
  "recording",
  "declining",
  "recorded",
  "declined",
  "cancelled",
] as const);

/** A data service job's state (see docs/data-service.md). */
export type DataServiceJobState = (typeof dataServiceJobStates)[number];

/** A data service's job for one query (`GET /queries/:id`). */
export interface DataServiceJob {
  /** Decimal query id. */
  readonly queryId: string;
  readonly state: DataServiceJobState;
  /** The decline reason's name (see `declineReasons`), or null. */
  readonly reason: string | null;
  /** The decline reason's on-chain code, or null. */
  readonly reasonCode: number | null;
  /** Runs started. */
  readonly attempts: number;
}

/**
 * The site policy a data service publishes (`GET /policy`): hospital id, accepted purposes,
 * allowed measure types, disclosure thresholds, statistics rules, manual release. Kept as
 * the service's JSON: the researcher reads it, nothing here interprets it.
 */
export type SitePolicy = Readonly<Record<string, unknown>>;

/** Per-call options of a {@link DataServiceClient}. */
export interface DataServiceCallOptions {
  /** Stops the call with `LEDGER_ABORTED`. */
  readonly signal?: AbortSignal;
}

/** Options of {@link createDataServiceClient}. */
export interface DataServiceClientOptions {
  /** The data service's base URL, e.g. `http://127.0.0.1:9100`. */
  readonly baseUrl: string;
  /** The researcher account that submitted the queries; signs every query request. */
  readonly signer: Signer;
  /** Milliseconds since the epoch, for the request timestamps (default `Date.now`). */
  readonly clock?: () => number;
  /** The fetch implementation (default the global one). */
  readonly fetch?: typeof fetch;
  /** Milliseconds one request may take, answer body included (default 10,000). */
  readonly timeoutMs?: number;
}

/** Defaults of {@link DataServiceClientOptions}. */
export const defaultDataServiceClientOptions = Object.freeze({ timeoutMs: 10_000 });

/** Typed, signed calls to one hospital's data service (docs/data-service.md). */
export interface DataServiceClient {
  /** The base URL calls go to. */
  readonly baseUrl: string;
  /** `GET /policy` (unsigned): the site policy. */
  policy(options?: DataServiceCallOptions): Promise<SitePolicy>;
  /**
   * `PUT /queries/:id/spec`: delivers the spec whose hash the query carries on chain; answers
   * the job as it stands (delivering again changes nothing).
   */
  putSpec(
    queryId: bigint | number,
    spec: QuerySpec,
    options?: DataServiceCallOptions,
  ): Promise<DataServiceJob>;
  /** `GET /queries/:id`: the job's state. */
  job(queryId: bigint | number, options?: DataServiceCallOptions): Promise<DataServiceJob>;
  /** `GET /queries/:id/result`: the signed result, once recorded. */
  result(queryId: bigint | number, options?: DataServiceCallOptions): Promise<SignedQueryResult>;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const HEX = /^0x[0-9a-fA-F]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Creates a client of one hospital's data service. Query calls are signed with
 * `signResearcherRequest` (the path signed is the URL's full path, so a base URL with a path
 * prefix works behind a proxy that keeps it). Error answers in the protocol's form
 * (`{ error: { code, message, details } }` with a registered code) are thrown again as that
 * `CustosError`, details included, so a caller handles a data service's refusal exactly as
 * the service raised it. Each request has its own timeout, so a silent service never holds
 * a caller up for longer.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a base URL that is not http(s). Calls throw the
 * service's own codes (`FEDERATION_REQUEST_UNAUTHORISED`, `FEDERATION_SPEC_MISMATCH`,
 * `QUERY_SPEC_INVALID`, `DATA_SERVICE_QUERY_UNKNOWN`, `DATA_SERVICE_RESULT_PENDING`,
 * `DATA_SERVICE_QUERY_REFUSED`, …); `DATA_SERVICE_UNAVAILABLE` when the service cannot be reached,
 * times out, or answers an error outside the protocol (details: `service`, `url`, `reason`
 * `network` | `timeout` | `status`, `status`); `DATA_SERVICE_BAD_RESPONSE` for a success answer
 * that is not the protocol's JSON; `LEDGER_ABORTED` when `signal` stops the call.
 * @example
 * ```ts
 * const service = createDataServiceClient({ baseUrl: "http://127.0.0.1:9100", signer: wallet });
 * await service.putSpec(queryId, spec);
 * const signed = await service.result(queryId); // then verifyHospitalResult(...)
 * ```
 */
export function createDataServiceClient(options: DataServiceClientOptions): DataServiceClient {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    base = new URL("invalid:");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new CustosError("INVALID_ARGUMENT", "baseUrl: must be an http(s) URL", {
      details: { field: "baseUrl" },
    });
  }
  const prefix = base.pathname.replace(/\/+$/, "");
  const clock = options.clock ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? defaultDataServiceClientOptions.timeoutMs;

  async function call(
    method: "GET" | "PUT",
    route: string,
    body: string | undefined,
    signed: boolean,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const url = new URL(`${prefix}${route}`, base);
    const where = { service: "dataService", url: url.href, method };
    const aborted = (cause?: unknown) =>
      new CustosError("LEDGER_ABORTED", "data service call aborted", { details: where, cause });
    if (signal?.aborted === true) throw aborted();
    const bytes = body === undefined ? undefined : new TextEncoder().encode(body);
    const headers: Record<string, string> = { accept: "application/json" };
    if (bytes !== undefined) headers["content-type"] = "application/json";
    if (signed) {
      Object.assign(
        headers,
        await signResearcherRequest(
          options.signer,
          {
            method,
            path: `${url.pathname}${url.search}`,
            ...(bytes === undefined ? {} : { body: bytes }),
          },
          clock() / 1000,
        ),
      );
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let status: number;
    let text: string;
    try {
      const response = await doFetch(url, {
        method,
        headers,
        ...(bytes === undefined ? {} : { body: bytes }),
        signal: combined,
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      if (combined.aborted && !timeout.aborted) throw aborted(cause);
      const timedOut = timeout.aborted;
      throw new CustosError(
        "DATA_SERVICE_UNAVAILABLE",
        timedOut
          ? `data service did not answer within ${timeoutMs} ms`
          : "data service cannot be reached",
        { details: { ...where, reason: timedOut ? "timeout" : "network" }, cause },
      );
    }
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status >= 200 && status < 300) {
      if (json === undefined) {
        throw new CustosError("DATA_SERVICE_BAD_RESPONSE", "data service answered no JSON", {
          details: { ...where, status },
        });
      }
      return json;
    }
    const error = isObject(json) && isObject(json.error) ? json.error : undefined;
    const code = typeof error?.code === "string" ? error.code : undefined;
    if (error !== undefined && code !== undefined && isErrorCode(code)) {
      throw new CustosError(
        code,
        typeof error.message === "string" ? error.message : `data service refused: ${code}`,
        { details: isObject(error.details) ? error.details : {} },
      );
    }
    throw new CustosError("DATA_SERVICE_UNAVAILABLE", `data service answered HTTP ${status}`, {
      details: { ...where, reason: "status", status },
    });
  }

  const badBody = (route: string, field: string): never => {
    throw new CustosError(
      "DATA_SERVICE_BAD_RESPONSE",
      `data service answer lacks a valid ${field}`,
      {
        details: { service: "dataService", url: new URL(`${prefix}${route}`, base).href, field },
      },
    );
  };

  /** A job answer; fields the protocol leaves out of some answers get their empty value. */
  const jobOf = (body: unknown, route: string): DataServiceJob => {
    if (!isObject(body)) return badBody(route, "body");
    const { queryId, state, reason, reasonCode, attempts } = body;
    const id =
      typeof queryId === "string" && /^\d+$/.test(queryId)
        ? queryId
        : typeof queryId === "number" && Number.isSafeInteger(queryId) && queryId >= 0
          ? String(queryId)
          : badBody(route, "queryId");
    if (typeof state !== "string" || !(dataServiceJobStates as readonly string[]).includes(state)) {
      return badBody(route, "state");
    }
    const count = (value: unknown, field: string, empty: number | null) =>
      value === undefined || value === null
        ? empty
        : typeof value === "number" && Number.isSafeInteger(value) && value >= 0
          ? value
          : badBody(route, field);
    return {
      queryId: id,
      state: state as DataServiceJobState,
      reason:
        reason === undefined || reason === null
          ? null
          : typeof reason === "string"
            ? reason
            : badBody(route, "reason"),
      reasonCode: count(reasonCode, "reasonCode", null),
      attempts: count(attempts, "attempts", 0) ?? 0,
    };
  };

  const queryRoute = (queryId: bigint | number) => `/queries/${BigInt(queryId).toString()}`;

  return {
    baseUrl: base.href,
    policy: async (callOptions = {}) => {
      const body = await call("GET", "/policy", undefined, false, callOptions.signal);
      return isObject(body) ? body : badBody("/policy", "policy");
    },
    putSpec: async (queryId, spec, callOptions = {}) => {
      const route = `${queryRoute(queryId)}/spec`;
      return jobOf(await call("PUT", route, canonicalJson(spec), true, callOptions.signal), route);
    },
    job: async (queryId, callOptions = {}) => {
      const route = queryRoute(queryId);
      return jobOf(await call("GET", route, undefined, true, callOptions.signal), route);
    },
    result: async (queryId, callOptions = {}) => {
      const route = `${queryRoute(queryId)}/result`;
      const body = await call("GET", route, undefined, true, callOptions.signal);
      if (!isObject(body)) return badBody(route, "body");
      if (!isObject(body.document)) return badBody(route, "document");
      if (typeof body.resultHash !== "string" || !HEX32.test(body.resultHash)) {
        return badBody(route, "resultHash");
      }
      if (typeof body.signature !== "string" || !HEX.test(body.signature)) {
        return badBody(route, "signature");
      }
      return body as unknown as SignedQueryResult;
    },
  };
}
