import {
  createQbftState,
  type QbftConfig,
  type QbftEvent,
  type QbftStart,
  type QbftState,
  type QbftStepResult,
  qbftStep,
} from "../core/index.ts";

/**
 * The consensus core the simulated validators run: the real one by default; a test may pass
 * a deliberately broken one to see the checkers catch it.
 */
export interface SimCore {
  create(config: QbftConfig, start: QbftStart): QbftStepResult;
  step(state: QbftState, event: QbftEvent): QbftStepResult;
}

/**
 * The real QBFT core (`createQbftState`, `qbftStep`).
 *
 * @example
 * ```ts
 * runQbftSimulation({ validators: 4, seed: 1, heights: 6, core: qbftSimCore });
 * ```
 */
export const qbftSimCore: SimCore = Object.freeze({ create: createQbftState, step: qbftStep });
