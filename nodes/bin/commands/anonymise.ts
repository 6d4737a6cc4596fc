import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  type AnonymiseResult,
  anonymise,
  documentFiles,
  formatCsv,
  parseCsv,
  resolveAnonymiseDocument,
  validateAnonymiseDocument,
} from "../../../src/anonymise/index.ts";
import { CustosError } from "../../../src/errors/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";
import { cliAction } from "../cliAction.ts";
import { defineCommand } from "../defineCommand.ts";
import { usageError } from "../usageError.ts";

/** Options of {@link createAnonymiseCommand}. */
export interface AnonymiseCommandOptions {
  /** Whether standard error is a terminal (default: `process.stderr.isTTY`). */
  readonly stderrIsTty?: boolean;
}

/** Defaults of the `custos anonymise` command. */
export const defaultAnonymiseCommandOptions = {
  separator: ",",
  /** On a terminal, progress is shown from this many input rows on (always with --progress). */
  progressRows: 100_000,
} as const;

async function read(path: string, role: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new CustosError("ANONYMISE_IO_FAILED", `cannot read the ${role} file ${path}`, {
      details: { file: role, path },
      cause,
    });
  }
}

function progressBar(io: CliIo): (fraction: number) => void {
  let shown = -1;
  return (fraction) => {
    const percent = Math.floor(fraction * 100);
    if (percent === shown) return;
    shown = percent;
    const filled = Math.round(percent / 5);
    io.stderr(`\ranonymise [${"#".repeat(filled)}${".".repeat(20 - filled)}] ${percent}%`);
    if (percent === 100) io.stderr("\n");
  };
}

function report(result: AnonymiseResult, rows: number, columns: readonly string[]) {
  return {
    input: { rows, columns },
    output: { rows: result.output.rowCount, columns: result.output.columns },
    recoding: result.recoding,
    quasiIdentifiers: result.quasiIdentifiers,
    transformation:
      result.recoding === "full-domain"
        ? Object.fromEntries(result.quasiIdentifiers.map((q, j) => [q, result.transformation[j]]))
        : null,
    search: result.search,
    metrics: result.metrics,
    risk: result.risk,
    kMapEstimates: result.kMapEstimates,
    suppressedRecords: result.risk.suppressedRecords,
  };
}

/** Writes every file to a temporary sibling, then renames them all; on failure removes them. */
async function writeAll(files: readonly { path: string; text: string; role: string }[]) {
  const temporary = files.map((file) => ({
    ...file,
    temp: `${file.path}.${randomBytes(6).toString("hex")}.tmp`,
  }));
  let current = temporary[0];
  try {
    for (const file of temporary) {
      current = file;
      await writeFile(file.temp, file.text, { flag: "wx" });
    }
    for (const file of temporary) {
      current = file;
      await rename(file.temp, file.path);
    }
  } catch (cause) {
    await Promise.all(temporary.map((file) => rm(file.temp, { force: true })));
    throw new CustosError(
      "ANONYMISE_IO_FAILED",
      `cannot write the ${current?.role} file ${current?.path}`,
      { details: { file: current?.role, path: current?.path }, cause },
    );
  }
}

/**
 * Creates `custos anonymise`: reads a CSV and a JSON configuration (with hierarchy files and
 * profiles), runs the anonymisation engine, and writes the release and an optional report,
 * atomically (temporary files renamed only once everything succeeded).
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `ANONYMISE_CONFIG_INVALID` (naming the
 * field), `ANONYMISE_CSV_INVALID` (row), `ANONYMISE_HIERARCHY_INVALID` (value, row),
 * `ANONYMISE_VALUE_INVALID` (column, row), `ANONYMISE_NO_SOLUTION`, `ANONYMISE_IO_FAILED`.
 * @example
 * ```ts
 * await runCli(["anonymise", "--input", "in.csv", "--config", "c.json", "--out", "out.csv"], io);
 * ```
 */
export function createAnonymiseCommand(options: AnonymiseCommandOptions = {}): CliCommand {
  const stderrIsTty = options.stderrIsTty ?? process.stderr.isTTY === true;
  return defineCommand("anonymise", {
    summary: "anonymise a CSV extract (k-anonymity, k-map, ℓ-diversity, t-closeness; Safe Harbor)",
    action: cliAction({
      description: `Anonymises a CSV extract: removes identifiers, generalises quasi-identifiers (optimal full-domain search or Mondrian) until the configured privacy models hold, and writes the release. Nothing is written unless everything succeeds.

The config (JSON) has "attributes" (per column: {"role": "identifier" | "quasi-identifier" | "sensitive" | "insensitive"}; quasi-identifiers add "hierarchy": an ARX CSV path, relative to the config file, or {"type": "interval", "widths": [...]}, {"type": "masking"}, {"type": "date"}, {"type": "flat"}), "models", "suppressionLimit", "metric", "search" ("optimal", "exhaustive" or "mondrian") and "profile" ("safe-harbor", "research-extract" or both; Safe Harbor columns are {"safeHarbor": "<class>"}, with "safeHarbor": {"referenceYear", "zip3Populations": "<csv with zip3,population>"}). k-map models name a population CSV with the quasi-identifier columns ({"type": "k-map", "k": 5, "population": "registry.csv"} or {"file", "separator"}) or estimate it ({"estimator": "poisson" | "zero-truncated-poisson", "significanceLevel", "populationSize" or "samplingFraction"}).`,
      options: {
        input: {
          type: "string",
          value: "<csv>",
          required: true,
          description: "input CSV with a header line",
        },
        config: {
          type: "string",
          value: "<json>",
          required: true,
          description: "anonymisation configuration",
        },
        out: {
          type: "string",
          value: "<csv>",
          required: true,
          description: "release to write (same separator as the input)",
        },
        report: {
          type: "string",
          value: "<json>",
          description: "report to write: transformation, metrics, risk, suppressed records",
        },
        separator: {
          type: "string",
          value: "<char>",
          default: defaultAnonymiseCommandOptions.separator,
          description: "field separator of the input and output",
        },
        progress: {
          type: "boolean",
          description: "show progress on stderr (default: only on a terminal, large inputs)",
        },
      },
      run: async ({ values: parsed }, io) => {
        if (parsed.separator.length !== 1) {
          throw usageError("anonymise", "--separator must be one character", {
            flag: "--separator",
          });
        }
        const configText = await read(parsed.config, "config");
        let json: unknown;
        try {
          json = JSON.parse(configText);
        } catch {
          throw new CustosError("ANONYMISE_CONFIG_INVALID", "config: the file is not JSON", {
            details: { field: "config" },
          });
        }
        const document = validateAnonymiseDocument(json);
        const table = parseCsv(await read(parsed.input, "input"), { separator: parsed.separator });
        const base = dirname(resolve(parsed.config));
        const files = new Map<string, string>();
        for (const { path, field } of documentFiles(document)) {
          if (!files.has(path)) files.set(path, await read(resolve(base, path), field));
        }
        const engineOptions = resolveAnonymiseDocument(document, table, files);
        const show =
          parsed.progress === true ||
          (stderrIsTty && table.rowCount >= defaultAnonymiseCommandOptions.progressRows);
        const result = anonymise(table, {
          ...engineOptions,
          ...(show ? { onProgress: progressBar(io) } : {}),
        });
        const outputs = [
          {
            path: parsed.out,
            text: formatCsv(result.output, { separator: parsed.separator }),
            role: "output",
          },
        ];
        if (parsed.report !== undefined) {
          outputs.push({
            path: parsed.report,
            text: `${JSON.stringify(report(result, table.rowCount, table.columns), null, 2)}\n`,
            role: "report",
          });
        }
        await writeAll(outputs);
        io.stderr(
          `anonymise: ${result.output.rowCount} rows written to ${parsed.out} (${result.risk.suppressedRecords} suppressed, ${result.risk.classes.count} classes, smallest ${result.risk.classes.minSize})\n`,
        );
        return 0;
      },
    }),
  });
}
