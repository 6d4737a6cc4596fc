import { CustosError } from "../../src/errors/index.ts";
import type { WellFormedTx } from "./assertTxWellFormed.ts";
import type { PoolEntry } from "./PoolEntry.ts";

/**
 * Checks that a transaction may replace the pooled one at its sender and nonce: both its fee
 * cap and its tip must be higher, by at least `bumpPercent` percent.
 *
 * @throws CustosError `TXPOOL_REPLACEMENT_UNDERPRICED` naming the pooled fees and the bump.
 * @example
 * ```ts
 * const existing = queue.get(tx.nonce);
 * if (existing !== undefined) assertReplaces(existing, checked, 10);
 * ```
 */
export function assertReplaces(
  existing: PoolEntry,
  incoming: WellFormedTx,
  bumpPercent: number,
): void {
  const bump = BigInt(100 + bumpPercent);
  const old = existing.fees;
  const next = incoming.fees;
  const enough =
    next.feeCap > old.feeCap &&
    next.tipCap > old.tipCap &&
    next.feeCap * 100n >= old.feeCap * bump &&
    next.tipCap * 100n >= old.tipCap * bump;
  if (!enough) {
    throw new CustosError(
      "TXPOOL_REPLACEMENT_UNDERPRICED",
      `replacement transaction underpriced: needs fee cap and tip at least ${bumpPercent}% above ${old.feeCap} and ${old.tipCap}`,
      {
        details: {
          hash: existing.hashHex,
          feeCap: String(old.feeCap),
          tipCap: String(old.tipCap),
          bumpPercent,
        },
      },
    );
  }
}
