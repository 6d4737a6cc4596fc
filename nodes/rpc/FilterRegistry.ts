import { randomBytes } from "node:crypto";
import { CustosError } from "../../src/errors/index.ts";
import type { BlockId } from "./BlockId.ts";
import type { LogFilterParam } from "./logFilterParam.ts";
import type { IndexedLog, NodeApi } from "./NodeApi.ts";
import type { RpcLimits } from "./rpcServerOptions.ts";

/** The kinds of polling filter. */
export type FilterKind = "logs" | "blocks" | "pendingTransactions";

/** What eth_getFilterChanges returns: logs for a log filter, hashes for the others. */
export type FilterChanges =
  | { readonly kind: "logs"; readonly logs: readonly IndexedLog[] }
  | { readonly kind: "hashes"; readonly hashes: readonly Uint8Array[] };

/** The installed polling filters of the node (eth_newFilter and the like), all clients together. */
export interface FilterRegistry {
  /**
   * Installs a log filter for `client` (the caller's remote address); returns its id. Its
   * changes are the matching logs of blocks committed after it was installed.
   *
   * @throws CustosError RPC_LIMIT_EXCEEDED at a cap.
   */
  installLogs(client: string, filter: LogFilterParam): string;
  /** Installs a block filter (hashes of blocks committed since the last poll). */
  installBlocks(client: string): string;
  /** Installs a pending-transaction filter (hashes that became executable since the last poll). */
  installPendingTransactions(client: string): string;
  /**
   * What happened since the filter's last poll (or its installation), and marks it polled.
   *
   * @throws CustosError RPC_FILTER_NOT_FOUND for an unknown or expired id;
   *   RPC_LIMIT_EXCEEDED when one block alone holds more matching logs than `maxLogResults`.
   */
  changes(id: string): Promise<FilterChanges>;
  /**
   * The log filter's definition, for eth_getFilterLogs, and marks it polled.
   *
   * @throws CustosError RPC_FILTER_NOT_FOUND for an unknown id or a filter of another kind.
   */
  logFilter(id: string): LogFilterParam;
  /** Uninstalls a filter; false when the id is not one. */
  uninstall(id: string): boolean;
  /** Uninstalls the filters idle for longer than `filterIdleMs`; returns how many. */
  sweep(): number;
  /** Uninstalls everything and stops the idle sweep. */
  close(): void;
  /** Installed filters. */
  readonly size: number;
}

/** Options of {@link createFilterRegistry}. */
export interface FilterRegistryOptions {
  readonly api: NodeApi;
  readonly limits: Pick<
    RpcLimits,
    | "maxFilters"
    | "maxFiltersPerClient"
    | "maxFilterCriteria"
    | "filterIdleMs"
    | "maxLogBlockRange"
    | "maxLogResults"
  >;
  /** Milliseconds clock (default `Date.now`). */
  readonly now?: () => number;
  /** Pool admissions remembered for pending-transaction filters (default 4,096). */
  readonly pendingCapacity?: number;
  /** How often idle filters are swept (default a fifth of `filterIdleMs`, at most 60 s; 0: never). */
  readonly sweepIntervalMs?: number;
  /** Told of every filter installed (+1) or removed (-1), for a metrics gauge. */
  readonly onCountChange?: (kind: FilterKind, delta: 1 | -1) => void;
}

/** Defaults of {@link FilterRegistryOptions}. */
export const defaultFilterRegistryOptions = {
  /** The default txpool.maxCount: a full pool's worth of admissions. */
  pendingCapacity: 4096,
  /** Most block hashes one eth_getFilterChanges returns; later ones come with the next poll. */
  maxBlockHashesPerPoll: 1024,
} as const;

interface FilterBase {
  readonly client: string;
  lastUsed: number;
  /** The poll in progress: polls of one filter run one after another, so none repeats logs. */
  poll: Promise<unknown>;
}

interface LogFilterState extends FilterBase {
  readonly kind: "logs";
  readonly filter: LogFilterParam;
  readonly criteria: number;
  /** Last block whose logs were returned (or the head when installed). */
  cursor: bigint;
}

interface BlockFilterState extends FilterBase {
  readonly kind: "blocks";
  cursor: bigint;
}

interface PendingFilterState extends FilterBase {
  readonly kind: "pendingTransactions";
  /** Sequence number of the next admission this filter has not seen. */
  cursor: number;
}

type FilterState = LogFilterState | BlockFilterState | PendingFilterState;

function notFound(id: string): CustosError {
  return new CustosError("RPC_FILTER_NOT_FOUND", "filter not found", {
    details: { id: id.length > 66 ? `${id.slice(0, 66)}…` : id },
  });
}

function limitExceeded(what: string, limit: string, max: number): CustosError {
  return new CustosError("RPC_LIMIT_EXCEEDED", `${what}, limit ${max}`, {
    details: { limit, max },
  });
}

/** A filter id: 16 random bytes as a quantity (no leading zeros), as geth makes them. */
function newId(): string {
  return `0x${BigInt(`0x${randomBytes(16).toString("hex")}`).toString(16)}`;
}

function lowestBlock(id: BlockId | undefined): bigint {
  if (id?.kind === "number") return id.number;
  return 0n;
}

function highestBlock(id: BlockId | undefined): bigint | undefined {
  if (id?.kind === "number") return id.number;
  if (id?.kind === "tag" && id.tag === "earliest") return 0n;
  return undefined;
}

/**
 * Creates the node's polling-filter registry. Memory stays bounded whatever clients do:
 *
 * - filters are counted per client (`maxFiltersPerClient`) and in all (`maxFilters`), and
 *   log filters' addresses and topic hashes together (`maxFilterCriteria`);
 * - a filter keeps a cursor, not the results: log and block filters remember the last block
 *   they returned and read the chain's log index and canonical hashes when polled (the chain
 *   never reorganises, so a cursor is exact); pending-transaction filters share one ring of
 *   the last `pendingCapacity` pool admissions (a filter polled less often than that misses
 *   the oldest);
 * - a filter not polled for `filterIdleMs` is uninstalled (geth: 5 minutes).
 *
 * One poll returns at most `maxLogBlockRange` blocks' worth of logs, cut at a block boundary
 * under `maxLogResults` logs, and at most 1,024 block hashes: the rest come with the next poll.
 * Ids are 16 random bytes: knowing an id is what lets a client poll or uninstall it.
 *
 * @example
 * ```ts
 * const filters = createFilterRegistry({ api, limits: defaultRpcServerOptions.limits });
 * const id = filters.installBlocks("127.0.0.1");
 * const { hashes } = (await filters.changes(id)) as { hashes: Uint8Array[] };
 * ```
 */
export function createFilterRegistry(options: FilterRegistryOptions): FilterRegistry {
  const { api, limits } = options;
  const now = options.now ?? Date.now;
  const pendingCapacity = options.pendingCapacity ?? defaultFilterRegistryOptions.pendingCapacity;
  const filters = new Map<string, FilterState>();
  const perClient = new Map<string, number>();
  let criteriaInUse = 0;

  // Ring of recent pool admissions: slot `seq % capacity` holds admission number `seq`.
  const pendingRing: (Uint8Array | undefined)[] = new Array(pendingCapacity).fill(undefined);
  let pendingNext = 0;
  let pendingFilters = 0;
  let stopPending: (() => void) | undefined;

  const sweepEvery =
    options.sweepIntervalMs ?? Math.min(60_000, Math.max(1000, limits.filterIdleMs / 5));
  const timer = sweepEvery > 0 ? setInterval(() => sweep(), sweepEvery) : undefined;
  timer?.unref();

  function remove(id: string): boolean {
    const filter = filters.get(id);
    if (filter === undefined) return false;
    filters.delete(id);
    const count = (perClient.get(filter.client) ?? 1) - 1;
    if (count === 0) perClient.delete(filter.client);
    else perClient.set(filter.client, count);
    if (filter.kind === "logs") criteriaInUse -= filter.criteria;
    if (filter.kind === "pendingTransactions") {
      pendingFilters--;
      if (pendingFilters === 0) {
        stopPending?.();
        stopPending = undefined;
      }
    }
    options.onCountChange?.(filter.kind, -1);
    return true;
  }

  function sweep(): number {
    const oldest = now() - limits.filterIdleMs;
    let removed = 0;
    for (const [id, filter] of filters) {
      if (filter.lastUsed < oldest && remove(id)) removed++;
    }
    return removed;
  }

  function install(filter: FilterState, criteria: number): string {
    sweep();
    if (filters.size >= limits.maxFilters) {
      throw limitExceeded("too many filters installed", "maxFilters", limits.maxFilters);
    }
    const count = perClient.get(filter.client) ?? 0;
    if (count >= limits.maxFiltersPerClient) {
      throw limitExceeded(
        "too many filters installed by this client",
        "maxFiltersPerClient",
        limits.maxFiltersPerClient,
      );
    }
    if (criteriaInUse + criteria > limits.maxFilterCriteria) {
      throw limitExceeded(
        "too many addresses and topics in installed filters",
        "maxFilterCriteria",
        limits.maxFilterCriteria,
      );
    }
    let id = newId();
    while (filters.has(id)) id = newId();
    filters.set(id, filter);
    perClient.set(filter.client, count + 1);
    criteriaInUse += criteria;
    options.onCountChange?.(filter.kind, 1);
    return id;
  }

  function used(id: string): FilterState {
    const filter = filters.get(id);
    if (filter === undefined || filter.lastUsed < now() - limits.filterIdleMs) {
      if (filter !== undefined) remove(id);
      throw notFound(id);
    }
    filter.lastUsed = now();
    return filter;
  }

  async function logChanges(filter: LogFilterState): Promise<FilterChanges> {
    const head = api.head().header.number;
    const spec = filter.filter;
    if (spec.blockHash !== undefined) return { kind: "logs", logs: [] };
    const low = lowestBlock(spec.fromBlock);
    const from = filter.cursor + 1n > low ? filter.cursor + 1n : low;
    const high = highestBlock(spec.toBlock);
    let to = high !== undefined && high < head ? high : head;
    const widest = from + BigInt(limits.maxLogBlockRange) - 1n;
    if (to > widest) to = widest;
    if (from > to) {
      if (filter.cursor < to) filter.cursor = to;
      return { kind: "logs", logs: [] };
    }
    const logs = await api.logs({
      fromBlock: from,
      toBlock: to,
      addresses: spec.addresses,
      topics: spec.topics,
      limit: limits.maxLogResults + 1,
    });
    if (logs.length <= limits.maxLogResults) {
      filter.cursor = to;
      return { kind: "logs", logs };
    }
    // Too many for one answer: return whole blocks only, the rest next time.
    const cut = (logs[limits.maxLogResults] as IndexedLog).blockNumber;
    const whole = logs.filter((log) => log.blockNumber < cut);
    if (whole.length === 0) {
      filter.cursor = cut;
      throw new CustosError(
        "RPC_LIMIT_EXCEEDED",
        `block ${cut} alone holds more than ${limits.maxLogResults} matching logs; the filter skipped it`,
        {
          details: {
            limit: "maxLogResults",
            max: limits.maxLogResults,
            blockNumber: cut.toString(),
          },
        },
      );
    }
    filter.cursor = cut - 1n;
    return { kind: "logs", logs: whole };
  }

  async function blockChanges(filter: BlockFilterState): Promise<FilterChanges> {
    const head = api.head().header.number;
    const last = filter.cursor + BigInt(defaultFilterRegistryOptions.maxBlockHashesPerPoll);
    const to = head < last ? head : last;
    const hashes: Uint8Array[] = [];
    for (let number = filter.cursor + 1n; number <= to; number++) {
      const hash = await api.canonicalHash(number);
      if (hash === undefined) break;
      hashes.push(hash);
      filter.cursor = number;
    }
    return { kind: "hashes", hashes };
  }

  function pendingChanges(filter: PendingFilterState): FilterChanges {
    const oldest = Math.max(0, pendingNext - pendingCapacity);
    const hashes: Uint8Array[] = [];
    for (let seq = Math.max(filter.cursor, oldest); seq < pendingNext; seq++) {
      const hash = pendingRing[seq % pendingCapacity];
      if (hash !== undefined) hashes.push(hash);
    }
    filter.cursor = pendingNext;
    return { kind: "hashes", hashes };
  }

  return {
    installLogs(client, filter) {
      const criteria =
        filter.addresses.length +
        filter.topics.reduce(
          (sum: number, topic) =>
            sum + (topic === null ? 0 : topic instanceof Uint8Array ? 1 : topic.length),
          0,
        );
      return install(
        {
          kind: "logs",
          client,
          filter,
          criteria,
          cursor: api.head().header.number,
          lastUsed: now(),
          poll: Promise.resolve(),
        },
        criteria,
      );
    },
    installBlocks(client) {
      return install(
        {
          kind: "blocks",
          client,
          cursor: api.head().header.number,
          lastUsed: now(),
          poll: Promise.resolve(),
        },
        0,
      );
    },
    installPendingTransactions(client) {
      const id = install(
        {
          kind: "pendingTransactions",
          client,
          cursor: pendingNext,
          lastUsed: now(),
          poll: Promise.resolve(),
        },
        0,
      );
      pendingFilters++;
      stopPending ??= api.onPendingTransactions((hashes) => {
        for (const hash of hashes) {
          pendingRing[pendingNext % pendingCapacity] = hash;
          pendingNext++;
        }
      });
      return id;
    },
    changes(id) {
      const filter = used(id);
      const run = filter.poll.then(() => {
        switch (filter.kind) {
          case "logs":
            return logChanges(filter);
          case "blocks":
            return blockChanges(filter);
          case "pendingTransactions":
            return pendingChanges(filter);
        }
      });
      filter.poll = run.catch(() => undefined);
      return run;
    },
    logFilter(id) {
      const filter = used(id);
      if (filter.kind !== "logs") throw notFound(id);
      return filter.filter;
    },
    uninstall: remove,
    sweep,
    close() {
      if (timer !== undefined) clearInterval(timer);
      for (const id of [...filters.keys()]) remove(id);
    },
    get size() {
      return filters.size;
    },
  };
}

/**
 * The canonical form of a filter id as clients send it back (a quantity), for lookups.
 *
 * @example
 * ```ts
 * filterIdKey(0xabcn); // "0xabc"
 * ```
 */
export function filterIdKey(id: bigint): string {
  return `0x${id.toString(16)}`;
}
