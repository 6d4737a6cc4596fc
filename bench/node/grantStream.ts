/**
 * The grant transactions of the comparison: one sequence, signed on demand, that every chain
 * consumes from its own cursor. Transaction i is hospital (i mod H)'s nonce ⌊i / H⌋, so a
 * chain that has taken a multiple of H transactions has every hospital at the same nonce and
 * can take the next ones in any amount that is again a multiple of H.
 */
import type { SignedTx, TxSigner } from "./workload.ts";
import { custodianOf, grantCalldata, pseudonym } from "./workload.ts";

/** A lazily signed grant sequence. */
export interface GrantStream {
  /** Transactions [from, from + count); `from` and `count` must be multiples of H. */
  take(from: number, count: number): SignedTx[];
  /** How many have been signed so far, and the seconds spent signing them. */
  signed(): { readonly txs: number; readonly seconds: number };
}

/**
 * A stream of grants of fresh subjects from `hospitals` recorders to `registry`, each in its
 * own hospital's records. Subject i is the `i`th {@link pseudonym} of `series`: a chain that
 * already holds an earlier stream's grants (a rerun on the same chain) takes another series.
 *
 * @example
 * ```ts
 * const stream = createGrantStream(signer, registry, 16, 80_000n);
 * const round = stream.take(0, 1600);
 * ```
 */
export function createGrantStream(
  signer: TxSigner,
  registry: string,
  hospitals: number,
  gasLimit: bigint,
  series = "grant-subject",
): GrantStream {
  const txs: SignedTx[] = [];
  let seconds = 0;
  return {
    take(from, count) {
      if (from % hospitals !== 0 || count % hospitals !== 0) {
        throw new Error(`grant stream: ${from}+${count} is not a multiple of ${hospitals}`);
      }
      const t0 = performance.now();
      for (let i = txs.length; i < from + count; i++) {
        const sender = i % hospitals;
        const data = grantCalldata(
          custodianOf(sender),
          pseudonym(series, i),
          pseudonym("grant-document", i),
        );
        txs.push(signer.sign(sender, registry, data, gasLimit));
      }
      seconds += (performance.now() - t0) / 1000;
      return txs.slice(from, from + count);
    },
    signed: () => ({ txs: txs.length, seconds }),
  };
}
