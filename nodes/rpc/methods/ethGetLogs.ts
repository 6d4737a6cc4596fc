import { CustosError } from "../../../src/errors/index.ts";
import type { BlockId } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { formatLog } from "../formatLog.ts";
import { logFilterParam } from "../logFilterParam.ts";
import type { IndexedLog } from "../NodeApi.ts";
import { param } from "../param.ts";

function blockNumberOf(id: BlockId | undefined, head: bigint): bigint {
  if (id === undefined) return head;
  if (id.kind === "number") return id.number;
  return id.kind === "tag" && id.tag === "earliest" ? 0n : head;
}

/**
 * `eth_getLogs(filter)`: logs matching a filter, by block range (capped) or by `blockHash`.
 * A range reaching past the head stops at the head; a wider range than `maxLogBlockRange`
 * or more than `maxLogResults` logs is refused with -32005 rather than truncated, so a
 * client never mistakes a partial answer for a complete one.
 *
 * @throws CustosError RPC_LIMIT_EXCEEDED, RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an
 *   unknown blockHash.
 * @example
 * ```ts
 * // [{ fromBlock: "0x0", toBlock: "latest", topics: ["0x…"] }] → [{ logIndex: "0x0", … }]
 * ```
 */
export const ethGetLogs = defineMethod({
  name: "eth_getLogs",
  params: [logFilterParam],
  async execute({ api, limits }, [filter]): Promise<readonly IndexedLog[]> {
    if (filter.addresses.length > limits.maxLogFilterAddresses) {
      throw new CustosError(
        "RPC_LIMIT_EXCEEDED",
        `too many addresses in filter: ${filter.addresses.length}, limit ${limits.maxLogFilterAddresses}`,
        { details: { limit: "maxLogFilterAddresses", max: limits.maxLogFilterAddresses } },
      );
    }
    const head = api.head().header.number;
    let fromBlock: bigint;
    let toBlock: bigint;
    if (filter.blockHash !== undefined) {
      const block = await api.blockByHash(filter.blockHash);
      if (block === undefined) {
        throw new CustosError("RPC_RESOURCE_NOT_FOUND", "unknown block: blockHash not found", {
          details: { path: "params[0].blockHash" },
        });
      }
      fromBlock = block.header.number;
      toBlock = fromBlock;
    } else {
      fromBlock = blockNumberOf(filter.fromBlock, head);
      toBlock = blockNumberOf(filter.toBlock, head);
      if (fromBlock > toBlock) {
        param.invalid("params[0].fromBlock", "a block at or before toBlock", "fromBlock");
      }
      if (toBlock > head) toBlock = head;
      if (fromBlock > head) return [];
    }
    const span = toBlock - fromBlock + 1n;
    if (span > BigInt(limits.maxLogBlockRange)) {
      throw new CustosError(
        "RPC_LIMIT_EXCEEDED",
        `block range too large: ${span} blocks, limit ${limits.maxLogBlockRange}`,
        {
          details: {
            limit: "maxLogBlockRange",
            max: limits.maxLogBlockRange,
            requested: span.toString(),
          },
        },
      );
    }
    const logs = await api.logs({
      fromBlock,
      toBlock,
      addresses: filter.addresses,
      topics: filter.topics,
      limit: limits.maxLogResults + 1,
    });
    if (logs.length > limits.maxLogResults) {
      throw new CustosError(
        "RPC_LIMIT_EXCEEDED",
        `query returned more than ${limits.maxLogResults} results; narrow the block range or filter`,
        { details: { limit: "maxLogResults", max: limits.maxLogResults } },
      );
    }
    return logs;
  },
  format: (logs: readonly IndexedLog[]) => logs.map(formatLog),
});
