import type { QbftBlock, QbftHead } from "../core/index.ts";

/** The chain as consensus needs it after every import: the head and who decides the next height. */
export interface ConsensusChainHead {
  readonly head: QbftHead;
  /** The head block's header timestamp, seconds since the Unix epoch (0 for a dev genesis). */
  readonly timestamp: bigint;
  /**
   * The validator set of height `head.height + 1`, 20-byte addresses in ascending order, as
   * read from the head's state (the Consortium contract's set, or the genesis extraData's set
   * at block 0).
   */
  readonly validators: readonly Uint8Array[];
}

/**
 * The chain port: the node's chain database and execution engine, seen from consensus. The
 * node wiring implements it with nodes/chain (QBFT extraData, hashes, sealing),
 * nodes/execution (`ExecutionEngine.buildBlock`, re-execution, `commit`) and nodes/db; the
 * driver never sees an EthereumJS block, only {@link QbftBlock}s built by the chain's codec.
 *
 * Concurrency: the driver may have one build, several validations (one per proposal it
 * holds) and one commit in flight at once, and the sync port may import meanwhile: the
 * adapter serialises its imports. Every method must settle promptly once its `signal` aborts
 * (rejecting is fine: the driver is stopping and ignores the outcome).
 *
 * @example
 * ```ts
 * const chain: ConsensusChain = {
 *   head: async () => ({ head, timestamp, validators: await validatorsAfter(head) }),
 *   buildBlock: (height, round, parentHash, signal) => producer.build(height, round, parentHash, signal),
 *   validateBlock: (block, signal) => executor.reexecute(block, signal),
 *   commitBlock: (block, seals) => importer.importSealed(block, seals),
 * };
 * ```
 */
export interface ConsensusChain {
  /** The current head, its timestamp and the next height's validators. */
  head(): Promise<ConsensusChainHead>;
  /**
   * Builds and executes this validator's proposal for (`height`, `round`) on the block
   * `parentHash` (the head): transactions from the pool, timestamp `max(parent + period,
   * now)`, coinbase the validator, extraData with the height's validators and `round` and no
   * seals. The adapter keeps the executed result (state, receipts) for {@link commitBlock}.
   * Rejects when it cannot build (the driver logs it; the round then times out).
   */
  buildBlock(
    height: bigint,
    round: number,
    parentHash: Uint8Array,
    signal: AbortSignal,
  ): Promise<QbftBlock>;
  /**
   * Re-executes a proposed block on its parent: true when its parent is the head, its header
   * is well formed for this chain (timestamp, gas, extraData validators) and the state root
   * and receipts root it names are the ones execution gives; false otherwise (the proposer
   * misbehaved). The executed result is kept for {@link commitBlock}, keyed by `block.hash`
   * (the same at every round, so a block proposed again at a later round is not executed
   * twice). Rejects only when this node cannot tell (its own failure, e.g. state missing):
   * the driver then feeds nothing and the round times out.
   */
  validateBlock(block: QbftBlock, signal: AbortSignal): Promise<boolean>;
  /**
   * Seals `block` with `seals` (commit seals sorted by validator address, written into the
   * header's extraData at the block's round) and imports it atomically (block, receipts,
   * logs, state in one batch), then returns the new head and the next height's validators.
   * When the chain already holds a block at that height (sync imported it meanwhile), returns
   * the head unchanged. Never aborted: an import runs to its end.
   */
  commitBlock(block: QbftBlock, seals: readonly Uint8Array[]): Promise<ConsensusChainHead>;
}
