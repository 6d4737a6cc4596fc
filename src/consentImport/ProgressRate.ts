import { CustosError } from "../errors/index.ts";

/** One observation: `done` units finished by time `at`. */
interface Sample {
  readonly at: number;
  readonly done: number;
}

/** A rate and the time left at it. */
export interface ProgressEstimate {
  /** Units per second over the recent window; undefined until two samples span some time. */
  readonly perSecond: number | undefined;
  /** Seconds until `total` at that rate; undefined while the rate is unknown or zero. */
  readonly etaSeconds: number | undefined;
}

/**
 * The rate of a long job over a recent window (not since its start, so a slow start or a
 * stall long ago does not skew it) and the ETA it gives. Pure: the caller passes the times
 * (milliseconds, non-decreasing), so a test drives it with a manual clock.
 *
 * The window holds the samples of its last `windowMs` plus the one just before, so the rate
 * always spans at least the window once the job has run that long. Asked at a time after the
 * last sample, the rate counts the time since then too: a stalled job's rate decays and its
 * ETA grows instead of freezing.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a window that is not a positive number.
 * @example
 * ```ts
 * const rate = new ProgressRate(30_000);
 * rate.record(clock(), landed);
 * const { perSecond, etaSeconds } = rate.estimate(clock(), total);
 * ```
 */
export class ProgressRate {
  readonly #windowMs: number;
  readonly #samples: Sample[] = [];

  constructor(windowMs: number) {
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new CustosError("INVALID_ARGUMENT", "windowMs: must be a positive number", {
        details: { field: "windowMs" },
      });
    }
    this.#windowMs = windowMs;
  }

  /** Records that `done` units are finished at time `at`. */
  record(at: number, done: number): void {
    const samples = this.#samples;
    const last = samples[samples.length - 1];
    if (last !== undefined && at === last.at) samples.pop();
    samples.push({ at, done });
    // Keep one sample at or before the window's start.
    while (samples.length > 2 && (samples[1] as Sample).at <= at - this.#windowMs) {
      samples.shift();
    }
  }

  /** The rate at time `now` over the recent window, and the ETA of `total` units at it. */
  estimate(now: number, total: number): ProgressEstimate {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (first === undefined || last === undefined) {
      return { perSecond: undefined, etaSeconds: undefined };
    }
    const span = Math.max(now, last.at) - first.at;
    if (span <= 0) return { perSecond: undefined, etaSeconds: undefined };
    const perSecond = ((last.done - first.done) * 1000) / span;
    const left = Math.max(0, total - last.done);
    return {
      perSecond,
      etaSeconds: perSecond > 0 ? left / perSecond : left === 0 ? 0 : undefined,
    };
  }
}
