export type { BlockImporter } from "./BlockImporter.ts";
export type { BlockSource, SyncPeer } from "./BlockSource.ts";
export {
  type BlockSync,
  type BlockSyncOptions,
  type BlockSyncStatus,
  createBlockSync,
  defaultBlockSyncOptions,
} from "./createBlockSync.ts";
export { type BlockStore, serveBlocks } from "./serveBlocks.ts";
