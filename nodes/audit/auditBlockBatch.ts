import type { Level } from "level";
import {
  type AuditEntry,
  applyBudgetEntry,
  applyConsentChange,
  applyQueryEntry,
  auditEntryRefs,
  type ConsentDayCounts,
  consentDayOf,
  type EpsilonBudget,
  type QuerySummary,
} from "../../src/audit/index.ts";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import type { Hex } from "../../src/ledger/index.ts";
import { encodeAuditHead } from "./auditHead.ts";
import {
  AUDIT_HEAD_KEY,
  auditKey,
  auditKeyspaces,
  blockPart,
  hexPart,
  u32Part,
} from "./auditKeyspaces.ts";
import { decodeAuditRecord, encodeAuditRecord } from "./auditRecord.ts";

/** One block as the audit index stores it: where it is, and its entries in log order. */
export interface AuditBlock {
  readonly number: number;
  readonly hash: Hex;
  readonly parentHash: Hex;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly entries: readonly AuditEntry[];
}

/** One write of a block's batch. */
export interface AuditPut {
  readonly type: "put";
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** The level database of an audit index. */
export type AuditLevel = Level<Uint8Array, Uint8Array>;

const EMPTY = new Uint8Array(0);
/** Entries between yields to the event loop while a large block (a bulk load) is filed. */
const YIELD_EVERY = 1000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records read once per block and written back once, changed by several of its entries. */
class Folded<T> {
  readonly #level: AuditLevel;
  readonly #values = new Map<string, { key: Uint8Array; value: T | undefined }>();

  constructor(level: AuditLevel) {
    this.#level = level;
  }

  async update(key: Uint8Array, change: (value: T | undefined) => T): Promise<void> {
    const id = Buffer.from(key).toString("latin1");
    let held = this.#values.get(id);
    if (held === undefined) {
      const stored = await this.#level.get(key);
      held = { key, value: stored === undefined ? undefined : decodeAuditRecord<T>(stored, key) };
      this.#values.set(id, held);
    }
    held.value = change(held.value);
  }

  puts(): AuditPut[] {
    return [...this.#values.values()].map(({ key, value }) => ({
      type: "put",
      key,
      value: encodeAuditRecord(value),
    }));
  }
}

/** The listing keys of a submitted query: by time, researcher, organisation, target, purpose. */
function listingKeys(entry: AuditEntry & { event: "QuerySubmitted" }): Uint8Array[] {
  const f = entry.fields;
  const time = blockPart(entry.at.blockTimestamp);
  const id = blockPart(BigInt(f.queryId));
  return [
    auditKey(auditKeyspaces.queryByTime, time, id),
    auditKey(auditKeyspaces.queryByResearcher, hexPart(f.researcher), time, id),
    auditKey(auditKeyspaces.queryByOrg, u32Part(f.researcherOrg), time, id),
    ...f.targets.map((h) => auditKey(auditKeyspaces.queryByHospital, u32Part(h), time, id)),
    auditKey(auditKeyspaces.queryByPurpose, u32Part(f.purpose), time, id),
  ];
}

/** An index that cannot take the entry (a query entry before its submission): it is damaged. */
function inconsistent(entry: AuditEntry, cause: unknown): CustosError {
  return new CustosError(
    "AUDIT_INDEX_CORRUPT",
    `the audit index cannot file ${entry.event} at block ${entry.at.blockNumber}: it lacks earlier entries`,
    {
      details: {
        event: entry.event,
        blockNumber: entry.at.blockNumber,
        logIndex: entry.at.logIndex,
      },
      cause,
    },
  );
}

/**
 * Every write that files one block in the audit index (see `auditKeyspaces`): each entry,
 * its pointers under its query, consent records and governance, the query listing keys of a
 * submission, the query summaries, ε budgets and daily consent counts it changes (read,
 * folded with the `src/audit` reducers, written once), and the head marker. The caller
 * writes them in ONE batch, so a crash leaves the index at the previous block or this one.
 *
 * @throws CustosError `AUDIT_INDEX_CORRUPT` when a stored record does not decode or the index
 *   lacks what an entry builds on.
 * @example
 * ```ts
 * await level.batch(await auditBlockBatch(level, block));
 * ```
 */
export async function auditBlockBatch(level: AuditLevel, block: AuditBlock): Promise<AuditPut[]> {
  const puts: AuditPut[] = [];
  const summaries = new Folded<QuerySummary>(level);
  const budgets = new Folded<EpsilonBudget>(level);
  const counts = new Folded<ConsentDayCounts>(level);
  let filed = 0;
  for (const entry of block.entries) {
    if (++filed % YIELD_EVERY === 0) await yieldToLoop();
    const position = [blockPart(entry.at.blockNumber), u32Part(entry.at.logIndex)];
    puts.push({
      type: "put",
      key: auditKey(auditKeyspaces.entry, ...position),
      value: encodeAuditRecord(entry),
    });
    const refs = auditEntryRefs(entry);
    if (refs.queryId !== null) {
      const id = blockPart(BigInt(refs.queryId));
      puts.push({
        type: "put",
        key: auditKey(auditKeyspaces.queryEntry, id, ...position),
        value: EMPTY,
      });
      try {
        await summaries.update(auditKey(auditKeyspaces.querySummary, id), (summary) =>
          applyQueryEntry(summary, entry),
        );
      } catch (error) {
        throw isCustosError(error, "INVALID_ARGUMENT") ? inconsistent(entry, error) : error;
      }
      if (entry.event === "QuerySubmitted") {
        for (const key of listingKeys(entry)) puts.push({ type: "put", key, value: EMPTY });
      }
    }
    for (const { custodian, subject } of refs.subjects) {
      puts.push({
        type: "put",
        key: auditKey(
          auditKeyspaces.subjectEntry,
          u32Part(custodian),
          hexPart(subject),
          ...position,
        ),
        value: EMPTY,
      });
    }
    if (refs.budget !== null) {
      const { researcherOrg, hospitalId } = refs.budget;
      await budgets.update(
        auditKey(auditKeyspaces.budget, u32Part(researcherOrg), u32Part(hospitalId)),
        (budget) => applyBudgetEntry(budget, entry),
      );
    }
    if (refs.consentChange !== null) {
      const change = refs.consentChange;
      const day = consentDayOf(entry.at.blockTimestamp);
      await counts.update(
        auditKey(auditKeyspaces.consentDay, u32Part(day), u32Part(change.custodian)),
        (dayCounts) => applyConsentChange(dayCounts, change, entry.at.blockTimestamp),
      );
    }
    if (refs.governance) {
      puts.push({
        type: "put",
        key: auditKey(auditKeyspaces.governance, ...position),
        value: EMPTY,
      });
    }
  }
  puts.push(...summaries.puts(), ...budgets.puts(), ...counts.puts(), {
    type: "put",
    key: AUDIT_HEAD_KEY,
    value: encodeAuditHead(block),
  });
  return puts;
}
