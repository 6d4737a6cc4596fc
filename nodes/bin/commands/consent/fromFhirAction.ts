import { type CliAction, cliAction } from "../../cliAction.ts";
import type { ConsentContext } from "./ConsentContext.ts";
import { MASTER_KEY_ENV } from "./consentEnv.ts";
import { projectOption, recordFromFhir } from "./recordFromFhir.ts";

/**
 * `custos consent from-fhir <file>`: prints the consent record of a FHIR R4 research Consent.
 *
 * @example
 * ```ts
 * defineCommand("consent", { summary, subcommands: { "from-fhir": fromFhirAction(context) } });
 * ```
 */
export function fromFhirAction(context: ConsentContext): CliAction {
  return cliAction({
    description: `Converts a FHIR R4 research Consent (JSON) into a Custos consent record and prints it as JSON. The patient reference is pseudonymised with the project key derived from $${MASTER_KEY_ENV} (hex, at least 32 bytes); neither the key nor the reference is printed. A consent that cannot be represented exactly is refused with its error code and element path.`,
    positionals: ["<file>"],
    options: { project: projectOption },
    run: async ({ values, positionals }, io) => {
      const record = await recordFromFhir(context, positionals[0] as string, values.project);
      io.stdout(`${JSON.stringify(record, null, 2)}\n`);
      return 0;
    },
  });
}
