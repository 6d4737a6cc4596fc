import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CustosError } from "../../src/errors/index.ts";
import type { LocalDataServices } from "./LocalDataService.ts";
import { localNetworkFiles } from "./LocalNetwork.ts";

/**
 * Reads the data services of a local network (`data-services.json`, written by
 * `network up --with-data`), or undefined when the network runs without data.
 *
 * @throws CustosError `CONFIG_INVALID` when the file is damaged.
 * @example
 * ```ts
 * const data = await readLocalDataServices("/tmp/net");
 * ```
 */
export async function readLocalDataServices(dir: string): Promise<LocalDataServices | undefined> {
  const file = join(dir, localNetworkFiles.dataServices);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw cause;
  }
  try {
    return JSON.parse(text) as LocalDataServices;
  } catch (cause) {
    throw new CustosError("CONFIG_INVALID", `${file} is damaged`, {
      details: { field: "dir", reason: `holds a damaged ${localNetworkFiles.dataServices}`, file },
      cause,
    });
  }
}
