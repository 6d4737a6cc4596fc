import { CustosError } from "../../src/errors/index.ts";
import { type ConfigFlag, configFlags } from "./configFlags.ts";

/** One field set from the command line. */
export interface ConfigOverride {
  /** Dotted field path, e.g. `rpc.port`. */
  readonly path: string;
  /** The value, typed by the field's kind where the text allows (validated later). */
  readonly value: unknown;
  /** Where it came from, e.g. `--rpc-port`, for error messages. */
  readonly source: string;
}

/** What {@link parseConfigFlags} found. */
export interface ParsedConfigFlags {
  /** The `--config FILE` value, if given. */
  readonly file?: string;
  /** Field overrides in command-line order (a later flag wins). */
  readonly overrides: readonly ConfigOverride[];
  /** Arguments that are not config flags, in order, for the command to interpret. */
  readonly rest: readonly string[];
}

function typed(flag: ConfigFlag, text: string): unknown {
  switch (flag.kind) {
    case "integer":
      // Non-numeric text stays a string so schema validation reports the field's reason.
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "list":
      return text
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    default:
      return text;
  }
}

/**
 * Splits command-line arguments into config overrides and the rest. Flags are `--flag value`
 * or `--flag=value`; a boolean flag alone means `true` (`--dev`), `--dev=false` turns it off;
 * lists are comma-separated (`--rpc-cors https://a.org,https://b.org`). `--config FILE` names
 * the config file.
 *
 * @throws CustosError `CLI_USAGE` when a flag that needs a value has none.
 * @example
 * ```ts
 * const { file, overrides, rest } = parseConfigFlags(["--config", "node.json", "--rpc-port", "9545"]);
 * const config = await loadConfig({ ...(file ? { file } : {}), overrides });
 * ```
 */
export function parseConfigFlags(argv: readonly string[]): ParsedConfigFlags {
  const byFlag = new Map(configFlags().map((f) => [f.flag, f]));
  const overrides: ConfigOverride[] = [];
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const flag = byFlag.get(name);
    if (name !== "--config" && flag === undefined) {
      rest.push(arg);
      continue;
    }
    let text = inline;
    if (text === undefined && flag?.kind === "boolean") text = "true";
    if (text === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new CustosError("CLI_USAGE", `${name} needs a value`, { details: { flag: name } });
      }
      text = next;
      i++;
    }
    if (flag === undefined) file = text;
    else overrides.push({ path: flag.path, value: typed(flag, text), source: name });
  }
  return { ...(file === undefined ? {} : { file }), overrides, rest };
}
