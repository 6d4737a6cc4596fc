import { type CliAction, cliAction } from "../../cliAction.ts";
import { bytes32Argument } from "./bytes32Argument.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { chainOptions, withRegistry } from "./withRegistry.ts";

/**
 * `custos consent revoke <pseudonym>`: revokes a subject's consent; prints the transaction.
 *
 * @example
 * ```ts
 * defineCommand("consent", { summary, subcommands: { revoke: revokeAction(context) } });
 * ```
 */
export function revokeAction(context: ConsentContext): CliAction {
  return cliAction({
    description: "Revokes a subject's consent with the revocation document's hash.",
    positionals: ["<pseudonym>"],
    options: {
      "document-hash": {
        type: "string",
        value: "<0x…>",
        required: true,
        description: "revocation document hash (bytes32)",
      },
      ...chainOptions,
    },
    run: async ({ values, positionals }, io) => {
      const subject = bytes32Argument(positionals[0] as string, "pseudonym");
      const documentHash = bytes32Argument(values["document-hash"], "--document-hash");
      const { tx, custodian } = await withRegistry(context, values, true, async (registry) => ({
        tx: await registry.revoke(subject, documentHash),
        custodian: registry.custodian,
      }));
      const event = tx.events.find((e) => e.name === "ConsentRevoked");
      const printed = {
        transaction: tx.hash,
        blockNumber: tx.blockNumber,
        custodian,
        subject,
        version: event?.name === "ConsentRevoked" ? event.args.version : null,
      };
      io.stdout(`${JSON.stringify(printed, null, 2)}\n`);
      return 0;
    },
  });
}
