import type { CommitterRecovery } from "./createCommitterRecovery.ts";
import type { ProvenHeader } from "./decodeQbftHeader.ts";
import type { FailLink } from "./proofInvalid.ts";
import { qbftQuorumOf } from "./qbftQuorumOf.ts";

/**
 * Checks a header's commit seals by Besu's rule (`BftCommitSealsValidationRule`): every
 * seal recovers, against the commit-seal hash, to a member of `validators`, no member twice,
 * and at least ⌈2n/3⌉ of them. Every seal is recovered, also beyond a quorum, as Besu
 * recovers them all: a surplus seal by a stranger or a repeated committer fails the block.
 *
 * @param validators the set in force at the header's height, as lowercase hex.
 * @returns the committers, lowercase hex, in the seals' order.
 * @example
 * ```ts
 * verifyCommitSeals(header, expected, committerOf, failAt("seals", place));
 * ```
 */
export function verifyCommitSeals(
  header: ProvenHeader,
  validators: ReadonlySet<string>,
  committerOf: CommitterRecovery,
  fail: FailLink,
): string[] {
  const committers: string[] = [];
  for (const [index, seal] of header.seals.entries()) {
    const committer = committerOf(header.commitSealHash, seal);
    if (committer === undefined) return fail(`seal ${index} recovers to no key`, { seal: index });
    if (!validators.has(committer)) {
      fail(`seal ${index} is by ${committer}, not a validator`, { seal: index, committer });
    }
    if (committers.includes(committer)) {
      fail(`seal ${index} repeats committer ${committer}`, { seal: index, committer });
    }
    committers.push(committer);
  }
  const quorum = qbftQuorumOf(validators.size);
  if (committers.length < quorum) {
    fail(`${committers.length} committers, ${quorum} needed of ${validators.size}`, {
      committers: committers.length,
      quorum,
    });
  }
  return committers;
}
