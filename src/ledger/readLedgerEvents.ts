import type { Provider, TopicFilter } from "ethers";
import { CustosError } from "../errors/index.ts";
import { decodeContractError } from "./decodeContractError.ts";
import { decodeLedgerLog, type LedgerEvent } from "./LedgerEvent.ts";
import type { LedgerContractAbi } from "./ledgerContracts.ts";
import { raceAbort, throwIfAborted } from "./raceAbort.ts";

/** Block range and paging of an event reader. */
export interface EventPageOptions {
  /** First block to read (default 0). */
  readonly fromBlock?: number;
  /** Last block to read, inclusive (default: the latest block when reading starts). */
  readonly toBlock?: number;
  /** Blocks per `eth_getLogs` request (default 2,000; nodes cap ranges and results). */
  readonly pageSize?: number;
  /** Stops between and during page requests with `LEDGER_ABORTED`. */
  readonly signal?: AbortSignal;
}

/** Default blocks per `eth_getLogs` request. */
export const DEFAULT_EVENT_PAGE_SIZE = 2_000;

/** What to read: which events of which contract, narrowed by indexed topics. */
export interface LedgerEventQuery {
  readonly provider: Provider;
  readonly address: string;
  readonly abi: LedgerContractAbi;
  /** Event names to include (topic 0). */
  readonly eventNames: readonly string[];
  /** Filters for the indexed topics after topic 0 (null = any). */
  readonly topics?: readonly (string | null)[];
}

function checkBlock(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CustosError("INVALID_ARGUMENT", `${field}: must be a non-negative integer`, {
      details: { field },
    });
  }
}

/** Whether a getLogs failure is the node's cap on results (JSON-RPC -32005). */
function isLimitExceeded(error: unknown): boolean {
  const nested = error as { error?: { code?: unknown }; info?: { error?: { code?: unknown } } };
  return nested.error?.code === -32005 || nested.info?.error?.code === -32005;
}

/**
 * Reads events page by page over a block range, in chain order (block, then log index), each
 * exactly once. The range's end is fixed when reading starts, so events mined meanwhile are
 * left for the next call.
 *
 * @throws CustosError `INVALID_ARGUMENT` (bad range or page size), `LEDGER_UNAVAILABLE`,
 * `LEDGER_ABORTED`.
 * @example
 * ```ts
 * for await (const event of readLedgerEvents(query, { fromBlock: 0, pageSize: 500 })) use(event);
 * ```
 */
export async function* readLedgerEvents<E extends LedgerEvent>(
  query: LedgerEventQuery,
  options: EventPageOptions = {},
): AsyncGenerator<E, void, undefined> {
  const { signal } = options;
  const fromBlock = options.fromBlock ?? 0;
  const pageSize = options.pageSize ?? DEFAULT_EVENT_PAGE_SIZE;
  checkBlock("fromBlock", fromBlock);
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new CustosError("INVALID_ARGUMENT", "pageSize: must be a positive integer", {
      details: { field: "pageSize" },
    });
  }
  throwIfAborted(signal, { sent: false });
  let toBlock = options.toBlock;
  if (toBlock === undefined) {
    try {
      toBlock = await raceAbort(query.provider.getBlockNumber(), signal, { sent: false });
    } catch (error) {
      throw decodeContractError(error, [query.abi]);
    }
  }
  checkBlock("toBlock", toBlock);
  const topic0 = query.eventNames.map((name) => {
    const fragment = query.abi.iface.getEvent(name);
    if (fragment === null) {
      throw new CustosError("INVALID_ARGUMENT", `unknown event ${name}`, {
        details: { field: "eventNames", event: name },
      });
    }
    return fragment.topicHash;
  });
  const topics: TopicFilter = [topic0, ...(query.topics ?? [])];
  // A node caps the logs one query returns (EIP-1474 -32005 "limit exceeded"): a page over
  // blocks of bulk grants can hold more, so a refused page is halved and read again.
  let span = pageSize;
  for (let start = fromBlock; start <= toBlock; ) {
    const end = Math.min(toBlock, start + span - 1);
    let logs: Awaited<ReturnType<Provider["getLogs"]>>;
    try {
      logs = await raceAbort(
        query.provider.getLogs({ address: query.address, topics, fromBlock: start, toBlock: end }),
        signal,
        { sent: false },
      );
    } catch (error) {
      if (end > start && isLimitExceeded(error)) {
        span = Math.max(1, Math.floor((end - start + 1) / 2));
        continue;
      }
      throw decodeContractError(error, [query.abi]);
    }
    start = end + 1;
    span = pageSize;
    const ordered = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const log of ordered) {
      if (log.removed) continue;
      const event = decodeLedgerLog<E>(log, query.abi.iface);
      if (event !== undefined) yield event;
    }
  }
}
