import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { CustosError, errorCodes, isCustosError } from "../../src/errors/index.ts";
import {
  createNonceCache,
  type SignedQueryResult,
  verifyResearcherRequest,
} from "../../src/federation/index.ts";

/** How the test server answers one query route. */
export type TestRoute = (
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
) => unknown;

/** Options of {@link startSignedTestServer}. */
export interface SignedTestServerOptions {
  /** The only account allowed to ask about queries (the query's researcher). */
  readonly researcher: string;
  readonly policy?: Record<string, unknown>;
  /** Answers to `PUT /queries/:id/spec`, after the signature check (default 202 queued). */
  readonly putSpec?: TestRoute;
  readonly job?: TestRoute;
  readonly result?: TestRoute;
  /** Also serves every route under this path prefix. */
  readonly prefix?: string;
}

/** A server speaking the data service protocol's wire format, for client and CLI tests. */
export interface SignedTestServer {
  readonly url: string;
  readonly app: FastifyInstance;
  /** Paths of the requests that passed the signature check, in order. */
  readonly signedPaths: string[];
  close(): Promise<void>;
}

function protocolError(reply: FastifyReply, error: CustosError) {
  return reply
    .code(errorCodes[error.code].httpStatus)
    .send({ error: { code: error.code, message: error.shortMessage, details: error.details } });
}

/** A JSON error answer in the protocol's form. */
export function refuse(
  reply: FastifyReply,
  code: keyof typeof errorCodes,
  details: Record<string, unknown>,
) {
  return protocolError(reply, new CustosError(code, `refused: ${code}`, { details }));
}

/**
 * Starts a fastify server on 127.0.0.1 that checks every query request's signature with
 * `verifyResearcherRequest` (±300 s, nonces once) and the signer against `researcher`, as a
 * data service does, then answers with the configured routes.
 */
export async function startSignedTestServer(
  options: SignedTestServerOptions,
): Promise<SignedTestServer> {
  // Force: a test route may never answer, and close must not wait for it.
  const app = Fastify({ forceCloseConnections: true });
  const nonces = createNonceCache(300);
  const signedPaths: string[] = [];
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) =>
    done(null, body),
  );
  const signed =
    (route: TestRoute): TestRoute =>
    (request, reply) => {
      try {
        const now = Date.now() / 1000;
        const body = request.body instanceof Buffer ? new Uint8Array(request.body) : undefined;
        const verified = verifyResearcherRequest(
          request.headers,
          { method: request.method, path: request.url, ...(body === undefined ? {} : { body }) },
          now,
          300,
        );
        if (verified.address.toLowerCase() !== options.researcher.toLowerCase()) {
          throw new CustosError("FEDERATION_REQUEST_UNAUTHORISED", "not the query's researcher", {
            details: { reason: "not the researcher" },
          });
        }
        nonces.use(verified.nonce, now);
      } catch (error) {
        if (isCustosError(error)) return protocolError(reply, error);
        throw error;
      }
      signedPaths.push(request.url);
      return route(request, reply);
    };
  const routes = (prefix: string) => {
    app.get(`${prefix}/policy`, async () => options.policy ?? { hospitalId: 1 });
    app.put<{ Params: { id: string } }>(
      `${prefix}/queries/:id/spec`,
      signed(
        options.putSpec ??
          ((request, reply) =>
            reply.code(202).send({ queryId: request.params.id, state: "queued" })),
      ),
    );
    app.get<{ Params: { id: string } }>(
      `${prefix}/queries/:id`,
      signed(
        options.job ??
          ((request) => ({
            queryId: request.params.id,
            state: "queued",
            reason: null,
            attempts: 0,
          })),
      ),
    );
    app.get<{ Params: { id: string } }>(
      `${prefix}/queries/:id/result`,
      signed(
        options.result ??
          ((_request, reply) => refuse(reply, "DATA_SERVICE_RESULT_PENDING", { state: "queued" })),
      ),
    );
  };
  routes("");
  if (options.prefix !== undefined) routes(options.prefix);
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url: address, app, signedPaths, close: () => app.close() };
}

/** A route answering a signed result. */
export const answerResult =
  (signed: SignedQueryResult): TestRoute =>
  () =>
    signed;
