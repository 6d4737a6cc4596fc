import type { ConsentRegistryClient, ConsentRegistryEvent } from "../ledger/index.ts";

/** Events one `eth_getLogs` request aims at: half a Custos node's cap on logs per request. */
const EVENTS_PER_REQUEST = 5_000;

/**
 * The most blocks one request spans. The client halves a page the node refuses, then goes on
 * with full pages: a page far too big for dense blocks (after a stretch of empty ones) costs
 * a failed request per halving per piece, so pages stay small (at most ~190 failed requests
 * at a jump from empty blocks to full ones), and grow at most twofold a request.
 */
const MAX_REQUEST_BLOCKS = 256;

/** First range of blocks read, before the density of events is known. */
const FIRST_REQUEST_BLOCKS = 4;

/** What {@link readCustodianEvents} reads. */
export interface CustodianEventsQuery {
  /** The registry client scoped to the custodian hospital. */
  readonly registry: Pick<ConsentRegistryClient, "consentEvents">;
  /** First block read (default 0). */
  readonly fromBlock?: number;
  /**
   * The chain's head block number. With it the events are read in block ranges sized to the
   * events seen so far (about {@link EVENTS_PER_REQUEST} a request); without it, in the
   * ledger client's fixed pages, which on blocks full of grants exceed a node's cap on logs
   * per request (10,000 on a Custos node) and are halved again for every page.
   */
  readonly headBlock?: () => Promise<number>;
  readonly signal?: AbortSignal;
}

/**
 * The custodian's consent events from `fromBlock` to the head, in chain order: with the head
 * known, one page per request, sized to the density of the last one, and the next page
 * requested as soon as one arrives, so the node reads it while the caller takes in this one
 * (a verification left its reader idle 40 % of the time waiting for pages).
 *
 * @throws CustosError the ledger client's codes (`LEDGER_UNAVAILABLE`, `LEDGER_ABORTED`, …).
 * @example
 * ```ts
 * for await (const event of readCustodianEvents({ registry, fromBlock: 1200, headBlock })) use(event);
 * ```
 */
export async function* readCustodianEvents(
  query: CustodianEventsQuery,
): AsyncGenerator<ConsentRegistryEvent> {
  const { registry, headBlock, signal } = query;
  const fromBlock = query.fromBlock ?? 0;
  const aborting = signal === undefined ? {} : { signal };
  if (headBlock === undefined) {
    yield* registry.consentEvents({ fromBlock, ...aborting });
    return;
  }
  const head = await headBlock();
  const request = (from: number, span: number): Page => {
    const toBlock = Math.min(head, from + span - 1);
    const events = (async () => {
      const page: ConsentRegistryEvent[] = [];
      for await (const event of registry.consentEvents({
        fromBlock: from,
        toBlock,
        pageSize: toBlock - from + 1,
        ...aborting,
      })) {
        page.push(event);
      }
      return page;
    })();
    // Awaited when its turn comes; until then (or if the caller stops before) a failure must
    // not surface as an unhandled rejection.
    events.catch(() => undefined);
    return { from, toBlock, span, events };
  };
  let next = fromBlock <= head ? request(fromBlock, FIRST_REQUEST_BLOCKS) : undefined;
  while (next !== undefined) {
    const page = next;
    const events = await page.events;
    const fitting =
      events.length === 0 ? Number.POSITIVE_INFINITY : EVENTS_PER_REQUEST / events.length;
    const perDensity = Math.floor((page.toBlock - page.from + 1) * fitting);
    const span = Math.max(1, Math.min(MAX_REQUEST_BLOCKS, 2 * page.span, perDensity));
    next = page.toBlock < head ? request(page.toBlock + 1, span) : undefined;
    yield* events;
  }
}

/** A page of blocks requested, its events on the way. */
interface Page {
  readonly from: number;
  readonly toBlock: number;
  readonly span: number;
  readonly events: Promise<ConsentRegistryEvent[]>;
}
