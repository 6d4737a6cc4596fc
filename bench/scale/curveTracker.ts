/**
 * The load curve: consents/s over a window of `window` consents starting at each curve point.
 * The load never pauses for a window — the measurement is a stretch of the steady stream,
 * from the first commit at or above the point to the first commit `window` consents later,
 * so both ends are block commits and no ramp-up or drain is inside it. A node learns its
 * block gas budget from its own speed, from a 30 M gas start, after every (re)start: no window
 * opens in a run's first {@link WARMUP_COMMITS} commits, so every point, 0 included, is
 * measured at the node's steady pace.
 */
import { round } from "../node/stats.ts";
import type { CommitObservation } from "./consentStream.ts";
import type { CurvePoint, LoadProgress } from "./scaleProgress.ts";

/** Opens and closes the windows as commits are observed. */
export interface CurveTracker {
  /** Feeds a commit; returns the point and its figures when this commit closed a window. */
  observe(observation: CommitObservation): { point: number; figures: CurvePoint } | undefined;
  /** The stored count the open window needs (0 when none is open). */
  needs(): number;
}

interface OpenWindow {
  readonly point: number;
  readonly stored: number;
  readonly at: number;
  readonly cpu: number;
  readonly head: number;
  readonly reopened: boolean;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** Commits of a run before a window may open (the budget estimate weighs each block 0.3). */
export const WARMUP_COMMITS = 10;

/**
 * A tracker for `load`'s points not yet measured, writing figures into `load.curve` and the
 * open point into `load.openWindow` (so a window an interrupted run left open is flagged when
 * measured again).
 *
 * @example
 * ```ts
 * const curve = createCurveTracker(progress.load, 3);
 * const until = () => Math.max(progress.load.target, curve.needs());
 * ```
 */
export function createCurveTracker(load: LoadProgress, run: number): CurveTracker {
  let open: OpenWindow | undefined;
  let commits = 0;
  const tryOpen = (o: CommitObservation) => {
    if (commits <= WARMUP_COMMITS) return;
    const point = load.points.find((p) => load.curve[String(p)] === undefined && p <= o.stored);
    if (point === undefined) return;
    open = {
      point,
      stored: o.stored,
      at: o.at,
      cpu: sum(o.cpu),
      head: o.head,
      reopened: load.openWindow === point,
    };
    load.openWindow = point;
  };
  return {
    observe(o) {
      commits++;
      if (open === undefined) {
        tryOpen(o);
        return undefined;
      }
      if (o.stored < open.stored + load.window) return undefined;
      const seconds = (o.at - open.at) / 1000;
      const consents = o.stored - open.stored;
      const cpuSeconds = sum(o.cpu) - open.cpu;
      const figures: CurvePoint = {
        startStored: open.stored,
        endStored: o.stored,
        seconds: round(seconds, 3),
        consentsPerSec: round(consents / seconds),
        cpuSeconds: round(cpuSeconds, 2),
        consentsPerCpuSec: round(consents / cpuSeconds),
        blocks: o.head - open.head,
        run,
        reopened: open.reopened,
      };
      const point = open.point;
      load.curve[String(point)] = figures;
      load.openWindow = null;
      open = undefined;
      // The commit that closes a window may already be at or past the next point.
      tryOpen(o);
      return { point, figures };
    },
    needs: () => (open === undefined ? 0 : open.stored + load.window),
  };
}
