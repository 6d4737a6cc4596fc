import type { CliIo } from "./CliCommand.ts";
import { commandHelp, flagText } from "./commandHelp.ts";
import { type CliOptions, type CliValues, parseCommandLine } from "./parseCommandLine.ts";

/** What an action's `run` is given. */
export interface CliActionInput<O extends CliOptions> {
  readonly values: CliValues<O>;
  readonly positionals: readonly string[];
  /** The arguments as given, e.g. to print the command again with another flag. */
  readonly args: readonly string[];
}

/** The declaration of a command (or a group's sub-command): its options and what it runs. */
export interface CliActionSpec<O extends CliOptions> {
  /** What it does, for its help, unwrapped; blank lines separate paragraphs. */
  readonly description: string;
  /**
   * The usage after `custos <words>`, when the one made from the positionals and options
   * (required flags, then `[optional]` ones) will not do.
   */
  readonly usage?: string;
  readonly options: O;
  /** Names of the positional arguments, e.g. `["<file>"]`; each is required. */
  readonly positionals?: readonly string[];
  /** Runs with the parsed arguments; resolves to the exit code. */
  readonly run: (input: CliActionInput<O>, io: CliIo) => Promise<number>;
}

/** A declared command or sub-command, its option types erased so actions fit one table. */
export interface CliAction {
  readonly description: string;
  readonly options: CliOptions;
  /** The usage after the command's words, in parts that stay on one line. */
  readonly usage: readonly string[];
  /**
   * Parses `args` and runs, or prints the help: `words` name the command (`consent import`),
   * `helpCommand` the one usage errors point to (`consent`).
   */
  readonly run: (
    args: readonly string[],
    io: CliIo,
    words: string,
    helpCommand: string,
  ) => Promise<number>;
}

/** Usage parts: positionals, required flags, then the other ungrouped flags in brackets. */
function usageOf(
  spec: Pick<CliActionSpec<CliOptions>, "usage" | "options" | "positionals">,
): string[] {
  if (spec.usage !== undefined) {
    // Bracketed groups and `--flag <value>` pairs stay together when the line wraps.
    return spec.usage.match(/\[[^\]]*\]|--\S+ (?:<[^>]*>|N)|\S+/g) ?? [];
  }
  const options = Object.entries(spec.options).filter(([, option]) => option.group === undefined);
  return [
    ...(spec.positionals ?? []),
    ...options.filter(([, o]) => o.required === true).map(([name, o]) => flagText(name, o)),
    ...options.filter(([, o]) => o.required !== true).map(([name, o]) => `[${flagText(name, o)}]`),
  ];
}

/**
 * Declares a command from its options, positionals and handler: the arguments are parsed
 * and checked by {@link parseCommandLine} (usage errors exit with 2), `--help` prints the
 * help made from the declaration, and `run` gets typed values. Register it with
 * `defineCommand`, alone or as a sub-command of a group.
 *
 * @example
 * ```ts
 * const check = cliAction({
 *   description: "Checks the database block by block.",
 *   options: { from: { type: "integer", min: 0, description: "first block" } },
 *   run: async ({ values }, io) => { io.stdout(`from ${values.from ?? 0}\n`); return 0; },
 * });
 * ```
 */
export function cliAction<const O extends CliOptions>(spec: CliActionSpec<O>): CliAction {
  const usage = usageOf(spec);
  return {
    description: spec.description,
    options: spec.options,
    usage,
    run: async (args, io, words, helpCommand) => {
      const parsed = parseCommandLine(args, {
        command: helpCommand,
        options: spec.options,
        ...(spec.positionals === undefined ? {} : { positionals: spec.positionals }),
      });
      if (parsed.help) {
        io.stdout(
          commandHelp({
            usage: [{ words, parts: usage }],
            paragraphs: [{ text: spec.description }],
            options: spec.options,
          }),
        );
        return 0;
      }
      return spec.run({ values: parsed.values, positionals: parsed.positionals, args }, io);
    },
  };
}
