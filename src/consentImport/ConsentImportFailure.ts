import type { Bytes32 } from "../consent/index.ts";

/** A row of an import that did not land, with why: one entry of the failure report. */
export interface ConsentImportFailure {
  /** The row's line in the file, from 1. */
  readonly line: number;
  /**
   * An error code: `CONSENT_IMPORT_INVALID` for a row that failed validation, the chain's code
   * for a rejected one (e.g. `CONSENT_ALREADY_ACTIVE`, `LEDGER_UNAVAILABLE`), or
   * `NOT_ATTEMPTED` for a row never sent because the chain stopped answering.
   */
  readonly reason: string;
  /** The row's subject, for a row the chain refused. */
  readonly subject?: Bytes32;
  /** What is wrong with a row that failed validation, e.g. `subject must be bytes32 hex`. */
  readonly problem?: string;
}
