import { CustosError } from "../../../src/errors/index.ts";
import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftEvent } from "./QbftEvent.ts";
import type { QbftCore, QbftState } from "./QbftState.ts";
import type { QbftStepResult } from "./QbftStepResult.ts";
import { createQbftValidatorSet } from "./QbftValidatorSet.ts";
import { onMessage } from "./qbftIntake.ts";
import { onBlockBuilt, onRoundTimeout } from "./qbftRounds.ts";
import { onBlockValidated } from "./qbftVotes.ts";
import { startQbftHeight } from "./startQbftHeight.ts";
import { validateQbftHead } from "./validateQbftHead.ts";

function apply(core: QbftCore, out: QbftEffect[], event: QbftEvent): void {
  switch (event.type) {
    case "message":
      onMessage(core, out, event.bytes);
      return;
    case "newChainHead": {
      validateQbftHead(event.head);
      const validators = createQbftValidatorSet(event.validators);
      if (event.head.height < core.height.height) return;
      startQbftHeight(core, out, event.head, validators);
      return;
    }
    case "roundTimeout":
      onRoundTimeout(core, out, event);
      return;
    case "blockBuilt":
      onBlockBuilt(core, out, event);
      return;
    case "blockValidated":
      onBlockValidated(core, out, event);
      return;
  }
}

/**
 * The QBFT state machine: one event in, the next state and the effects out. Pure in the
 * sense that matters for simulation — no clock, timer, randomness or I/O; the same state and
 * event give the same effects, in the same order — but it consumes `state`: its insides are
 * reused for the returned state (so a step costs what the event costs, not what the state
 * holds), and the consumed state cannot be stepped again. A step that throws (a driver bug:
 * an invalid head or validator set, a block built for something never asked) throws before
 * changing anything and leaves `state` usable. Bytes from the network never throw.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` for a consumed state or invalid driver input.
 * @example
 * ```ts
 * ({ state, effects } = qbftStep(state, { type: "message", bytes }));
 * for (const effect of effects) await driver.execute(effect);
 * ```
 */
export function qbftStep(state: QbftState, event: QbftEvent): QbftStepResult {
  const core = state.core;
  if (core === undefined) {
    throw new CustosError("CONSENSUS_INPUT_INVALID", "this state was consumed by an earlier step", {
      details: { field: "state" },
    });
  }
  state.core = undefined;
  const out: QbftEffect[] = [];
  try {
    apply(core, out, event);
  } catch (error) {
    state.core = core;
    throw error;
  }
  return { state: { core }, effects: out };
}
