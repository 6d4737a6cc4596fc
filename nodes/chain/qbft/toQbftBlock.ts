import type { Block } from "@ethereumjs/block";
import type { QbftBlock } from "../../consensus/core/QbftBlock.ts";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
import type { QbftExtraData } from "./QbftExtraData.ts";
import { qbftCommitSealHash } from "./qbftCommitSealHash.ts";
import { qbftOnchainHash } from "./qbftOnchainHash.ts";
import { blockWithExtraData } from "./withExtraData.ts";

/** A {@link QbftBlock} over an EthereumJS block, which the node commits once decided. */
export interface EthereumQbftBlock extends QbftBlock {
  /** The EthereumJS block, its header's extraData in Besu's QBFT layout. */
  readonly block: Block;
  /** The block's extraData, decoded. */
  readonly extraData: QbftExtraData;
  withRound(round: number): EthereumQbftBlock;
}

/** Hashes and wire form computed on first use: the core reads some of them, often twice. */
class WrappedBlock implements EthereumQbftBlock {
  readonly block: Block;
  readonly extraData: QbftExtraData;
  readonly height: bigint;
  readonly round: number;
  readonly proposer: Uint8Array;
  readonly parentHash: Uint8Array;
  #hash: Uint8Array | undefined;
  #digest: Uint8Array | undefined;
  #encoded: Uint8Array | undefined;

  constructor(block: Block, extraData: QbftExtraData) {
    this.block = block;
    this.extraData = extraData;
    this.height = block.header.number;
    this.round = extraData.round;
    this.proposer = block.header.coinbase.bytes;
    this.parentHash = block.header.parentHash;
  }

  get hash(): Uint8Array {
    this.#hash ??= qbftOnchainHash(this.block.header, this.extraData);
    return this.#hash;
  }

  get digest(): Uint8Array {
    this.#digest ??= qbftCommitSealHash(this.block.header, this.extraData);
    return this.#digest;
  }

  get encoded(): Uint8Array {
    this.#encoded ??= this.block.serialize();
    return this.#encoded;
  }

  withRound(round: number): EthereumQbftBlock {
    const extraData: QbftExtraData = { ...this.extraData, round, seals: [] };
    return new WrappedBlock(
      blockWithExtraData(this.block, encodeQbftExtraData(extraData)),
      extraData,
    );
  }
}

/**
 * The consensus core's view of an EthereumJS block ({@link QbftBlock}): its height, the
 * round in its extraData, its proposer (coinbase), parent hash, on-chain hash (`hash`),
 * commit-seal hash (`digest`) and RLP (`encoded`); `withRound(r)` is the same block with
 * round r in its extraData and no seals. Hashes are computed once, when first read.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the block's extraData does not decode
 *   (and, from `withRound`, when the round is not an integer from 0 to 2^31 − 1).
 * @example
 * ```ts
 * const proposal = toQbftBlock(built.block);
 * core.step(state, { kind: "blockBuilt", block: proposal });
 * ```
 */
export function toQbftBlock(block: Block): EthereumQbftBlock {
  return new WrappedBlock(block, decodeQbftExtraData(block.header.extraData));
}
