import { toConsentWords } from "../../../../src/consent/index.ts";
import { CustosError } from "../../../../src/errors/index.ts";
import { type CliAction, cliAction } from "../../cliAction.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { projectOption, recordFromFhir } from "./recordFromFhir.ts";
import { chainOptions, withRegistry } from "./withRegistry.ts";

/**
 * `custos consent grant <fhir-file>`: converts a FHIR Consent as `from-fhir` does and grants
 * it on the ConsentRegistry; prints the transaction.
 *
 * @example
 * ```ts
 * defineCommand("consent", { summary, subcommands: { grant: grantAction(context) } });
 * ```
 */
export function grantAction(context: ConsentContext): CliAction {
  return cliAction({
    description:
      "Converts a FHIR Consent as from-fhir does, then grants it on the ConsentRegistry with the document's canonical hash; prints the transaction.",
    positionals: ["<fhir-file>"],
    options: { ...chainOptions, project: projectOption },
    run: async ({ values, positionals }, io) => {
      const record = await recordFromFhir(context, positionals[0] as string, values.project);
      if (record.status !== "active") {
        throw new CustosError(
          "INVALID_ARGUMENT",
          `a consent with status ${record.status} cannot be granted (use revoke)`,
          { details: { field: "status" } },
        );
      }
      const { tx, custodian } = await withRegistry(context, values, true, async (registry) => ({
        tx: await registry.grant(toConsentWords(record)),
        custodian: registry.custodian,
      }));
      const event = tx.events.find((e) => e.name === "ConsentGranted");
      const printed = {
        transaction: tx.hash,
        blockNumber: tx.blockNumber,
        custodian,
        subject: record.subject,
        version: event?.name === "ConsentGranted" ? event.args.version : null,
        documentHash: record.documentHash,
      };
      io.stdout(`${JSON.stringify(printed, null, 2)}\n`);
      return 0;
    },
  });
}
