import type { ProofRpc } from "../../../../src/auditProof/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import { requireHttpUrl } from "../../requireHttpUrl.ts";

/** How long the node has to answer one call. */
const TIMEOUT_MS = 30_000;

function unavailable(url: string, reason: string, cause?: unknown): CustosError {
  return new CustosError("LEDGER_UNAVAILABLE", `${url}: ${reason}`, {
    details: { url, reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * An EIP-1193 port over HTTP JSON-RPC at `url` (Custos or Besu), for `buildChainProof`.
 *
 * @throws CustosError `CLI_USAGE` when `url` is no http(s) URL; (from `request`)
 *   `LEDGER_UNAVAILABLE` when the node cannot be reached, answers no JSON-RPC object or an
 *   error, or takes over 30 s.
 * @example
 * ```ts
 * const proof = await buildChainProof(jsonRpcPort("http://127.0.0.1:8545"), targets, options);
 * ```
 */
export function jsonRpcPort(url: string): ProofRpc {
  requireHttpUrl("audit", url);
  let id = 0;
  return {
    async request({ method, params }) {
      let body: unknown;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        body = await response.json();
      } catch (cause) {
        throw unavailable(url, cause instanceof Error ? cause.message : String(cause), cause);
      }
      if (typeof body !== "object" || body === null) {
        throw unavailable(url, "the answer is not a JSON object");
      }
      const answer = body as { result?: unknown; error?: { message?: unknown } };
      if (answer.error !== undefined) {
        throw unavailable(url, `${method} failed: ${String(answer.error.message)}`);
      }
      return answer.result;
    },
  };
}
