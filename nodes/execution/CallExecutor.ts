import type { Block } from "@ethereumjs/block";
import type { CallRequest, CallResult } from "./ExecutionEngine.ts";

/**
 * Outcome of a gas search: the smallest gas limit with which the request succeeds, or the
 * result of the run at the highest gas tried (`gas`), which failed.
 */
export type GasEstimateOutcome =
  | { readonly ok: true; readonly gas: bigint }
  | { readonly ok: false; readonly gas: bigint; readonly result: CallResult };

/**
 * Runs clients' eth_call and eth_estimateGas requests on a committed block's state (or, for
 * estimates at the head, the next block's context over the head's state). Expected failures
 * (revert, out of gas) are returned; what stops a request from running at all is thrown.
 */
export interface CallExecutor {
  /**
   * Runs a call without changing any state. `client` names who asks (the RPC layer passes the
   * remote address), so an executor can share its capacity fairly between clients.
   */
  call(request: CallRequest, block: Block, client?: string): Promise<CallResult>;
  /** Searches the smallest gas limit with which the request succeeds. */
  estimateGas(request: CallRequest, block: Block, client?: string): Promise<GasEstimateOutcome>;
}
