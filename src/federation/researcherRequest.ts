import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { getAddress, isHexString, type Signer, verifyMessage } from "ethers";
import { canonicalJson } from "../canonical/index.ts";
import { CustosError } from "../errors/index.ts";

/** The headers that carry a researcher's request signature. */
export const requestHeaders = Object.freeze({
  address: "x-custos-address",
  timestamp: "x-custos-timestamp",
  nonce: "x-custos-nonce",
  signature: "x-custos-signature",
});

/** What a signature covers: the request itself, the signer, when, and a one-time nonce. */
export interface RequestToSign {
  readonly method: string;
  /** Path and query string, e.g. `/queries/7/result`. */
  readonly path: string;
  /** The body bytes (empty for none). */
  readonly body?: Uint8Array;
}

/** A verified request's signer and replay facts. */
export interface VerifiedRequest {
  readonly address: `0x${string}`;
  readonly timestamp: number;
  readonly nonce: string;
}

const NONCE = /^[0-9a-f]{32}$/;

function message(request: RequestToSign, address: string, timestamp: number, nonce: string) {
  return canonicalJson({
    schema: "custos.request/1",
    method: request.method.toUpperCase(),
    path: request.path,
    bodyHash: `0x${bytesToHex(keccak_256(request.body ?? new Uint8Array()))}`,
    address: address.toLowerCase(),
    timestamp,
    nonce,
  });
}

function unauthorised(reason: string): never {
  throw new CustosError("FEDERATION_REQUEST_UNAUTHORISED", `request refused: ${reason}`, {
    details: { reason },
  });
}

/**
 * Signs a request to a data service with the researcher's account key (EIP-191
 * `personal_sign` of the canonical request) and returns the headers to send.
 *
 * @example
 * ```ts
 * const headers = await signResearcherRequest(wallet, { method: "GET", path: "/queries/7/result" }, now);
 * ```
 */
export async function signResearcherRequest(
  signer: Signer,
  request: RequestToSign,
  nowSeconds: number,
  nonce: string = bytesToHex(crypto.getRandomValues(new Uint8Array(16))),
): Promise<Record<string, string>> {
  const address = await signer.getAddress();
  const timestamp = Math.floor(nowSeconds);
  const signature = await signer.signMessage(message(request, address, timestamp, nonce));
  return {
    [requestHeaders.address]: address,
    [requestHeaders.timestamp]: String(timestamp),
    [requestHeaders.nonce]: nonce,
    [requestHeaders.signature]: signature,
  };
}

/**
 * Verifies a signed request: the signature recovers to the claimed address and the
 * timestamp lies within `windowSeconds` of now. Whether that address may ask, and whether
 * the nonce is fresh, are the caller's checks.
 *
 * @throws CustosError `FEDERATION_REQUEST_UNAUTHORISED` naming what is missing or wrong.
 */
export function verifyResearcherRequest(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  request: RequestToSign,
  nowSeconds: number,
  windowSeconds: number,
): VerifiedRequest {
  const header = (name: string) => {
    const value = headers[name];
    return typeof value === "string" ? value : undefined;
  };
  const claimed = header(requestHeaders.address);
  const stamp = header(requestHeaders.timestamp);
  const nonce = header(requestHeaders.nonce);
  const signature = header(requestHeaders.signature);
  if (
    claimed === undefined ||
    stamp === undefined ||
    nonce === undefined ||
    signature === undefined
  ) {
    unauthorised("unsigned");
  }
  if (!isHexString(claimed, 20)) unauthorised("malformed address");
  if (!NONCE.test(nonce)) unauthorised("malformed nonce");
  if (!/^\d{1,12}$/.test(stamp)) unauthorised("malformed timestamp");
  const timestamp = Number(stamp);
  if (Math.abs(nowSeconds - timestamp) > windowSeconds)
    unauthorised("timestamp outside the window");
  let signer: string;
  try {
    signer = verifyMessage(message(request, claimed, timestamp, nonce), signature);
  } catch {
    unauthorised("malformed signature");
  }
  if (signer.toLowerCase() !== claimed.toLowerCase()) unauthorised("signature does not match");
  return { address: getAddress(claimed) as `0x${string}`, timestamp, nonce };
}
