import { CustosError } from "../errors/index.ts";
import { type ConsentChange, type ConsentState, validateConsentChange } from "./ConsentChange.ts";
import type { ApplyOutcome, ChainPosition } from "./ConsentIndex.ts";
import {
  ROW_WORDS,
  recordStatus,
  rowLayout,
  SubjectTable,
  timeHigh,
  timeLow,
} from "./SubjectTable.ts";
import type { SpotCheckTarget } from "./spotCheck.ts";
import { parseSubjectInto, SUBJECT_WORDS, type SubjectInput, subjectToHex } from "./subjectKey.ts";

/**
 * The records of a consent index: its subject table, filled by consent changes where the
 * newest version wins, and the furthest chain position any change came from.
 *
 * @example
 * ```ts
 * const records = new IndexRecords(1024);
 * records.apply(change, undefined); // "applied"
 * records.get(change.subject)?.status; // "active"
 * ```
 */
export class IndexRecords {
  readonly table: SubjectTable;
  /**
   * The pseudonym words of the change or check in progress: one reused array spares an
   * allocation per call on the hot path.
   */
  readonly key = new Uint32Array(SUBJECT_WORDS);
  #lastBlock = -1;
  #lastLog = -1;

  constructor(expectedSubjects: number) {
    this.table = new SubjectTable(expectedSubjects);
  }

  /** Highest (block, log index) of any change applied (null: none yet). */
  get lastApplied(): ChainPosition | null {
    return this.#lastBlock < 0 ? null : { blockNumber: this.#lastBlock, logIndex: this.#lastLog };
  }

  /**
   * Stores a change unless the stored version is as new or newer.
   *
   * @param position - index of the change inside a batch, reported in the error details.
   * @throws CustosError `CONSENT_CHANGE_INVALID` naming the malformed field;
   *   `CONSENT_INDEX_FULL` beyond 2^28 subjects.
   */
  apply(change: ConsentChange, position: number | undefined): ApplyOutcome {
    const { key, table } = this;
    validateConsentChange(change, key, position);
    if (
      change.blockNumber > this.#lastBlock ||
      (change.blockNumber === this.#lastBlock && change.logIndex > this.#lastLog)
    ) {
      this.#lastBlock = change.blockNumber;
      this.#lastLog = change.logIndex;
    }
    let record = table.find(key, 0);
    if (record >= 0) {
      if (change.version <= (table.rows[record * ROW_WORDS + rowLayout.version] as number)) {
        return "ignored";
      }
    } else {
      record = table.insert(key, 0);
    }
    const rows = table.rows;
    const b = record * ROW_WORDS;
    rows[b + rowLayout.purposes] = change.purposes;
    rows[b + rowLayout.categories] = change.categories;
    rows[b + rowLayout.validFromLow] = timeLow(change.validFrom);
    rows[b + rowLayout.validUntilLow] = timeLow(change.validUntil);
    rows[b + rowLayout.timeHigh] = timeHigh(change.validFrom) | (timeHigh(change.validUntil) << 16);
    rows[b + rowLayout.version] = change.version;
    rows[b + rowLayout.custodian] = change.custodian;
    rows[b + rowLayout.status] =
      change.status === "active" ? recordStatus.active : recordStatus.revoked;
    return "applied";
  }

  /**
   * The stored record of a subject, or undefined if unknown.
   *
   * @throws CustosError `INVALID_ARGUMENT` if `subject` is not a pseudonym.
   */
  get(subject: SubjectInput): ConsentState | undefined {
    const probe = new Uint32Array(SUBJECT_WORDS);
    if (!parseSubjectInto(subject, probe, 0)) {
      throw new CustosError("INVALID_ARGUMENT", "subject is not a bytes32 pseudonym", {
        details: { field: "subject" },
      });
    }
    const record = this.table.find(probe, 0);
    return record < 0 ? undefined : this.#recordAt(record);
  }

  /** The records as a spot check samples them. */
  spotCheckTarget(): SpotCheckTarget {
    const table = this.table;
    return {
      size: table.size,
      subjectsAtRanks: (ranks) =>
        table.slotsOfRanks(ranks).map((slot) => subjectToHex(table.rows, slot * ROW_WORDS)),
      getRecord: (subject) => this.get(subject),
      toHex(subject) {
        const probe = new Uint32Array(SUBJECT_WORDS);
        return parseSubjectInto(subject, probe, 0) ? subjectToHex(probe, 0) : undefined;
      },
    };
  }

  #recordAt(record: number): ConsentState {
    const rows = this.table.rows;
    const b = record * ROW_WORDS;
    const high = rows[b + rowLayout.timeHigh] as number;
    return {
      status: rows[b + rowLayout.status] === recordStatus.active ? "active" : "revoked",
      purposes: rows[b + rowLayout.purposes] as number,
      categories: rows[b + rowLayout.categories] as number,
      validFrom: (rows[b + rowLayout.validFromLow] as number) + (high & 0xffff) * 2 ** 32,
      validUntil: (rows[b + rowLayout.validUntilLow] as number) + (high >>> 16) * 2 ** 32,
      version: rows[b + rowLayout.version] as number,
      custodian: rows[b + rowLayout.custodian] as number,
    };
  }
}
