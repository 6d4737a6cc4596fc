import type { DuckDBConnection } from "@duckdb/node-api";
import { CustosError, isCustosError } from "../errors/index.ts";
import { checkOmopColumns } from "./checkOmopColumns.ts";
import { duckDbErrorKind } from "./duckDbErrorKind.ts";
import type { OmopDataFile } from "./listOmopFiles.ts";
import { omopColumns } from "./omopCdmTables.ts";
import { omopSqlType, omopTableSql } from "./omopTableSql.ts";
import { quoteSqlIdentifier } from "./quoteSqlIdentifier.ts";
import { readCsvHeader } from "./readCsvHeader.ts";

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Why DuckDB refused a file, in words that quote no value: its messages carry the offending
 * line ("Original Line: …"), which is patient data.
 */
function describeFailure(message: string): { line?: number; column?: string; reason: string } {
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const at = line === undefined ? {} : { line: Number(line) };
  const converting = /converting column "([^"]+)"[\s\S]*?to '([^']+)'/.exec(message);
  if (converting !== null) {
    return { ...at, column: converting[1] as string, reason: `not a valid ${converting[2]}` };
  }
  const notNull = /NOT NULL constraint failed: [^.\s]+\.(\w+)/.exec(message);
  if (notNull !== null) {
    return { ...at, column: notNull[1] as string, reason: "a required value is empty" };
  }
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (counts !== null) {
    return { ...at, reason: `${counts[2]} values where the header has ${counts[1]}` };
  }
  if (/unterminated quote/i.test(message)) return { ...at, reason: "a quoted value is not closed" };
  return { ...at, reason: `cannot be parsed (${duckDbErrorKind(message)})` };
}

async function insertStatement(connection: DuckDBConnection, file: OmopDataFile): Promise<string> {
  const types = new Map(omopColumns(file.table).map((column) => [column.name, column.type]));
  const target = quoteSqlIdentifier(file.table);
  if (file.format === "csv") {
    const columns = checkOmopColumns(
      file.table,
      await readCsvHeader(file.path, file.name),
      file.name,
    );
    // Every column's type is given, in the header's order, so DuckDB converts while parsing
    // (and names the line of a bad value) instead of guessing types from a sample.
    const spec = columns
      .map(
        (name) =>
          `${sqlString(name)}: ${sqlString(omopSqlType(types.get(name) ?? "text", "duckdb"))}`,
      )
      .join(", ");
    return `INSERT INTO ${target} (${columns.map(quoteSqlIdentifier).join(", ")}) SELECT * FROM read_csv(${sqlString(file.path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${spec}})`;
  }
  const described = await connection.runAndReadAll(
    `DESCRIBE SELECT * FROM read_parquet(${sqlString(file.path)})`,
  );
  const names = described.getRowObjectsJS().map((row) => String(row.column_name));
  const columns = checkOmopColumns(file.table, names, file.name);
  const select = names.map(
    (name, index) =>
      `CAST(${quoteSqlIdentifier(name)} AS ${omopSqlType(types.get(columns[index] as string) ?? "text", "duckdb")})`,
  );
  return `INSERT INTO ${target} (${columns.map(quoteSqlIdentifier).join(", ")}) SELECT ${select.join(", ")} FROM read_parquet(${sqlString(file.path)})`;
}

/**
 * Creates the OMOP CDM v5.4 tables of the given files (replacing tables of the same name)
 * and loads each file into its table, in one transaction: a file that fails leaves nothing
 * behind.
 *
 * @throws CustosError `OMOP_STORE_INVALID_DATA` naming the table, the file, and the line and
 *   column where DuckDB tells them.
 */
export async function loadOmopIntoDuckDb(
  connection: DuckDBConnection,
  files: readonly OmopDataFile[],
): Promise<void> {
  await connection.run("BEGIN TRANSACTION");
  try {
    for (const file of files) {
      await connection.run(`DROP TABLE IF EXISTS ${quoteSqlIdentifier(file.table)}`);
      await connection.run(omopTableSql(file.table, "duckdb"));
      try {
        await connection.run(await insertStatement(connection, file));
      } catch (error) {
        if (isCustosError(error)) throw error;
        const failure = describeFailure(error instanceof Error ? error.message : String(error));
        const where = failure.line === undefined ? "" : ` line ${failure.line}`;
        const column = failure.column === undefined ? "" : ` column ${failure.column}`;
        throw new CustosError(
          "OMOP_STORE_INVALID_DATA",
          `${file.name}${where}${column}: ${failure.reason}`,
          { details: { table: file.table, file: file.name, ...failure }, cause: error },
        );
      }
    }
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
