import type { FastifyInstance, FastifyReply } from "fastify";
import { buildChainProof, type ChainContracts, type ProofRpc } from "../../src/auditProof/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { AuditReader } from "../audit/index.ts";
import {
  ErrorBody,
  GenesisBody,
  NoQuery,
  ProofDocumentBody,
  QueryIdParams,
} from "./auditApiSchemas.ts";

/** What the proof routes read the chain through. */
export interface AuditProofSource {
  /**
   * The JSON-RPC the proofs are built through (`debug_getRawHeader`, `debug_getRawReceipts`,
   * `debug_getRawBlock`, `eth_getLogs`): in a node, its own methods called in process.
   */
  readonly rpc: ProofRpc;
  /** The chain's Consortium (validator-set changes) and AccessLedger (the query's events). */
  readonly contracts: Pick<ChainContracts, "consortium" | "accessLedger">;
  /** The genesis document the node runs, served as it is (JSON). */
  readonly genesis: Readonly<Record<string, unknown>>;
}

/** Aborted when the client goes away before the answer: a proof nobody waits for is not built. */
function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  // A response closes either after it was sent or when the connection drops first.
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * The proof routes: `GET /queries/:id/proof`, the offline proof (`custos.proof/1`) of every
 * AccessLedger event of a query, built from the node's chain as `custos audit prove --query`
 * builds it, for the same callers as the query's trail (regulators and hospital admins); and
 * `GET /genesis`, the genesis the node runs — a convenience for a verifier, not an
 * independent anchor (the dashboard says so).
 *
 * The routes answer `AUDIT_API_NOT_FOUND` (404) for a query the audit index does not know,
 * `INVALID_ARGUMENT` (400) naming a malformed or unknown parameter, and pass on the proof
 * builder's `AUDIT_PROOF_SOURCE_INVALID` (502) and `LEDGER_UNAVAILABLE` (503).
 *
 * @example
 * ```ts
 * registerAuditProofRoutes(scope, reader, { rpc: createNodeProofRpc(api), contracts, genesis });
 * ```
 */
export function registerAuditProofRoutes(
  scope: FastifyInstance,
  reader: AuditReader,
  source: AuditProofSource,
): void {
  const secured = [{ custosSignature: [] }];
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

  scope.get(
    "/queries/:id/proof",
    {
      schema: {
        summary:
          "The offline proof of a query's on-chain events (custos.proof/1): each event's log, receipt and transaction proven against a header sealed by a quorum of the validator set in force, back to the genesis. Verify it against a genesis file you trust.",
        tags: ["queries", "proofs"],
        security: secured,
        params: QueryIdParams,
        querystring: NoQuery,
        response: {
          200: ProofDocumentBody,
          404: ErrorBody,
          502: ErrorBody,
          503: ErrorBody,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      // The index says which queries exist; an unknown one is not worth a scan of the chain.
      if ((await reader.queryTrail(id, { limit: 1 })) === undefined) {
        throw new CustosError("AUDIT_API_NOT_FOUND", `no query ${id}`, {
          details: { field: "id", queryId: id },
        });
      }
      return buildChainProof(source.rpc, [{ queryId: BigInt(id) }], {
        contracts: source.contracts,
        signal: abortOnClose(reply),
      });
    },
  );

  scope.get(
    "/genesis",
    {
      schema: {
        summary:
          "The genesis document this node runs. A convenience only: an anchor taken from the node being checked is not independent — verify proofs against the genesis the hospitals agreed on.",
        tags: ["proofs"],
        security: secured,
        querystring: NoQuery,
        response: { 200: GenesisBody, ...errors },
      },
    },
    async () => source.genesis,
  );
}
