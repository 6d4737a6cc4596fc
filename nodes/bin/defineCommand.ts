import type { CliCommand } from "./CliCommand.ts";
import type { CliAction } from "./cliAction.ts";
import { commandHelp } from "./commandHelp.ts";
import type { CliOptions } from "./parseCommandLine.ts";
import { usageError } from "./usageError.ts";

/** A command that is one action, e.g. `custos genesis`. */
export interface CliSingleCommand {
  /** One line for `custos --help`. */
  readonly summary: string;
  readonly action: CliAction;
}

/** A command made of sub-commands, e.g. `custos consent <grant|revoke|…>`. */
export interface CliCommandGroup {
  /** One line for `custos --help`. */
  readonly summary: string;
  /** What the sub-commands share, for the help after theirs; unwrapped. */
  readonly description?: string;
  /** The sub-commands by name, in the order the help lists them. */
  readonly subcommands: Readonly<Record<string, CliAction>>;
}

function groupHelp(name: string, group: CliCommandGroup): string {
  const entries = Object.entries(group.subcommands);
  // A flag shared by sub-commands is listed once.
  const options: Record<string, CliOptions[string]> = {};
  for (const [, action] of entries) {
    for (const [flag, option] of Object.entries(action.options)) options[flag] ??= option;
  }
  return commandHelp({
    usage: entries.map(([sub, action]) => ({ words: `${name} ${sub}`, parts: action.usage })),
    paragraphs: [
      ...entries.map(([sub, action]) => ({ label: sub, text: action.description })),
      ...(group.description === undefined ? [] : [{ text: group.description }]),
    ],
    options,
  });
}

/**
 * Makes `custos <name>` from a declared action (see `cliAction`) or from a group of them
 * (`custos <name> <sub-command> …`). A group without a sub-command, or with `--help` in its
 * place, prints the help of all of them; an unknown sub-command is a usage error (exit 2).
 * Adding a command is declaring it and listing it in `cliCommands`.
 *
 * @example
 * ```ts
 * defineCommand("genesis", { summary: "write a development genesis", action: genesisAction });
 * defineCommand("audit", { summary: "…", subcommands: { export: exportAction, verify } });
 * ```
 */
export function defineCommand(name: string, spec: CliSingleCommand | CliCommandGroup): CliCommand {
  if ("action" in spec) {
    return {
      name,
      summary: spec.summary,
      run: (args, io) => spec.action.run(args, io, name, name),
    };
  }
  return {
    name,
    summary: spec.summary,
    run: async (args, io) => {
      const [sub, ...rest] = args;
      if (sub === undefined || sub === "-h" || sub === "--help") {
        io.stdout(groupHelp(name, spec));
        return 0;
      }
      const action = Object.hasOwn(spec.subcommands, sub) ? spec.subcommands[sub] : undefined;
      if (action === undefined) {
        throw usageError(name, `unknown ${name} sub-command "${sub}"`, { argument: sub });
      }
      return action.run(rest, io, `${name} ${sub}`, name);
    },
  };
}
