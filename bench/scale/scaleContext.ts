/** What every phase of bench:scale works with. */
import type { ScaleProgress } from "./scaleProgress.ts";
import type { ScaleSettings } from "./scaleSettings.ts";

/** The run's settings, its progress and the ways to record and print it. */
export interface ScaleContext {
  readonly settings: ScaleSettings;
  /** Mutated by the phases; {@link ScaleContext.save} writes it. */
  readonly progress: ScaleProgress;
  /** Number of this invocation on the work directory (1 for the first). */
  readonly run: number;
  /** Writes the progress file, synchronously. */
  save(): void;
  /** Writes bench/results/scale.json from the progress (partial until every phase is done). */
  report(): void;
  say(line: string): void;
  /** Registers a hook run (synchronously) on SIGINT/SIGTERM before the exit; returns its removal. */
  onInterrupt(hook: () => void): () => void;
}
