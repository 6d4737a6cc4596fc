import { CustosError } from "../../../src/errors/index.ts";
import { qbftProposerOf } from "./QbftHeightContext.ts";
import type { QbftState } from "./QbftState.ts";

/** A read-only view of a core for metrics and `custos network status`. */
export interface QbftStatus {
  readonly height: bigint;
  readonly round: number;
  /** Proposer of the current round. */
  readonly proposer: Uint8Array;
  readonly validatorCount: number;
  readonly quorum: number;
  /** This node signs at this height. */
  readonly voting: boolean;
  /** A commit was emitted and the height waits for its block's import. */
  readonly committed: boolean;
  /** The node holds a prepared certificate at this height. */
  readonly prepared: boolean;
  readonly preparedRound: number | undefined;
  /** Proposals, prepares, commits and round changes held for this height. */
  readonly messagesHeld: number;
  /** Messages buffered for future heights. */
  readonly futureMessages: number;
  /** Message hashes remembered for duplicate detection. */
  readonly seenHashes: number;
}

/**
 * The state's current height, round, proposer and what it holds.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` for a consumed state.
 * @example
 * ```ts
 * const { height, round } = qbftStatus(state);
 * metrics.round.set(round);
 * ```
 */
export function qbftStatus(state: QbftState): QbftStatus {
  const core = state.core;
  if (core === undefined) {
    throw new CustosError("CONSENSUS_INPUT_INVALID", "this state was consumed by a step", {
      details: { field: "state" },
    });
  }
  const height = core.height;
  let held = height.roundChanges.size;
  for (const messages of height.rounds.values()) {
    held += messages.prepares.size + messages.commits.size + (messages.proposal ? 1 : 0);
  }
  return {
    height: height.height,
    round: height.round,
    proposer: qbftProposerOf(height, height.round),
    validatorCount: height.validators.addresses.length,
    quorum: height.validators.quorum,
    voting: height.voting,
    committed: height.committed,
    prepared: height.certificate !== undefined,
    preparedRound: height.certificate?.round,
    messagesHeld: held,
    futureMessages: core.future.count,
    seenHashes: core.seen.size,
  };
}
