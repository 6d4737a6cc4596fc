import { CustosError } from "../../src/errors/index.ts";
import type { BlockId } from "./BlockId.ts";
import type { LogFilterParam } from "./logFilterParam.ts";
import type { IndexedLog } from "./NodeApi.ts";
import { param } from "./param.ts";
import type { RpcContext } from "./RpcContext.ts";

function blockNumberOf(id: BlockId | undefined, head: bigint): bigint {
  if (id === undefined) return head;
  if (id.kind === "number") return id.number;
  return id.kind === "tag" && id.tag === "earliest" ? 0n : head;
}

/**
 * Throws RPC_LIMIT_EXCEEDED when a log filter names more addresses than
 * `limits.maxLogFilterAddresses`.
 *
 * @throws CustosError RPC_LIMIT_EXCEEDED.
 * @example
 * ```ts
 * assertFilterAddresses(filter.addresses.length, limits);
 * ```
 */
export function assertFilterAddresses(count: number, limits: RpcContext["limits"]): void {
  if (count > limits.maxLogFilterAddresses) {
    throw new CustosError(
      "RPC_LIMIT_EXCEEDED",
      `too many addresses in filter: ${count}, limit ${limits.maxLogFilterAddresses}`,
      { details: { limit: "maxLogFilterAddresses", max: limits.maxLogFilterAddresses } },
    );
  }
}

/**
 * Runs an eth_getLogs query: by block range (a range reaching past the head stops at the
 * head) or by `blockHash`. A wider range than `maxLogBlockRange` or more than
 * `maxLogResults` logs is refused with -32005 rather than truncated, so a client never
 * mistakes a partial answer for a complete one. eth_getLogs and eth_getFilterLogs share it.
 *
 * @throws CustosError RPC_LIMIT_EXCEEDED, RPC_INVALID_PARAMS (fromBlock after toBlock),
 *   RPC_RESOURCE_NOT_FOUND for an unknown blockHash.
 * @example
 * ```ts
 * const logs = await queryLogs(context, { addresses: [], topics: [], fromBlock });
 * ```
 */
export async function queryLogs(
  { api, limits }: RpcContext,
  filter: LogFilterParam,
): Promise<readonly IndexedLog[]> {
  assertFilterAddresses(filter.addresses.length, limits);
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
}
