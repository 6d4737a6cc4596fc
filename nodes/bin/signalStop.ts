/**
 * Resolves on the first SIGINT or SIGTERM, then removes its handlers, so a second signal
 * kills the process at once (the default). With `deadlineMs`, it also arms a timer that exits
 * with code 1 should stopping hang, naming the `what` that did not stop.
 *
 * @example
 * ```ts
 * await signalStop({ deadlineMs: 10_000, what: "node" });
 * await node.stop();
 * ```
 */
export function signalStop(deadline?: {
  readonly deadlineMs: number;
  readonly what: string;
}): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (deadline !== undefined) {
        setTimeout(() => {
          process.stderr.write(
            `error NODE_ABORTED: the ${deadline.what} did not stop within ${deadline.deadlineMs / 1000} s of ${signal}; exiting\n`,
          );
          process.exit(1);
        }, deadline.deadlineMs).unref();
      }
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
