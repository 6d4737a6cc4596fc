import { type CliAction, cliAction } from "../../cliAction.ts";
import { loadResearcherConfig } from "./loadResearcherConfig.ts";
import { openResearcher } from "./openResearcher.ts";
import type { QueryCommandContext } from "./QueryCommandContext.ts";
import { queryIdArgument } from "./queryIdArgument.ts";
import { researcherConfigOption } from "./researcherConfigOption.ts";

/**
 * `custos query approve <queryId>`: the review board's approval of a query on chain.
 *
 * @example
 * ```ts
 * defineCommand("query", { summary, subcommands: { approve: approveAction(context) } });
 * ```
 */
export function approveAction(context: QueryCommandContext): CliAction {
  return cliAction({
    description:
      "Approves a query for the review board whose account key the --config names (AccessLedger.approveQuery; a board never approves its own organisation's query). Prints the transaction and the query's status and approvals as JSON.",
    options: { config: researcherConfigOption },
    positionals: ["<queryId>"],
    run: async ({ values, positionals }, io) => {
      const queryId = queryIdArgument(positionals[0] as string);
      const config = await loadResearcherConfig(values.config, context.readText);
      const session = await openResearcher(config, context);
      try {
        const transaction = await session.ledger.approveQuery(queryId);
        const [query, requiredApprovals] = await Promise.all([
          session.ledger.query(queryId),
          session.ledger.requiredApprovals(),
        ]);
        io.stderr(
          `query ${queryId}: ${query.status === "approved" ? "approved" : `approval recorded (${query.approvals} of ${requiredApprovals})`}\n`,
        );
        io.stdout(
          `${JSON.stringify(
            {
              queryId: queryId.toString(),
              transactionHash: transaction.hash,
              status: query.status,
              approvals: query.approvals,
              requiredApprovals,
            },
            null,
            2,
          )}\n`,
        );
        return 0;
      } finally {
        session.close();
      }
    },
  });
}
