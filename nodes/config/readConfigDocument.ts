import { readFile } from "node:fs/promises";
import { CustosError } from "../../src/errors/index.ts";

/**
 * Reads a JSON configuration file into a document for a config resolver; the one place
 * every config loader (node, data service, researcher) turns a missing or malformed file into
 * `CONFIG_INVALID` naming the file.
 *
 * @throws CustosError `CONFIG_INVALID` when the file cannot be read or is not JSON.
 */
export async function readConfigDocument(
  file: string,
  readText: (path: string) => Promise<string> = (path) => readFile(path, "utf8"),
): Promise<unknown> {
  let text: string;
  try {
    text = await readText(file);
  } catch (cause) {
    throw new CustosError("CONFIG_INVALID", `config file cannot be read: ${file}`, {
      cause,
      details: { file, field: "", reason: "cannot be read" },
    });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CustosError("CONFIG_INVALID", `config file is not valid JSON: ${file}`, {
      cause,
      details: { file, field: "", reason: "not valid JSON" },
    });
  }
}
