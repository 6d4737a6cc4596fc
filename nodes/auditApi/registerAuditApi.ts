import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { Ajv } from "ajv";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CustosError, errorCodes, isCustosError } from "../../src/errors/index.ts";
import { createNonceCache } from "../../src/federation/index.ts";
import type { AuditReader } from "../audit/index.ts";
import type { AuditCaller, PatientCaller } from "./AuditCaller.ts";
import type { AuditChainStatus } from "./AuditChainStatus.ts";
import {
  ChainStatus,
  ErrorBody,
  ReadsPage,
  ReadsQuery,
  SignInAnswer,
  SignInChallenge,
  SignInRequest,
} from "./auditApiSchemas.ts";
import { authenticateAuditRequest } from "./authenticateAuditRequest.ts";
import type { AuditReadLog } from "./createAuditReadLog.ts";
import type { AuditRoles } from "./createAuditRoles.ts";
import type { DisclosureSource } from "./createDisclosureSource.ts";
import type { PatientConsent } from "./createPatientConsent.ts";
import type { SessionIssuer } from "./createSessionIssuer.ts";
import { type AuditExportFacts, registerAuditExportRoutes } from "./registerAuditExportRoutes.ts";
import { type AuditProofSource, registerAuditProofRoutes } from "./registerAuditProofRoutes.ts";
import { registerAuditReadRoutes } from "./registerAuditReadRoutes.ts";
import { registerDisclosureRoutes } from "./registerDisclosureRoutes.ts";
import { registerPatientRoutes } from "./registerPatientRoutes.ts";

/** How far a signed request's timestamp may lie from the node's clock. */
export const AUDIT_REQUEST_WINDOW_SECONDS = 300;

/** The parts the audit API reads through. */
export interface AuditApiOptions {
  readonly reader: AuditReader;
  /** Chain id, this node's name and the contracts, as every export states them. */
  readonly exportFacts: AuditExportFacts;
  /** The portal's consent port; without it the patient routes are absent. */
  readonly patientConsent?: PatientConsent;
  /** The custodian's accounting of disclosures (its data service); without it those routes are absent. */
  readonly disclosures?: DisclosureSource;
  /** The chain the proof routes build from; without it `/queries/:id/proof` and `/genesis` are absent. */
  readonly proofs?: AuditProofSource;
  readonly roles: AuditRoles;
  readonly sessions: SessionIssuer;
  readonly readLog: AuditReadLog;
  readonly status: () => Promise<AuditChainStatus>;
  /** Unix seconds. */
  readonly now: () => number;
  /** The node's version, for the OpenAPI document. */
  readonly version: string;
  /** Where unexpected failures are reported (never with request parameters). */
  readonly onInternalError?: (error: unknown, route: string) => void;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The verified audit API caller (null on public routes and before authentication). */
    auditCaller: AuditCaller | null;
    /** The verified patient on a patient route (null elsewhere). */
    patientCaller: PatientCaller | null;
    /** The path and query parameters as received, before validation coerces them. */
    auditParams: Readonly<Record<string, string>>;
    /** A JSON body's bytes as sent (null without a body). */
    auditBody: Uint8Array | null;
  }
  interface FastifyContextConfig {
    /** An audit API route anyone may read (chain status): not signed, not logged. */
    auditPublic?: boolean;
    /** A patient portal route: it needs a patient session and reads only that record. */
    auditPatient?: boolean;
  }
}

/**
 * The patient of a portal request: a bearer token of a patient session.
 *
 * @throws CustosError `AUDIT_API_UNAUTHORISED` without a valid token, `AUDIT_API_FORBIDDEN`
 *   for a staff session (staff read records through the per-subject audit routes).
 */
function authenticatePatient(
  authorization: string | undefined,
  options: AuditApiOptions,
): PatientCaller {
  if (authorization === undefined || !authorization.startsWith("Bearer ")) {
    throw new CustosError("AUDIT_API_UNAUTHORISED", "patient routes need a patient session", {
      details: { reason: "unsigned" },
    });
  }
  const session = options.sessions.verify(authorization.slice(7), options.now());
  if (session.kind !== "patient") {
    throw new CustosError("AUDIT_API_FORBIDDEN", "patient routes need a patient session", {
      details: { reason: "staff session" },
    });
  }
  return {
    address: session.address,
    role: "patient",
    custodian: session.custodian,
    subject: session.subject,
  };
}

/** Longest parameter value the read log keeps. */
const MAX_LOGGED_PARAM = 200;

function loggedParams(request: FastifyRequest): Record<string, string> {
  const params: Record<string, string> = {};
  for (const source of [request.params, request.query]) {
    if (source === null || typeof source !== "object") continue;
    for (const [name, value] of Object.entries(source)) {
      params[name] = String(value).slice(0, MAX_LOGGED_PARAM);
    }
  }
  return params;
}

function validationError(error: FastifyError): CustosError {
  const [first] = error.validation ?? [];
  const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
  const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
  const field =
    extra ?? missing ?? first?.instancePath.replace(/^\//, "") ?? error.validationContext ?? "";
  const reason = extra !== undefined ? "unknown parameter" : (first?.message ?? "invalid");
  return new CustosError("INVALID_ARGUMENT", `invalid parameter ${field}: ${reason}`, {
    details: { field, in: error.validationContext ?? "request", reason },
  });
}

/**
 * Registers the regulator REST API on a node's fastify server: `/audit/v1/*` (JSON, typed
 * errors `{ error: { code, message, details } }`), its OpenAPI document at `/openapi.json`
 * and Swagger UI at `/docs`. Every route but `/audit/v1/status` needs a signed request by an
 * admin of a regulator or hospital organisation, and every such request, refused ones
 * included, is appended to the hash-chained read log.
 *
 * @example
 * ```ts
 * await registerAuditApi(server.fastify, { roles, readLog, status, now, version });
 * ```
 */
export async function registerAuditApi(
  app: FastifyInstance,
  options: AuditApiOptions,
): Promise<void> {
  await app.register(async (root) => {
    await root.register(swagger, {
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "Custos audit API",
          description:
            "The regulator's view of a Custos network: queries, approvals, results, consents and governance, with the audit API's own read log. Requests are signed (x-custos-* headers) by an admin account of a regulator or hospital organisation.",
          version: options.version,
        },
        components: {
          securitySchemes: {
            custosSignature: {
              type: "apiKey",
              in: "header",
              name: "x-custos-signature",
              description:
                "EIP-191 signature of the canonical request (method, path, body hash, x-custos-address, x-custos-timestamp, x-custos-nonce); see docs/audit.md",
            },
          },
        },
      },
    });
    await root.register(swaggerUi, { routePrefix: "/docs" });
    root.get("/openapi.json", { schema: { hide: true } }, async () => root.swagger());
    await root.register(
      async (scope) => {
        await registerRoutes(scope, options);
      },
      { prefix: "/audit/v1" },
    );
  });
}

async function registerRoutes(scope: FastifyInstance, options: AuditApiOptions): Promise<void> {
  const nonces = createNonceCache(AUDIT_REQUEST_WINDOW_SECONDS);
  const auth = {
    roles: options.roles,
    sessions: options.sessions,
    nonces,
    now: options.now,
    windowSeconds: AUDIT_REQUEST_WINDOW_SECONDS,
  };
  scope.decorateRequest("auditCaller", null);
  scope.decorateRequest("patientCaller", null);
  scope.removeAllContentTypeParsers();
  // The bytes are kept as sent: a signed request's body is part of its signature.
  scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    try {
      request.auditBody = new Uint8Array(body as Buffer);
      done(null, JSON.parse(String(body)));
    } catch {
      done(
        new CustosError("INVALID_ARGUMENT", "the body is not JSON", { details: { field: "body" } }),
      );
    }
  });
  scope.decorateRequest("auditParams", null as unknown as Record<string, string>);
  scope.decorateRequest("auditBody", null);
  // The API's own validator: an unknown or malformed parameter is refused with a 400 naming
  // it, never dropped (fastify's default removes unknown properties) or trimmed.
  const ajv = new Ajv({
    coerceTypes: true,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
  });
  scope.setValidatorCompiler(({ schema }) => ajv.compile(schema));

  scope.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let typed: CustosError;
    if (isCustosError(error)) typed = error;
    else if (error.validation !== undefined) typed = validationError(error);
    else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      typed = new CustosError("INVALID_ARGUMENT", "malformed HTTP request", {
        details: { field: "request" },
      });
    } else {
      options.onInternalError?.(error, request.routeOptions.url ?? "");
      typed = new CustosError("INTERNAL", "internal error");
    }
    return reply.code(errorCodes[typed.code].httpStatus).send({ error: typed.toJSON() });
  });

  scope.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.auditPublic === true) return;
    request.auditParams = loggedParams(request);
    if (request.routeOptions.config.auditPatient === true) {
      request.patientCaller = authenticatePatient(request.headers.authorization, options);
      return;
    }
    // A request with a body is verified once the body is read (its hash is signed).
    if (request.method === "GET" || request.method === "HEAD") {
      request.auditCaller = await authenticateAuditRequest(
        { method: request.method, url: request.url, headers: request.headers },
        auth,
      );
    }
  });
  scope.addHook("preValidation", async (request) => {
    const { config } = request.routeOptions;
    if (config.auditPublic === true || config.auditPatient === true) return;
    if (request.method === "GET" || request.method === "HEAD") return;
    request.auditCaller = await authenticateAuditRequest(
      {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.auditBody ?? new Uint8Array(),
      },
      auth,
    );
  });

  // The read is logged before its answer leaves: an answer whose read could not be logged is
  // replaced by a 500, so nothing is disclosed off the record.
  scope.addHook("onSend", async (request, reply, payload) => {
    if (request.routeOptions.config.auditPublic === true) return payload;
    try {
      await options.readLog.record({
        at: Math.floor(options.now()),
        caller: request.auditCaller ?? request.patientCaller,
        route: `${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]}`,
        params: request.auditParams ?? loggedParams(request),
        status: reply.statusCode,
      });
      return payload;
    } catch (error) {
      options.onInternalError?.(error, "read log");
      reply.code(500).type("application/json");
      return JSON.stringify({ error: new CustosError("INTERNAL", "internal error").toJSON() });
    }
  });

  const secured = [{ custosSignature: [] }];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

  scope.get(
    "/status",
    {
      config: { auditPublic: true },
      schema: {
        summary:
          "Chain status: height, validators, last commit, peers, and how far the audit index is",
        tags: ["chain"],
        response: { 200: ChainStatus },
      },
    },
    async () => ({ ...(await options.status()), auditIndex: await options.reader.status() }),
  );

  scope.get(
    "/session/challenge",
    {
      config: { auditPublic: true },
      schema: {
        summary: "A one-time sign-in challenge for a browser wallet (personal_sign)",
        tags: ["session"],
        response: { 200: SignInChallenge },
      },
    },
    async () => options.sessions.challenge(options.now()),
  );

  scope.post(
    "/session",
    {
      config: { auditPublic: true },
      schema: {
        summary:
          "Exchanges a signed challenge for a one-hour bearer token: staff (admins of regulator or hospital organisations), or a patient for the record whose patient key signed",
        tags: ["session"],
        body: SignInRequest,
        response: { 200: SignInAnswer, ...errors },
      },
    },
    async (request) => {
      const body = request.body as {
        nonce: string;
        signature: string;
        patient?: { custodian: number; subject: `0x${string}` };
      };
      const signedIn = await options.sessions.signIn(body, options.now());
      if (signedIn.session.kind === "staff") {
        // A staff token is only worth having for an account that may read the API now.
        await authenticateAuditRequest(
          { method: "GET", url: "", headers: { authorization: `Bearer ${signedIn.token}` } },
          auth,
        );
      }
      return signedIn;
    },
  );

  scope.get(
    "/reads",
    {
      schema: {
        summary: "The audit API's own read log, newest first (regulators only)",
        tags: ["audit"],
        security: secured,
        querystring: ReadsQuery,
        response: { 200: ReadsPage, ...errors },
      },
    },
    async (request) => {
      const caller = request.auditCaller as AuditCaller;
      if (caller.role !== "regulator") {
        throw new CustosError("AUDIT_API_FORBIDDEN", "only regulators read the read log", {
          details: { reason: "role", role: caller.role },
        });
      }
      const { before, limit } = request.query as { before?: number; limit?: number };
      return options.readLog.page({
        ...(before === undefined ? {} : { before }),
        limit: limit ?? 100,
      });
    },
  );

  registerAuditReadRoutes(scope, options.reader);
  registerAuditExportRoutes(scope, options.reader, options.exportFacts);
  if (options.proofs !== undefined) registerAuditProofRoutes(scope, options.reader, options.proofs);
  if (options.disclosures !== undefined) {
    registerDisclosureRoutes(scope, options.reader, options.disclosures);
  }
  if (options.patientConsent !== undefined) {
    registerPatientRoutes(scope, {
      reader: options.reader,
      consent: options.patientConsent,
      now: options.now,
      ...(options.disclosures === undefined ? {} : { disclosures: options.disclosures }),
    });
  }
}
