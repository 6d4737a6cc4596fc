import type { DataServiceClient } from "../../../../src/federation/index.ts";
import { type CliAction, cliAction } from "../../cliAction.ts";
import { usageError } from "../../usageError.ts";
import { loadResearcherConfig } from "./loadResearcherConfig.ts";
import { openResearcher } from "./openResearcher.ts";
import type { QueryCommandContext } from "./QueryCommandContext.ts";
import { researcherConfigOption } from "./researcherConfigOption.ts";

/**
 * `custos query policy <hospitalId>`: prints a hospital's site policy.
 *
 * @example
 * ```ts
 * defineCommand("query", { summary, subcommands: { policy: policyAction(context) } });
 * ```
 */
export function policyAction(context: QueryCommandContext): CliAction {
  return cliAction({
    description:
      "Prints the site policy a hospital's data service publishes (GET /policy) as JSON: the purposes it accepts, the measure types it allows, its disclosure thresholds and statistics rules, and whether staff release results by hand. Read it before submitting a query to that hospital.",
    options: { config: researcherConfigOption },
    positionals: ["<hospitalId>"],
    run: async ({ values, positionals }, io) => {
      const id = positionals[0] as string;
      const config = await loadResearcherConfig(values.config, context.readText);
      if (!/^[1-9][0-9]{0,9}$/.test(id) || config.hospitals[id] === undefined) {
        throw usageError("query", `hospital ${id} is not in the config's hospitals`, {
          argument: "<hospitalId>",
        });
      }
      const session = await openResearcher(config, context);
      try {
        const service = session.ports.dataServices[Number(id)] as DataServiceClient;
        io.stdout(`${JSON.stringify(await service.policy(), null, 2)}\n`);
        return 0;
      } finally {
        session.close();
      }
    },
  });
}
