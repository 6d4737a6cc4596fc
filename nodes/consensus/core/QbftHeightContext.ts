import type { QbftCrypto } from "./QbftCrypto.ts";
import type { QbftValidatorSet } from "./QbftValidatorSet.ts";
import { selectQbftProposer } from "./selectQbftProposer.ts";

/** What the message rules know about the height being decided. */
export interface QbftHeightContext {
  readonly height: bigint;
  /** On-chain hash of the parent block (the chain head). */
  readonly parentHash: Uint8Array;
  /** Proposer (coinbase) of the parent block. */
  readonly previousProposer: Uint8Array;
  readonly validators: QbftValidatorSet;
  readonly crypto: QbftCrypto;
}

/**
 * The proposer of `round` at the context's height ({@link selectQbftProposer}).
 *
 * @example
 * ```ts
 * equalBytes(qbftProposerOf(context, 1), author);
 * ```
 */
export function qbftProposerOf(context: QbftHeightContext, round: number): Uint8Array {
  return selectQbftProposer(context.validators.addresses, context.previousProposer, round);
}
