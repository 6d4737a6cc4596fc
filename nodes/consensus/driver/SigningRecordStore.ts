import type { QbftSigningRecord } from "../core/index.ts";

/**
 * Where a validator keeps its last signing record (what it signed at its current height and
 * round): the guard against signing two conflicting messages across a crash. The driver
 * saves every record the core emits (`persist`) and waits for the save before it sends what
 * the record names; it loads the last one at start. The node uses
 * {@link createFileSigningRecordStore}.
 *
 * @example
 * ```ts
 * const store = createFileSigningRecordStore(join(dataDir, SIGNING_RECORD_FILE));
 * const record = await store.load();
 * ```
 */
export interface SigningRecordStore {
  /**
   * The last record saved, or undefined when none was ever saved.
   *
   * @throws CustosError `CONSENSUS_RECORD_CORRUPT` when the stored record is damaged (the
   *   validator must not vote on a guess); `CONSENSUS_RECORD_STORE_FAILED` when it cannot be
   *   read.
   */
  load(): Promise<QbftSigningRecord | undefined>;
  /**
   * Replaces the record durably: once the promise resolves the record survives a crash or a
   * power cut; before it does, the previous one is still there, whole.
   *
   * @throws CustosError `CONSENSUS_RECORD_STORE_FAILED` when it cannot be made durable.
   */
  save(record: QbftSigningRecord): Promise<void>;
}
