import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { AuditContracts } from "../../src/audit/index.ts";
import { CustosError, isCustosError } from "../../src/errors/index.ts";
import type { Hex } from "../../src/ledger/index.ts";
import type { ChainDb } from "../db/index.ts";
import type { Logger } from "../log/index.ts";
import type { AuditIndexStatus, AuditReader } from "./AuditReader.ts";
import type { AuditIndex } from "./openAuditIndex.ts";
import { type AuditChainSource, readAuditBlock } from "./readAuditBlock.ts";

/** What {@link createAuditFollower} follows and writes. */
export interface AuditFollowerPorts {
  readonly chainDb: AuditChainSource & Pick<ChainDb, "head" | "logBlocks">;
  readonly index: AuditIndex;
  readonly contracts: AuditContracts;
  readonly logger?: Logger;
}

/** Keeps an audit index at the chain's head. */
export interface AuditFollower {
  /** The index's reads, with `status()` saying how far behind the head it is and why. */
  readonly reader: AuditReader;
  /**
   * A block was committed (or the node started): index up to the head, in the background,
   * one block at a time. Never waits and never throws; a failure is logged, shown by
   * `status()` and tried again at the next call.
   */
  wake(): void;
  /**
   * Resolves once the index holds the chain's head as it is when called.
   *
   * @throws CustosError the fault that stopped indexing; `AUDIT_INDEX_UNAVAILABLE` once stopped.
   */
  caughtUp(): Promise<void>;
  /** Clears the index and indexes the chain again from block 0; resolves when caught up. */
  rebuild(): Promise<void>;
  /** Stops after the block in progress (the index stays open: its owner closes it). */
  stop(): Promise<void>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Blocks looked at per step in the chain's log index for the next block with a Custos log. */
const SCAN_SPAN = 100_000n;

function asCustosError(error: unknown): CustosError {
  return isCustosError(error)
    ? error
    : new CustosError("AUDIT_INDEX_UNAVAILABLE", "indexing a block failed", { cause: error });
}

class Follower implements AuditFollower {
  readonly #ports: AuditFollowerPorts;
  readonly reader: AuditReader;
  #running: Promise<void> | undefined;
  /** A wake arrived while a drain ran: drain again when it ends. */
  #again = false;
  #paused = false;
  #stopped = false;
  /** Whether the index head was compared with the chain since the follower started. */
  #verified = false;
  #fault: CustosError | undefined;

  constructor(ports: AuditFollowerPorts) {
    this.#ports = ports;
    const reads = ports.index.reader;
    this.reader = {
      listQueries: (filter) => reads.listQueries(filter),
      queryTrail: (queryId, page) => reads.queryTrail(queryId, page),
      querySummaries: (queryIds) => reads.querySummaries(queryIds),
      subjectHistory: (custodian, subject, page) => reads.subjectHistory(custodian, subject, page),
      budgets: (org, page) => reads.budgets(org, page),
      consentSeries: (from, to, page) => reads.consentSeries(from, to, page),
      governance: (page) => reads.governance(page),
      entries: (range) => reads.entries(range),
      status: async () => this.#status(),
    };
  }

  #status(): AuditIndexStatus {
    const indexed = this.#ports.index.head();
    const head = this.#ports.chainDb.head();
    const headBlock = head === undefined ? null : Number(head.header.number);
    return {
      indexedBlock: indexed?.number ?? null,
      indexedHash: indexed?.hash ?? null,
      headBlock,
      behind: headBlock === null ? null : Math.max(0, headBlock - (indexed?.number ?? -1)),
      fault:
        this.#fault === undefined
          ? null
          : { code: this.#fault.code, message: this.#fault.shortMessage },
    };
  }

  wake(): void {
    if (this.#stopped || this.#paused) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Starts over from block 0: the index does not hold this chain. */
  async #restart(reason: string, details: Record<string, unknown>): Promise<void> {
    this.#ports.logger?.warn(
      { ...details, reason },
      "audit index does not match the chain: rebuilding it from block 0",
    );
    await this.#ports.index.clear();
  }

  /**
   * Compares the index's head with the chain's block at that height, once per start; false
   * while the index is ahead of the chain (blocks lost at the chain's tip are being synced
   * again), to compare when they are back.
   */
  async #verify(): Promise<boolean> {
    const indexed = this.#ports.index.head();
    const head = this.#ports.chainDb.head();
    if (indexed === undefined) return true;
    if (head === undefined || indexed.number > head.header.number) return false;
    const hash = await this.#ports.chainDb.canonicalHash(BigInt(indexed.number));
    if (hash === undefined || bytesToHex(hash) !== indexed.hash) {
      await this.#restart("holds another chain", { block: indexed.number });
    }
    return true;
  }

  async #drain(): Promise<void> {
    const { chainDb, index, contracts, logger } = this.#ports;
    try {
      if (!this.#verified) {
        this.#verified = await this.#verify();
        if (!this.#verified) return;
      }
      for (;;) {
        if (this.#stopped || this.#paused) return;
        const head = chainDb.head();
        const next = (index.head()?.number ?? -1) + 1;
        if (head === undefined || next > Number(head.header.number)) return;
        const withLogs = await this.#nextBlockWithLogs(next, Number(head.header.number));
        if (withLogs !== next) {
          // Blocks without a Custos log (most of a chain: one every period) add no entry:
          // the head marker moves over them at once.
          const last = (withLogs ?? Number(head.header.number) + 1) - 1;
          const hash = await chainDb.canonicalHash(BigInt(last));
          if (hash === undefined) {
            throw new CustosError("CHAIN_DB_CORRUPT", `block ${last} has no canonical entry`, {
              details: { blockNumber: String(last), part: "canonical entry" },
            });
          }
          await index.advance({ number: last, hash: bytesToHex(hash) as Hex });
          continue;
        }
        const block = await readAuditBlock(chainDb, next, contracts);
        const indexed = index.head();
        if (indexed !== undefined && block.parentHash !== indexed.hash) {
          await this.#restart("does not extend to the chain's next block", { block: next });
          continue;
        }
        await index.writeBlock(block);
        if (this.#fault !== undefined) {
          logger?.info({ block: next }, "audit index resumed");
          this.#fault = undefined;
        }
        await yieldToLoop();
      }
    } catch (error) {
      const fault = asCustosError(error);
      if (this.#fault?.code !== fault.code) {
        logger?.error(
          { code: fault.code, details: fault.details, err: fault },
          "audit index stopped; it is tried again at the next block",
        );
      }
      this.#fault = fault;
    }
  }

  /**
   * The first block in [from, to] holding a log of a Custos contract, by the chain
   * database's log index (written in each block's own batch); undefined for none.
   */
  async #nextBlockWithLogs(from: number, to: number): Promise<number | undefined> {
    const { chainDb, contracts } = this.#ports;
    const end = BigInt(Math.min(to, from + Number(SCAN_SPAN) - 1));
    const found = await Promise.all(
      [contracts.consortium, contracts.consentRegistry, contracts.accessLedger].map((a) =>
        chainDb.logBlocks("address", hexToBytes(a as Hex), BigInt(from), end, 1),
      ),
    );
    const first = found
      .flat()
      .reduce<bigint | undefined>((min, n) => (min === undefined || n < min ? n : min), undefined);
    if (first !== undefined) return Number(first);
    return end < BigInt(to) ? this.#nextBlockWithLogs(Number(end) + 1, to) : undefined;
  }

  async caughtUp(): Promise<void> {
    const head = this.#ports.chainDb.head();
    const target = head === undefined ? -1 : Number(head.header.number);
    for (;;) {
      if (this.#stopped) {
        throw new CustosError("AUDIT_INDEX_UNAVAILABLE", "the audit follower was stopped");
      }
      if ((this.#ports.index.head()?.number ?? -1) >= target) return;
      if (this.#running === undefined) this.wake();
      const running = this.#running;
      if (running === undefined) {
        // Paused while a rebuild clears the index.
        await yieldToLoop();
        continue;
      }
      await running;
      if (this.#running === undefined && this.#fault !== undefined) throw this.#fault;
    }
  }

  async rebuild(): Promise<void> {
    this.#paused = true;
    try {
      await this.#running;
      await this.#ports.index.clear();
      this.#fault = undefined;
      this.#verified = true;
    } finally {
      this.#paused = false;
    }
    await this.caughtUp();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}

/**
 * The audit index's follower: indexes the node's committed blocks from its own chain
 * database, in order, one level batch per block (`AuditIndex.writeBlock`), after the commit
 * and off the commit path — `wake()` only schedules; the work runs between other tasks and
 * yields to the event loop between blocks (and within bulk-load blocks), so block
 * production never waits for it. At the first wake it catches up from its head marker; an
 * index whose head is not this chain's block at that height, or that the next block does
 * not extend, is cleared and rebuilt from block 0.
 *
 * @example
 * ```ts
 * const follower = createAuditFollower({ chainDb, index, contracts: genesis.contracts, logger });
 * follower.wake();
 * api.onNewHead(() => follower.wake());
 * ```
 */
export function createAuditFollower(ports: AuditFollowerPorts): AuditFollower {
  return new Follower(ports);
}
