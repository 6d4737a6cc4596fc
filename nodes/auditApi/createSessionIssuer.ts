import { timingSafeEqual } from "node:crypto";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { verifyMessage } from "ethers";
import { CustosError } from "../../src/errors/index.ts";

/** Who a session token stands for. */
export type AuditSession =
  | { readonly kind: "staff"; readonly address: `0x${string}` }
  | {
      readonly kind: "patient";
      readonly address: `0x${string}`;
      readonly custodian: number;
      readonly subject: `0x${string}`;
    };

/** A sign-in challenge: the text to sign with `personal_sign`, and its one-time nonce. */
export interface SignInChallenge {
  readonly nonce: string;
  readonly message: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** A sign-in's answer: the bearer token and what it stands for. */
export interface SignedIn {
  readonly token: string;
  readonly session: AuditSession;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** Issues sign-in challenges and session tokens, and checks tokens. */
export interface SessionIssuer {
  challenge(nowSeconds: number): SignInChallenge;
  /**
   * Exchanges a signed challenge for a token. Without `patient`, a staff session for the
   * signer; with it, a patient session for that record, when the signer is its patient key.
   *
   * @throws CustosError `AUDIT_API_UNAUTHORISED` (unknown, used or expired nonce, bad
   *   signature), `AUDIT_API_FORBIDDEN` (not that record's patient key).
   */
  signIn(
    request: {
      readonly nonce: string;
      readonly signature: string;
      readonly patient?: { readonly custodian: number; readonly subject: `0x${string}` };
    },
    nowSeconds: number,
  ): Promise<SignedIn>;
  /**
   * The session a token stands for.
   *
   * @throws CustosError `AUDIT_API_UNAUTHORISED` for a forged, malformed or expired token.
   */
  verify(token: string, nowSeconds: number): AuditSession;
}

/** What {@link createSessionIssuer} needs. */
export interface SessionIssuerOptions {
  /** Shown in the challenge so a signature for one network is useless on another. */
  readonly chainId: string;
  /** The patient key ConsentRegistry holds for a record (zero address for none). */
  readonly patientKeyOf: (custodian: number, subject: `0x${string}`) => Promise<string>;
  /** 32 random bytes: tokens die with the process that issued them. */
  readonly secret: Uint8Array;
  /** Token lifetime; default one hour. */
  readonly sessionSeconds?: number;
  /** How long a challenge may wait for its signature; default five minutes. */
  readonly challengeSeconds?: number;
  /** Most challenges waiting at once (oldest dropped); default 10,000. */
  readonly maxPending?: number;
  readonly randomBytes?: (length: number) => Uint8Array;
}

function unauthorised(reason: string): never {
  throw new CustosError("AUDIT_API_UNAUTHORISED", `sign-in refused: ${reason}`, {
    details: { reason },
  });
}

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/**
 * Sign-in for browsers, after EIP-4361: the node hands out a one-time challenge, the user's
 * wallet signs it (`personal_sign`), and the node answers with an HMAC-signed bearer token
 * for an hour. Staff sessions still have their role checked on every request; a patient
 * session is bound to the one record whose patient key signed.
 *
 * @example
 * ```ts
 * const sessions = createSessionIssuer({ chainId: "1337", patientKeyOf, secret });
 * const { nonce, message } = sessions.challenge(now);
 * const { token } = await sessions.signIn({ nonce, signature: await wallet.signMessage(message) }, now);
 * ```
 */
export function createSessionIssuer(options: SessionIssuerOptions): SessionIssuer {
  const sessionSeconds = options.sessionSeconds ?? 3600;
  const challengeSeconds = options.challengeSeconds ?? 300;
  const maxPending = options.maxPending ?? 10_000;
  const random = options.randomBytes ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
  const pending = new Map<string, SignInChallenge>();
  const mac = (payload: string) => hmac(sha256, options.secret, new TextEncoder().encode(payload));

  function token(session: AuditSession, expiresAt: number): string {
    const payload = base64url(
      new TextEncoder().encode(JSON.stringify({ ...session, exp: expiresAt })),
    );
    return `${payload}.${base64url(mac(payload))}`;
  }

  return {
    challenge(now) {
      for (const [nonce, old] of pending) {
        if (old.expiresAt >= now && pending.size < maxPending) break;
        pending.delete(nonce);
      }
      const nonce = bytesToHex(random(16));
      const expiresAt = Math.floor(now) + challengeSeconds;
      const message = [
        "Sign in to the Custos audit API.",
        "",
        "This signature proves you hold this account's key; it moves nothing.",
        "",
        `Chain ID: ${options.chainId}`,
        `Nonce: ${nonce}`,
        `Issued At: ${new Date(Math.floor(now) * 1000).toISOString()}`,
        `Expiration Time: ${new Date(expiresAt * 1000).toISOString()}`,
      ].join("\n");
      const challenge = { nonce, message, expiresAt };
      pending.set(nonce, challenge);
      return challenge;
    },

    async signIn(request, now) {
      const challenge = pending.get(request.nonce);
      if (challenge === undefined) unauthorised("unknown or used nonce");
      pending.delete(request.nonce);
      if (challenge.expiresAt < now) unauthorised("challenge expired");
      let address: `0x${string}`;
      try {
        address = verifyMessage(
          challenge.message,
          request.signature,
        ).toLowerCase() as `0x${string}`;
      } catch {
        unauthorised("malformed signature");
      }
      let session: AuditSession = { kind: "staff", address };
      if (request.patient !== undefined) {
        const { custodian, subject } = request.patient;
        const key = (await options.patientKeyOf(custodian, subject)).toLowerCase();
        if (key !== address) {
          throw new CustosError(
            "AUDIT_API_FORBIDDEN",
            "the signer is not this record's patient key",
            {
              details: { reason: "patient key" },
            },
          );
        }
        session = {
          kind: "patient",
          address,
          custodian,
          subject: subject.toLowerCase() as `0x${string}`,
        };
      }
      const expiresAt = Math.floor(now) + sessionSeconds;
      return { token: token(session, expiresAt), session, expiresAt };
    },

    verify(value, now) {
      const [payload, signature, extra] = value.split(".");
      if (payload === undefined || signature === undefined || extra !== undefined) {
        unauthorised("malformed token");
      }
      const expected = mac(payload);
      const given = Buffer.from(signature, "base64url");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        unauthorised("forged token");
      }
      const body = JSON.parse(
        Buffer.from(payload, "base64url").toString("utf8"),
      ) as AuditSession & {
        exp: number;
      };
      if (body.exp < now) unauthorised("session expired");
      const { exp: _exp, ...session } = body;
      return session as AuditSession;
    },
  };
}
