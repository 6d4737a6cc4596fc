/**
 * The JSON-RPC port a proof builder reads the chain through: an EIP-1193 `request`, so
 * ethers' `JsonRpcProvider` (`{ request: ({ method, params }) => provider.send(method, params ?? []) }`),
 * viem's transports and a plain `fetch` wrapper all fit. It resolves to the call's `result`
 * and rejects on a transport or JSON-RPC error.
 *
 * @example
 * ```ts
 * const rpc: ProofRpc = { request: ({ method, params }) => provider.send(method, [...(params ?? [])]) };
 * ```
 */
export interface ProofRpc {
  request(args: {
    readonly method: string;
    readonly params?: readonly unknown[];
  }): Promise<unknown>;
}

/**
 * An event to prove: one log of a transaction (`logIndex` the block-wide index JSON-RPC gives;
 * without it, every log of the transaction), or every AccessLedger event of a query
 * (QuerySubmitted, QueryApproved, ResultRecorded, QueryDeclined, QueryClosed: those whose
 * first topic after the signature is the query id).
 */
export type ProofTarget =
  | { readonly transactionHash: string; readonly logIndex?: number }
  | { readonly queryId: bigint | number };
