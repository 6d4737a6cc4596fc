import type { CliIo } from "../../../nodes/bin/CliCommand.ts";

/** Collects what a CLI command writes, for assertions. */
export interface CapturedIo {
  readonly io: CliIo;
  /** Everything written to standard output so far. */
  out(): string;
  /** Everything written to standard error so far. */
  err(): string;
}

/**
 * An in-memory {@link CliIo}.
 *
 * @example
 * ```ts
 * const c = captureIo();
 * await runCli(["--version"], c.io);
 * c.out(); // "0.1.0\n"
 * ```
 */
export function captureIo(): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}
