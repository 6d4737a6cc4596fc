import { parseArgs } from "node:util";
import { usageError } from "./usageError.ts";

/**
 * How an option's text is read: `boolean` is a switch (`--force`, or `--force=false`);
 * `integer` a whole number (within `min`..`max` when given); `list` comma-separated values;
 * `string` the text as given.
 */
export type CliOptionType = "string" | "boolean" | "integer" | "list";

/** One `--flag` of a command. Its key in {@link CliOptions} is the flag without dashes. */
export interface CliOption {
  readonly type: CliOptionType;
  /** For the help: what the flag does. */
  readonly description: string;
  /** For the help: the value's placeholder, e.g. `<file>` (default by type: `<value>`, `N`). */
  readonly value?: string;
  /** The command cannot run without it. */
  readonly required?: boolean;
  /** The value when the flag is not given (shown in the help). */
  readonly default?: string | number | boolean;
  /** Least integer accepted. */
  readonly min?: number;
  /** Greatest integer accepted. */
  readonly max?: number;
  /** For the help: the heading the flag is listed under (default "Options"). */
  readonly group?: string;
}

/** A command's options by flag name (`"chain-id"` is `--chain-id`). */
export type CliOptions = Readonly<Record<string, CliOption>>;

/** The value type of an option. */
export type CliValue<T extends CliOption> = T["type"] extends "boolean"
  ? boolean
  : T["type"] extends "integer"
    ? number
    : T["type"] extends "list"
      ? readonly string[]
      : string;

/** Parsed option values: `undefined` for an absent flag unless it is required or has a default. */
export type CliValues<O extends CliOptions> = {
  readonly [K in keyof O]: O[K] extends
    | { readonly required: true }
    | { readonly default: string | number | boolean }
    ? CliValue<O[K]>
    : CliValue<O[K]> | undefined;
};

/** What a command line is checked against. */
export interface CommandLineSpec<O extends CliOptions> {
  /** The command whose help usage errors point to, e.g. `"genesis"` or `"consent"`. */
  readonly command: string;
  readonly options: O;
  /** Names of the positional arguments, e.g. `["<file>"]`; each is required. */
  readonly positionals?: readonly string[];
}

/** A parsed command line, or a request for the help. */
export type ParsedCommandLine<O extends CliOptions> =
  | { readonly help: true }
  | {
      readonly help: false;
      readonly values: CliValues<O>;
      readonly positionals: readonly string[];
    };

interface OptionToken {
  readonly name: string;
  readonly rawName: string;
  readonly value?: string | undefined;
  readonly inlineValue?: boolean | undefined;
}

function typed(command: string, option: CliOption, token: OptionToken): unknown {
  const flag = token.rawName;
  const fail = (why: string) => usageError(command, `${flag} ${why}`, { flag });
  if (option.type === "boolean") {
    if (token.inlineValue !== true) return true;
    if (token.value === "true" || token.value === "false") return token.value === "true";
    throw fail("must be true or false");
  }
  const text = token.value;
  // A separate value that looks like an option is taken for a forgotten value (as node:util's
  // strict mode does); --flag=-x passes one that starts with a dash.
  if (text === undefined || (token.inlineValue !== true && /^-./.test(text))) {
    throw fail("needs a value");
  }
  if (option.type === "list") {
    return text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  if (option.type !== "integer") return text;
  const { min, max } = option;
  const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= (min ?? -Infinity) && n <= (max ?? Infinity)) return n;
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : "";
  throw fail(`must be an integer${range}`);
}

/**
 * Parses a command's arguments (after its name) with node:util's `parseArgs`, then checks
 * them the same way for every command: `--help`/`-h` anywhere asks for the help; an unknown
 * flag, a flag without its value, a value of the wrong type (`--hospitals x`), a missing
 * required flag and a missing or extra positional argument are `CLI_USAGE` errors (exit
 * code 2) naming the flag or argument. Values are `--flag value` or `--flag=value`; a later
 * flag wins over an earlier one; `--` ends the options.
 *
 * @throws CustosError `CLI_USAGE`, e.g. "--hospitals must be an integer from 1 to 64 (see
 *   custos genesis --help)", with `details.flag` when a flag is at fault.
 * @example
 * ```ts
 * const parsed = parseCommandLine(["--out", "g.json", "--hospitals", "2"], {
 *   command: "genesis",
 *   options: {
 *     out: { type: "string", required: true, description: "where to write" },
 *     hospitals: { type: "integer", min: 1, max: 64, default: 4, description: "how many" },
 *   },
 * });
 * if (!parsed.help) parsed.values.hospitals; // 2
 * ```
 */
export function parseCommandLine<const O extends CliOptions>(
  args: readonly string[],
  spec: CommandLineSpec<O>,
): ParsedCommandLine<O> {
  const { command, options } = spec;
  const { tokens } = parseArgs({
    args: [...args],
    options: {
      help: { type: "boolean", short: "h" },
      ...Object.fromEntries(
        Object.entries(options).map(([name, option]) => [
          name,
          { type: option.type === "boolean" ? "boolean" : "string" } as const,
        ]),
      ),
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((token) => token.kind === "option" && token.name === "help")) {
    return { help: true };
  }
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option === undefined) {
      throw usageError(command, `unknown option ${token.rawName}`, { flag: token.rawName });
    }
    values[token.name] = typed(command, option, token);
  }
  const expected = spec.positionals ?? [];
  if (positionals.length < expected.length) {
    const missing = expected[positionals.length] as string;
    throw usageError(command, `missing ${missing}`, { argument: missing });
  }
  if (positionals.length > expected.length) {
    const extra = positionals[expected.length] as string;
    throw usageError(command, `unexpected argument ${extra}`, { argument: extra });
  }
  for (const [name, option] of Object.entries(options)) {
    if (values[name] !== undefined) continue;
    if (option.required === true) {
      throw usageError(command, `--${name} is required`, { flag: `--${name}` });
    }
    if (option.default !== undefined) values[name] = option.default;
  }
  return { help: false, values: values as CliValues<O>, positionals };
}
