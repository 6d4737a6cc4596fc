import type { QbftEffect } from "./QbftEffect.ts";
import type { QbftState } from "./QbftState.ts";

/** A step's outcome: the state to use next, and the effects for the driver, in order. */
export interface QbftStepResult {
  readonly state: QbftState;
  readonly effects: readonly QbftEffect[];
}
