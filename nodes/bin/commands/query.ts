import { canonicalHash } from "../../../src/canonical/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";
import { type CliActionInput, cliAction } from "../cliAction.ts";
import { defineCommand } from "../defineCommand.ts";
import { approveAction } from "./query/approveAction.ts";
import { policyAction } from "./query/policyAction.ts";
import { type QueryCommandOptions, queryCommandContext } from "./query/QueryCommandContext.ts";
import { readQuerySpecFile } from "./query/readQuerySpecFile.ts";
import { runLocalQuery } from "./query/runLocalQuery.ts";
import { showAction } from "./query/showAction.ts";
import { statusAction } from "./query/statusAction.ts";
import { submitAction } from "./query/submitAction.ts";

const validateOptions = {} as const;

async function validate(
  { positionals }: CliActionInput<typeof validateOptions>,
  io: CliIo,
): Promise<number> {
  const spec = await readQuerySpecFile(positionals[0] as string);
  io.stdout(`${canonicalHash(spec)}\n`);
  return 0;
}

const runOptions = {
  local: {
    type: "string",
    value: "<omop dir>",
    required: true,
    description:
      "OMOP CDM directory (CSV or Parquet) to run on with embedded DuckDB, e.g. one hospital-<i>/ of custos data generate",
  },
  "min-cell": {
    type: "integer",
    min: 1,
    max: 1000,
    default: 11,
    description: "minimum cell size of the disclosure rules applied to the answer",
  },
} as const;

async function run(
  { values, positionals }: CliActionInput<typeof runOptions>,
  io: CliIo,
): Promise<number> {
  const spec = await readQuerySpecFile(positionals[0] as string);
  const outcome = await runLocalQuery(values.local, spec, { minCellSize: values["min-cell"] });
  io.stdout(`${JSON.stringify(outcome, null, 2)}\n`);
  return 0;
}

/**
 * Creates `custos query`: `query validate <spec.json>` prints a spec's canonical hash (the
 * on-chain spec hash) or its typed error (exit 1); `query run --local <omop dir>
 * <spec.json>` is the researcher's dry run — the spec on a local OMOP directory with every
 * person taken as consenting, released under the same disclosure rules a hospital applies.
 * The federated query (docs/researcher.md): `submit` puts a query on chain, delivers its spec
 * to the hospitals' data services and (unless --no-wait) waits, verifies and pools; `approve`
 * is the review board's approval; `status` shows where a query stands; `show` fetches,
 * verifies and pools its results; `policy` prints a hospital's site policy. These read a
 * researcher configuration (--config).
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `CONFIG_INVALID` naming the config field
 * (or `keyFile` when the key cannot be read); `QUERY_SPEC_INVALID` and the other spec codes;
 * `FEDERATION_SPEC_MISMATCH` when `show --spec` is not the query's spec; the ledger codes
 * (`MEMBERSHIP_DENIED`, `LEDGER_INVALID_INPUT`, `LEDGER_NOT_FOUND`, `LEDGER_UNAVAILABLE`, …);
 * the data service's codes for `policy`.
 * @example
 * ```ts
 * await runCli(["query", "validate", "spec.json"], io); // prints 0x…
 * await runCli(["query", "show", "7", "--config", "researcher.json"], io);
 * ```
 */
export function createQueryCommand(options: QueryCommandOptions = {}): CliCommand {
  const context = queryCommandContext(options);
  return defineCommand("query", {
    summary:
      "research queries: validate|run a spec; submit|approve|status|show|policy on the network",
    description:
      'submit, approve, status, show and policy read a researcher (or review board) configuration: {"rpcUrl", "keyFile", "contracts": {"accessLedger"}, "hospitals": {"<id>": {"name", "dataService"}}}; see docs/researcher.md. Progress and summaries go to standard error, JSON to standard output.',
    subcommands: {
      validate: cliAction({
        description:
          "Validates a query spec and prints its canonical hash (keccak-256 of the RFC 8785 JSON of the normalised spec: the spec hash recorded on chain). An invalid spec prints its error code and the field's JSON pointer, and exits 1. See docs/query.md.",
        options: validateOptions,
        positionals: ["<spec.json>"],
        run: validate,
      }),
      run: cliAction({
        description:
          "Dry run: runs a query spec on a local OMOP CDM directory with embedded DuckDB, every person taken as consenting, and prints as JSON what a hospital would release — attrition, the measures after disclosure control — or why it would decline. Test a spec on synthetic data (custos data generate) before submitting it.",
        options: runOptions,
        positionals: ["<spec.json>"],
        run,
      }),
      submit: submitAction(context),
      approve: approveAction(context),
      status: statusAction(context),
      show: showAction(context),
      policy: policyAction(context),
    },
  });
}
