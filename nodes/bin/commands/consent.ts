import { readFile, writeFile } from "node:fs/promises";
import { Contract, isAddress, JsonRpcProvider, Wallet } from "ethers";
import {
  type Bytes32,
  type ConsentRecord,
  consentFromFhir,
  dataCategories,
  type FhirReference,
  purposeCodes,
  toConsentWords,
} from "../../../src/consent/index.ts";
import { consentRegistryAbi } from "../../../src/contracts/index.ts";
import { CustosError, isCustosError } from "../../../src/errors/index.ts";
import {
  type BatchEntry,
  type BatchProgress,
  type ConsentTerms,
  createConsentRegistryClient,
  createConsortiumClient,
  type LedgerClientOptions,
} from "../../../src/ledger/index.ts";
import {
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
} from "../../../src/pseudonym/index.ts";
import type { CliCommand, CliIo } from "../CliCommand.ts";

/** Environment variable holding the hospital's pseudonym master key (hex, ≥ 32 bytes). */
export const MASTER_KEY_ENV = "CUSTOS_MASTER_KEY";

/** Environment variable holding the recorder's private key (hex) that signs consent transactions. */
export const RECORDER_KEY_ENV = "CUSTOS_RECORDER_KEY";

/** A chain connection made by {@link ConsentCommandOptions.connect}. */
export interface ConsentConnection {
  /** Signer (with a key) or provider (read-only) the registry client runs on. */
  readonly runner: LedgerClientOptions["runner"];
  /** Releases the connection (stops provider polling). */
  readonly close: () => void;
}

/** Options of {@link createConsentCommand}. */
export interface ConsentCommandOptions {
  /** Where `CUSTOS_MASTER_KEY` and `CUSTOS_RECORDER_KEY` are read from (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 (default: node:fs); rejects when it does not exist. */
  readonly readText?: (path: string) => Promise<string>;
  /** Writes a file as UTF-8 (default: node:fs); used for import checkpoints. */
  readonly writeText?: (path: string, text: string) => Promise<void>;
  /**
   * Opens the chain connection: a provider for `--rpc`, and a signer when a key is given
   * (default: ethers `JsonRpcProvider` + `Wallet`). Tests inject Hardhat's signers here.
   */
  readonly connect?: (rpc: string, key: string | undefined) => ConsentConnection;
  /** Whether standard error is a terminal (default: `process.stderr.isTTY`): shows the progress bar. */
  readonly stderrIsTty?: boolean;
  /** Milliseconds clock for the import's ETA (default: `performance.now`). */
  readonly clock?: () => number;
  /**
   * Registers `stop` to be called when the user interrupts an import; returns a function
   * that unregisters it (default: the first SIGINT, after which a second one kills the
   * process as usual).
   */
  readonly onInterrupt?: (stop: () => void) => () => void;
}

/** Defaults of {@link ConsentCommandOptions}. */
export const defaultConsentCommandOptions = {
  projectId: "default",
} as const;

/** `text` wrapped at 92 columns, every line indented as the help's sub-command paragraphs. */
function wrapped(text: string): string {
  const indent = " ".repeat(11);
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > 92) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(indent + line);
  return lines.join("\n");
}

const HELP = `Usage: custos consent from-fhir <file> [--project <id>]
       custos consent grant <fhir-file> --rpc <url> --registry <address> [--custodian <id>]
                            [--project <id>]
       custos consent revoke <pseudonym> --document-hash <0x…> --rpc <url> --registry <address>
                             [--custodian <id>]
       custos consent show <pseudonym> --rpc <url> --registry <address> [--custodian <id>]
       custos consent import <file.csv|file.ndjson> --terms <json|@file> --rpc <url>
                             --registry <address> [--custodian <id>] [--resume] [--progress]

from-fhir  converts a FHIR R4 research Consent (JSON) into a Custos consent record and prints
           it as JSON. The patient reference is pseudonymised with the project key derived
           from $${MASTER_KEY_ENV} (hex, at least 32 bytes); neither the key nor the reference
           is printed. A consent that cannot be represented exactly is refused with its error
           code and element path.
grant      converts the same way, then grants it on the ConsentRegistry with the document's
           canonical hash; prints the transaction.
revoke     revokes a subject's consent with the revocation document's hash.
show       prints a subject's on-chain consent (consentOf) as JSON.
import     bulk-grants subjects on shared terms through batchGrant, chunked under the gas
           cap. Rows: CSV with a header naming the columns subject and documentHash, or
           NDJSON objects {"subject", "documentHash"}. Terms: {"purposes", "categories",
           "validFrom"?, "validUntil"?}, where purposes is a DUO label ("GRU"), a list of
           them (["HMB","NPU"]) or the 32-bit word as a number, and categories a category
           name ("CONDITIONS"), a list of them or the word; validFrom and validUntil are unix
           seconds. Labels and names are case-insensitive; an unknown one is refused with
           CONSENT_TERMS_UNKNOWN_CODE.
${wrapped(`Purpose labels: ${Object.keys(purposeCodes).join(", ")}.`)}
${wrapped(`Categories: ${Object.keys(dataCategories).join(", ")}.`)}
           Landed rows are checkpointed in <file>.progress.json; --resume skips them. Prints a
           report of every failed row (line, reason code) and exits 1 if any failed. Ctrl-C
           (SIGINT) stops after the transaction in flight, prints where the import stopped
           and the command that resumes it, and exits 130; a second Ctrl-C quits at once.

Transactions are signed with the key in $${RECORDER_KEY_ENV} (hex; never printed): the key of
one of the hospital's consent recorders (not an admin account). Records are kept per custodian
hospital: the command works on the records of the hospital that key records for, which it
reads from the chain (Consortium.bindingOf through the registry's consortium()). --custodian
names that hospital explicitly and is checked against the key; show needs it when no
recorder key is set.

Options:
  --project <id>         project whose pseudonym key is used (default "${defaultConsentCommandOptions.projectId}")
  --rpc <url>            JSON-RPC endpoint of a Custos node
  --registry <address>   ConsentRegistry address
  --custodian <id>       the custodian hospital's organisation id (default: the recorder's)
  --document-hash <0x…>  revocation document hash (bytes32)
  --terms <json|@file>   shared terms of an import
  --resume               skip rows landed by an earlier run of the same import
  --progress             show the progress bar even when stderr is not a terminal
  -h, --help             show this help
`;

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

function usage(message: string): CustosError {
  return new CustosError("CLI_USAGE", `${message} (see custos consent --help)`);
}

interface ParsedArgs {
  readonly positional: string[];
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
}

/** Parses `args` allowing the given value options and boolean flags. */
function parseArgs(
  sub: string,
  args: readonly string[],
  valueOptions: readonly string[],
  flagOptions: readonly string[] = [],
): ParsedArgs {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (valueOptions.includes(arg)) {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) throw usage(`${arg} needs a value`);
      values.set(arg, value);
    } else if (flagOptions.includes(arg)) {
      flags.add(arg);
    } else if (arg.startsWith("-")) {
      throw usage(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1) throw usage(`${sub} takes exactly one argument`);
  return { positional, values, flags };
}

function required(parsed: ParsedArgs, option: string): string {
  const value = parsed.values.get(option);
  if (value === undefined) throw usage(`${option} is required`);
  return value;
}

/** The patient reference as one opaque identifier: its literal reference, else system|value. */
function subjectIdentifier(patient: FhirReference): string {
  return (
    patient.reference ?? `${patient.identifier?.system ?? ""}|${patient.identifier?.value ?? ""}`
  );
}

function bytes32(value: string, field: string): Bytes32 {
  if (!BYTES32.test(value)) {
    throw new CustosError("INVALID_ARGUMENT", `${field} must be 0x-prefixed bytes32 hex`, {
      details: { field },
    });
  }
  return value.toLowerCase() as Bytes32;
}

/** The --custodian option: a hospital organisation id (uint32, ≥ 1), when given. */
function custodianOption(parsed: ParsedArgs): number | undefined {
  const value = parsed.values.get("--custodian");
  if (value === undefined) return undefined;
  const id = /^[0-9]{1,10}$/.test(value) ? Number(value) : 0;
  if (id < 1 || id > 0xffffffff) {
    throw usage("--custodian must be a hospital organisation id (1 to 4294967295)");
  }
  return id;
}

/**
 * The custodian hospital the recorder key of `runner` records for, read from the chain:
 * the registry's Consortium, then the key's binding there. With `explicit`, checks that the
 * key is a recorder of that hospital.
 *
 * @throws CustosError `MEMBERSHIP_DENIED` when the key is no consent recorder of an active
 * hospital (an admin account, never bound, retired) or not of `explicit`;
 * `LEDGER_BAD_RESPONSE` when `registry` does not answer as a ConsentRegistry.
 */
async function recorderCustodian(
  runner: ConsentConnection["runner"],
  registry: string,
  explicit: number | undefined,
): Promise<number> {
  const signer = runner as Partial<{ getAddress(): Promise<string> }>;
  if (typeof signer.getAddress !== "function") {
    throw new CustosError("INTERNAL", "the connection for a recorder key has no signer");
  }
  const recorder = (await signer.getAddress()).toLowerCase();
  let consortiumAddress: string;
  try {
    consortiumAddress = String(
      await new Contract(registry, consentRegistryAbi, runner).getFunction("consortium")(),
    );
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === "BAD_DATA" || code === "CALL_EXCEPTION") {
      throw new CustosError(
        "LEDGER_BAD_RESPONSE",
        "--registry does not answer as a ConsentRegistry (consortium())",
        { details: { field: "--registry", address: registry }, cause },
      );
    }
    throw new CustosError("LEDGER_UNAVAILABLE", "cannot read the registry's consortium()", {
      details: { field: "--rpc" },
      cause,
    });
  }
  const consortium = createConsortiumClient({ address: consortiumAddress, runner });
  const binding = await consortium.bindingOf(recorder);
  const custodian = explicit ?? binding.orgId;
  if (custodian !== 0 && (await consortium.isRecorder(custodian, recorder))) return custodian;
  const denied = (why: string) =>
    new CustosError("MEMBERSHIP_DENIED", `the ${RECORDER_KEY_ENV} account ${recorder} ${why}`, {
      details: {
        field: RECORDER_KEY_ENV,
        account: recorder,
        orgId: binding.orgId,
        capacity: binding.capacity,
        ...(explicit === undefined ? {} : { custodian: explicit }),
      },
    });
  if (binding.capacity === "recorder" && explicit !== undefined && explicit !== binding.orgId) {
    throw denied(`records for hospital ${binding.orgId}, not for --custodian ${explicit}`);
  }
  switch (binding.capacity) {
    case "admin":
      throw denied(
        `is an admin account of organisation ${binding.orgId}, not a consent recorder: use a recorder's key`,
      );
    case "retired":
      throw denied(`was retired from organisation ${binding.orgId}`);
    case "none":
      throw denied("is not bound to any organisation");
    default:
      throw denied(`is not a recorder of an active hospital (organisation ${binding.orgId})`);
  }
}

function defaultConnect(rpc: string, key: string | undefined): ConsentConnection {
  let url: URL;
  try {
    url = new URL(rpc);
  } catch {
    throw usage("--rpc must be an http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usage("--rpc must be an http(s) URL");
  }
  // cacheTimeout -1: a stale cached nonce would make consecutive transactions collide.
  const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1 });
  if (key === undefined) return { runner: provider, close: () => provider.destroy() };
  let wallet: Wallet;
  try {
    wallet = new Wallet(key, provider);
  } catch {
    provider.destroy();
    // The cause is dropped on purpose: ethers' message would echo the key.
    throw new CustosError("CONFIG_INVALID", `${RECORDER_KEY_ENV} is not a valid private key`, {
      details: { field: RECORDER_KEY_ENV },
    });
  }
  return { runner: wallet, close: () => provider.destroy() };
}

/** One row of an import file. */
interface ImportRow {
  readonly line: number;
  readonly entry: BatchEntry;
}

/** A row that did not land, with why. */
interface ImportFailure {
  readonly line: number;
  /** An error code (e.g. `CONSENT_ALREADY_ACTIVE`, `CONSENT_IMPORT_INVALID`) or `NOT_ATTEMPTED`. */
  readonly reason: string;
  readonly subject?: string;
  readonly problem?: string;
}

function parseImportRows(
  file: string,
  text: string,
): { rows: ImportRow[]; failures: ImportFailure[] } {
  const lines = text.split(/\r?\n/);
  const rows: ImportRow[] = [];
  const failures: ImportFailure[] = [];
  const seen = new Set<string>();
  const invalid = (line: number, problem: string) =>
    failures.push({ line, reason: "CONSENT_IMPORT_INVALID", problem });
  const accept = (line: number, subject: unknown, documentHash: unknown) => {
    if (typeof subject !== "string" || !BYTES32.test(subject)) {
      invalid(line, "subject must be bytes32 hex");
    } else if (typeof documentHash !== "string" || !BYTES32.test(documentHash)) {
      invalid(line, "documentHash must be bytes32 hex");
    } else if (seen.has(subject.toLowerCase())) {
      invalid(line, "duplicate subject");
    } else {
      seen.add(subject.toLowerCase());
      rows.push({
        line,
        entry: {
          subject: subject.toLowerCase() as Bytes32,
          documentHash: documentHash.toLowerCase() as Bytes32,
        },
      });
    }
  };
  if (file.endsWith(".ndjson")) {
    lines.forEach((raw, i) => {
      if (raw.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        invalid(i + 1, "not JSON");
        return;
      }
      const row = (typeof value === "object" && value !== null ? value : {}) as Record<
        string,
        unknown
      >;
      accept(i + 1, row.subject, row.documentHash);
    });
    return { rows, failures };
  }
  if (!file.endsWith(".csv")) {
    throw new CustosError("CONSENT_IMPORT_INVALID", "import files must be .csv or .ndjson", {
      details: { field: "file" },
    });
  }
  const headerAt = lines.findIndex((l) => l.trim() !== "");
  const header = (lines[headerAt] ?? "").split(",").map((h) => h.trim());
  const subjectColumn = header.indexOf("subject");
  const documentColumn = header.indexOf("documentHash");
  if (headerAt < 0 || subjectColumn < 0 || documentColumn < 0) {
    throw new CustosError(
      "CONSENT_IMPORT_INVALID",
      "the CSV header must name the columns subject and documentHash",
      { details: { line: headerAt + 1, field: "header" } },
    );
  }
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === "") continue;
    const cells = raw.split(",").map((c) => c.trim());
    accept(i + 1, cells[subjectColumn], cells[documentColumn]);
  }
  return { rows, failures };
}

/**
 * A terms bitmap from its number, one label ("GRU") or a list of labels (case-insensitive).
 *
 * @throws CustosError `CONSENT_IMPORT_INVALID` for a value of another type or out of range;
 *   `CONSENT_TERMS_UNKNOWN_CODE` naming a label that is not in `codes`.
 */
function termsWord(
  value: unknown,
  field: "purposes" | "categories",
  codes: Readonly<Record<string, { readonly bit: number }>>,
): number {
  const what = field === "purposes" ? "DUO label" : "category";
  const bad = () =>
    new CustosError(
      "CONSENT_IMPORT_INVALID",
      `terms.${field} must be a ${what}, a list of them or a uint32`,
      {
        details: { field: `terms.${field}` },
      },
    );
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw bad();
    return value;
  }
  const labels = typeof value === "string" ? [value] : value;
  if (!Array.isArray(labels)) throw bad();
  let word = 0;
  for (const label of labels) {
    if (typeof label !== "string") throw bad();
    const key = label.trim().toUpperCase();
    const code = Object.hasOwn(codes, key) ? codes[key] : undefined;
    if (code === undefined) {
      const shown = label.length > 40 ? `${label.slice(0, 40)}…` : label;
      throw new CustosError(
        "CONSENT_TERMS_UNKNOWN_CODE",
        `terms.${field}: unknown ${what} "${shown}" (known: ${Object.keys(codes).join(", ")})`,
        { details: { field: `terms.${field}`, code: shown, known: Object.keys(codes) } },
      );
    }
    word = (word | code.bit) >>> 0;
  }
  return word;
}

function parseTerms(text: string): ConsentTerms {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CustosError("CONSENT_IMPORT_INVALID", "--terms is not JSON", {
      details: { field: "terms" },
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CustosError("CONSENT_IMPORT_INVALID", "--terms must be a JSON object", {
      details: { field: "terms" },
    });
  }
  const t = value as Record<string, unknown>;
  const time = (field: "validFrom" | "validUntil"): number => {
    const v = t[field] ?? 0;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v >= 2 ** 40) {
      throw new CustosError("CONSENT_IMPORT_INVALID", `terms.${field} must be unix seconds`, {
        details: { field: `terms.${field}` },
      });
    }
    return v;
  };
  return {
    purposes: termsWord(t.purposes, "purposes", purposeCodes),
    categories: termsWord(t.categories, "categories", dataCategories),
    validFrom: time("validFrom"),
    validUntil: time("validUntil"),
  };
}

/** Landed rows of an earlier run: `<file>.progress.json`. */
interface ImportCheckpoint {
  readonly format: 1;
  readonly landedLines: number[];
}

/** An argument as a POSIX shell would need it quoted to pass it through unchanged. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The first SIGINT calls `stop`; the handler is then gone, so a second one kills the process. */
function onSigint(stop: () => void): () => void {
  process.once("SIGINT", stop);
  return () => process.off("SIGINT", stop);
}

/** Exit code of a command stopped by SIGINT (128 + 2), as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * Creates `custos consent`: `from-fhir` (convert a FHIR Consent), and against a chain `grant`,
 * `revoke`, `show` and `import` (bulk load through batchGrant with checkpoints).
 *
 * @throws CustosError `CLI_USAGE` for bad arguments; `CONFIG_INVALID` when
 * `CUSTOS_MASTER_KEY` or `CUSTOS_RECORDER_KEY` is missing or malformed;
 * `PSEUDONYM_KEY_INVALID`; `INVALID_ARGUMENT` for an unreadable file or a malformed
 * pseudonym/hash; `CONSENT_FHIR_INVALID` / `CONSENT_FHIR_UNSUPPORTED` from the mapping;
 * `CONSENT_IMPORT_INVALID` for a malformed import file or terms; `MEMBERSHIP_DENIED` when
 * `CUSTOS_RECORDER_KEY` is no consent recorder of an active hospital (or not of
 * `--custodian`); the ledger codes (`CONSENT_ALREADY_ACTIVE`, `LEDGER_UNAVAILABLE`, …) from
 * the chain.
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
  const env = options.env ?? process.env;
  const readText = options.readText ?? ((path: string) => readFile(path, "utf8"));
  const writeText =
    options.writeText ?? ((path: string, text: string) => writeFile(path, text, "utf8"));
  const connect = options.connect ?? defaultConnect;
  const stderrIsTty = options.stderrIsTty ?? process.stderr.isTTY === true;
  const clock = options.clock ?? (() => performance.now());
  const onInterrupt = options.onInterrupt ?? onSigint;

  function envValue(name: string, what: string): string {
    const value = env[name];
    if (value === undefined || value.trim() === "") {
      throw new CustosError("CONFIG_INVALID", `${name} is not set: it must hold ${what}`, {
        details: { field: name },
      });
    }
    return value.trim();
  }

  async function readInput(file: string): Promise<string> {
    try {
      return await readText(file);
    } catch (cause) {
      throw new CustosError("INVALID_ARGUMENT", `cannot read ${file}`, {
        details: { field: "file" },
        cause,
      });
    }
  }

  async function recordFromFhir(file: string, projectId: string): Promise<ConsentRecord> {
    const hex = envValue(MASTER_KEY_ENV, "the hospital's master key as hex (at least 32 bytes)");
    const key = deriveProjectKey(createMasterKey(hex), { projectId });
    const pseudonymiser = createPseudonymiser({ key, kind: "opaque" });
    const text = await readInput(file);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new CustosError("CONSENT_FHIR_INVALID", "Consent: the file is not JSON", {
        details: { path: "Consent", reason: "the file is not JSON" },
      });
    }
    return consentFromFhir(document, {
      pseudonymiseSubject: (patient) => pseudonymiser.pseudonymise(subjectIdentifier(patient)),
    });
  }

  /**
   * Runs `task` with a registry client on the chain named by --rpc/--registry, scoped to the
   * custodian hospital: for a write (`signing`), the one whose recorder holds
   * `CUSTOS_RECORDER_KEY` (checked against --custodian when given); for a read, --custodian,
   * else the recorder key's hospital when the key is set.
   */
  async function withRegistry<T>(
    parsed: ParsedArgs,
    signing: boolean,
    task: (registry: ReturnType<typeof createConsentRegistryClient>) => Promise<T>,
  ): Promise<T> {
    const rpc = required(parsed, "--rpc");
    const address = required(parsed, "--registry");
    if (!isAddress(address)) throw usage("--registry must be an address");
    const explicit = custodianOption(parsed);
    const keySet = (env[RECORDER_KEY_ENV] ?? "").trim() !== "";
    if (!signing && explicit === undefined && !keySet) {
      throw usage(`--custodian is required when ${RECORDER_KEY_ENV} is not set`);
    }
    const key =
      signing || explicit === undefined
        ? envValue(RECORDER_KEY_ENV, "the recorder's private key as hex")
        : undefined;
    const connection = connect(rpc, key);
    try {
      const custodian =
        key === undefined
          ? (explicit as number)
          : await recorderCustodian(connection.runner, address, explicit);
      return await task(
        createConsentRegistryClient({ address, runner: connection.runner, custodian }),
      );
    } finally {
      connection.close();
    }
  }

  async function fromFhir(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs("from-fhir", args, ["--project"]);
    const record = await recordFromFhir(
      parsed.positional[0] as string,
      parsed.values.get("--project") ?? defaultConsentCommandOptions.projectId,
    );
    io.stdout(`${JSON.stringify(record, null, 2)}\n`);
    return 0;
  }

  async function grant(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs("grant", args, ["--project", "--rpc", "--registry", "--custodian"]);
    const record = await recordFromFhir(
      parsed.positional[0] as string,
      parsed.values.get("--project") ?? defaultConsentCommandOptions.projectId,
    );
    if (record.status !== "active") {
      throw new CustosError(
        "INVALID_ARGUMENT",
        `a consent with status ${record.status} cannot be granted (use revoke)`,
        { details: { field: "status" } },
      );
    }
    const { tx, custodian } = await withRegistry(parsed, true, async (registry) => ({
      tx: await registry.grant(toConsentWords(record)),
      custodian: registry.custodian,
    }));
    const event = tx.events.find((e) => e.name === "ConsentGranted");
    io.stdout(
      `${JSON.stringify(
        {
          transaction: tx.hash,
          blockNumber: tx.blockNumber,
          custodian,
          subject: record.subject,
          version: event?.name === "ConsentGranted" ? event.args.version : null,
          documentHash: record.documentHash,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }

  async function revoke(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs("revoke", args, [
      "--document-hash",
      "--rpc",
      "--registry",
      "--custodian",
    ]);
    const subject = bytes32(parsed.positional[0] as string, "pseudonym");
    const documentHash = bytes32(required(parsed, "--document-hash"), "--document-hash");
    const { tx, custodian } = await withRegistry(parsed, true, async (registry) => ({
      tx: await registry.revoke(subject, documentHash),
      custodian: registry.custodian,
    }));
    const event = tx.events.find((e) => e.name === "ConsentRevoked");
    io.stdout(
      `${JSON.stringify(
        {
          transaction: tx.hash,
          blockNumber: tx.blockNumber,
          custodian,
          subject,
          version: event?.name === "ConsentRevoked" ? event.args.version : null,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }

  async function show(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs("show", args, ["--rpc", "--registry", "--custodian"]);
    const subject = bytes32(parsed.positional[0] as string, "pseudonym");
    const consent = await withRegistry(parsed, false, (registry) => registry.consentOf(subject));
    io.stdout(`${JSON.stringify(consent, null, 2)}\n`);
    return 0;
  }

  async function importRows(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(
      "import",
      args,
      ["--terms", "--rpc", "--registry", "--custodian"],
      ["--resume", "--progress"],
    );
    const file = parsed.positional[0] as string;
    const termsArg = required(parsed, "--terms");
    const terms = parseTerms(
      termsArg.startsWith("@") ? await readInput(termsArg.slice(1)) : termsArg,
    );
    const { rows, failures } = parseImportRows(file, await readInput(file));
    const invalidRows = failures.length;
    const checkpointPath = `${file}.progress.json`;
    const landedLines = new Set<number>();
    if (parsed.flags.has("--resume")) {
      let text: string | undefined;
      try {
        text = await readText(checkpointPath);
      } catch {
        text = undefined; // no checkpoint yet: nothing landed
      }
      if (text !== undefined) {
        const checkpoint = JSON.parse(text) as Partial<ImportCheckpoint>;
        if (checkpoint.format !== 1 || !Array.isArray(checkpoint.landedLines)) {
          throw new CustosError("CONSENT_IMPORT_INVALID", "the checkpoint file is malformed", {
            details: { field: "checkpoint" },
          });
        }
        for (const line of checkpoint.landedLines) landedLines.add(line);
      }
    }
    const skipped = rows.filter((r) => landedLines.has(r.line)).length;
    let pending = rows.filter((r) => !landedLines.has(r.line));
    const total = pending.length;
    const showProgress = stderrIsTty || parsed.flags.has("--progress");
    const started = clock();
    let landedNow = 0;
    let checkpointWrite: Promise<void> = Promise.resolve();
    const saveCheckpoint = () => {
      const body: ImportCheckpoint = {
        format: 1,
        landedLines: [...landedLines].sort((a, b) => a - b),
      };
      checkpointWrite = checkpointWrite.then(() =>
        writeText(checkpointPath, `${JSON.stringify(body)}\n`),
      );
    };
    const drawProgress = () => {
      if (!showProgress || total === 0) return;
      const elapsed = (clock() - started) / 1000;
      const rate = landedNow / Math.max(elapsed, 1e-3);
      const eta = rate > 0 ? (total - landedNow) / rate : Number.POSITIVE_INFINITY;
      const percent = ((landedNow / total) * 100).toFixed(1);
      io.stderr(`\rimport ${percent}% ${landedNow}/${total} ETA ${formatSeconds(eta)}`);
    };

    const interrupt = new AbortController();
    const stopListening = onInterrupt(() => interrupt.abort());
    let interrupted = false;
    try {
      await withRegistry(parsed, true, async (registry) => {
        // Rounds: a chunk the contract rejects for one row fails whole; its other rows go again.
        while (pending.length > 0 && !interrupted) {
          const round = pending;
          const onProgress = (progress: BatchProgress) => {
            const chunk = progress.chunk;
            if (chunk.outcome === "landed") {
              for (let i = 0; i < chunk.entries.length; i++) {
                landedLines.add((round[chunk.start + i] as ImportRow).line);
              }
              landedNow += chunk.entries.length;
              saveCheckpoint();
            }
            drawProgress();
          };
          const result = await registry.batchGrant(
            round.map((r) => r.entry),
            terms,
            { onProgress, signal: interrupt.signal },
          );
          interrupted = result.aborted;
          const retry: ImportRow[] = [];
          for (const chunk of result.failed) {
            for (let i = 0; i < chunk.entries.length; i++) {
              const position = chunk.start + i;
              const row = round[position] as ImportRow;
              if (chunk.rejected === undefined || chunk.rejected.entryIndex === position) {
                failures.push({
                  line: row.line,
                  reason: chunk.error.code,
                  subject: row.entry.subject,
                });
              } else {
                retry.push(row);
              }
            }
          }
          // After an interrupt the rows never sent are reported as a count, not one by one.
          const attempted = new Set(result.remaining);
          for (const row of round) {
            if (attempted.has(row.entry) && !interrupted) {
              failures.push({
                line: row.line,
                reason: "NOT_ATTEMPTED",
                subject: row.entry.subject,
              });
            }
          }
          pending = retry;
        }
      });
    } finally {
      stopListening();
    }
    await checkpointWrite;
    if (showProgress && total > 0) io.stderr("\n");
    failures.sort((a, b) => a.line - b.line);
    const failedLines = new Set(failures.map((f) => f.line));
    const notLanded = rows.filter((r) => !landedLines.has(r.line) && !failedLines.has(r.line));
    io.stdout(
      `${JSON.stringify(
        {
          file,
          rows: rows.length + invalidRows,
          skipped,
          landed: landedNow,
          failed: failures,
          ...(interrupted ? { interrupted: true, notLanded: notLanded.length } : {}),
        },
        null,
        2,
      )}\n`,
    );
    if (!interrupted) return failures.length === 0 ? 0 : 1;
    const resume = ["custos", "consent", "import", ...args];
    if (!resume.includes("--resume")) resume.push("--resume");
    const next = notLanded[0];
    io.stderr(
      `interrupted: ${landedNow} of ${total} rows landed in this run (${landedLines.size} in all, ` +
        `checkpoint ${checkpointPath}); ${notLanded.length} not landed` +
        `${next === undefined ? "" : `, from line ${next.line}`}.\n` +
        `resume with: ${resume.map(shellQuote).join(" ")}\n`,
    );
    return INTERRUPTED_EXIT_CODE;
  }

  const subCommands: Record<string, (args: readonly string[], io: CliIo) => Promise<number>> = {
    "from-fhir": fromFhir,
    grant,
    revoke,
    show,
    import: importRows,
  };

  return {
    name: "consent",
    summary: "consent records: from-fhir, and grant/revoke/show/import on the ConsentRegistry",
    run: async (args, io) => {
      const [sub, ...rest] = args;
      if (sub === undefined || sub === "-h" || sub === "--help" || rest.includes("--help")) {
        io.stdout(HELP);
        return 0;
      }
      const handler = Object.hasOwn(subCommands, sub) ? subCommands[sub] : undefined;
      if (handler === undefined) throw usage(`unknown consent sub-command "${sub}"`);
      try {
        return await handler(rest, io);
      } catch (error) {
        if (isCustosError(error)) throw error;
        throw new CustosError("INTERNAL", "consent command failed", { cause: error });
      }
    },
  };
}
