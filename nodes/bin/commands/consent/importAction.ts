import { createReadStream } from "node:fs";
import { dataCategories, purposeCodes } from "../../../../src/consent/index.ts";
import {
  type ConsentImportReport,
  consentImportFormat,
  LandedLines,
  parseConsentTerms,
  planConsentImport,
} from "../../../../src/consentImport/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import { type CliAction, cliAction } from "../../cliAction.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { importProgress } from "./importProgress.ts";
import { readInput } from "./readInput.ts";
import { chainOptions, withRegistry } from "./withRegistry.ts";

/** Exit code of a command stopped by SIGINT (128 + 2), as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

/** An argument as a POSIX shell would need it quoted to pass it through unchanged. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The file's bytes as they are read; a file that cannot be read fails as a bad argument. */
async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(file);
  } catch (cause) {
    throw new CustosError("INVALID_ARGUMENT", `cannot read ${file}`, {
      details: { field: "file" },
      cause,
    });
  }
}

/** The lines an earlier run landed, from the checkpoint if there is one. */
async function readCheckpoint(context: ConsentContext, path: string): Promise<LandedLines> {
  let text: string;
  try {
    text = await context.readText(path);
  } catch {
    return new LandedLines(); // no checkpoint yet: nothing landed
  }
  return LandedLines.fromCheckpoint(text);
}

function interruptedMessage(
  report: ConsentImportReport,
  pending: number,
  checkpointPath: string,
  args: readonly string[],
): string {
  const resume = ["custos", "consent", "import", ...args];
  if (!resume.includes("--resume")) resume.push("--resume");
  const from = report.firstNotLanded === undefined ? "" : `, from line ${report.firstNotLanded}`;
  return (
    `interrupted: ${report.landed} of ${pending} rows landed in this run (${report.landedInAll} ` +
    `in all, checkpoint ${checkpointPath}); ${report.notLanded} not landed${from}.\n` +
    `resume with: ${resume.map(shellQuote).join(" ")}\n`
  );
}

/**
 * `custos consent import <file>`: bulk-grants the rows of a CSV or NDJSON file on shared terms
 * through the SDK's consent import (`planConsentImport`), with the checkpoint in
 * `<file>.progress.json`, a progress line, the JSON report on standard output and exit code 1
 * when a row failed, or 130 when interrupted (after printing how to resume).
 *
 * @example
 * ```ts
 * defineCommand("consent", { summary, subcommands: { import: importAction(context) } });
 * ```
 */
export function importAction(context: ConsentContext): CliAction {
  return cliAction({
    description: `Bulk-grants subjects on shared terms through batchGrant, chunked under the gas cap, streaming the file (any size). Rows: CSV with a header naming the columns subject and documentHash (other columns are ignored; fields may be quoted, one record per line), or NDJSON objects {"subject", "documentHash"}; UTF-8 with or without a byte order mark, LF or CRLF line ends, blank lines skipped.

Terms: {"purposes", "categories", "validFrom"?, "validUntil"?}, where purposes is a DUO label ("GRU"), a list of them (["HMB","NPU"]) or the 32-bit word as a number, and categories a category name ("CONDITIONS"), a list of them or the word; validFrom and validUntil are unix seconds. Labels and names are case-insensitive; an unknown one is refused with CONSENT_TERMS_UNKNOWN_CODE.

Purpose labels: ${Object.keys(purposeCodes).join(", ")}.

Categories: ${Object.keys(dataCategories).join(", ")}.

Every row is checked before anything is sent; a malformed or duplicate row is reported with its line and CONSENT_IMPORT_INVALID and the others go on. Landed rows are checkpointed in <file>.progress.json; --resume skips them. Prints a report of every failed row (line, reason code) and exits 1 if any failed. Ctrl-C (SIGINT) stops after the transaction in flight, prints where the import stopped and the command that resumes it, and exits 130; a second Ctrl-C quits at once.`,
    positionals: ["<file.csv|file.ndjson>"],
    options: {
      terms: {
        type: "string",
        value: "<json|@file>",
        required: true,
        description: "shared terms of an import (JSON, or @ and the file holding it)",
      },
      ...chainOptions,
      resume: {
        type: "boolean",
        description: "skip rows landed by an earlier run of the same import",
      },
      progress: {
        type: "boolean",
        description: "show the progress line even when stderr is not a terminal",
      },
    },
    run: async ({ values, positionals, args }, io) => {
      const file = positionals[0] as string;
      const termsText = values.terms.startsWith("@")
        ? await readInput(context, values.terms.slice(1))
        : values.terms;
      const terms = parseConsentTerms(termsText);
      const format = consentImportFormat(file);
      const checkpointPath = `${file}.progress.json`;
      const plan = await planConsentImport({
        open: () => fileChunks(file),
        format,
        ...(values.resume === true
          ? { landed: await readCheckpoint(context, checkpointPath) }
          : {}),
      });
      const showProgress = (context.stderrIsTty || values.progress === true) && plan.pending > 0;
      const interrupt = new AbortController();
      const stopListening = context.onInterrupt(() => interrupt.abort());
      let report: ConsentImportReport;
      try {
        report = await withRegistry(context, values, true, (registry) =>
          plan.run({
            registry,
            terms,
            signal: interrupt.signal,
            onCheckpoint: (text) => context.writeText(checkpointPath, text),
            ...(showProgress ? { onProgress: importProgress(io, context.clock) } : {}),
          }),
        );
      } finally {
        stopListening();
      }
      if (showProgress) io.stderr("\n");
      const printed = {
        file,
        rows: report.rows,
        skipped: report.skipped,
        landed: report.landed,
        failed: report.failed,
        ...(report.interrupted ? { interrupted: true, notLanded: report.notLanded } : {}),
      };
      io.stdout(`${JSON.stringify(printed, null, 2)}\n`);
      if (!report.interrupted) return report.failed.length === 0 ? 0 : 1;
      io.stderr(interruptedMessage(report, plan.pending, checkpointPath, args));
      return INTERRUPTED_EXIT_CODE;
    },
  });
}
