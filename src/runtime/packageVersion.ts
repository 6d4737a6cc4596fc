import { createRequire } from "node:module";

/**
 * The version in the package's own package.json. Read through its `imports` map
 * (`#package.json`): a relative path would differ between the sources (`nodes/bin/`) and the
 * build (`dist/nodes/bin/`), and a JSON import would make tsc copy package.json into dist/,
 * where it would shadow the real one.
 *
 * @example
 * ```ts
 * io.stdout(`${packageVersion}\n`); // "0.1.0"
 * ```
 */
export const packageVersion: string = (
  createRequire(import.meta.url)("#package.json") as { version: string }
).version;
