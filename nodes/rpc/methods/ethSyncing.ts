import { defineMethod } from "../defineMethod.ts";
import type { SyncStatus } from "../NodeApi.ts";
import { rpcHex } from "../rpcHex.ts";

/**
 * `eth_syncing`: false when in sync, else the sync progress.
 *
 * @example
 * ```ts
 * // → false, or { startingBlock: "0x0", currentBlock: "0x10", highestBlock: "0x20" }
 * ```
 */
export const ethSyncing = defineMethod({
  name: "eth_syncing",
  params: [],
  execute: ({ api }) => api.syncing(),
  format: (status: SyncStatus) =>
    status === false
      ? false
      : {
          startingBlock: rpcHex.quantity(status.startingBlock),
          currentBlock: rpcHex.quantity(status.currentBlock),
          highestBlock: rpcHex.quantity(status.highestBlock),
        },
});
