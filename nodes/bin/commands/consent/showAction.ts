import { type CliAction, cliAction } from "../../cliAction.ts";
import { bytes32Argument } from "./bytes32Argument.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { chainOptions, withRegistry } from "./withRegistry.ts";

/**
 * `custos consent show <pseudonym>`: prints a subject's on-chain consent as JSON.
 *
 * @example
 * ```ts
 * defineCommand("consent", { summary, subcommands: { show: showAction(context) } });
 * ```
 */
export function showAction(context: ConsentContext): CliAction {
  return cliAction({
    description: "Prints a subject's on-chain consent (consentOf) as JSON.",
    positionals: ["<pseudonym>"],
    options: chainOptions,
    run: async ({ values, positionals }, io) => {
      const subject = bytes32Argument(positionals[0] as string, "pseudonym");
      const consent = await withRegistry(context, values, false, (r) => r.consentOf(subject));
      io.stdout(`${JSON.stringify(consent, null, 2)}\n`);
      return 0;
    },
  });
}
