import type { BatchEntry } from "../ledger/index.ts";

/** A row of an import file that passed validation: what `batchGrant` is sent for it. */
export interface ConsentImportRow {
  /** The row's line in the file, from 1 (the header is line 1 of a CSV without blank lines). */
  readonly line: number;
  /** The subject and document hash, lower-case. */
  readonly entry: BatchEntry;
}
