import { CustosError } from "../errors/index.ts";

/** Options of {@link parseCsvRows}. */
export interface CsvOptions {
  /** The one-character field separator; ARX's files use `;`. */
  readonly separator: string;
}

/** Default CSV options: comma-separated (RFC 4180). */
export const defaultCsvOptions: CsvOptions = { separator: "," };

function invalid(row: number, column: number, reason: string): never {
  throw new CustosError("ANONYMISE_CSV_INVALID", `CSV row ${row}, column ${column}: ${reason}`, {
    details: { row, column, reason },
  });
}

/**
 * Splits CSV text into rows of fields (RFC 4180 quoting with `"`, `""` as an escaped quote,
 * LF or CRLF line ends). Blank lines are skipped; a final newline is optional. Rows are
 * numbered from 1 (the first line of the text) in errors.
 *
 * @throws ANONYMISE_CSV_INVALID when the separator is not one character or a quoted field
 *   is not closed or is followed by stray characters.
 * @example
 * ```ts
 * parseCsvRows('a;"b;c"\n1;2', { separator: ";" }); // [["a", "b;c"], ["1", "2"]]
 * ```
 */
export function parseCsvRows(text: string, options: CsvOptions = defaultCsvOptions): string[][] {
  const sep = options.separator;
  if (sep.length !== 1 || sep === '"' || sep === "\n" || sep === "\r") {
    throw new CustosError("ANONYMISE_CSV_INVALID", "separator must be one character", {
      details: { field: "separator", separator: sep },
    });
  }
  const sepCode = sep.charCodeAt(0);
  const rows: string[][] = [];
  const length = text.length;
  let pos = 0;
  let line = 1;
  while (pos < length) {
    const row: string[] = [];
    let endOfRow = false;
    while (!endOfRow) {
      let field: string;
      if (text.charCodeAt(pos) === 34) {
        const parts: string[] = [];
        let start = pos + 1;
        for (;;) {
          const quote = text.indexOf('"', start);
          if (quote < 0) invalid(line, row.length + 1, "unterminated quoted field");
          parts.push(text.slice(start, quote));
          if (text.charCodeAt(quote + 1) === 34) {
            parts.push('"');
            start = quote + 2;
            continue;
          }
          pos = quote + 1;
          break;
        }
        field = parts.join("");
        for (const chunk of field.matchAll(/\n/g)) if (chunk.index !== undefined) line++;
        const next = text.charCodeAt(pos);
        if (pos < length && next !== sepCode && next !== 10 && next !== 13) {
          invalid(line, row.length + 1, "characters after a closing quote");
        }
      } else {
        let end = pos;
        while (end < length) {
          const c = text.charCodeAt(end);
          if (c === sepCode || c === 10 || c === 13) break;
          end++;
        }
        field = text.slice(pos, end);
        pos = end;
      }
      row.push(field);
      const c = text.charCodeAt(pos);
      if (pos < length && c === sepCode) {
        pos++;
      } else {
        endOfRow = true;
        if (c === 13) pos++;
        if (text.charCodeAt(pos) === 10) pos++;
      }
    }
    const blank = row.length === 1 && row[0] === "";
    if (!blank) rows.push(row);
    line++;
  }
  return rows;
}
