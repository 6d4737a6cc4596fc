import { join } from "node:path";
import type { AuditContracts } from "../../src/audit/index.ts";
import { isCustosError } from "../../src/errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { AuditReader } from "./AuditReader.ts";
import {
  type AuditFollower,
  type AuditFollowerPorts,
  createAuditFollower,
} from "./createAuditFollower.ts";
import { openAuditIndex } from "./openAuditIndex.ts";

/** The audit index's directory inside a node's data directory. */
export const AUDIT_DIRECTORY = "audit";

/** Options of {@link startAuditIndex}. */
export interface StartAuditIndexOptions {
  readonly dataDir: string;
  /** Delete the index and rebuild it from block 0 (the node's `--reindex`). */
  readonly rebuild?: boolean;
}

/** What {@link startAuditIndex} indexes from. */
export interface StartAuditIndexPorts {
  readonly chainDb: AuditFollowerPorts["chainDb"];
  readonly contracts: AuditContracts;
  readonly logger: Logger;
}

/** A node's running audit index. */
export interface NodeAudit {
  /** What the rest of the node reads (see {@link AuditReader}). */
  readonly reader: AuditReader;
  readonly follower: AuditFollower;
  /** Stops the follower after the block in progress and closes the index. */
  stop(): Promise<void>;
}

/**
 * Opens a node's audit index in `<dataDir>/audit` — a level database of its own beside
 * `chain/`, so `--reindex` (which swaps `chain/`) and a damaged index are handled by deleting
 * one directory — and starts its follower: it catches up from the index's head in the
 * background; the caller wakes it after every committed block. An index LevelDB reports
 * damaged is deleted and rebuilt from block 0, as is everything in it: it is derived from
 * the chain alone.
 *
 * @throws CustosError `AUDIT_INDEX_UNAVAILABLE` when the directory cannot be opened.
 * @example
 * ```ts
 * const audit = await startAuditIndex({ dataDir }, { chainDb, contracts: genesis.contracts, logger });
 * api.onNewHead(() => audit.follower.wake());
 * await audit.stop();
 * ```
 */
export async function startAuditIndex(
  options: StartAuditIndexOptions,
  ports: StartAuditIndexPorts,
): Promise<NodeAudit> {
  const location = join(options.dataDir, AUDIT_DIRECTORY);
  const fresh = options.rebuild === true;
  let index: Awaited<ReturnType<typeof openAuditIndex>>;
  try {
    index = await openAuditIndex({ location, fresh });
  } catch (error) {
    if (!isCustosError(error, "AUDIT_INDEX_CORRUPT")) throw error;
    ports.logger.warn(
      { path: location, err: error },
      "audit index damaged: rebuilding it from block 0",
    );
    index = await openAuditIndex({ location, fresh: true });
  }
  if (fresh) ports.logger.info({ path: location }, "audit index rebuilt from block 0");
  const follower = createAuditFollower({
    chainDb: ports.chainDb,
    index,
    contracts: ports.contracts,
    logger: ports.logger,
  });
  follower.wake();
  return {
    reader: follower.reader,
    follower,
    async stop() {
      await follower.stop();
      await index.close();
    },
  };
}
