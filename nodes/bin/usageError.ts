import { CustosError, type ErrorDetails } from "../../src/errors/index.ts";

/**
 * A usage error of `custos <command>`: `CLI_USAGE` (exit code 2), its message ending with
 * where the command's help is.
 *
 * @example
 * ```ts
 * throw usageError("genesis", "--out is required", { flag: "--out" });
 * // error CLI_USAGE: --out is required (see custos genesis --help)
 * ```
 */
export function usageError(
  command: string,
  message: string,
  details: ErrorDetails = {},
): CustosError {
  return new CustosError("CLI_USAGE", `${message} (see custos ${command} --help)`, {
    details: { command, ...details },
  });
}
