import type { BlockHeader } from "@ethereumjs/block";
import { CustosError } from "../../../../src/errors/index.ts";
import { headerFromRpc } from "../../../chain/index.ts";
import { requireHttpUrl } from "../../requireHttpUrl.ts";

/** A header fetched over JSON-RPC, and the hash the node gave for it. */
export interface FetchedHeader {
  readonly header: BlockHeader;
  /** The block's `hash` in the answer (Besu's on-chain hash), when it has one. */
  readonly hash: string | undefined;
}

/** How long the node has to answer. */
const TIMEOUT_MS = 30_000;

function unavailable(url: string, reason: string, cause?: unknown): CustosError {
  return new CustosError("LEDGER_UNAVAILABLE", `${url}: ${reason}`, {
    details: { url, reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

async function callRpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  let body: unknown;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (cause) {
    throw unavailable(url, cause instanceof Error ? cause.message : String(cause), cause);
  }
  if (typeof body !== "object" || body === null)
    throw unavailable(url, "answer is not a JSON object");
  const answer = body as { result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (answer.error !== undefined) {
    throw unavailable(url, `${method} failed: ${String(answer.error.message)}`);
  }
  return answer.result;
}

/**
 * Fetches block `number` with `eth_getBlockByNumber` from the node at `url` (Besu or Custos)
 * and rebuilds its header from the answer's fields.
 *
 * @throws CustosError `CLI_USAGE` when `url` is no http(s) URL; `LEDGER_UNAVAILABLE` when the
 *   node cannot be reached, fails or errs (within 30 s); `RPC_RESOURCE_NOT_FOUND` when it has
 *   no such block; `BLOCK_INVALID` when the answer does not make a header.
 * @example
 * ```ts
 * const { header, hash } = await fetchBlockHeader("http://127.0.0.1:8545", 7528n);
 * ```
 */
export async function fetchBlockHeader(url: string, number: bigint): Promise<FetchedHeader> {
  requireHttpUrl("block", url);
  const block = await callRpc(url, "eth_getBlockByNumber", [`0x${number.toString(16)}`, false]);
  if (block === null || block === undefined) {
    throw new CustosError("RPC_RESOURCE_NOT_FOUND", `${url} has no block ${number}`, {
      details: { url, number: number.toString() },
    });
  }
  if (typeof block !== "object") {
    throw new CustosError("BLOCK_INVALID", "not a block header: the answer is not an object", {
      details: { field: "header", reason: "the answer is not an object" },
    });
  }
  const fields = block as Readonly<Record<string, unknown>>;
  return {
    header: headerFromRpc(fields),
    hash: typeof fields.hash === "string" ? fields.hash : undefined,
  };
}
