import { usageError } from "./usageError.ts";

/**
 * Checks a `--rpc` URL given to `command`: it must parse and be http(s).
 *
 * @throws CustosError `CLI_USAGE` naming `--rpc` otherwise.
 * @example
 * ```ts
 * requireHttpUrl("block", "http://127.0.0.1:8545");
 * ```
 */
export function requireHttpUrl(command: string, url: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw usageError(command, "--rpc must be an http(s) URL", { flag: "--rpc" });
  }
}
