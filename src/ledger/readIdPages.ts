import { CustosError } from "../errors/index.ts";
import { raceAbort, throwIfAborted } from "./raceAbort.ts";

/** Options of list readers over sequential ids (queries, organisations, proposals). */
export interface IdPageOptions {
  /** First id (default 1). */
  readonly fromId?: bigint | number;
  /** Items read per round of parallel calls (default 50). */
  readonly pageSize?: number;
  /** Stops between and during pages with `LEDGER_ABORTED`. */
  readonly signal?: AbortSignal;
}

/** Default items per page of id-based list readers. */
export const DEFAULT_ID_PAGE_SIZE = 50;

/**
 * Reads items `fromId..count()` in id order, a page of parallel reads at a time. The count is
 * read once at the start, so items added meanwhile are left for the next call.
 *
 * @throws CustosError `INVALID_ARGUMENT` (fromId below 1, bad page size), `LEDGER_ABORTED`,
 * and whatever `count` or `read` throw.
 * @example
 * ```ts
 * for await (const org of readIdPages(() => organisationCount(), organisation, { pageSize: 20 })) use(org);
 * ```
 */
export async function* readIdPages<T>(
  count: () => Promise<bigint>,
  read: (id: bigint) => Promise<T>,
  options: IdPageOptions = {},
): AsyncGenerator<T, void, undefined> {
  const { signal } = options;
  const pageSize = options.pageSize ?? DEFAULT_ID_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new CustosError("INVALID_ARGUMENT", "pageSize: must be a positive integer", {
      details: { field: "pageSize" },
    });
  }
  const first = BigInt(options.fromId ?? 1);
  if (first < 1n) {
    throw new CustosError("INVALID_ARGUMENT", "fromId: ids start at 1", {
      details: { field: "fromId" },
    });
  }
  throwIfAborted(signal, { sent: false });
  const last = await raceAbort(count(), signal, { sent: false });
  const step = BigInt(pageSize);
  for (let start = first; start <= last; start += step) {
    throwIfAborted(signal, { sent: false });
    const ids: bigint[] = [];
    for (let id = start; id < start + step && id <= last; id++) ids.push(id);
    yield* await raceAbort(Promise.all(ids.map(read)), signal, { sent: false });
  }
}
