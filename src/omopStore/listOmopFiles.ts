import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { CustosError } from "../errors/index.ts";
import { isOmopCdmTable, type OmopCdmTable, requiredOmopTables } from "./omopCdmTables.ts";

/** One file of an OMOP CDM directory and the table it holds. */
export interface OmopDataFile {
  /** The lower-case table name, e.g. `person`. */
  readonly table: OmopCdmTable;
  /** The file's name as found, e.g. `PERSON.csv`. */
  readonly name: string;
  /** The file's full path. */
  readonly path: string;
  readonly format: "csv" | "parquet";
}

const DATA_FILE = /^([a-z_]+)\.(csv|parquet)$/i;

/**
 * Finds the OMOP CDM v5.4 tables of a directory: one file per table, named after it in any
 * case (`PERSON.csv`, `person.csv`, `person.parquet`). Other files (a generated hospital's
 * `consents.csv`, its key) are not tables and are left alone; absent optional tables are fine.
 *
 * @throws CustosError `OMOP_STORE_INVALID_DATA` when the directory cannot be read, when a
 *   table has two files, or when `person` or `observation_period` has none; details name the
 *   directory and the table or files.
 * @example
 * ```ts
 * const files = await listOmopFiles("data/omop-synthea27nj");
 * files.map((file) => file.table); // ["cdm_source", "concept", …, "visit_occurrence"]
 * ```
 */
export async function listOmopFiles(directory: string): Promise<OmopDataFile[]> {
  let names: string[];
  try {
    if (!(await stat(directory)).isDirectory()) throw new Error("not a directory");
    names = await readdir(directory);
  } catch (error) {
    throw new CustosError("OMOP_STORE_INVALID_DATA", `${directory} is not a readable directory`, {
      details: { directory },
      cause: error,
    });
  }
  const byTable = new Map<OmopCdmTable, OmopDataFile>();
  for (const name of names.sort()) {
    const match = DATA_FILE.exec(name);
    const table = match?.[1]?.toLowerCase() ?? "";
    if (match === null || !isOmopCdmTable(table)) continue;
    const other = byTable.get(table);
    if (other !== undefined) {
      throw new CustosError(
        "OMOP_STORE_INVALID_DATA",
        `table ${table} has two files, ${other.name} and ${name}`,
        { details: { directory, table, files: [other.name, name] } },
      );
    }
    const format = match[2]?.toLowerCase() === "parquet" ? "parquet" : "csv";
    byTable.set(table, { table, name, path: join(directory, name), format });
  }
  for (const table of requiredOmopTables) {
    if (!byTable.has(table)) {
      throw new CustosError(
        "OMOP_STORE_INVALID_DATA",
        `${directory} has no ${table.toUpperCase()} file (.csv or .parquet)`,
        { details: { directory, table } },
      );
    }
  }
  return [...byTable.values()].sort((a, b) => a.table.localeCompare(b.table));
}
