import { CustosError, isCustosError } from "../../src/errors/index.ts";
import { type NonceCache, verifyResearcherRequest } from "../../src/federation/index.ts";
import type { AuditCaller } from "./AuditCaller.ts";
import type { AuditRoles } from "./createAuditRoles.ts";
import type { SessionIssuer } from "./createSessionIssuer.ts";

/** A request as the audit API's authentication sees it. */
export interface AuditHttpRequest {
  readonly method: string;
  /** Path and query string, as signed. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body's bytes as sent, hashed into the signature (absent: empty). */
  readonly body?: Uint8Array;
}

/** What {@link authenticateAuditRequest} checks against. */
export interface AuditAuthContext {
  readonly roles: AuditRoles;
  readonly nonces: NonceCache;
  readonly sessions: SessionIssuer;
  /** Unix seconds. */
  readonly now: () => number;
  /** How far a request's timestamp may lie from now. */
  readonly windowSeconds: number;
}

/**
 * Authenticates an audit API request: it must be signed as every Custos request is (EIP-191
 * signature of the canonical method, path, body hash, signer, timestamp and nonce — the
 * scheme of `signResearcherRequest`), fresh and never seen before — or carry a staff session
 * token from a browser sign-in — and its signer must be an admin of a regulator or hospital
 * organisation at the head, checked on every request.
 *
 * @throws CustosError `AUDIT_API_UNAUTHORISED` (unsigned, bad signature, stale, replayed),
 *   `AUDIT_API_FORBIDDEN` (a signer that may not read the audit API).
 * @example
 * ```ts
 * const caller = await authenticateAuditRequest(request, { roles, nonces, now, windowSeconds: 300 });
 * ```
 */
export async function authenticateAuditRequest(
  request: AuditHttpRequest,
  context: AuditAuthContext,
): Promise<AuditCaller> {
  const now = context.now();
  const authorization = request.headers.authorization;
  let address: `0x${string}`;
  if (typeof authorization === "string" && authorization.startsWith("Bearer ")) {
    const session = context.sessions.verify(authorization.slice(7), now);
    if (session.kind !== "staff") {
      throw new CustosError("AUDIT_API_FORBIDDEN", "a patient session reads only its own record", {
        details: { reason: "patient session" },
      });
    }
    return callerOf(session.address, context);
  }
  try {
    const verified = verifyResearcherRequest(
      request.headers,
      {
        method: request.method,
        path: request.url,
        ...(request.body === undefined ? {} : { body: request.body }),
      },
      now,
      context.windowSeconds,
    );
    context.nonces.use(verified.nonce, now);
    address = verified.address.toLowerCase() as `0x${string}`;
  } catch (error) {
    if (!isCustosError(error)) throw error;
    const reason = String(error.details.reason ?? "unsigned");
    throw new CustosError("AUDIT_API_UNAUTHORISED", `audit request refused: ${reason}`, {
      details: { reason },
    });
  }
  return callerOf(address, context);
}

async function callerOf(address: `0x${string}`, context: AuditAuthContext): Promise<AuditCaller> {
  const caller = await context.roles.callerOf(address);
  if (caller === null) {
    throw new CustosError(
      "AUDIT_API_FORBIDDEN",
      "the signer is not an admin of a regulator or hospital organisation",
      { details: { reason: "role", address } },
    );
  }
  return caller;
}
