import type { QbftDropReason } from "./QbftDropReason.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftHead } from "./QbftEvent.ts";
import type { HeightState, QbftCore, RoundMessages } from "./QbftState.ts";
import type { QbftValidatorSet } from "./QbftValidatorSet.ts";
import { bytesKey } from "./qbftBytes.ts";

/**
 * A fresh height on top of `head`, at round 0, nothing held.
 *
 * @example
 * ```ts
 * core.height = createHeightState(core, head, createQbftValidatorSet(validators));
 * ```
 */
export function createHeightState(
  core: Pick<QbftCore, "config" | "votingFrom">,
  head: QbftHead,
  validators: QbftValidatorSet,
): HeightState {
  const height = head.height + 1n;
  const signer = core.config.signer;
  return {
    height,
    parentHash: head.hash.slice(),
    previousProposer: head.proposer.slice(),
    validators,
    crypto: core.config.crypto,
    round: 0,
    committed: false,
    voting:
      signer !== undefined &&
      validators.keys.has(bytesKey(signer.address)) &&
      height >= core.votingFrom,
    rounds: new Map(),
    roundChanges: new Map(),
    firstSeen: new Map(),
    evidenced: new Set(),
    certificate: undefined,
    own: {
      round: 0,
      proposal: undefined,
      prepare: undefined,
      commit: undefined,
      roundChange: undefined,
    },
    pendingBuild: undefined,
    resentTo: new Set(),
    aligned: false,
  };
}

/**
 * The messages held for `round`, created empty on first use.
 *
 * @example
 * ```ts
 * roundMessages(core.height, round).prepares.set(authorKey, signed);
 * ```
 */
export function roundMessages(height: HeightState, round: number): RoundMessages {
  let messages = height.rounds.get(round);
  if (messages === undefined) {
    messages = { proposal: undefined, prepares: new Map(), commits: new Map() };
    height.rounds.set(round, messages);
  }
  return messages;
}

/**
 * Appends a `dropped` effect for `received` (or for bytes known only by hash).
 *
 * @example
 * ```ts
 * drop(out, "pastRound", received);
 * ```
 */
export function drop(
  out: QbftEffect[],
  reason: QbftDropReason,
  received?: { readonly author: Uint8Array | undefined; readonly hash: Uint8Array | undefined },
): void {
  out.push({ type: "dropped", reason, author: received?.author, hash: received?.hash });
}

/**
 * This node's address key; only called where the node votes (so it has a signer).
 *
 * @example
 * ```ts
 * roundMessages(height, round).prepares.set(ownKey(core), prepare.signed);
 * ```
 */
export function ownKey(core: QbftCore): string {
  return bytesKey((core.config.signer as { address: Uint8Array }).address);
}
