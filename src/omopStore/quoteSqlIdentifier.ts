/**
 * Quotes a name as an SQL identifier (the same rule in DuckDB and PostgreSQL), so that OMOP
 * columns such as `offset` and any schema name are taken literally.
 *
 * @example
 * ```ts
 * quoteSqlIdentifier("offset"); // "\"offset\""
 * ```
 */
export function quoteSqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
