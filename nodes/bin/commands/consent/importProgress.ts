import type { ConsentImportProgress } from "../../../../src/consentImport/index.ts";
import type { CliIo } from "../../CliCommand.ts";

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * The import's progress line on standard error, redrawn in place
 * (`import 75.0% 3/4 ETA 2s`), the ETA from the rate since it was made by `clock`.
 *
 * @example
 * ```ts
 * await plan.run({ registry, terms, onProgress: importProgress(io, performance.now) });
 * ```
 */
export function importProgress(
  io: CliIo,
  clock: () => number,
): (progress: ConsentImportProgress) => void {
  const started = clock();
  return ({ landed, total }) => {
    const elapsed = (clock() - started) / 1000;
    const rate = landed / Math.max(elapsed, 1e-3);
    const eta = rate > 0 ? (total - landed) / rate : Number.POSITIVE_INFINITY;
    const percent = ((landed / total) * 100).toFixed(1);
    io.stderr(`\rimport ${percent}% ${landed}/${total} ETA ${formatSeconds(eta)}`);
  };
}
