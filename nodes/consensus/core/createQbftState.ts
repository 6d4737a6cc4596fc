import { createResumePoint } from "./createResumePoint.ts";
import { FutureMessages } from "./FutureMessages.ts";
import type { QbftConfig } from "./QbftConfig.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftHead } from "./QbftEvent.ts";
import type { QbftSigningRecord } from "./QbftSigningRecord.ts";
import type { QbftCore } from "./QbftState.ts";
import type { QbftStepResult } from "./QbftStepResult.ts";
import { createQbftValidatorSet } from "./QbftValidatorSet.ts";
import { createHeightState } from "./qbftHeightState.ts";
import { SeenHashes } from "./SeenHashes.ts";
import { startQbftHeight } from "./startQbftHeight.ts";
import { validateQbftHead } from "./validateQbftHead.ts";

/** Where a core starts: the chain head, the next height's validators, the last record. */
export interface QbftStart {
  readonly head: QbftHead;
  /** The validator set of height `head.height + 1`, ascending. */
  readonly validators: readonly Uint8Array[];
  /** The last `persist`ed signing record, when the node restarts. */
  readonly record?: QbftSigningRecord | undefined;
}

/**
 * A core deciding the height above `start.head`, and its first effects (the round timer,
 * and a block request when it proposes round 0). With the last persisted record it resumes
 * what it was doing: at the record's height, at its round, re-sending what it had signed
 * there and never signing anything conflicting; when the record is ahead of the chain (the
 * node's storage lost blocks) it signs nothing until the chain reaches the record's height,
 * and says `behind` so the driver syncs first. A record below the chain is obsolete.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` for a malformed head or validator set;
 *   `CONSENSUS_RECORD_CORRUPT` for a record that does not hold together.
 * @example
 * ```ts
 * let { state, effects } = createQbftState(config, { head, validators, record });
 * await driver.execute(effects);
 * ```
 */
export function createQbftState(config: QbftConfig, start: QbftStart): QbftStepResult {
  validateQbftHead(start.head);
  const validators = createQbftValidatorSet(start.validators);
  const next = start.head.height + 1n;
  const record = start.record;
  const point =
    record === undefined || record.height < next ? undefined : createResumePoint(config, record);
  const out: QbftEffect[] = [];
  const partial = { config, votingFrom: 0n };
  const core: QbftCore = {
    ...partial,
    seen: new SeenHashes(config.bounds.seenHashes),
    future: new FutureMessages({
      heights: config.bounds.futureHeights,
      perHeight: config.bounds.messagesPerFutureHeight,
      bytes: config.bounds.futureBytes,
    }),
    height: createHeightState(partial, start.head, validators),
    pendingRecord: point,
    behindAnnounced: 0n,
    absentProposers: new Set(),
  };
  if (point !== undefined && point.record.height > next) {
    core.votingFrom = point.record.height;
    core.behindAnnounced = point.record.height;
    out.push({ type: "behind", height: point.record.height });
  }
  startQbftHeight(core, out, start.head, validators);
  return { state: { core }, effects: out };
}
