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
 * known, one page per request, sized to the density of the last one.
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
  let span = FIRST_REQUEST_BLOCKS;
  for (let from = fromBlock; from <= head; ) {
    const toBlock = Math.min(head, from + span - 1);
    let found = 0;
    for await (const event of registry.consentEvents({
      fromBlock: from,
      toBlock,
      pageSize: toBlock - from + 1,
      ...aborting,
    })) {
      found++;
      yield event;
    }
    const fitting = found === 0 ? Number.POSITIVE_INFINITY : EVENTS_PER_REQUEST / found;
    const perDensity = Math.floor((toBlock - from + 1) * fitting);
    span = Math.max(1, Math.min(MAX_REQUEST_BLOCKS, 2 * span, perDensity));
    from = toBlock + 1;
  }
}
