import { CustosError, isCustosError } from "../../../src/errors/index.ts";
import type { CliCommand } from "../CliCommand.ts";
import { defineCommand } from "../defineCommand.ts";
import { type ConsentCommandOptions, consentContext } from "./consent/ConsentContext.ts";
import { RECORDER_KEY_ENV } from "./consent/consentEnv.ts";
import { fromFhirAction } from "./consent/fromFhirAction.ts";
import { grantAction } from "./consent/grantAction.ts";
import { importAction } from "./consent/importAction.ts";
import { revokeAction } from "./consent/revokeAction.ts";
import { showAction } from "./consent/showAction.ts";

/**
 * Creates `custos consent`: `from-fhir` (convert a FHIR Consent), and against a chain `grant`,
 * `revoke`, `show` and `import` (bulk load through the SDK's consent import, with
 * checkpoints). Each sub-command lives in nodes/bin/commands/consent/.
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `CONFIG_INVALID` when
 * `CUSTOS_MASTER_KEY` or `CUSTOS_RECORDER_KEY` is missing or malformed;
 * `PSEUDONYM_KEY_INVALID`; `INVALID_ARGUMENT` for an unreadable file or a malformed
 * pseudonym/hash; `CONSENT_FHIR_INVALID` / `CONSENT_FHIR_UNSUPPORTED` from the mapping;
 * `CONSENT_IMPORT_INVALID` for a malformed import file, checkpoint or terms;
 * `MEMBERSHIP_DENIED` when `CUSTOS_RECORDER_KEY` is no consent recorder of an active hospital
 * (or not of `--custodian`); the ledger codes (`CONSENT_ALREADY_ACTIVE`, `LEDGER_UNAVAILABLE`,
 * …) from the chain; `INTERNAL` for anything else, without its message (ethers' messages
 * may echo a key).
 * @example
 * ```ts
 * await runCli(["consent", "from-fhir", "consent.json"], io, [createConsentCommand({ env })]);
 * await runCli(
 *   ["consent", "show", pseudonym, "--rpc", url, "--registry", address, "--custodian", "1"],
 *   io,
 * );
 * ```
 */
export function createConsentCommand(options: ConsentCommandOptions = {}): CliCommand {
  const context = consentContext(options);
  const command = defineCommand("consent", {
    summary: "consent records: from-fhir, and grant/revoke/show/import on the ConsentRegistry",
    description: `Transactions are signed with the key in $${RECORDER_KEY_ENV} (hex; never printed): the key of one of the hospital's consent recorders (not an admin account). Records are kept per custodian hospital: the command works on the records of the hospital that key records for, which it reads from the chain (Consortium.bindingOf through the registry's consortium()). --custodian names that hospital explicitly and is checked against the key; show needs it when no recorder key is set.`,
    subcommands: {
      "from-fhir": fromFhirAction(context),
      grant: grantAction(context),
      revoke: revokeAction(context),
      show: showAction(context),
      import: importAction(context),
    },
  });
  return {
    ...command,
    run: async (args, io) => {
      try {
        return await command.run(args, io);
      } catch (error) {
        if (isCustosError(error)) throw error;
        throw new CustosError("INTERNAL", "consent command failed", { cause: error });
      }
    },
  };
}
