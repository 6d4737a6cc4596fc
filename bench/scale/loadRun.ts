/**
 * One run of a consent load (solo node or network) inside one invocation of the benchmark:
 * continues the persisted load on the chain, accounts its loading time and CPU into the
 * phase's totals at every commit, prints a segment line every `segmentSeconds`, and records
 * how the run ended — also when it is interrupted, from the signal handler.
 */
import { loadavg } from "node:os";
import { round } from "../node/stats.ts";
import {
  type CommitObservation,
  reconcileStreamState,
  runConsentStream,
  type StreamTarget,
} from "./consentStream.ts";
import type { RunRecord, SegmentRecord, StreamProgress } from "./scaleProgress.ts";

/** What a load run needs from the benchmark around it. */
export interface LoadRunContext {
  /** Printed before each line: `load`, `network`. */
  readonly label: string;
  readonly progress: StreamProgress;
  readonly target: StreamTarget;
  /** Number of this invocation of the benchmark. */
  readonly run: number;
  /** Seconds the node (or network) took to start serving. */
  readonly startSeconds: number;
  readonly segmentSeconds: number;
  readonly stallSeconds: number;
  readonly pollMs: number;
  /** The stored count to reach; may grow while the load runs. */
  readonly until: () => number;
  /** Called at every commit after the totals are updated (curve windows, target crossing). */
  readonly onCommit?: (observation: CommitObservation) => void;
  /** Writes the progress file (synchronously). */
  readonly save: () => void;
  /** Writes the results file. */
  readonly report: () => void;
  readonly say: (line: string) => void;
  /** Registers a hook for SIGINT/SIGTERM; returns its removal. */
  readonly onInterrupt: (hook: () => void) => () => void;
}

const loadNow = () => loadavg().map((l) => round(l, 2));
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Runs the load until `until()` consents are stored, then returns the run's record (also
 * pushed to `progress.runs`).
 *
 * @throws Error from the load (the run is recorded as `crashed` first).
 * @example
 * ```ts
 * const record = await runLoadRun({ label: "load", progress, target, run: 2, ... });
 * ```
 */
export async function runLoadRun(context: LoadRunContext): Promise<RunRecord> {
  const { progress, target, say, label } = context;
  const state = progress.state;
  const reconciled = await reconcileStreamState(
    target.rpc,
    target.registry,
    target.recorders,
    state,
  );
  // Committed before the last run stopped, after its last write: that run stored them.
  const previous = progress.runs.at(-1);
  if (previous !== undefined) previous.storedAtEnd = state.stored;
  if (reconciled.committed + reconciled.dropped > 0) {
    say(
      `${label}: resumed at ${state.stored.toLocaleString("en")} consents stored; of the ` +
        `transactions in flight when the last run stopped, ${reconciled.committed} were ` +
        `committed and ${reconciled.dropped} given up (their subjects are not reused)`,
    );
  }
  const record: RunRecord = {
    run: context.run,
    startedAt: new Date().toISOString(),
    endedAt: null,
    ended: "running",
    storedAtStart: state.stored,
    storedAtEnd: state.stored,
    loadSeconds: 0,
    startSeconds: round(context.startSeconds, 1),
    cpuSeconds: [],
    loadavgAtStart: loadNow(),
    loadavgAtEnd: [],
  };
  progress.runs.push(record);
  const baseSeconds = progress.loadSeconds;
  const cpuAtStart = target.cpu();
  const baseCpu = cpuAtStart.map((_, i) => progress.cpuSeconds[i] ?? 0);
  const end = (ended: RunRecord["ended"]) => {
    record.ended = ended;
    record.endedAt = new Date().toISOString();
    record.loadavgAtEnd = loadNow();
    context.save();
  };
  const removeHook = context.onInterrupt(() => end("interrupted"));
  context.save();

  const started = performance.now();
  let segment = { at: started, stored: state.stored, cpu: sum(cpuAtStart), minPending: Infinity };
  const closeSegment = (o: CommitObservation) => {
    const seconds = (o.at - segment.at) / 1000;
    const consents = o.stored - segment.stored;
    if (consents <= 0 || seconds <= 0) return;
    const cpu = sum(o.cpu) - segment.cpu;
    const closed: SegmentRecord = {
      stored: o.stored,
      consents,
      seconds: round(seconds, 2),
      consentsPerSec: round(consents / seconds),
      consentsPerCpuSec: round(consents / cpu),
      minPendingTxs: Number.isFinite(segment.minPending) ? segment.minPending : null,
      run: context.run,
    };
    progress.segments.push(closed);
    segment = { at: o.at, stored: o.stored, cpu: sum(o.cpu), minPending: Infinity };
    // A curve window may carry the load past the target.
    const total = Math.max(context.until(), o.stored);
    const rest = Math.round((total - o.stored) / closed.consentsPerSec);
    const pending =
      closed.minPendingTxs === null
        ? "draining"
        : `at least ${closed.minPendingTxs} txs pending after each block`;
    say(
      `${label}: ${o.stored.toLocaleString("en")} of ${total.toLocaleString("en")} stored ` +
        `(${round((100 * o.stored) / total, 1)} %), ${closed.consentsPerSec} consents/s, ` +
        `${closed.consentsPerCpuSec} per CPU-s, ${pending}; loading ` +
        `${round(progress.loadSeconds)} s so far, ~${rest} s to go`,
    );
    context.report();
  };
  let last: CommitObservation | undefined;
  try {
    await runConsentStream(target, {
      state,
      until: context.until,
      pollMs: context.pollMs,
      stallSeconds: context.stallSeconds,
      persist: context.save,
      onCommit(o) {
        last = o;
        record.loadSeconds = round((o.at - started) / 1000, 3);
        record.storedAtEnd = o.stored;
        record.cpuSeconds = o.cpu.map((c, i) => round(c - (cpuAtStart[i] ?? 0), 2));
        progress.loadSeconds = round(baseSeconds + record.loadSeconds, 3);
        progress.cpuSeconds = baseCpu.map((c, i) => round(c + (record.cpuSeconds[i] ?? 0), 2));
        if (!o.draining) segment.minPending = Math.min(segment.minPending, o.pendingTxs);
        context.onCommit?.(o);
        if (o.at - segment.at >= context.segmentSeconds * 1000) closeSegment(o);
      },
    });
  } catch (error) {
    end("crashed");
    removeHook();
    throw error;
  }
  if (last !== undefined) closeSegment(last);
  end("completed");
  removeHook();
  return record;
}
