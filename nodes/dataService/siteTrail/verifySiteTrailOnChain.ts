import type { AccessLedgerClient } from "../../../src/ledger/index.ts";
import type { SiteTrailAnchorRecord, SiteTrailVerification } from "./verifySiteTrail.ts";
import { verifySiteTrail } from "./verifySiteTrail.ts";

/** Options of {@link verifySiteTrailOnChain}. */
export interface VerifySiteTrailOnChainOptions {
  /** The trail file (`<dataDir>/site-trail/trail.jsonl`, or a copy of it). */
  readonly file: string;
  /** AccessLedger, any runner with a provider (nothing is sent). */
  readonly ledger: Pick<AccessLedgerClient, "siteTrailAnchors">;
  readonly hospitalId: number;
  /** First block to read anchors from (default 0). */
  readonly fromBlock?: number;
  readonly signal?: AbortSignal;
}

/**
 * A regulator's check that a hospital's off-chain site trail was not rewritten: reads every
 * `SiteTrailAnchored` event of the hospital from the chain and verifies the trail file
 * against them (see {@link verifySiteTrail}).
 *
 * @throws CustosError `DATA_SERVICE_TRAIL_CORRUPT`, `DATA_SERVICE_TRAIL_ANCHOR_MISMATCH`
 *   (naming the sequence), `LEDGER_UNAVAILABLE` / `LEDGER_ABORTED` while reading the chain.
 * @example
 * ```ts
 * const report = await verifySiteTrailOnChain({ file, ledger: createAccessLedgerClient({ address, runner: provider }), hospitalId: 1 });
 * ```
 */
export async function verifySiteTrailOnChain(
  options: VerifySiteTrailOnChainOptions,
): Promise<SiteTrailVerification & { readonly anchorsOnChain: number }> {
  const anchors: SiteTrailAnchorRecord[] = [];
  for await (const anchor of options.ledger.siteTrailAnchors({
    hospitalId: options.hospitalId,
    fromBlock: options.fromBlock ?? 0,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })) {
    anchors.push({
      seq: Number(anchor.sequence),
      head: anchor.head,
      blockNumber: anchor.blockNumber,
      transactionHash: anchor.transactionHash,
    });
  }
  const report = await verifySiteTrail(options.file, anchors);
  return { ...report, anchorsOnChain: anchors.length };
}
