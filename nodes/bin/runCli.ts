import { CustosError, isCustosError } from "../../src/errors/index.ts";
import { packageVersion } from "../../src/runtime/index.ts";
import type { CliCommand, CliIo } from "./CliCommand.ts";
import { cliCommands } from "./cliCommands.ts";

function helpText(commands: readonly CliCommand[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `custos ${packageVersion} — consent and data-access ledger for hospital research networks`,
    "",
    "Usage: custos <command> [options]",
    "       custos <command> --help",
    "",
    "Commands:",
    ...(lines.length > 0 ? lines : ["  (none yet)"]),
    "",
    "Options:",
    "  -h, --help     show this help",
    "  -v, --version  print the version",
    "",
  ].join("\n");
}

/**
 * Runs the `custos` command line and resolves to the process exit code: 0 on success, 1 when
 * a command fails with an error, 2 on a usage error. Errors are printed as their code and
 * short message, never as a stack trace.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), { stdout, stderr });
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = cliCommands,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    io.stdout(helpText(commands));
    return 0;
  }
  if (first === "-v" || first === "--version") {
    io.stdout(`${packageVersion}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  try {
    if (command === undefined) {
      throw new CustosError("CLI_USAGE", `unknown command "${first}" (see custos --help)`, {
        details: { command: first },
      });
    }
    return await command.run(rest, io);
  } catch (error) {
    if (isCustosError(error)) {
      io.stderr(`error ${error.code}: ${error.shortMessage}\n`);
      return error.code === "CLI_USAGE" ? 2 : 1;
    }
    io.stderr(`error INTERNAL: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
