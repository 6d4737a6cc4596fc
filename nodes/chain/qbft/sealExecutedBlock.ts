import type { ExecutedBlock, ExecutionEngine } from "../../execution/index.ts";
import { sealBlock } from "./sealHeader.ts";

/**
 * The executed (built, or received and executed) block with `seals` as its header's commit
 * seals, ready to commit: its hash, roots and body unchanged, its state writes still held by
 * the engine (`ExecutionEngine.withBlock`). What a solo producer does with its own seal and
 * the QBFT driver with a quorum of COMMIT messages' seals.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` when the block's extraData does not decode or
 *   a seal is malformed.
 * @example
 * ```ts
 * const sealed = sealExecutedBlock(engine, built, [signCommitSeal(built.block.header, key)]);
 * await engine.commit(sealed);
 * ```
 */
export function sealExecutedBlock<T extends ExecutedBlock>(
  engine: Pick<ExecutionEngine, "withBlock">,
  executed: T,
  seals: readonly Uint8Array[],
): T {
  return engine.withBlock(executed, sealBlock(executed.block, seals));
}
