import { isCustosError } from "../../../src/errors/index.ts";
import type { AccessLedgerClient } from "../../../src/ledger/index.ts";
import type { Logger } from "../../log/index.ts";
import type { SiteTrail } from "./createSiteTrail.ts";
import type { SiteTrailHead } from "./SiteTrailEntry.ts";

/** Anchors a site trail's head on chain (`AccessLedger.anchorSiteTrail`). */
export interface SiteTrailAnchorer {
  /**
   * Anchors the head when `intervalSeconds` passed since the last try and the head moved
   * since the last anchor. Never throws: a failure is logged and tried at the next interval.
   */
  tick(): Promise<void>;
  /**
   * Anchors the head now if it moved; resolves to the anchored head, or null when nothing
   * moved.
   *
   * @throws CustosError from the ledger (`LEDGER_UNAVAILABLE`, `LEDGER_ABORTED`, …).
   */
  anchorNow(signal?: AbortSignal): Promise<SiteTrailHead | null>;
  /** The latest head the chain holds, as far as this anchorer knows. */
  anchored(): SiteTrailHead;
  /** A last anchor if the head moved, bounded by `stopTimeoutMs`; never throws. */
  stop(): Promise<void>;
}

/** Options of {@link createSiteTrailAnchorer}. */
export interface SiteTrailAnchorerOptions {
  readonly trail: SiteTrail;
  /** AccessLedger bound to the hospital recorder's signer. */
  readonly ledger: Pick<AccessLedgerClient, "anchorSiteTrail" | "siteTrailHead">;
  readonly hospitalId: number;
  /** Seconds between anchors (`siteTrail.anchorIntervalSeconds`). */
  readonly intervalSeconds: number;
  /** The hospital's latest anchor on chain when the service started. */
  readonly anchored: SiteTrailHead;
  /** Unix seconds. */
  readonly now: () => number;
  readonly log: Logger;
  /** How long the anchor at stop may take (default 5 s: the CLI exits 10 s after a signal). */
  readonly stopTimeoutMs?: number;
}

/**
 * Keeps a hospital's site-trail head anchored on chain: every `intervalSeconds` (when the job
 * loop calls `tick`) and once more at stop, each time only if the head moved. The job loop
 * drives it between its passes, so the recorder account never sends two transactions at
 * once (their nonces would collide).
 *
 * @example
 * ```ts
 * const anchorer = createSiteTrailAnchorer({ trail, ledger, hospitalId: 1, intervalSeconds: 300, anchored, now, log });
 * await anchorer.tick();
 * ```
 */
export function createSiteTrailAnchorer(options: SiteTrailAnchorerOptions): SiteTrailAnchorer {
  const { trail, ledger, hospitalId, log } = options;
  let anchored = options.anchored;
  let lastTry = options.now();
  let chain: Promise<unknown> = Promise.resolve();

  const send = async (signal?: AbortSignal): Promise<SiteTrailHead | null> => {
    const head = trail.head();
    if (head.seq <= anchored.seq) return null;
    try {
      await ledger.anchorSiteTrail(
        hospitalId,
        head.seq,
        head.hash,
        signal === undefined ? {} : { signal },
      );
    } catch (error) {
      if (isCustosError(error, "LEDGER_CONFLICT")) {
        // The chain already holds a later anchor (an earlier send landed after all): learn it.
        const onChain = await ledger.siteTrailHead(hospitalId);
        anchored = { seq: Number(onChain.sequence), hash: onChain.head };
      }
      throw error;
    }
    anchored = head;
    log.info({ seq: head.seq, hospitalId }, "site trail anchored");
    return head;
  };
  // One anchor at a time: a tick and the stop's anchor never send concurrently.
  const anchorNow = (signal?: AbortSignal) => {
    const run = chain.then(() => send(signal));
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    tick: async () => {
      if (options.now() - lastTry < options.intervalSeconds) return;
      lastTry = options.now();
      try {
        await anchorNow();
      } catch (error) {
        log.warn({ err: error, seq: trail.head().seq }, "site trail anchor failed; retried later");
      }
    },
    anchorNow,
    anchored: () => anchored,
    stop: async () => {
      try {
        await anchorNow(AbortSignal.timeout(options.stopTimeoutMs ?? 5_000));
      } catch (error) {
        log.warn({ err: error, seq: trail.head().seq }, "site trail not anchored at stop");
      }
    },
  };
}
