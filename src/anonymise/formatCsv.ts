import { CustosError } from "../errors/index.ts";
import { type CsvOptions, defaultCsvOptions } from "./parseCsvRows.ts";
import type { Table } from "./Table.ts";

/**
 * Writes a table as CSV text with a header line, the inverse of {@link parseCsv}: fields
 * holding the separator, a quote or a line break are quoted (RFC 4180, `""` for a quote);
 * lines end with LF, the last one too.
 *
 * @throws ANONYMISE_CSV_INVALID when the separator is not one character (or is a quote or
 *   line break).
 * @example
 * ```ts
 * formatCsv(parseCsv("a;b\n1;2", { separator: ";" }), { separator: ";" }); // "a;b\n1;2\n"
 * ```
 */
export function formatCsv(table: Table, options: CsvOptions = defaultCsvOptions): string {
  const sep = options.separator;
  if (sep.length !== 1 || sep === '"' || sep === "\n" || sep === "\r") {
    throw new CustosError("ANONYMISE_CSV_INVALID", "separator must be one character", {
      details: { field: "separator", separator: sep },
    });
  }
  const quote = (field: string): string =>
    field.includes(sep) || field.includes('"') || field.includes("\n") || field.includes("\r")
      ? `"${field.replaceAll('"', '""')}"`
      : field;
  const encoded = table.dictionaries.map((dictionary) => dictionary.map(quote));
  const lines: string[] = [table.columns.map(quote).join(sep)];
  const width = table.columns.length;
  const fields = new Array<string>(width);
  for (let row = 0; row < table.rowCount; row++) {
    for (let c = 0; c < width; c++) {
      fields[c] = (encoded[c] as string[])[(table.codes[c] as Int32Array)[row] as number] as string;
    }
    lines.push(fields.join(sep));
  }
  return `${lines.join("\n")}\n`;
}
