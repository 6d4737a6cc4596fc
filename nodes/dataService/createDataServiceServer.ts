import { timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { canonicalHash } from "../../src/canonical/index.ts";
import { CustosError, errorCodes, isCustosError } from "../../src/errors/index.ts";
import {
  createNonceCache,
  declineReasons,
  verifyResearcherRequest,
} from "../../src/federation/index.ts";
import { parseQuerySpec } from "../../src/query/index.ts";
import type { Logger } from "../log/index.ts";
import type { DataServiceStore } from "./createDataServiceStore.ts";
import type { DisclosureStore } from "./disclosures/index.ts";
import type { ResolvedDataServiceConfig } from "./loadDataServiceConfig.ts";
import type { QueryJob } from "./QueryJob.ts";
import {
  type SiteTrail,
  siteTrailDenialDetails,
  siteTrailReleaseDetails,
} from "./siteTrail/index.ts";

/** Seconds a signed request's timestamp may differ from the service's clock. */
export const REQUEST_WINDOW_SECONDS = 300;

/** Largest request body: a spec is a few kilobytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** What the HTTP face of the data service needs. */
export interface DataServiceServerOptions {
  readonly config: ResolvedDataServiceConfig;
  readonly store: DataServiceStore;
  /** Unix seconds. */
  readonly now: () => number;
  /** Whether the store, person map and consent index are loaded. */
  readonly ready: () => boolean;
  /** Wakes the job loop (a spec arrived, staff released). */
  readonly wake: () => void;
  /** Bearer token of the staff endpoints (`/admin/…`). */
  readonly adminToken: string;
  /** Refused requests and staff release decisions are written here before the answer leaves. */
  readonly siteTrail: SiteTrail;
  /** The accounting of disclosures, read on `/admin/disclosures/…`. */
  readonly disclosures: DisclosureStore;
  /** The hospital's pseudonym of a patient identifier (0x hex). */
  readonly pseudonymise: (identifier: string) => string;
  readonly log: Logger;
}

/** The site policy as researchers see it (`GET /policy`, `custos query policy`). */
export function publicPolicy(config: ResolvedDataServiceConfig) {
  const { policy } = config;
  return {
    hospitalId: config.hospitalId,
    purposes: policy.purposes,
    measures: policy.measures,
    disclosure: {
      minCellSize: policy.minCellSize,
      roundingBase: policy.roundingBase,
      minStatisticN: policy.minStatisticN,
      dominance: { contributors: 2, share: policy.dominanceShare },
      noise:
        policy.epsilonMicro > 0
          ? { mechanism: "discreteLaplace", epsilonMicroPerTable: policy.epsilonMicro }
          : null,
    },
    manualRelease: policy.manualRelease,
  };
}

function sendError(reply: FastifyReply, error: CustosError): FastifyReply {
  return reply.code(errorCodes[error.code].httpStatus).send({ error: error.toJSON() });
}

function jobView(job: QueryJob) {
  return {
    queryId: job.queryId,
    state: job.state,
    reason: job.reason,
    reasonCode: job.reason === null ? null : declineReasons[job.reason],
    attempts: job.attempts,
  };
}

function unknownQuery(queryId: string): CustosError {
  return new CustosError("DATA_SERVICE_QUERY_UNKNOWN", `no query ${queryId} for this hospital`, {
    details: { queryId },
  });
}

/**
 * The data service's HTTP API (docs/data-service.md): the public site policy, the signed
 * researcher endpoints (spec delivery, job status, the signed result — each only for the
 * query's own researcher, replays refused), health, and the staff endpoints behind a bearer
 * token. Errors answer `{ error: { code, message, details } }` with the registry's status.
 */
export function createDataServiceServer(options: DataServiceServerOptions): FastifyInstance {
  const { store, config, now } = options;
  const nonces = createNonceCache(REQUEST_WINDOW_SECONDS);
  const app = Fastify({ bodyLimit: MAX_BODY_BYTES, logger: false, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  // The body is hashed into the request signature, so it is kept as the bytes sent.
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  /** Answers a refusal once the site trail holds it (a denial that cannot be kept is a 500). */
  const refuse = async (request: FastifyRequest, reply: FastifyReply, error: CustosError) => {
    const denial = siteTrailDenialDetails(error, errorCodes[error.code].httpStatus, {
      method: request.method,
      route: request.routeOptions.url ?? "*",
      id: (request.params as { id?: string } | undefined)?.id,
      address: request.headers["x-custos-address"],
      body: Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : null,
    });
    if (denial !== null) {
      try {
        await options.siteTrail.append("requestDenied", denial);
      } catch (trailError) {
        options.log.error(
          { err: trailError },
          "a denied request could not be kept in the site trail",
        );
        return sendError(reply, new CustosError("INTERNAL", "internal error"));
      }
    }
    return sendError(reply, error);
  };

  app.setErrorHandler(async (error: { statusCode?: number }, request, reply) => {
    if (isCustosError(error)) return refuse(request, reply, error);
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return refuse(
        request,
        reply,
        new CustosError("INVALID_ARGUMENT", "malformed HTTP request", {
          details: { field: "request" },
        }),
      );
    }
    options.log.error({ url: request.url, err: error }, "data service http error");
    return sendError(reply, new CustosError("INTERNAL", "internal error"));
  });

  /** The job of a signed request by its own researcher. */
  const authorised = async (request: FastifyRequest, queryId: string): Promise<QueryJob> => {
    const body = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : new Uint8Array();
    const verified = verifyResearcherRequest(
      request.headers,
      { method: request.method, path: request.url, body },
      now(),
      REQUEST_WINDOW_SECONDS,
    );
    nonces.use(verified.nonce, now());
    if (!/^\d{1,20}$/.test(queryId)) throw unknownQuery(queryId);
    const job = await store.job(queryId);
    if (job === null) throw unknownQuery(queryId);
    if (job.researcher.toLowerCase() !== verified.address.toLowerCase()) {
      throw new CustosError(
        "FEDERATION_REQUEST_UNAUTHORISED",
        "request refused: not this query's researcher",
        {
          details: { reason: "not the researcher" },
        },
      );
    }
    return job;
  };

  app.get("/liveness", async () => ({ live: true }));
  app.get("/readiness", async (_request, reply) =>
    reply.code(options.ready() ? 200 : 503).send({ ready: options.ready() }),
  );
  app.get("/policy", async () => publicPolicy(config));

  app.put<{ Params: { id: string } }>("/queries/:id/spec", async (request, reply) => {
    const job = await authorised(request, request.params.id);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(request.body as Buffer).toString("utf8"));
    } catch {
      throw new CustosError("QUERY_SPEC_INVALID", "the spec is not JSON", {
        details: { field: "/", reason: "not JSON" },
      });
    }
    const spec = parseQuerySpec(json);
    const specHash = canonicalHash(spec);
    if (specHash !== job.specHash) {
      throw new CustosError("FEDERATION_SPEC_MISMATCH", "the spec's hash is not the one on chain", {
        details: { field: "spec", specHash, onChain: job.specHash },
      });
    }
    // Against the job as stored now, not as read above: the chain scan may have approved it.
    const next = await store.updateJob(job.queryId, (current) =>
      current !== null && current.spec === null && current.state === "awaiting-spec"
        ? {
            ...current,
            spec,
            state: current.approved ? "queued" : "awaiting-approval",
            updatedAt: now(),
          }
        : null,
    );
    if (next !== null) {
      options.wake();
      return reply.code(202).send(jobView(next));
    }
    return reply.code(202).send(jobView(job));
  });

  app.get<{ Params: { id: string } }>("/queries/:id", async (request) =>
    jobView(await authorised(request, request.params.id)),
  );

  app.get<{ Params: { id: string } }>("/queries/:id/result", async (request) => {
    const job = await authorised(request, request.params.id);
    // A result being recorded is served too: the researcher accepts it only once the chain
    // holds its hash, and asks as soon as the chain shows it, before this job's next write.
    if ((job.state === "recorded" || job.state === "recording") && job.result !== null) {
      return job.result;
    }
    if (job.state === "declined" || job.state === "declining" || job.state === "cancelled") {
      const reason = job.reason ?? (job.state === "cancelled" ? null : "failed");
      throw new CustosError("DATA_SERVICE_QUERY_REFUSED", `query ${job.queryId} was ${job.state}`, {
        details: {
          queryId: job.queryId,
          state: job.state,
          reason,
          reasonCode: reason === null ? null : declineReasons[reason],
        },
      });
    }
    throw new CustosError("DATA_SERVICE_RESULT_PENDING", `query ${job.queryId} is ${job.state}`, {
      details: { queryId: job.queryId, state: job.state },
    });
  });

  const staff = (request: FastifyRequest) => {
    const header = request.headers.authorization ?? "";
    const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
    const expected = Buffer.from(options.adminToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new CustosError("FEDERATION_REQUEST_UNAUTHORISED", "staff token required", {
        details: { reason: "staff token" },
      });
    }
  };

  app.get("/admin/queries", async (request) => {
    staff(request);
    return (await store.jobs()).map(jobView);
  });

  app.post<{ Params: { id: string; action: string } }>(
    "/admin/queries/:id/:action",
    async (request) => {
      staff(request);
      const { id, action } = request.params;
      if (action !== "release" && action !== "refuse") {
        throw new CustosError("INVALID_ARGUMENT", "action must be release or refuse", {
          details: { field: "action" },
        });
      }
      const job = /^\d{1,20}$/.test(id) ? await store.job(id) : null;
      if (job === null) throw unknownQuery(id);
      if (job.state !== "awaiting-release") {
        throw new CustosError(
          "DATA_SERVICE_RESULT_PENDING",
          `query ${id} is ${job.state}, not awaiting release`,
          {
            details: { queryId: id, state: job.state },
          },
        );
      }
      const next: QueryJob =
        action === "release"
          ? { ...job, state: "recording", updatedAt: now() }
          : { ...job, state: "declining", reason: "staffRefused", updatedAt: now() };
      // The decision is in the trail before it takes effect; a crash between the two leaves
      // the result held, and staff deciding again adds a second entry, never none.
      await options.siteTrail.append("manualRelease", siteTrailReleaseDetails(job, action));
      await store.putJob(next);
      options.log.info({ queryId: id, action }, "staff decision");
      options.wake();
      return jobView(next);
    },
  );

  app.post("/admin/subjects/pseudonym", async (request) => {
    staff(request);
    // The identifier travels in the body only, never in a URL a proxy or log might keep.
    let identifier: unknown;
    try {
      identifier = JSON.parse(Buffer.from(request.body as Buffer).toString("utf8"))?.identifier;
    } catch {
      identifier = undefined;
    }
    if (typeof identifier !== "string" || identifier.trim() === "" || identifier.length > 256) {
      throw new CustosError("INVALID_ARGUMENT", "the body must be { identifier: string }", {
        details: { field: "identifier" },
      });
    }
    return { subject: options.pseudonymise(identifier) };
  });

  app.get<{ Params: { subject: string }; Querystring: { cursor?: string; limit?: string } }>(
    "/admin/disclosures/:subject",
    async (request) => {
      staff(request);
      const { cursor, limit } = request.query;
      if (limit !== undefined && !/^\d{1,4}$/.test(limit)) {
        throw new CustosError("INVALID_ARGUMENT", "limit must be a whole number", {
          details: { field: "limit" },
        });
      }
      return options.disclosures.list(request.params.subject, {
        ...(cursor === undefined ? {} : { cursor }),
        ...(limit === undefined ? {} : { limit: Number(limit) }),
      });
    },
  );

  app.get<{ Params: { subject: string; id: string } }>(
    "/admin/disclosures/:subject/:id/proof",
    async (request) => {
      staff(request);
      const { subject, id } = request.params;
      const proof = /^\d{1,20}$/.test(id) ? options.disclosures.prove(subject, id) : undefined;
      if (proof === undefined) {
        throw new CustosError(
          "DATA_SERVICE_QUERY_UNKNOWN",
          `query ${id} did not run over that subject's record here`,
          { details: { queryId: id } },
        );
      }
      return proof;
    },
  );

  return app;
}
