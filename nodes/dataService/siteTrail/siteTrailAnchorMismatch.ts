import { CustosError } from "../../../src/errors/index.ts";

/** Where an anchor was recorded on chain, when known. */
export interface SiteTrailAnchorLocation {
  readonly blockNumber: number;
  readonly transactionHash: string;
}

/**
 * The error of a trail that does not hold, at an anchored sequence, the hash the chain holds:
 * the entry was rewritten (`local` differs) or lost (`local` null).
 *
 * @example
 * ```ts
 * throw siteTrailAnchorMismatch(12, anchor.head, localHash, { blockNumber, transactionHash });
 * ```
 */
export function siteTrailAnchorMismatch(
  seq: number,
  onChain: string,
  local: string | null,
  at: SiteTrailAnchorLocation | null,
): CustosError {
  const what =
    local === null
      ? "the trail has no such entry (lost or cut)"
      : "the trail's entry has another hash (rewritten)";
  return new CustosError(
    "DATA_SERVICE_TRAIL_ANCHOR_MISMATCH",
    `the site trail does not match its on-chain anchor at entry ${seq}: ${what}`,
    {
      details: {
        seq,
        onChain,
        local,
        blockNumber: at?.blockNumber ?? null,
        transactionHash: at?.transactionHash ?? null,
      },
    },
  );
}
