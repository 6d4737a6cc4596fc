import type { Block, BlockHeader } from "@ethereumjs/block";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
import { blockWithExtraData, headerWithExtraData } from "./withExtraData.ts";

function sealedExtraData(header: BlockHeader, seals: readonly Uint8Array[]): Uint8Array {
  return encodeQbftExtraData({ ...decodeQbftExtraData(header.extraData), seals });
}

/**
 * The header with `seals` as its commit seals (in place of any it had), every other field
 * kept: what Besu's `BftHelpers.createSealedBlock` does once a quorum of COMMITs arrived.
 * Its on-chain and commit-seal hashes are those of `header`.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the header's extraData does not decode
 *   or a seal is malformed (details name the seal's index).
 * @example
 * ```ts
 * const sealed = sealHeader(header, commits.map((commit) => commit.seal));
 * ```
 */
export function sealHeader(header: BlockHeader, seals: readonly Uint8Array[]): BlockHeader {
  return headerWithExtraData(header, sealedExtraData(header, seals));
}

/**
 * The block with `seals` as its header's commit seals ({@link sealHeader}), its body kept.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` as {@link sealHeader}.
 * @example
 * ```ts
 * await chainDb.commitBlock({ block: sealBlock(block, seals), receipts, stateWrites });
 * ```
 */
export function sealBlock(block: Block, seals: readonly Uint8Array[]): Block {
  return blockWithExtraData(block, sealedExtraData(block.header, seals));
}
