import { type ConfigFlag, type ConfigOverride, configFlags } from "../config/index.ts";
import type { CliOption } from "./parseCommandLine.ts";

/** The help heading of the config flags. */
const GROUP = "Config flags (each overrides one field of the --config file)";

function described(flag: ConfigFlag): string {
  const shown = Array.isArray(flag.default) && flag.default.length === 0 ? undefined : flag.default;
  return shown === undefined
    ? flag.description
    : `${flag.description} Default ${JSON.stringify(shown)}.`;
}

/** `--config <file.json>`: the node's configuration file, under the config flags. */
export const configFileOption = {
  type: "string",
  value: "<file.json>",
  description: "the node's JSON configuration (docs/configuration.md)",
} as const satisfies CliOption;

/**
 * The options of a command that loads the node configuration, besides
 * {@link configFileOption}: one flag per config field (`--rpc-port`, `--data-dir`, …, from
 * `configFlags`), typed by the field's kind. A flag's type is checked when parsing
 * (`--rpc-port http` is a usage error); its range with the rest of the config
 * (`--rpc-port 99999` is `CONFIG_INVALID`, naming the field and the flag).
 *
 * @example
 * ```ts
 * const options = { config: configFileOption, ...configOptions(), reindex: { … } };
 * ```
 */
export function configOptions(): Readonly<Record<string, CliOption>> {
  return Object.fromEntries(
    configFlags().map((flag) => [
      flag.flag.slice(2),
      { type: flag.kind, description: described(flag), group: GROUP },
    ]),
  );
}

/**
 * The config overrides among parsed option values (see {@link configOptions}): one per
 * config flag given, which wins over the file.
 *
 * @example
 * ```ts
 * const config = await loadConfig({ file, overrides: configOverrides(parsed.values) });
 * ```
 */
export function configOverrides(values: Readonly<Record<string, unknown>>): ConfigOverride[] {
  return configFlags().flatMap((flag) => {
    const value = values[flag.flag.slice(2)];
    return value === undefined ? [] : [{ path: flag.path, value, source: flag.flag }];
  });
}
