import type { ChainDb } from "../db/index.ts";
import type { ConsentRegistryAccelerator } from "./accelerate/index.ts";
import type { HeaderRule } from "./HeaderRule.ts";
import type { RecoveredKeyMemo } from "./RecoveredKeyMemo.ts";

/** Options of {@link createExecutionEngine}. */
export interface ExecutionEngineOptions {
  /** Where blocks and state are stored; its `common` is the engine's chain. */
  readonly chainDb: ChainDb;
  /** Committed trie nodes kept in memory across blocks (default {@link defaultExecutionEngineOptions}). */
  readonly nodeCacheEntries?: number;
  /**
   * `flat` (default): blocks execute on {@link createBlockStateManager} — base reads from the
   * flat state when it holds the parent's state, one batched update per trie, flat-state
   * changes committed with the block. `merkle`: EthereumJS's MerkleStateManager over the
   * trie, put by put, and no flat-state changes (the reference the tests compare against,
   * and the benchmark's baseline).
   */
  readonly statePath?: "flat" | "merkle";
  /**
   * The memo `chainDb.common`'s `ecrecover` reads (`createCustosCommon({ recoveredKeys })`).
   * Given, transaction senders are recovered on a worker thread while earlier transactions
   * execute (createSenderRecovery) and handed over through it; absent, on the main thread,
   * as EthereumJS does.
   */
  readonly recoveredKeys?: RecoveredKeyMemo | undefined;
  /**
   * The consensus rule every block given to `executeBlock` must meet before it executes
   * (nodes/chain's `createQbftHeaderRule`: QBFT extraData and commit seals). The node always
   * gives one (start-up, reindex); without one only execution is verified, as in the tests
   * and benchmarks of execution alone.
   */
  readonly headerRule?: HeaderRule | undefined;
  /**
   * Executes ConsentRegistry's `grant`, `revoke` and `batchGrant` natively, with the
   * interpreter's exact effects and gas (decision 014), in blocks built and blocks replayed
   * (not in calls, gas estimates, access lists or traces). Absent: everything on the
   * interpreter. Blocks are the same either way.
   */
  readonly accelerator?: ConsentRegistryAccelerator | undefined;
}

/** Defaults of {@link ExecutionEngineOptions}. */
export const defaultExecutionEngineOptions = {
  /** ~100 MB of trie nodes at ~200 bytes each. */
  nodeCacheEntries: 500_000,
  statePath: "flat",
} as const;
