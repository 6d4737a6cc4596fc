import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The version in the package.json of the installed package `name` (found from its entry
 * module upwards), or `"unknown"`: what the node's pinned patches of EthereumJS check before
 * they install.
 *
 * @example
 * ```ts
 * installedPackageVersion("@ethereumjs/block"); // "10.1.3"
 * ```
 */
export function installedPackageVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name && typeof manifest.version === "string") return manifest.version;
    } catch {
      // No package.json at this level: look further up.
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}
