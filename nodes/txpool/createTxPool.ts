import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { assertMemberSender, recoverSender } from "./assertMemberSender.ts";
import { PoolContents } from "./PoolContents.ts";
import type { PoolEntry } from "./PoolEntry.ts";
import { selectTransactions } from "./selectTransactions.ts";
import { TxAdmission } from "./TxAdmission.ts";
import type { TxPool, TxPoolPorts } from "./TxPool.ts";
import { resolveTxPoolOptions, type TxPoolOptions } from "./TxPoolOptions.ts";

/**
 * Creates a transaction pool: pure bookkeeping over EthereumJS transactions, with account
 * state, Consortium membership and the clock injected. Only member accounts may send.
 *
 * Concurrency: `add` awaits its two port reads before touching the pool, then checks and
 * mutates in one synchronous step, so concurrent calls never interleave mid-update. Account
 * nonces never decrease on a final chain, so a read older than what the pool already knows is
 * ignored.
 *
 * @throws CustosError `INVALID_ARGUMENT` for an option out of range.
 * @example
 * ```ts
 * const pool = createTxPool(
 *   { chainId: 1337n, blockGasLimit: 30_000_000n },
 *   { accountState: (a) => state.account(a), isMember: (a) => members.has(a), now: Date.now },
 * );
 * const { hash, status } = await pool.add(tx);
 * const txs = pool.selectForBlock({ baseFee, gasLimit: 30_000_000n, maxTxs: 5000 });
 * ```
 */
export function createTxPool(options: TxPoolOptions, ports: TxPoolPorts): TxPool {
  const opts = resolveTxPoolOptions(options);
  const contents = new PoolContents();
  const admission = new TxAdmission(contents, opts, ports);

  function evictExpired(): Uint8Array[] {
    return contents.evictExpired(ports.now(), opts.queuedLifetimeMs);
  }

  return {
    async add(tx) {
      const checked = admission.checkWellFormed(tx);
      const sender = await assertMemberSender(tx, ports.isMember);
      const state = await ports.accountState(sender.bytes);
      return admission.admit(tx, checked, sender, state);
    },

    selectForBlock(selectOptions) {
      const runs: PoolEntry[][] = [];
      for (const queue of contents.queues()) {
        const run = queue.pendingEntries();
        if (run.length > 0) runs.push(run);
      }
      return selectTransactions(runs, selectOptions);
    },

    async onBlockCommitted(block, accountState = ports.accountState) {
      admission.blockGasLimit = block.header.gasLimit;
      admission.baseFee = block.header.baseFeePerGas ?? admission.baseFee;
      const keys = new Set<string>();
      for (const tx of block.transactions) {
        const known = contents.entry(bytesToHex(tx.hash()));
        const key = known?.senderHex ?? senderKeyOrUndefined(tx);
        if (key !== undefined && contents.queue(key) !== undefined) keys.add(key);
      }
      const reads = await Promise.all(
        [...keys].map(async (key) => {
          const queue = contents.queue(key);
          return queue === undefined
            ? undefined
            : { key, state: await accountState(queue.address) };
        }),
      );
      const included: Uint8Array[] = [];
      const dropped: Uint8Array[] = [];
      const promoted: Uint8Array[] = [];
      for (const read of reads) {
        const queue = read === undefined ? undefined : contents.queue(read.key);
        if (read === undefined || queue === undefined) continue;
        const result = contents.reconcile(queue, read.state);
        included.push(...result.included);
        dropped.push(...result.dropped);
        promoted.push(...result.promoted);
      }
      dropped.push(...evictExpired());
      return { included, dropped, promoted };
    },

    evictExpired,

    drop(hash) {
      const entry = contents.entry(bytesToHex(hash));
      const queue = entry === undefined ? undefined : contents.queue(entry.senderHex);
      if (entry === undefined || queue === undefined) return [];
      const removed = contents.removeSuffix(queue, entry.nonce);
      contents.refresh(queue);
      return removed;
    },

    get(hash) {
      return contents.entry(bytesToHex(hash))?.tx;
    },

    pendingNonce(address) {
      return contents.queue(bytesToHex(address))?.pendingEnd;
    },

    stats() {
      return contents.stats();
    },

    content() {
      return contents.content();
    },
  };
}

function senderKeyOrUndefined(tx: TypedTransaction): string | undefined {
  try {
    return recoverSender(tx).toString();
  } catch {
    return undefined;
  }
}
