import { randomInt } from "node:crypto";
import { createReadStream } from "node:fs";
import { dataCategories, purposeCodes } from "../../../../src/consent/index.ts";
import {
  type ConsentImportFormat,
  type ConsentImportReport,
  type ConsentImportVerification,
  consentImportFormat,
  defaultVerifyConsentImportOptions,
  LandedLines,
  parseConsentTerms,
  planConsentImport,
  type VerifyConsentImportOptions,
  type VerifyMismatchDetails,
  verifyConsentImport,
} from "../../../../src/consentImport/index.ts";
import { CustosError, isCustosError } from "../../../../src/errors/index.ts";
import {
  type ConsentRegistryClient,
  type ConsentTerms,
  decodeContractError,
} from "../../../../src/ledger/index.ts";
import type { CliIo } from "../../CliCommand.ts";
import { type CliAction, cliAction } from "../../cliAction.ts";
import { usageError } from "../../usageError.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { importProgress } from "./importProgress.ts";
import { importReportJson } from "./importReportJson.ts";
import { importVerifyProgress } from "./importVerifyProgress.ts";
import { readInput } from "./readInput.ts";
import { chainOptions, withRegistry } from "./withRegistry.ts";

/** Exit code of a command stopped by SIGINT (128 + 2), as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

/**
 * Blocks' worth of transactions an import keeps in flight by default: with 1 s blocks the
 * pool always holds the next blocks' chunks while the sender waits for receipts (≈ 250 ms
 * polls) and estimates the next chunk.
 */
const DEFAULT_BLOCKS_IN_FLIGHT = 4;

/** What the verification pass ended with, as the JSON report shows it. */
type VerificationOutcome =
  | ConsentImportVerification
  | { readonly mismatch: VerifyMismatchDetails }
  | { readonly interrupted: true };

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

/** The chain's head, on a connection of its own (the registry client does not expose one). */
async function headBlock(context: ConsentContext, rpc: string): Promise<number> {
  const connection = context.connect(rpc, undefined);
  try {
    const provider = connection.runner.provider;
    if (provider === null) throw new CustosError("LEDGER_UNAVAILABLE", "no provider");
    return await provider.getBlockNumber();
  } catch (error) {
    throw decodeContractError(error);
  } finally {
    connection.close();
  }
}

/** What a verification pass needs besides the registry. */
interface VerifyInput {
  readonly file: string;
  readonly format: ConsentImportFormat;
  readonly terms: ConsentTerms;
  readonly sampleSize: number;
  readonly seed: number;
  readonly signal: AbortSignal;
  readonly headBlock: () => Promise<number>;
  readonly onProgress?: VerifyConsentImportOptions["onProgress"];
}

/**
 * Runs the verification pass; a mismatch or an interrupt becomes its outcome (the caller
 * prints the report first, then fails), other errors propagate.
 */
async function verify(
  registry: ConsentRegistryClient,
  input: VerifyInput,
): Promise<{ outcome: VerificationOutcome; error?: CustosError }> {
  try {
    const outcome = await verifyConsentImport({
      open: () => fileChunks(input.file),
      format: input.format,
      terms: input.terms,
      registry,
      seed: input.seed,
      sampleSize: input.sampleSize,
      signal: input.signal,
      headBlock: input.headBlock,
      ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
    });
    return { outcome };
  } catch (error) {
    if (input.signal.aborted) return { outcome: { interrupted: true } };
    if (isCustosError(error) && error.code === "CONSENT_IMPORT_VERIFY_MISMATCH") {
      return { outcome: { mismatch: error.details as VerifyMismatchDetails }, error };
    }
    throw error;
  }
}

function verifiedMessage(verified: ConsentImportVerification): string {
  return (
    `verified: ${verified.rows} rows against the consent index built from ${verified.events} ` +
    `chain events (root ${verified.root}); ${verified.sampled} sampled rows read back from the ` +
    `contract, field by field and with their document hash (seed ${verified.seed})\n`
  );
}

/**
 * Prints how the verification ended on standard error and returns the exit code it calls for
 * (0, or 130 when interrupted); throws the mismatch, for the CLI to print as the error.
 */
function verificationEnd(
  io: CliIo,
  outcome: VerificationOutcome,
  error: CustosError | undefined,
  verbose: boolean,
  resume: string,
): number {
  if (error !== undefined) throw error;
  if ("interrupted" in outcome) {
    io.stderr(`interrupted during the verification; verify again with: ${resume}\n`);
    return INTERRUPTED_EXIT_CODE;
  }
  if (verbose && !("mismatch" in outcome)) io.stderr(verifiedMessage(outcome));
  return 0;
}

function commandLine(args: readonly string[], add: string, drop: readonly string[]): string {
  const line = ["custos", "consent", "import", ...args.filter((arg) => !drop.includes(arg))];
  if (!line.includes(add)) line.push(add);
  return line.map(shellQuote).join(" ");
}

function interruptedMessage(
  report: ConsentImportReport,
  pending: number,
  checkpointPath: string,
  args: readonly string[],
): string {
  const from = report.firstNotLanded === undefined ? "" : `, from line ${report.firstNotLanded}`;
  return (
    `interrupted: ${report.landed} of ${pending} rows landed in this run (${report.landedInAll} ` +
    `in all, checkpoint ${checkpointPath}); ${report.notLanded} not landed${from}.\n` +
    `resume with: ${commandLine(args, "--resume", [])}\n`
  );
}

/**
 * `custos consent import <file>`: bulk-grants the rows of a CSV or NDJSON file on shared terms
 * through the SDK's consent import (`planConsentImport`) with several blocks of transactions
 * in flight, with the checkpoint in `<file>.progress.json`, a progress line with the recent
 * rate and ETA, then a verification pass comparing the file with the chain
 * (`verifyConsentImport`; `--no-verify` skips it, `--verify-only` runs it alone). The JSON
 * report goes to standard output; exit code 1 when a row failed or the verification found a
 * mismatch (`CONSENT_IMPORT_VERIFY_MISMATCH`), 130 when interrupted (after printing how to
 * resume).
 *
 * @example
 * ```ts
 * defineCommand("consent", { summary, subcommands: { import: importAction(context) } });
 * ```
 */
export function importAction(context: ConsentContext): CliAction {
  return cliAction({
    description: `Bulk-grants subjects on shared terms through batchGrant, streaming the file (any size), in chunks that fill blocks under the 2^24 per-transaction gas cap, several blocks of them in flight (--blocks-in-flight). Rows: CSV with a header naming the columns subject and documentHash (other columns are ignored; fields may be quoted, one record per line), or NDJSON objects {"subject", "documentHash"}; UTF-8 with or without a byte order mark, LF or CRLF line ends, blank lines skipped.

Terms: {"purposes", "categories", "validFrom"?, "validUntil"?}, where purposes is a DUO label ("GRU"), a list of them (["HMB","NPU"]) or the 32-bit word as a number, and categories a category name ("CONDITIONS"), a list of them or the word; validFrom and validUntil are unix seconds. Labels and names are case-insensitive; an unknown one is refused with CONSENT_TERMS_UNKNOWN_CODE.

Purpose labels: ${Object.keys(purposeCodes).join(", ")}.

Categories: ${Object.keys(dataCategories).join(", ")}.

Every row is checked before anything is sent; a malformed or duplicate row is reported with its line and CONSENT_IMPORT_INVALID and the others go on. Landed rows are checkpointed in <file>.progress.json; --resume skips them, and also finds the rows a run stopped short (its node or this process killed) landed without recording them: they are in the chain's grants after the block the checkpoint names, and are reported as recovered rather than sent again. With --progress (or on a terminal) stderr shows rows landed of the total, the rate over the last 30 s and the ETA, then a summary. Prints a report of every failed row (line, reason code) and exits 1 if any failed. Ctrl-C (SIGINT) stops sending, waits for the transactions in flight, prints where the import stopped and the command that resumes it, and exits 130; a second Ctrl-C quits at once.

Then the file is verified against the chain: a seeded random sample of rows (--verify-sample, default ${defaultVerifyConsentImportOptions.sampleSize}; --verify-seed replays one) is read back from the contract and compared field by field and with its document hash, and every row is compared with the hospital's consent index built from the chain's events, with a Merkle root over the rows' records from each side. A mismatch fails with CONSENT_IMPORT_VERIFY_MISMATCH naming the first mismatching line; a clean pass is in the report (verification: rows, events, sampled, seed, root). --verify-only runs just the verification (needs --custodian or the recorder key).`,
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
        description: "show progress even when stderr is not a terminal (a line every 10 s)",
      },
      "blocks-in-flight": {
        type: "integer",
        value: "<n>",
        min: 1,
        max: 16,
        default: DEFAULT_BLOCKS_IN_FLIGHT,
        description:
          "blocks' worth of batchGrant transactions kept in flight (at most 16 transactions)",
      },
      "no-verify": {
        type: "boolean",
        description: "skip the verification pass after the import",
      },
      "verify-only": {
        type: "boolean",
        description: "only compare the file with the chain; send nothing",
      },
      "verify-sample": {
        type: "integer",
        value: "<n>",
        min: 0,
        default: defaultVerifyConsentImportOptions.sampleSize,
        description: "rows read back one by one from the contract",
      },
      "verify-seed": {
        type: "integer",
        value: "<n>",
        min: 0,
        max: 0xffffffff,
        description: "seed of the verification sample (default: random, in the report)",
      },
    },
    run: async ({ values, positionals, args }, io) => {
      const file = positionals[0] as string;
      if (values["verify-only"] === true && values["no-verify"] === true) {
        throw usageError("consent", "--verify-only and --no-verify exclude each other", {
          flag: "--verify-only",
        });
      }
      const termsText = values.terms.startsWith("@")
        ? await readInput(context, values.terms.slice(1))
        : values.terms;
      const terms = parseConsentTerms(termsText);
      const format = consentImportFormat(file);
      const interrupt = new AbortController();
      const verbose = context.stderrIsTty || values.progress === true;
      const verifyInput: VerifyInput = {
        file,
        format,
        terms,
        sampleSize: values["verify-sample"],
        seed: values["verify-seed"] ?? randomInt(0, 2 ** 32),
        signal: interrupt.signal,
        headBlock: () => headBlock(context, values.rpc),
        ...(verbose
          ? { onProgress: importVerifyProgress(io, context.clock, context.stderrIsTty) }
          : {}),
      };
      const verifyAgain = commandLine(args, "--verify-only", ["--resume", "--no-verify"]);
      const stopListening = context.onInterrupt(() => interrupt.abort());
      try {
        if (values["verify-only"] === true) {
          const { outcome, error } = await withRegistry(context, values, false, (registry) =>
            verify(registry, verifyInput),
          );
          if (verbose && context.stderrIsTty) io.stderr("\n");
          importReportJson(io, { file, verification: outcome });
          return verificationEnd(io, outcome, error, verbose, verifyAgain);
        }
        const checkpointPath = `${file}.progress.json`;
        const plan = await planConsentImport({
          open: () => fileChunks(file),
          format,
          ...(values.resume === true
            ? { landed: await readCheckpoint(context, checkpointPath) }
            : {}),
        });
        const progress =
          verbose && plan.pending > 0
            ? importProgress(io, context.clock, { tty: context.stderrIsTty })
            : undefined;
        const { report, verified } = await withRegistry(context, values, true, async (registry) => {
          const report = await plan.run({
            registry,
            terms,
            signal: interrupt.signal,
            blocksInFlight: values["blocks-in-flight"],
            headBlock: verifyInput.headBlock,
            onCheckpoint: (text) => context.writeText(checkpointPath, text),
            ...(progress === undefined ? {} : { onProgress: progress.update }),
          });
          progress?.finish(report);
          const skip = report.interrupted || values["no-verify"] === true;
          return { report, verified: skip ? undefined : await verify(registry, verifyInput) };
        });
        if (verified !== undefined && verbose && context.stderrIsTty) io.stderr("\n");
        const printed = {
          file,
          rows: report.rows,
          skipped: report.skipped,
          landed: report.landed,
          recovered: report.recovered,
          failed: report.failed,
          ...(report.interrupted ? { interrupted: true, notLanded: report.notLanded } : {}),
          ...(verified === undefined ? {} : { verification: verified.outcome }),
        };
        importReportJson(io, printed);
        if (report.interrupted) {
          io.stderr(interruptedMessage(report, plan.pending, checkpointPath, args));
          return INTERRUPTED_EXIT_CODE;
        }
        const verifiedCode =
          verified === undefined
            ? 0
            : verificationEnd(io, verified.outcome, verified.error, verbose, verifyAgain);
        if (verifiedCode !== 0) return verifiedCode;
        return report.failed.length === 0 ? 0 : 1;
      } finally {
        stopListening();
      }
    },
  });
}
