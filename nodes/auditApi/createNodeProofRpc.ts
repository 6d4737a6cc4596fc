import type { ProofRpc } from "../../src/auditProof/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import {
  createRpcDispatcher,
  defaultRpcServerOptions,
  type NodeApi,
  type RpcContext,
  rpcMethods,
} from "../rpc/index.ts";

/**
 * A proof builder's JSON-RPC port over the node's own chain, in process: each request runs
 * the node's JSON-RPC method itself (the one `custos audit prove` calls over HTTP) through a
 * dispatcher of its own, so the audit API builds byte for byte the proof the CLI builds,
 * without a loopback connection or the HTTP server's per-client caps. Limits are the RPC
 * defaults (`eth_getLogs` over 10,000 blocks at most; the builder asks for 5,000).
 *
 * @throws CustosError (from `request`) `LEDGER_UNAVAILABLE` when the method answers a
 *   JSON-RPC error (its message and code in the details).
 * @example
 * ```ts
 * const proof = await buildChainProof(createNodeProofRpc(api), [{ queryId: 7n }], { contracts });
 * ```
 */
export function createNodeProofRpc(api: NodeApi): ProofRpc {
  const dispatcher = createRpcDispatcher({
    methods: rpcMethods,
    maxBatchSize: 1,
    maxBatchResponseBytes: defaultRpcServerOptions.limits.maxBatchResponseBytes,
  });
  const context: RpcContext = { api, limits: defaultRpcServerOptions.limits, client: "audit-api" };
  return {
    async request({ method, params }) {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] });
      const answer = JSON.parse((await dispatcher.handleBody(body, context)) ?? "null") as {
        result?: unknown;
        error?: { code: number; message: string };
      } | null;
      if (answer === null || answer.error !== undefined) {
        throw new CustosError("LEDGER_UNAVAILABLE", `${method} failed in process`, {
          details: {
            method,
            rpcCode: answer?.error?.code ?? null,
            reason: answer?.error?.message ?? "no answer",
          },
        });
      }
      return answer.result;
    },
  };
}
