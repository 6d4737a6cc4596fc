import { readQueryStatus } from "../../../../src/federation/index.ts";
import { type CliAction, cliAction } from "../../cliAction.ts";
import { formatProgress } from "./formatProgress.ts";
import { loadResearcherConfig } from "./loadResearcherConfig.ts";
import { openResearcher } from "./openResearcher.ts";
import type { QueryCommandContext } from "./QueryCommandContext.ts";
import { queryIdArgument } from "./queryIdArgument.ts";
import { researcherConfigOption } from "./researcherConfigOption.ts";

/**
 * `custos query status <queryId>`: a query's state on chain and at each hospital.
 *
 * @example
 * ```ts
 * defineCommand("query", { summary, subcommands: { status: statusAction(context) } });
 * ```
 */
export function statusAction(context: QueryCommandContext): CliAction {
  return cliAction({
    description:
      "Shows a query's state: on chain its status (submitted = awaiting approval, approved, closed), approvals and expiry, and per target hospital its answer (recorded, declined with the reason) or, while it has not answered, its data service's job state (awaiting-spec, awaiting-approval, queued, running, awaiting-release, recording, declining) or why the service gave none. One line per hospital on standard error, the state as JSON on standard output. Changes nothing.",
    options: { config: researcherConfigOption },
    positionals: ["<queryId>"],
    run: async ({ values, positionals }, io) => {
      const queryId = queryIdArgument(positionals[0] as string);
      const config = await loadResearcherConfig(values.config, context.readText);
      const session = await openResearcher(config, context);
      try {
        const status = await readQueryStatus(queryId, session.ports);
        io.stderr(formatProgress({ type: "query", status }, session.nameOf));
        for (const hospital of status.hospitals) {
          io.stderr(formatProgress({ type: "hospital", hospital }, session.nameOf));
        }
        io.stdout(`${JSON.stringify(status, null, 2)}\n`);
        return 0;
      } finally {
        session.close();
      }
    },
  });
}
