/**
 * A columnar, dictionary-encoded table: column `c` holds `codes[c][row]`, an index into
 * `dictionaries[c]`. Equal strings share one code, so grouping and generalisation work on
 * integers, never on strings.
 */
export interface Table {
  /** Column names, in file order. */
  readonly columns: readonly string[];
  /** Number of data rows (the header is not a row). */
  readonly rowCount: number;
  /** Distinct values per column, in order of first appearance. */
  readonly dictionaries: readonly (readonly string[])[];
  /** Per column, one dictionary index per row. */
  readonly codes: readonly Int32Array[];
}

/**
 * Reads one cell of a table as a string.
 *
 * @throws never; an out-of-range row or column reads as `undefined`.
 * @example
 * ```ts
 * const table = parseCsv("a;b\n1;2", { separator: ";" });
 * cellValue(table, 0, 1); // "2"
 * ```
 */
export function cellValue(table: Table, row: number, column: number): string | undefined {
  const codes = table.codes[column];
  const dictionary = table.dictionaries[column];
  if (codes === undefined || dictionary === undefined || row < 0 || row >= table.rowCount) {
    return undefined;
  }
  return dictionary[codes[row] ?? -1];
}
