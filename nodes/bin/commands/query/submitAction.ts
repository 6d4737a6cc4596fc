import { canonicalJson } from "../../../../src/canonical/index.ts";
import { encodeCategories } from "../../../../src/consent/index.ts";
import type { FederatedQueryProgress } from "../../../../src/federation/index.ts";
import {
  readQueryStatus,
  runFederatedQuery,
  submitFederatedQuery,
} from "../../../../src/federation/index.ts";
import { querySpecCategories, querySpecHash } from "../../../../src/query/index.ts";
import { type CliAction, cliAction } from "../../cliAction.ts";
import { usageError } from "../../usageError.ts";
import { formatProgress } from "./formatProgress.ts";
import { formatQueryReport } from "./formatQueryReport.ts";
import { keptSpecPath } from "./keptSpecPath.ts";
import { loadResearcherConfig } from "./loadResearcherConfig.ts";
import { openResearcher } from "./openResearcher.ts";
import type { QueryCommandContext } from "./QueryCommandContext.ts";
import {
  approvalReference,
  categoriesWordOf,
  DEFAULT_PURPOSE,
  useWordOf,
} from "./queryTermsFlags.ts";
import { readQuerySpecFile } from "./readQuerySpecFile.ts";
import { researcherConfigOption } from "./researcherConfigOption.ts";
import type { ResearcherConfig } from "./researcherConfigSchema.ts";

/** The options of `query submit`; `show` shares the waiting ones. */
export const waitOptions = {
  "deadline-seconds": {
    type: "integer",
    min: 0,
    max: 7 * 86_400,
    default: 600,
    description:
      "seconds to wait for the hospitals' answers; a hospital silent by then is reported unanswered",
  },
  "min-sites": {
    type: "integer",
    min: 1,
    max: 64,
    default: 2,
    description: "hospitals a pooled figure needs behind it (fewer: not released)",
  },
} as const;

const submitOptions = {
  config: researcherConfigOption,
  hospitals: {
    type: "list",
    value: "<id,…>",
    required: true,
    description: "target hospital organisation ids, each listed in the config's hospitals",
  },
  approval: {
    type: "string",
    value: "<file|0x…>",
    required: true,
    description:
      "the review board approval document (its keccak-256 is the on-chain approval reference), or the bytes32 reference itself",
  },
  purpose: {
    type: "list",
    value: "<DUO,…>",
    description: `DUO codes of the use: one permission plus attested conditions, e.g. HMB,NCU (default ${DEFAULT_PURPOSE.join(",")}: health, medical or biomedical research)`,
  },
  categories: {
    type: "list",
    value: "<CATEGORY,…>",
    description:
      "data categories requested, at least those the spec reads (the default), e.g. DEMOGRAPHICS,VISITS,CONDITIONS,GENOMICS",
  },
  "expiry-hours": {
    type: "integer",
    min: 1,
    max: 8_760,
    default: 72,
    description: "hours until the query accepts no approval or answer",
  },
  ...waitOptions,
  "no-wait": {
    type: "boolean",
    description:
      "submit and deliver the spec, print the query id and return (see query status and query show)",
  },
} as const;

function targetsOf(values: readonly string[], config: ResearcherConfig): number[] {
  const targets = values.map((value) => {
    if (!/^[1-9][0-9]{0,9}$/.test(value)) {
      throw usageError("query", `--hospitals ${value} is not a hospital id`, {
        flag: "--hospitals",
      });
    }
    if (config.hospitals[value] === undefined) {
      throw usageError("query", `--hospitals ${value} is not in the config's hospitals`, {
        flag: "--hospitals",
      });
    }
    return Number(value);
  });
  if (targets.length === 0 || new Set(targets).size !== targets.length) {
    throw usageError("query", "--hospitals must list distinct hospital ids", {
      flag: "--hospitals",
    });
  }
  return targets;
}

/**
 * `custos query submit <spec.json>`: submits a federated query on chain, delivers the spec to
 * the hospitals' data services, waits for their answers and prints the verified, pooled
 * report.
 *
 * @example
 * ```ts
 * defineCommand("query", { summary, subcommands: { submit: submitAction(context) } });
 * ```
 */
export function submitAction(context: QueryCommandContext): CliAction {
  return cliAction({
    description:
      "Submits a query spec on chain (AccessLedger.submitQuery with the spec's canonical hash, the purpose, data categories, targets, approval reference and expiry), keeps the spec under the config's queriesDir, delivers it to each target's data service, and waits — reporting progress on standard error, \"awaiting approval\" until the review board approves (query approve) — until every hospital has recorded or declined, or the deadline passes. It then fetches each result, verifies it (hash, document, chain record, recorder's signature), pools the verified ones and prints the report as JSON on standard output, after a summary on standard error that marks a PARTIAL result and says what each hospital suppressed, declined or left unanswered. With --no-wait it prints the query id and each hospital's state instead.",
    options: submitOptions,
    positionals: ["<spec.json>"],
    run: async ({ values, positionals }, io) => {
      const config = await loadResearcherConfig(values.config, context.readText);
      const spec = await readQuerySpecFile(positionals[0] as string);
      const targets = targetsOf(values.hospitals, config);
      const use = useWordOf(values.purpose ?? DEFAULT_PURPOSE);
      const required = querySpecCategories(spec);
      const categories =
        values.categories === undefined
          ? encodeCategories(required)
          : categoriesWordOf(values.categories, required);
      const approvalRef = await approvalReference(values.approval);
      const session = await openResearcher(config, context);
      try {
        const submission = {
          spec,
          targets,
          use,
          categories,
          approvalRef,
          expiry: Math.floor(context.clock() / 1000) + values["expiry-hours"] * 3_600,
        };
        // Kept by hash before submitting, so `query show` finds it whatever happens next.
        await context.writeText(
          keptSpecPath(config, querySpecHash(spec)),
          `${canonicalJson(spec)}\n`,
        );
        const onProgress = (progress: FederatedQueryProgress) =>
          io.stderr(formatProgress(progress, session.nameOf));
        if (values["no-wait"] !== true) {
          const report = await runFederatedQuery(submission, session.ports, {
            waitMs: values["deadline-seconds"] * 1000,
            minimumSites: values["min-sites"],
            pollIntervalMs: context.pollIntervalMs,
            onProgress,
          });
          io.stderr(formatQueryReport(report, session.nameOf));
          io.stdout(`${JSON.stringify(report, null, 2)}\n`);
          return 0;
        }
        const submitted = await submitFederatedQuery(session.ledger, submission);
        onProgress({
          type: "submitted",
          queryId: submitted.queryId.toString(),
          transactionHash: submitted.transactionHash,
        });
        const status = await readQueryStatus(submitted.queryId, session.ports, { spec });
        onProgress({ type: "query", status });
        for (const hospital of status.hospitals) onProgress({ type: "hospital", hospital });
        io.stdout(
          `${JSON.stringify({ ...status, transactionHash: submitted.transactionHash }, null, 2)}\n`,
        );
        return 0;
      } finally {
        session.close();
      }
    },
  });
}
