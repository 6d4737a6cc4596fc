import type { Block } from "@ethereumjs/block";
import { equalsBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import type { NodeApi } from "./NodeApi.ts";
import { type BlockTag, type Decoder, param } from "./param.ts";
import { rpcHex } from "./rpcHex.ts";

/** A block named by tag, number or (EIP-1898) hash. */
export type BlockId =
  | { readonly kind: "tag"; readonly tag: BlockTag }
  | { readonly kind: "number"; readonly number: bigint }
  | { readonly kind: "hash"; readonly hash: Uint8Array; readonly requireCanonical: boolean };

const numberOrTag: Decoder<BlockId> = (value, path) => {
  if (typeof value === "string" && !value.startsWith("0x")) {
    return { kind: "tag", tag: param.blockTag(value, path) };
  }
  if (typeof value !== "string") {
    return param.invalid(path, "a block number or tag", value);
  }
  return { kind: "number", number: param.uint64(value, path) };
};

/**
 * Decoders of block parameters: `numberOrTag` for eth_getBlockByNumber, eth_feeHistory and
 * log filters; `numberTagOrHash` for state reads (EIP-1898: a number, a tag, a 32-byte hash,
 * `{ blockNumber }` or `{ blockHash, requireCanonical? }`).
 *
 * @throws CustosError RPC_INVALID_PARAMS naming the path.
 * @example
 * ```ts
 * blockIdParam.numberTagOrHash({ blockHash: "0x…", requireCanonical: true }, "params[1]");
 * ```
 */
export const blockIdParam = {
  numberOrTag,
  numberTagOrHash: ((value, path) => {
    if (typeof value === "string" && value.length === 66) {
      return { kind: "hash", hash: param.hash(value, path), requireCanonical: false };
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const record = param.object(value, path);
      const keys = Object.keys(record);
      const blockHash = param.field(record, "blockHash");
      const blockNumber = param.field(record, "blockNumber");
      if (blockHash !== undefined && blockNumber === undefined) {
        const extra = keys.find((key) => key !== "blockHash" && key !== "requireCanonical");
        if (extra !== undefined) return param.invalid(`${path}.${extra}`, "no such field", extra);
        const requireCanonical = param.optional(param.bool)(
          param.field(record, "requireCanonical"),
          `${path}.requireCanonical`,
        );
        return {
          kind: "hash",
          hash: param.hash(blockHash, `${path}.blockHash`),
          requireCanonical: requireCanonical ?? false,
        };
      }
      if (blockNumber !== undefined && blockHash === undefined && keys.length === 1) {
        return numberOrTag(blockNumber, `${path}.blockNumber`);
      }
      return param.invalid(path, "exactly one of { blockNumber } or { blockHash }", value);
    }
    return numberOrTag(value, path);
  }) as Decoder<BlockId>,
} as const;

/**
 * Finds the block a {@link BlockId} names, or undefined when there is none. With immediate
 * finality `safe` and `finalized` are the head; `pending` is the head too (the node builds
 * no pending block), except for nonces, which callers handle first.
 *
 * @throws CustosError RPC_BLOCK_NOT_CANONICAL for a non-canonical hash with requireCanonical.
 * @example
 * ```ts
 * const block = await findBlock(api, { kind: "tag", tag: "latest" });
 * ```
 */
export async function findBlock(api: NodeApi, id: BlockId): Promise<Block | undefined> {
  switch (id.kind) {
    case "tag":
      return id.tag === "earliest" ? api.blockByNumber(0n) : api.head();
    case "number":
      return id.number > api.head().header.number ? undefined : api.blockByNumber(id.number);
    case "hash": {
      const block = await api.blockByHash(id.hash);
      if (block !== undefined && id.requireCanonical) {
        const canonical = await api.blockByNumber(block.header.number);
        if (canonical === undefined || !equalsBytes(canonical.hash(), block.hash())) {
          throw new CustosError("RPC_BLOCK_NOT_CANONICAL", "hash is not currently canonical", {
            details: { blockHash: rpcHex.data(id.hash) },
          });
        }
      }
      return block;
    }
  }
}

/**
 * Like {@link findBlock}, for methods that need a block: a missing one is an error.
 *
 * @throws CustosError RPC_RESOURCE_NOT_FOUND when no such block exists,
 *   RPC_BLOCK_NOT_CANONICAL as {@link findBlock}.
 * @example
 * ```ts
 * const block = await resolveBlock(api, { kind: "number", number: 5n });
 * ```
 */
export async function resolveBlock(api: NodeApi, id: BlockId): Promise<Block> {
  const block = await findBlock(api, id);
  if (block === undefined) {
    const name =
      id.kind === "hash"
        ? rpcHex.data(id.hash)
        : id.kind === "number"
          ? rpcHex.quantity(id.number)
          : id.tag;
    throw new CustosError("RPC_RESOURCE_NOT_FOUND", `header not found: block ${name}`, {
      details: { block: name },
    });
  }
  return block;
}
