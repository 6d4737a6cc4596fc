import type { CliCommand, CliIo } from "../CliCommand.ts";
import { type CliActionInput, cliAction } from "../cliAction.ts";
import { defineCommand } from "../defineCommand.ts";
import { usageError } from "../usageError.ts";
import { writeOmopData } from "./data/writeOmopData.ts";

/** What `custos data` works with; tests replace parts of it. */
export interface DataCommandOptions {
  /** Whether standard error is a terminal: shows the progress line (default: process.stderr). */
  readonly stderrIsTty?: boolean;
  /** Milliseconds clock for the progress line's throttle and ETA (default performance.now). */
  readonly clock?: () => number;
}

const generateOptions = {
  persons: {
    type: "integer",
    min: 1,
    required: true,
    description: "persons in all hospitals together (at least --hospitals)",
  },
  hospitals: {
    type: "integer",
    min: 1,
    max: 64,
    required: true,
    description: "hospitals to split the persons between",
  },
  out: {
    type: "string",
    value: "<dir>",
    required: true,
    description: "directory to write hospital-<i>/ into",
  },
  seed: {
    type: "integer",
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    default: 1,
    description: "seed of every random draw: equal arguments give byte-identical files",
  },
  "consent-rate": {
    type: "string",
    value: "<rate>",
    default: "0.8",
    description: "share of persons listed in consents.csv, 0 to 1",
  },
  "revocation-rate": {
    type: "string",
    value: "<rate>",
    default: "0.05",
    description: "share of consenting persons listed in revocations.csv, 0 to 1",
  },
  force: {
    type: "boolean",
    description: "write into a non-empty --out, replacing its hospital directories",
  },
  progress: {
    type: "boolean",
    description: "show the progress line even when stderr is not a terminal",
  },
} as const;

function rate(text: string, flag: string): number {
  const value = /^\s*(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= 1)) {
    throw usageError("data", `${flag} must be a number from 0 to 1`, { flag });
  }
  return value;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * The progress line (`generate 250000/1000000 persons 25.0% ETA 42s`): redrawn in place on a
 * terminal at most 4 times a second, or a line a second into a log; always once at the end.
 */
function progressLine(
  io: CliIo,
  tty: boolean,
  clock: () => number,
): (done: number, total: number) => void {
  const started = clock();
  const every = tty ? 250 : 1000;
  let shown = Number.NEGATIVE_INFINITY;
  let ended = false;
  return (done, total) => {
    const now = clock();
    // The last hospital's closing files all report the total: print it once.
    if (ended || (done < total && now - shown < every)) return;
    ended = done === total;
    shown = now;
    const elapsed = (now - started) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : Number.POSITIVE_INFINITY;
    const line = `generate ${done}/${total} persons ${((done / total) * 100).toFixed(1)}% ETA ${formatSeconds(eta)}`;
    io.stderr(tty ? `\r${line}${done === total ? "\n" : ""}` : `${line}\n`);
  };
}

async function generate(
  { values }: CliActionInput<typeof generateOptions>,
  io: CliIo,
  options: DataCommandOptions,
): Promise<number> {
  const { persons, hospitals, out, seed } = values;
  const consentRate = rate(values["consent-rate"], "--consent-rate");
  const revocationRate = rate(values["revocation-rate"], "--revocation-rate");
  if (persons < hospitals) {
    throw usageError("data", `--persons (${persons}) must be at least --hospitals (${hospitals})`, {
      flag: "--persons",
    });
  }
  const clock = options.clock ?? (() => performance.now());
  const tty = options.stderrIsTty ?? process.stderr.isTTY === true;
  const started = clock();
  const report = await writeOmopData({
    out,
    persons,
    hospitals,
    seed,
    consentRate,
    revocationRate,
    force: values.force === true,
    ...(tty || values.progress === true ? { onProgress: progressLine(io, tty, clock) } : {}),
  });
  const seconds = (clock() - started) / 1000;
  io.stdout(
    `${JSON.stringify(
      {
        out: report.out,
        persons: report.persons,
        seed,
        seconds: Number(seconds.toFixed(3)),
        personsPerSecond: Math.round(persons / Math.max(seconds, 1e-3)),
        hospitals: report.hospitals,
      },
      null,
      2,
    )}\n`,
  );
  return 0;
}

/**
 * Creates `custos data`: `custos data generate` writes a seeded, deterministic synthetic OMOP
 * CDM v5.4 data set — `<out>/hospital-<i>/` with PERSON, OBSERVATION_PERIOD,
 * VISIT_OCCURRENCE, CONDITION_OCCURRENCE, DRUG_EXPOSURE, MEASUREMENT, CONCEPT and CDM_SOURCE
 * CSVs, consents.csv and revocations.csv for `custos consent import`, and the synthetic
 * pseudonym key — and prints a JSON report (persons, consents and revocations per hospital).
 *
 * @throws CustosError `CLI_USAGE` for bad arguments (counts, rates outside [0, 1], fewer
 *   persons than hospitals); `INVALID_ARGUMENT` with `details.field` `"out"` for a non-empty
 *   `--out` without `--force`; file system errors.
 * @example
 * ```ts
 * await runCli(["data", "generate", "--persons", "1000", "--hospitals", "2", "--out", dir], io);
 * ```
 */
export function createDataCommand(options: DataCommandOptions = {}): CliCommand {
  return defineCommand("data", {
    summary: "generate synthetic OMOP CDM data with consents (data generate)",
    subcommands: {
      generate: cliAction({
        description:
          "Generates a seeded, deterministic synthetic OMOP CDM v5.4 data set for a network of hospitals: <out>/hospital-<i>/ with PERSON, OBSERVATION_PERIOD, VISIT_OCCURRENCE, CONDITION_OCCURRENCE, DRUG_EXPOSURE, MEASUREMENT, CONCEPT and CDM_SOURCE CSVs, consents.csv and revocations.csv (subject,documentHash: the persons' pseudonyms, for custos consent import) and pseudonym-key.json (the synthetic master key the pseudonyms are made with). Equal arguments give byte-identical files. Each hospital is written into <out>/.hospital-<i>.partial and renamed when complete. Prints a JSON report; the progress line goes to stderr on a terminal or with --progress. See docs/omop.md.",
        options: generateOptions,
        run: (input, io) => generate(input, io, options),
      }),
    },
  });
}
