import { readFile } from "node:fs/promises";
import { CustosError } from "../../../../src/errors/index.ts";
import { parseQuerySpec, type QuerySpec } from "../../../../src/query/index.ts";

/** Largest spec file read: a spec is a few kilobytes; this bounds a mistaken path. */
const MAX_SPEC_BYTES = 1024 * 1024;

/**
 * Reads and validates a query spec file.
 *
 * @throws CustosError `INVALID_ARGUMENT` (`details.field` `"spec"`) for a file that cannot be
 *   read or is too large; `QUERY_SPEC_INVALID` (field `/`) for text that is not JSON; the
 *   errors of `parseQuerySpec`.
 */
export async function readQuerySpecFile(path: string): Promise<QuerySpec> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_SPEC_BYTES) {
      throw new CustosError("INVALID_ARGUMENT", `${path} is over ${MAX_SPEC_BYTES} bytes`, {
        details: { field: "spec", path },
      });
    }
    text = bytes.toString("utf8");
  } catch (error) {
    if (error instanceof CustosError) throw error;
    throw new CustosError("INVALID_ARGUMENT", `cannot read ${path}`, {
      details: { field: "spec", path, cause: (error as NodeJS.ErrnoException).code ?? "unknown" },
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CustosError("QUERY_SPEC_INVALID", `query spec ${path} is not JSON`, {
      details: { field: "/", reason: (error as Error).message },
    });
  }
  return parseQuerySpec(json);
}
