import {
  type CohortExecutor,
  createInThreadCohortExecutor,
} from "../../../src/consentIndex/index.ts";

/**
 * An in-thread cohort executor whose phases wait until the test opens the gate: it holds a
 * `filterCohortAsync` between its turns, where a worker executor would be busy in threads.
 */
export function gatedExecutor(inner: CohortExecutor = createInThreadCohortExecutor()) {
  const waiting: (() => void)[] = [];
  let open = false;
  const executor: CohortExecutor = {
    parallelism: inner.parallelism,
    minEntriesPerTask: inner.minEntriesPerTask,
    sharedMemory: inner.sharedMemory,
    async run(tasks, signal) {
      if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
      return inner.run(tasks, signal);
    },
    close: () => inner.close(),
  };
  return {
    executor,
    /** Phases waiting at the gate. */
    waiting: () => waiting.length,
    openAll() {
      open = true;
      for (const resume of waiting.splice(0)) resume();
    },
  };
}
