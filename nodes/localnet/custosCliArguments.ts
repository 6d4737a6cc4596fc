import { extname } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL(`../bin/custos${extname(import.meta.url)}`, import.meta.url));

/**
 * The arguments after `process.execPath` that run `custos <args>` as `npm run custos` does:
 * the CLI of this installation (`.ts` from source, `.js` from `dist/`).
 *
 * @example
 * ```ts
 * spawn(process.execPath, custosCliArguments(["data-service", "--config", configFile]));
 * ```
 */
export function custosCliArguments(args: readonly string[]): string[] {
  return [CLI, ...args];
}
