import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { callFailureError } from "../callFailureError.ts";
import { callRequestParam } from "../callRequestParam.ts";
import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

// Hoisted: a generic call inside `params` would defeat defineMethod's tuple inference.
const optionalBlockId = param.optional(blockIdParam.numberTagOrHash);

/**
 * `eth_estimateGas(call, block = "latest")`: the gas a call needs to succeed, access-list gas
 * included, at most the request's gas, `rpc.call.gasCap` and the per-transaction cap (2^24);
 * beyond that it fails with "gas required exceeds allowance (N)".
 *
 * @throws CustosError RPC_EXECUTION_REVERTED (code 3, revert data in `data`),
 *   RPC_EXECUTION_FAILED, RPC_CALL_TIMEOUT, RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND.
 * @example
 * ```ts
 * // [{ from: "0x…", to: "0x…", value: "0x1" }] → "0x5208"
 * ```
 */
export const ethEstimateGas = defineMethod({
  name: "eth_estimateGas",
  params: [callRequestParam, optionalBlockId],
  async execute({ api, client }, [request, blockId]) {
    const block = await resolveBlock(api, blockId ?? { kind: "tag", tag: "latest" });
    const estimate = await api.estimateGas(request, block, client);
    if (!estimate.ok) throw callFailureError(estimate.failure);
    return estimate.gas;
  },
  format: rpcHex.quantity,
});
