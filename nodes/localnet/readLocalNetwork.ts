import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CustosError } from "../../src/errors/index.ts";
import type { LocalNetwork } from "./LocalNetwork.ts";

/** What {@link readLocalNetwork} does when the directory holds no network. */
export interface ReadLocalNetworkOptions {
  /** `throw` (default): `INVALID_ARGUMENT`; `undefined`: resolve with undefined. */
  readonly missing?: "throw" | "undefined";
}

const MANIFEST = "network.json";

/**
 * Reads the manifest (`network.json`) of a local network directory made by `network up`.
 *
 * @throws CustosError `INVALID_ARGUMENT` (field `dir`) when the directory holds no network
 *   (unless `missing: "undefined"`); `CONFIG_INVALID` when its manifest is damaged.
 * @example
 * ```ts
 * const network = await readLocalNetwork("/tmp/net");
 * ```
 */
export async function readLocalNetwork(
  dir: string,
  options: { readonly missing: "undefined" },
): Promise<LocalNetwork | undefined>;
export async function readLocalNetwork(
  dir: string,
  options?: ReadLocalNetworkOptions,
): Promise<LocalNetwork>;
export async function readLocalNetwork(
  dir: string,
  options: ReadLocalNetworkOptions = {},
): Promise<LocalNetwork | undefined> {
  const file = join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT") throw cause;
    if (options.missing === "undefined") return undefined;
    throw new CustosError("INVALID_ARGUMENT", `${dir} holds no network (no ${MANIFEST})`, {
      details: { field: "dir", dir },
    });
  }
  try {
    return JSON.parse(text) as LocalNetwork;
  } catch (cause) {
    throw new CustosError("CONFIG_INVALID", `${file} is damaged`, {
      details: { field: "dir", reason: `holds a damaged ${MANIFEST}`, file },
      cause,
    });
  }
}
