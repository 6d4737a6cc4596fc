import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { callFailureError } from "../callFailureError.ts";
import { callRequestParam } from "../callRequestParam.ts";
import { defineMethod } from "../defineMethod.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

// Hoisted: a generic call inside `params` would defeat defineMethod's tuple inference.
const optionalBlockId = param.optional(blockIdParam.numberTagOrHash);

/**
 * `eth_call(call, block = "latest", stateOverrides)`: simulates a call at a block and returns
 * its return data. State overrides are not supported and must be absent or null. The node runs
 * it off its block-producing thread, with its gas capped (`rpc.call.gasCap`) and a wall-clock
 * limit (`rpc.call.timeoutMs`); intrinsic and access-list gas are charged as for a transaction.
 *
 * @throws CustosError RPC_EXECUTION_REVERTED (code 3, revert data in `data`),
 *   RPC_EXECUTION_FAILED, RPC_CALL_TIMEOUT, RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND.
 * @example
 * ```ts
 * // [{ to: "0x…", input: "0x06fdde03" }, "latest"] → "0x…"
 * ```
 */
export const ethCall = defineMethod({
  name: "eth_call",
  params: [
    callRequestParam,
    optionalBlockId,
    (value: unknown, path: string): undefined =>
      value === undefined || value === null
        ? undefined
        : param.invalid(path, "no state overrides (not supported)", value),
  ],
  async execute({ api, client }, [request, blockId]) {
    const block = await resolveBlock(api, blockId ?? { kind: "tag", tag: "latest" });
    const result = await api.call(request, block, client);
    if (result.failure !== undefined) throw callFailureError(result.failure);
    return result.returnData;
  },
  format: rpcHex.data,
});
