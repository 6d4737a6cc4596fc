import type { Block } from "@ethereumjs/block";
import { CustosError } from "../../../src/errors/index.ts";
import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import { effectiveGasPrice } from "../formatTransaction.ts";
import type { JsonValue } from "../JsonValue.ts";
import type { NodeApi } from "../NodeApi.ts";
import { type Decoder, param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

const percentile: Decoder<number> = (value, path) => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 100) {
    return param.invalid(path, "a percentile between 0 and 100", value);
  }
  return value;
};

// Hoisted: a generic call inside `params` would defeat defineMethod's tuple inference.
const optionalPercentiles = param.optional(param.array(percentile, Number.MAX_SAFE_INTEGER));

/** Rewards at the given gas-weighted percentiles of a block's priority fees (as geth computes). */
async function blockRewards(
  api: NodeApi,
  block: Block,
  percentiles: readonly number[],
): Promise<bigint[]> {
  const baseFee = block.header.baseFeePerGas ?? 0n;
  const receipts = (await api.receipts(block.hash())) ?? [];
  const sorted = block.transactions
    .map((tx, i) => {
      const price = effectiveGasPrice(tx, block.header.baseFeePerGas);
      return {
        reward: price > baseFee ? price - baseFee : 0n,
        gasUsed: receipts[i]?.gasUsed ?? tx.gasLimit,
      };
    })
    .sort((a, b) => (a.reward < b.reward ? -1 : a.reward > b.reward ? 1 : 0));
  const first = sorted[0];
  if (first === undefined) return percentiles.map(() => 0n);
  const gasUsed = Number(block.header.gasUsed);
  let index = 0;
  let sumGasUsed = Number(first.gasUsed);
  return percentiles.map((p) => {
    const threshold = (gasUsed * p) / 100;
    while (sumGasUsed < threshold && index < sorted.length - 1) {
      index++;
      sumGasUsed += Number(sorted[index]?.gasUsed ?? 0n);
    }
    return sorted[index]?.reward ?? 0n;
  });
}

/**
 * `eth_feeHistory(blockCount, newestBlock, rewardPercentiles?)`: base fees (one more than
 * blocks: the next block's), gas used ratios and optional rewards of a block range. As
 * execution-apis allow, fewer blocks come back when fewer exist or more than
 * `maxFeeHistoryBlocks` are asked. Blob fee fields are omitted (the chain carries no blobs).
 *
 * @throws CustosError RPC_INVALID_PARAMS (percentiles out of range or decreasing),
 *   RPC_LIMIT_EXCEEDED (too many percentiles), RPC_RESOURCE_NOT_FOUND (newest block unknown).
 * @example
 * ```ts
 * // ["0x4", "latest", [25, 75]] → { oldestBlock: "0x0", baseFeePerGas: [...5], gasUsedRatio: [...4], reward: [...] }
 * ```
 */
export const ethFeeHistory = defineMethod({
  name: "eth_feeHistory",
  params: [param.count, blockIdParam.numberOrTag, optionalPercentiles],
  async execute({ api, limits }, [blockCount, newestId, percentiles]): Promise<JsonValue> {
    if (percentiles !== undefined) {
      if (percentiles.length > limits.maxFeeHistoryPercentiles) {
        throw new CustosError(
          "RPC_LIMIT_EXCEEDED",
          `too many reward percentiles: ${percentiles.length}, limit ${limits.maxFeeHistoryPercentiles}`,
          { details: { limit: "maxFeeHistoryPercentiles", max: limits.maxFeeHistoryPercentiles } },
        );
      }
      percentiles.forEach((p, i) => {
        if (i > 0 && p < (percentiles[i - 1] ?? 0)) {
          param.invalid(`params[2][${i}]`, "percentiles in non-decreasing order", p);
        }
      });
    }
    const newest = await resolveBlock(api, newestId);
    const newestNumber = newest.header.number;
    const count = BigInt(Math.min(blockCount, limits.maxFeeHistoryBlocks));
    const span = count > newestNumber + 1n ? newestNumber + 1n : count;
    if (span === 0n)
      return { oldestBlock: rpcHex.quantity(0), baseFeePerGas: [], gasUsedRatio: [] };
    const oldest = newestNumber - span + 1n;
    const baseFees: string[] = [];
    const ratios: number[] = [];
    const rewards: string[][] = [];
    for (let number = oldest; number <= newestNumber; number++) {
      const block = number === newestNumber ? newest : await api.blockByNumber(number);
      if (block === undefined) break;
      baseFees.push(rpcHex.quantity(block.header.baseFeePerGas ?? 0n));
      ratios.push(
        block.header.gasLimit === 0n
          ? 0
          : Number(block.header.gasUsed) / Number(block.header.gasLimit),
      );
      if (percentiles !== undefined) {
        rewards.push((await blockRewards(api, block, percentiles)).map(rpcHex.quantity));
      }
    }
    const nextBaseFee =
      newest.header.baseFeePerGas === undefined ? 0n : newest.header.calcNextBaseFee();
    baseFees.push(rpcHex.quantity(nextBaseFee));
    return {
      oldestBlock: rpcHex.quantity(oldest),
      baseFeePerGas: baseFees,
      gasUsedRatio: ratios,
      ...(percentiles === undefined ? {} : { reward: rewards }),
    };
  },
  format: (json: JsonValue) => json,
});
