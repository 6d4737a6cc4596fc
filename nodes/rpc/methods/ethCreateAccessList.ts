import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { callRequestParam } from "../callRequestParam.ts";
import { defineMethod } from "../defineMethod.ts";
import type { JsonValue } from "../JsonValue.ts";
import type { AccessListResult } from "../NodeApi.ts";
import { param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

// Hoisted: a generic call inside `params` would defeat defineMethod's tuple inference.
const optionalBlockId = param.optional(blockIdParam.numberTagOrHash);

/**
 * `eth_createAccessList(transaction, block = "latest")`: the EIP-2930 access list the
 * transaction would use — every address and slot it touches; its sender, its recipient and
 * the precompiles only with the slots it touches there, as geth reports it — and the gas it
 * uses with that list. The list is
 * recomputed with itself until it stops changing. A transaction that reverts or halts still
 * gets its list, with `error` set (geth does the same). Gas is capped at what one transaction
 * may use (the block gas limit, and at most 2^24).
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND, RPC_LIMIT_EXCEEDED when
 *   too many replays wait, STATE_NOT_AVAILABLE.
 * @example
 * ```ts
 * // [{ from: "0x…", to: "0x…", input: "0x…" }] → { accessList: [{ address: "0x…", storageKeys: ["0x…"] }], gasUsed: "0x6a4c" }
 * ```
 */
export const ethCreateAccessList = defineMethod({
  name: "eth_createAccessList",
  params: [callRequestParam, optionalBlockId],
  async execute({ api }, [request, blockId]) {
    const block = await resolveBlock(api, blockId ?? { kind: "tag", tag: "latest" });
    return api.createAccessList(request, block);
  },
  format: (result: AccessListResult): JsonValue => {
    const json: Record<string, JsonValue> = {
      accessList: result.accessList.map((entry) => ({
        address: rpcHex.data(entry.address),
        storageKeys: entry.storageKeys.map((key) => rpcHex.data(key)),
      })),
      gasUsed: rpcHex.quantity(result.gasUsed),
    };
    const failure = result.failure;
    if (failure !== undefined) {
      json.error = failure.kind === "revert" ? "execution reverted" : failure.reason;
    }
    return json;
  },
});
