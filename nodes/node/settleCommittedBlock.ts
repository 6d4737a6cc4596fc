import type { ExecutedBlock, ExecutionEngine } from "../execution/index.ts";
import type { TxPool } from "../txpool/index.ts";
import type { Membership } from "./createMembership.ts";

/** What a committed block updates besides the chain. */
export interface CommittedBlockPorts {
  readonly engine: Pick<ExecutionEngine, "account">;
  readonly pool: Pick<TxPool, "onBlockCommitted" | "evictExpired">;
  readonly membership: Pick<Membership, "onBlockCommitted">;
}

/**
 * Brings the node's caches up to a block just committed, whoever built it (this node's
 * producer, QBFT or block sync): the membership cache forgets its answers when the block
 * changed membership, the pool removes the block's transactions and re-reads their senders'
 * nonces and balances at the new head, and expired queued transactions go.
 *
 * @example
 * ```ts
 * await engine.commit(executed);
 * await settleCommittedBlock({ engine, pool, membership }, executed);
 * ```
 */
export async function settleCommittedBlock(
  ports: CommittedBlockPorts,
  executed: ExecutedBlock,
): Promise<void> {
  const { engine, pool, membership } = ports;
  membership.onBlockCommitted(executed.receipts);
  await pool.onBlockCommitted(executed.block, (address) => engine.account(address, executed.block));
  pool.evictExpired();
}
