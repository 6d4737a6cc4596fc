import {
  FetchRequest,
  type JsonRpcPayload,
  JsonRpcProvider,
  type JsonRpcResult,
  Log,
  makeError,
  type Network,
} from "ethers";
import { formatLedgerLog } from "./formatLedgerLog.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

type GetUrl = FetchRequest["getUrlFunc"];

/** ethers' transport in this runtime (node:http), which a connection has unless given its own. */
const ethersGetUrl: GetUrl = new FetchRequest("http://127.0.0.1/").getUrlFunc;

/**
 * One request over the runtime's `fetch`, answering as ethers' transports do (status, headers
 * in lowercase, body bytes; ethers' `TIMEOUT` after the request's timeout, `CANCELLED` when
 * its signal fires). ethers' node:http transport grows the body by a copy per chunk received,
 * quadratic in the answer's size: 13 % of a verification reading 5,000-log pages.
 */
const fetchGetUrl: GetUrl = async (request, signal) => {
  if (signal?.cancelled === true) throw makeError("request cancelled before sending", "CANCELLED");
  let failure: Error | undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    failure = makeError("request timeout", "TIMEOUT");
    controller.abort();
  }, request.timeout);
  signal?.addListener(() => {
    failure = makeError("request cancelled", "CANCELLED");
    controller.abort();
  });
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: [...request],
      // A copy typed on an ArrayBuffer, as the DOM typing of fetch (the dashboard's) requires.
      ...(request.body === null ? {} : { body: new Uint8Array(request.body) }),
      signal: controller.signal,
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const body = new Uint8Array(await response.arrayBuffer());
    return { statusCode: response.status, statusMessage: response.statusText, headers, body };
  } catch (error) {
    throw failure ?? error;
  } finally {
    clearTimeout(timer);
  }
};

/**
 * ethers' `JsonRpcProvider` with its request and response bodies converted by the runtime's
 * native UTF-8 codec and `JSON.parse` instead of ethers' JavaScript one, and sent with the
 * runtime's `fetch` unless the connection brings its own `getUrlFunc`, and logs formatted
 * with each address checksummed once (`formatLedgerLog`). Everything else is
 * ethers' own: the connection (timeouts, throttling retries), batching, result formatting and
 * errors. ethers converts every body byte by byte in JavaScript, which on the
 * large answers a consent import and its verification read (a `batchGrant` receipt holds 500
 * logs, a `eth_getLogs` page thousands) took more of the importer's time than the import's
 * own work. Use it wherever a `JsonRpcProvider` would be constructed.
 *
 * @example
 * ```ts
 * const provider = new LedgerRpcProvider("http://127.0.0.1:8545", undefined, { cacheTimeout: -1 });
 * const client = createConsentRegistryClient({ address, runner: new Wallet(key, provider), custodian: 1 });
 * ```
 */
export class LedgerRpcProvider extends JsonRpcProvider {
  /**
   * Sends `payload` as ethers does, decoding the answer natively.
   *
   * @throws Error ethers' `UNSUPPORTED_OPERATION` when the answer is not UTF-8 JSON, as
   *   ethers' own decoder throws; its connection errors unchanged.
   */
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const request = this._getConnection();
    if (request.getUrlFunc === ethersGetUrl) request.getUrlFunc = fetchGetUrl;
    request.body = encoder.encode(JSON.stringify(payload));
    request.setHeader("content-type", "application/json");
    const response = await request.send();
    response.assertOk();
    let answer: unknown;
    try {
      answer = JSON.parse(response.body === null ? "" : decoder.decode(response.body));
    } catch {
      throw makeError("response body is not valid JSON", "UNSUPPORTED_OPERATION", {
        operation: "bodyJson",
        info: { response },
      });
    }
    // Typed as ethers types its own: error answers among them, sorted out by the caller.
    return (Array.isArray(answer) ? answer : [answer]) as JsonRpcResult[];
  }

  /**
   * Wraps an `eth_getLogs` log as ethers does, formatted by `formatLedgerLog`.
   *
   * @throws Error ethers' `BAD_DATA` for a malformed log, as ethers' own formatting throws.
   */
  override _wrapLog(value: unknown, _network: Network): Log {
    return new Log(formatLedgerLog(value), this);
  }
}
