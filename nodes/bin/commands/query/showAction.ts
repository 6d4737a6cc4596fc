import { CustosError } from "../../../../src/errors/index.ts";
import { awaitQueryAnswers, collectFederatedResults } from "../../../../src/federation/index.ts";
import { querySpecHash } from "../../../../src/query/index.ts";
import { type CliAction, cliAction } from "../../cliAction.ts";
import { formatProgress } from "./formatProgress.ts";
import { formatQueryReport } from "./formatQueryReport.ts";
import { keptSpecPath } from "./keptSpecPath.ts";
import { loadResearcherConfig } from "./loadResearcherConfig.ts";
import { openResearcher } from "./openResearcher.ts";
import type { QueryCommandContext } from "./QueryCommandContext.ts";
import { queryIdArgument } from "./queryIdArgument.ts";
import { readQuerySpecFile } from "./readQuerySpecFile.ts";
import { researcherConfigOption } from "./researcherConfigOption.ts";
import { waitOptions } from "./submitAction.ts";

/**
 * `custos query show <queryId>`: fetches, verifies and pools a query's results.
 *
 * @example
 * ```ts
 * defineCommand("query", { summary, subcommands: { show: showAction(context) } });
 * ```
 */
export function showAction(context: QueryCommandContext): CliAction {
  return cliAction({
    description:
      "Fetches each target hospital's result, verifies it (hash, document, chain record, recorder's signature) and pools the verified ones, printing the report as JSON on standard output after a summary on standard error (PARTIAL when not every hospital contributed; what each suppressed, declined or left unanswered). The spec is the one query submit kept under queriesDir by its hash, or --spec. The spec is (re)delivered to data services still waiting for it; with --deadline-seconds it first waits that long for answers.",
    options: {
      config: researcherConfigOption,
      spec: {
        type: "string",
        value: "<spec.json>",
        description: "the query's spec, when it is not kept under the config's queriesDir",
      },
      ...waitOptions,
      "deadline-seconds": { ...waitOptions["deadline-seconds"], default: 0 },
    },
    positionals: ["<queryId>"],
    run: async ({ values, positionals }, io) => {
      const queryId = queryIdArgument(positionals[0] as string);
      const config = await loadResearcherConfig(values.config, context.readText);
      const session = await openResearcher(config, context);
      try {
        const query = await session.ledger.query(queryId);
        const spec = await readQuerySpecFile(values.spec ?? keptSpecPath(config, query.specHash));
        const specHash = querySpecHash(spec);
        // Checked before anything is delivered: a wrong spec would only be refused by each hospital.
        if (specHash !== query.specHash.toLowerCase()) {
          throw new CustosError("FEDERATION_SPEC_MISMATCH", "the spec is not the query's", {
            details: { queryId: queryId.toString(), specHash, onChain: query.specHash },
          });
        }
        const answers = await awaitQueryAnswers(queryId, session.ports, {
          deadline: context.clock() + values["deadline-seconds"] * 1000,
          spec,
          pollIntervalMs: context.pollIntervalMs,
          onProgress: (progress) => {
            // Without a wait, the deadline is now: not news worth a line.
            if (progress.type !== "deadline" || values["deadline-seconds"] > 0) {
              io.stderr(formatProgress(progress, session.nameOf));
            }
          },
        });
        const report = await collectFederatedResults(queryId, spec, session.ports, {
          minimumSites: values["min-sites"],
          status: answers.status,
        });
        io.stderr(formatQueryReport(report, session.nameOf));
        io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        return 0;
      } finally {
        session.close();
      }
    },
  });
}
