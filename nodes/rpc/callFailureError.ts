import { CustosError } from "../../src/errors/index.ts";
import type { CallFailure } from "./NodeApi.ts";
import { rpcHex } from "./rpcHex.ts";

/**
 * The error a failed eth_call / eth_estimateGas answers with, as geth does: a revert is
 * code 3 "execution reverted[: reason]" with the revert data in `data`; a halt is -32000
 * with the halt reason.
 *
 * @example
 * ```ts
 * throw callFailureError({ kind: "revert", data, reason: "not a member" });
 * ```
 */
export function callFailureError(failure: CallFailure): CustosError {
  if (failure.kind === "revert") {
    const message =
      failure.reason === undefined ? "execution reverted" : `execution reverted: ${failure.reason}`;
    return new CustosError("RPC_EXECUTION_REVERTED", message, {
      details: { data: rpcHex.data(failure.data) },
    });
  }
  return new CustosError("RPC_EXECUTION_FAILED", failure.reason, {
    details: { reason: failure.reason },
  });
}
