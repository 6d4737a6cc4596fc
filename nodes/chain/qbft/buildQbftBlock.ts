import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { BuildBlockOptions, BuiltBlock, ExecutionEngine } from "../../execution/index.ts";
import { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
import { QBFT_VANITY_LENGTH, type QbftVote } from "./QbftExtraData.ts";
import { sortedValidators } from "./sortedValidators.ts";

/** Options of {@link buildQbftBlock}: the header fields the proposer chooses, and QBFT's. */
export interface QbftBuildOptions extends Omit<BuildBlockOptions, "extraData"> {
  /** The validator set of the new block's height (`validatorsAt(number)` on the parent's state). */
  readonly validators: readonly Uint8Array[];
  /** The round the block is proposed in (0 for a solo producer). */
  readonly round: number;
  /** The proposer's validator vote, if any. */
  readonly vote?: QbftVote;
}

/**
 * Builds block `parent + 1` for round `round` with QBFT extraData in Besu's layout: 32 zero
 * vanity bytes, the height's validators in ascending order, the vote (or none), the round,
 * no commit seals (they are added once a quorum committed it: `sealExecutedBlock`). The
 * engine executes the pending transactions on the parent's state as for any block.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` for a round outside 0..2^31 − 1 or a
 *   malformed vote; `INVALID_ARGUMENT` for a validator that is not 20 bytes; what
 *   `ExecutionEngine.buildBlock` throws.
 * @example
 * ```ts
 * const built = await buildQbftBlock(engine, parent, txs, { timestamp, coinbase, gasLimit, validators, round: 0 });
 * ```
 */
export function buildQbftBlock(
  engine: Pick<ExecutionEngine, "buildBlock">,
  parent: Block,
  pendingTxs: readonly TypedTransaction[],
  options: QbftBuildOptions,
): Promise<BuiltBlock> {
  const extraData = encodeQbftExtraData({
    vanity: new Uint8Array(QBFT_VANITY_LENGTH),
    validators: sortedValidators(options.validators),
    vote: options.vote,
    round: options.round,
    seals: [],
  });
  return engine.buildBlock(parent, pendingTxs, {
    timestamp: options.timestamp,
    coinbase: options.coinbase,
    gasLimit: options.gasLimit,
    extraData,
  });
}
