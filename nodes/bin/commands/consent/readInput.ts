import { CustosError } from "../../../../src/errors/index.ts";
import type { ConsentContext } from "./ConsentContext.ts";

/**
 * The text of an input file of a consent sub-command.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the file when it cannot be read.
 * @example
 * ```ts
 * const terms = await readInput(context, "terms.json");
 * ```
 */
export async function readInput(context: ConsentContext, file: string): Promise<string> {
  try {
    return await context.readText(file);
  } catch (cause) {
    throw new CustosError("INVALID_ARGUMENT", `cannot read ${file}`, {
      details: { field: "file" },
      cause,
    });
  }
}
