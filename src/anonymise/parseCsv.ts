import { CustosError } from "../errors/index.ts";
import { type CsvOptions, defaultCsvOptions, parseCsvRows } from "./parseCsvRows.ts";
import type { Table } from "./Table.ts";

/**
 * Parses CSV text with a header line into a columnar, dictionary-encoded {@link Table}.
 * Values are kept verbatim (no trimming, no type inference): generalisation hierarchies
 * match them as strings.
 *
 * @throws ANONYMISE_CSV_INVALID when the text has no header, a header name is empty or
 *   repeated, or a row's field count differs from the header's (details name the row).
 * @example
 * ```ts
 * const table = parseCsv("sex;age\nMale;39\nFemale;50", { separator: ";" });
 * table.rowCount; // 2
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = defaultCsvOptions): Table {
  const rows = parseCsvRows(text, options);
  const header = rows[0];
  if (header === undefined) {
    throw new CustosError("ANONYMISE_CSV_INVALID", "CSV has no header line", {
      details: { row: 1 },
    });
  }
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === "" || seen.has(name)) {
      throw new CustosError(
        "ANONYMISE_CSV_INVALID",
        `header column ${i + 1} is empty or repeated`,
        {
          details: { row: 1, column: i + 1, name },
        },
      );
    }
    seen.add(name);
  });
  const width = header.length;
  const rowCount = rows.length - 1;
  const codes = header.map(() => new Int32Array(rowCount));
  const dictionaries: string[][] = header.map(() => []);
  const maps = header.map(() => new Map<string, number>());
  for (let r = 0; r < rowCount; r++) {
    const row = rows[r + 1] as string[];
    if (row.length !== width) {
      throw new CustosError(
        "ANONYMISE_CSV_INVALID",
        `data row ${r + 1} has ${row.length} fields, header has ${width}`,
        { details: { row: r + 1, fields: row.length, expected: width } },
      );
    }
    for (let c = 0; c < width; c++) {
      const value = row[c] as string;
      const map = maps[c] as Map<string, number>;
      let code = map.get(value);
      if (code === undefined) {
        const dictionary = dictionaries[c] as string[];
        code = dictionary.length;
        dictionary.push(value);
        map.set(value, code);
      }
      (codes[c] as Int32Array)[r] = code;
    }
  }
  return { columns: header, rowCount, dictionaries, codes };
}
