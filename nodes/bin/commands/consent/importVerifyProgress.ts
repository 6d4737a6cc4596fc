import type { VerifyProgress } from "../../../../src/consentImport/index.ts";
import type { CliIo } from "../../CliCommand.ts";

const PHASES: Readonly<Record<VerifyProgress["phase"], string>> = {
  sample: "drawing the sample:",
  events: "reading consent events:",
  readBack: "reading back sampled rows:",
  rows: "comparing rows with the consent index:",
};

/**
 * The verification's progress on standard error, one line per phase
 * (`verify: reading consent events: 120000`): redrawn in place on a terminal at most every
 * 250 ms, printed at most every 10 s in a log, and always when a phase changes.
 *
 * @example
 * ```ts
 * await verifyConsentImport({ ..., onProgress: importVerifyProgress(io, performance.now, true) });
 * ```
 */
export function importVerifyProgress(
  io: CliIo,
  clock: () => number,
  tty: boolean,
): (progress: VerifyProgress) => void {
  const intervalMs = tty ? 250 : 10_000;
  let phase: VerifyProgress["phase"] | undefined;
  let printedAt = Number.NEGATIVE_INFINITY;
  return (progress) => {
    const now = clock();
    const changed = progress.phase !== phase;
    if (!changed && now - printedAt < intervalMs) return;
    const line = `verify: ${PHASES[progress.phase]} ${progress.done}`;
    if (tty) io.stderr(`${changed && phase !== undefined ? "\n" : "\r"}${line}`);
    else io.stderr(`${line}\n`);
    phase = progress.phase;
    printedAt = now;
  };
}
