import type { QbftHeightContext } from "./QbftHeightContext.ts";
import type { QbftPreparePayload, QbftSigned } from "./QbftMessage.ts";
import { bytesKey, equalBytes } from "./qbftBytes.ts";
import { recoverQbftAuthor } from "./recoverQbftAuthor.ts";

/**
 * Whether `prepares` certify that `digest` was prepared at (height, round): a quorum and at
 * most n of them, each for exactly that height, round and digest, from distinct validators
 * (Besu's `validatePrepares` in ProposalValidator and RoundChangeMessageValidator). The
 * payload checks run before any signature is recovered.
 *
 * @example
 * ```ts
 * checkQbftPrepares(message.prepares, context, prepared.round, prepared.digest);
 * ```
 */
export function checkQbftPrepares(
  prepares: readonly QbftSigned<QbftPreparePayload>[],
  context: QbftHeightContext,
  round: number,
  digest: Uint8Array,
): boolean {
  const { validators } = context;
  if (prepares.length < validators.quorum || prepares.length > validators.addresses.length) {
    return false;
  }
  const fits = prepares.every(
    ({ payload }) =>
      payload.height === context.height &&
      payload.round === round &&
      equalBytes(payload.digest, digest),
  );
  if (!fits) return false;
  const authors = new Set<string>();
  for (const prepare of prepares) {
    const author = recoverQbftAuthor(prepare, context.crypto);
    if (author === undefined) return false;
    const key = bytesKey(author);
    if (!validators.keys.has(key) || authors.has(key)) return false;
    authors.add(key);
  }
  return true;
}
