import { access, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { CustosError } from "../../src/errors/index.ts";
import { commitGenesis, createQbftHeaderRule, type Genesis } from "../chain/index.ts";
import { type ChainDb, createChainDb } from "../db/index.ts";
import type { ConsentRegistryAccelerator } from "../execution/accelerate/index.ts";
import { createExecutionEngine, type RecoveredKeyMemo } from "../execution/index.ts";
import { syncDirectory } from "../fs/index.ts";
import { assertBlockSenders } from "./assertBlockSenders.ts";
import type { Clock } from "./Clock.ts";
import { createMembership } from "./createMembership.ts";

/** Directory names inside a node's data directory. */
export const chainDirectories = {
  /** The live chain database. */
  chain: "chain",
  /** A reindex being built. */
  reindex: "chain.reindex",
  /** The previous database while a finished reindex is swapped in. */
  old: "chain.old",
} as const;

/** What a reindex did. */
export interface ReindexReport {
  /** Blocks re-executed (genesis not counted). */
  readonly blocks: number;
  readonly transactions: number;
  readonly seconds: number;
}

/** Inputs of {@link reindexChain}. */
export interface ReindexOptions {
  readonly dataDir: string;
  readonly common: Common;
  /** The memo `common`'s ecrecover reads: given, senders are recovered ahead of execution. */
  readonly recoveredKeys?: RecoveredKeyMemo;
  /** Runs ConsentRegistry's hot functions natively (execution.accelerate); absent: the interpreter. */
  readonly accelerator?: ConsentRegistryAccelerator | undefined;
  readonly genesis: Genesis;
  readonly clock: Clock;
  /** Called after every `progressEvery` blocks with the blocks done and the head number. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly progressEvery?: number;
  /** Stops the replay between blocks; the live database is left untouched. */
  readonly signal?: AbortSignal;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Brings a data directory back to one consistent chain database after an interrupted
 * reindex: a reindex still being built is discarded (the live database never changed); a
 * finished one caught between its two renames is completed; a leftover previous database is
 * removed.
 *
 * @example
 * ```ts
 * await recoverInterruptedReindex(config.dataDir);
 * ```
 */
export async function recoverInterruptedReindex(dataDir: string): Promise<void> {
  const chain = join(dataDir, chainDirectories.chain);
  const fresh = join(dataDir, chainDirectories.reindex);
  const old = join(dataDir, chainDirectories.old);
  if (!(await exists(chain)) && (await exists(old)) && (await exists(fresh))) {
    await rename(fresh, chain);
  }
  await rm(fresh, { recursive: true, force: true });
  if (await exists(chain)) await rm(old, { recursive: true, force: true });
}

/**
 * Rebuilds the chain database by replaying every stored block from genesis: each block is
 * re-executed on a fresh state database and verified (its commit seals by a quorum of the
 * Consortium's validators for its height, parent, timestamp, transactions root, base fee,
 * senders' membership at the parent state, gas used, receipts root, logs bloom, state root),
 * exactly as a block received from a peer. The caller installs the block-hash rule
 * (`installQbftBlockHash`) first, as `startNode` does. The new database is built next to
 * the live one and swapped in only when complete, so a failed, aborted or killed reindex
 * leaves the live database as it was ({@link recoverInterruptedReindex} tidies up).
 *
 * @throws CustosError `BLOCK_INVALID` naming the block and field that failed verification;
 *   `QBFT_SEAL_INVALID` naming the block whose seals fail (number, hash, rule);
 *   `CHAIN_DB_INCOMPATIBLE` for a database of a version before QBFT block hashes;
 *   `CHAIN_DB_CORRUPT` when a stored block below the head is missing or damaged;
 *   `GENESIS_INVALID` when the stored chain has another genesis; `NODE_ABORTED` when `signal`
 *   fires.
 * @example
 * ```ts
 * const report = await reindexChain({ dataDir, common, genesis, clock: systemClock });
 * console.log(`${report.blocks} blocks in ${report.seconds} s`);
 * ```
 */
export async function reindexChain(options: ReindexOptions): Promise<ReindexReport> {
  const { dataDir, common, genesis, clock } = options;
  await recoverInterruptedReindex(dataDir);
  const started = clock.now();
  const chainPath = join(dataDir, chainDirectories.chain);
  const freshPath = join(dataDir, chainDirectories.reindex);
  const source = await createChainDb({ location: chainPath, common, blocksOnly: true });
  let target: ChainDb | undefined;
  let blocks = 0;
  let transactions = 0;
  try {
    await commitGenesis(source, genesis);
    const head = source.head()?.header.number ?? 0n;
    // Not synced per block: a lost reindex is rebuilt; it is made durable once, before the swap.
    target = await createChainDb({ location: freshPath, common, syncWrites: false });
    const fresh = target;
    await commitGenesis(fresh, genesis);
    const consortium = Uint8Array.from(Buffer.from(genesis.contracts.consortium.slice(2), "hex"));
    const engine = createExecutionEngine({
      chainDb: fresh,
      recoveredKeys: options.recoveredKeys,
      headerRule: createQbftHeaderRule({ consortium }),
      accelerator: options.accelerator,
    });
    const membership = createMembership({
      engine,
      consortium,
      head: () => fresh.head() as NonNullable<ReturnType<ChainDb["head"]>>,
    });
    const every = options.progressEvery ?? 1000;
    for (let number = 1n; number <= head; number++) {
      if (options.signal?.aborted === true) {
        throw new CustosError("NODE_ABORTED", "reindex aborted; the chain database is unchanged");
      }
      // A hole below the head throws CHAIN_DB_CORRUPT naming the block and part.
      const block = (await source.blockByNumber(number)) as Block;
      await assertBlockSenders(block, membership.isMember);
      const executed = await engine.executeBlock(block);
      await engine.commit(executed);
      membership.onBlockCommitted(executed.receipts);
      blocks++;
      transactions += block.transactions.length;
      if (blocks % every === 0) options.onProgress?.(blocks, Number(head));
    }
  } catch (error) {
    await target?.close();
    await source.close();
    await rm(freshPath, { recursive: true, force: true });
    throw error;
  }
  await target?.sync();
  await target?.close();
  await source.close();
  const oldPath = join(dataDir, chainDirectories.old);
  await rename(chainPath, oldPath);
  await rename(freshPath, chainPath);
  await syncDirectory(dataDir);
  await rm(oldPath, { recursive: true, force: true });
  return { blocks, transactions, seconds: (clock.now() - started) / 1000 };
}
