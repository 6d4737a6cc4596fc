import { readFile } from "node:fs/promises";
import { consentFromFhir, type FhirReference } from "../../../src/consent/index.ts";
import { CustosError } from "../../../src/errors/index.ts";
import {
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
} from "../../../src/pseudonym/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";

/** Environment variable holding the hospital's pseudonym master key (hex, ≥ 32 bytes). */
export const MASTER_KEY_ENV = "CUSTOS_MASTER_KEY";

/** Options of {@link createConsentCommand}. */
export interface ConsentCommandOptions {
  /** Where `CUSTOS_MASTER_KEY` is read from (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 (default: node:fs). */
  readonly readText?: (path: string) => Promise<string>;
}

/** Defaults of {@link ConsentCommandOptions}. */
export const defaultConsentCommandOptions = {
  projectId: "default",
} as const;

const HELP = `Usage: custos consent from-fhir <file> [--project <id>]

Converts a FHIR R4 research Consent (JSON) into a Custos consent record and prints it as
JSON. The patient reference is pseudonymised with the project key derived from
$${MASTER_KEY_ENV} (hex, at least 32 bytes); neither the key nor the reference is printed.
A consent that cannot be represented exactly is refused with its error code and element path.

Options:
  --project <id>  project whose pseudonym key is used (default "${defaultConsentCommandOptions.projectId}")
  -h, --help      show this help
`;

function usage(message: string): CustosError {
  return new CustosError("CLI_USAGE", `${message} (see custos consent --help)`);
}

function parseFromFhir(args: readonly string[]): { file: string; projectId: string } {
  let file: string | undefined;
  let projectId: string = defaultConsentCommandOptions.projectId;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--project") {
      const value = args[++i];
      if (value === undefined || value.startsWith("-")) throw usage("--project needs a value");
      projectId = value;
    } else if (arg.startsWith("-")) {
      throw usage(`unknown option ${arg}`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw usage("from-fhir takes one file");
    }
  }
  if (file === undefined) throw usage("from-fhir needs a FHIR Consent JSON file");
  return { file, projectId };
}

/** The patient reference as one opaque identifier: its literal reference, else system|value. */
function subjectIdentifier(patient: FhirReference): string {
  return (
    patient.reference ?? `${patient.identifier?.system ?? ""}|${patient.identifier?.value ?? ""}`
  );
}

/**
 * Creates `custos consent`: for now the sub-command `from-fhir <file> [--project <id>]`.
 *
 * @throws CustosError `CLI_USAGE` for bad arguments, `CONFIG_INVALID` when
 * `CUSTOS_MASTER_KEY` is missing, `PSEUDONYM_KEY_INVALID`, `INVALID_ARGUMENT` for an
 * unreadable file, `CONSENT_FHIR_INVALID` / `CONSENT_FHIR_UNSUPPORTED` from the mapping.
 * @example
 * ```ts
 * await runCli(["consent", "from-fhir", "consent.json"], io, [createConsentCommand({ env })]);
 * ```
 */
export function createConsentCommand(options: ConsentCommandOptions = {}): CliCommand {
  const env = options.env ?? process.env;
  const readText = options.readText ?? ((path: string) => readFile(path, "utf8"));

  async function fromFhir(args: readonly string[], io: CliIo): Promise<number> {
    const { file, projectId } = parseFromFhir(args);
    const hex = env[MASTER_KEY_ENV];
    if (hex === undefined || hex.trim() === "") {
      throw new CustosError(
        "CONFIG_INVALID",
        `${MASTER_KEY_ENV} is not set: it must hold the hospital's master key as hex (at least 32 bytes)`,
        { details: { field: MASTER_KEY_ENV } },
      );
    }
    const key = deriveProjectKey(createMasterKey(hex), { projectId });
    const pseudonymiser = createPseudonymiser({ key, kind: "opaque" });
    let text: string;
    try {
      text = await readText(file);
    } catch (cause) {
      throw new CustosError("INVALID_ARGUMENT", `cannot read ${file}`, {
        details: { field: "file" },
        cause,
      });
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new CustosError("CONSENT_FHIR_INVALID", "Consent: the file is not JSON", {
        details: { path: "Consent", reason: "the file is not JSON" },
      });
    }
    const record = consentFromFhir(document, {
      pseudonymiseSubject: (patient) => pseudonymiser.pseudonymise(subjectIdentifier(patient)),
    });
    io.stdout(`${JSON.stringify(record, null, 2)}\n`);
    return 0;
  }

  return {
    name: "consent",
    summary: "consent records: from-fhir converts a FHIR R4 Consent",
    run: async (args, io) => {
      const [sub, ...rest] = args;
      if (sub === undefined || sub === "-h" || sub === "--help" || rest.includes("--help")) {
        io.stdout(HELP);
        return 0;
      }
      if (sub === "from-fhir") return fromFhir(rest, io);
      throw usage(`unknown consent sub-command "${sub}"`);
    },
  };
}
