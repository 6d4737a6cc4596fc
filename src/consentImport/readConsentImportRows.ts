import { CsvError, type Options, parse } from "csv-parse/sync";
import type { Bytes32 } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { ConsentImportFailure } from "./ConsentImportFailure.ts";
import type { ConsentImportRow } from "./ConsentImportRow.ts";
import type { ConsentImportFormat } from "./consentImportFormat.ts";
import { readTextLines } from "./readTextLines.ts";
import { SubjectFingerprints } from "./SubjectFingerprints.ts";

/** One line of an import file with data: a row to send or a failure to report. */
export type ConsentImportItem = ConsentImportRow | ConsentImportFailure;

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

const TOO_LONG = "the line is longer than 1 MiB";

// Lines reach the parser one record each (see csvRecords), so "\n" is the only delimiter.
const CSV_OPTIONS: Options = { trim: true, relax_column_count: true, record_delimiter: "\n" };

/** The columns of a CSV import, from its header. */
interface CsvColumns {
  readonly subject: number;
  readonly documentHash: number;
}

function invalid(line: number, problem: string): ConsentImportFailure {
  return { line, reason: "CONSENT_IMPORT_INVALID", problem };
}

/** Checks a row's two fields and remembers its subject; `seen` spots a subject given twice. */
function validated(
  line: number,
  subject: unknown,
  documentHash: unknown,
  seen: SubjectFingerprints,
): ConsentImportItem {
  if (typeof subject !== "string" || !BYTES32.test(subject)) {
    return invalid(line, "subject must be bytes32 hex");
  }
  if (typeof documentHash !== "string" || !BYTES32.test(documentHash)) {
    return invalid(line, "documentHash must be bytes32 hex");
  }
  const key = subject.toLowerCase() as Bytes32;
  if (!seen.add(key)) return invalid(line, "duplicate subject");
  return { line, entry: { subject: key, documentHash: documentHash.toLowerCase() as Bytes32 } };
}

/** One CSV line's fields, or why it is not a CSV record. */
function csvFields(text: string): string[] | string {
  try {
    const records = parse(text, CSV_OPTIONS) as string[][];
    return records.length === 1 ? (records[0] as string[]) : "malformed CSV (not one record)";
  } catch (error) {
    if (error instanceof CsvError) return `malformed CSV (${error.code})`;
    throw error;
  }
}

/**
 * The fields of each line, parsed together; a line that is no record gets why instead. A
 * line with an odd number of quotes would run into the next one (a field may not span lines
 * in an import) and is refused up front; every other line is one record unless malformed, so
 * records and lines pair up. csv-parse does not recover from an error in the middle of a
 * text, so a run with an error is parsed again line by line to pin it on its line.
 */
function csvRecords(texts: readonly string[]): (string[] | string)[] {
  const balanced = texts.map((text) => (text.split('"').length - 1) % 2 === 0);
  const whole = texts.filter((_, i) => balanced[i]);
  let records: string[][] | undefined;
  try {
    records = parse(whole.join("\n"), CSV_OPTIONS) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
  }
  if (records?.length !== whole.length) records = undefined;
  let next = 0;
  return texts.map((text, i) => {
    if (!balanced[i]) return "malformed CSV (a quoted field is not closed on its line)";
    const record = records === undefined ? csvFields(text) : (records[next] as string[]);
    next++;
    return record;
  });
}

function missingHeader(line: number, problem?: string): CustosError {
  return new CustosError(
    "CONSENT_IMPORT_INVALID",
    "the CSV header must name the columns subject and documentHash",
    { details: { line, field: "header", ...(problem === undefined ? {} : { problem }) } },
  );
}

function csvHeader(line: number, text: string | null): CsvColumns {
  const fields = text === null ? TOO_LONG : csvFields(text);
  if (typeof fields === "string") throw missingHeader(line, fields);
  const subject = fields.indexOf("subject");
  const documentHash = fields.indexOf("documentHash");
  if (subject < 0 || documentHash < 0) throw missingHeader(line);
  return { subject, documentHash };
}

function ndjsonItem(line: number, text: string, seen: SubjectFingerprints): ConsentImportItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid(line, "not JSON");
  }
  const row = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return validated(line, row.subject, row.documentHash, seen);
}

/**
 * Reads and validates the rows of an import file as it streams, in file order, a run of
 * items per chunk read; memory stays bounded whatever the file's size (10 M subjects add
 * 128 MiB of fingerprints to spot duplicates).
 *
 * CSV (read with csv-parse): a header line naming the columns `subject` and `documentHash`
 * (others are ignored), then one record per line; fields may be quoted (with commas and
 * doubled quotes inside), are trimmed, and a field may not span lines. NDJSON: one object
 * `{"subject", "documentHash"}` per line. Both: UTF-8, a byte order mark is dropped, lines end
 * at LF or CRLF, blank lines are skipped. Each other line becomes a {@link ConsentImportRow}
 * (subject and hash lower-cased) or a {@link ConsentImportFailure} with its line number and
 * the problem: malformed CSV (with csv-parse's code), not JSON, a subject or document hash
 * that is not bytes32 hex, a subject already given on an earlier line, a line over 1 MiB.
 *
 * @throws CustosError `CONSENT_IMPORT_INVALID` with `details.field` `"header"` when a CSV has
 *   no header naming both columns; whatever `source` throws.
 * @example
 * ```ts
 * for await (const items of readConsentImportRows(createReadStream("consents.csv"), "csv")) {
 *   for (const item of items) if ("entry" in item) rows.push(item); else failures.push(item);
 * }
 * ```
 */
export async function* readConsentImportRows(
  source: AsyncIterable<string | Uint8Array>,
  format: ConsentImportFormat,
): AsyncGenerator<readonly ConsentImportItem[]> {
  const seen = new SubjectFingerprints();
  let columns: CsvColumns | undefined;
  for await (const { first, lines } of readTextLines(source)) {
    const numbers: number[] = [];
    const texts: (string | null)[] = [];
    lines.forEach((text, i) => {
      if (text !== null && text.trim() === "") return;
      if (format === "csv" && columns === undefined) {
        columns = csvHeader(first + i, text);
        return;
      }
      numbers.push(first + i);
      texts.push(text);
    });
    const parsed = format === "csv" ? csvRecords(texts.filter((text) => text !== null)) : undefined;
    let next = 0;
    const items = texts.map((text, i): ConsentImportItem => {
      const line = numbers[i] as number;
      if (text === null) return invalid(line, TOO_LONG);
      if (parsed === undefined) return ndjsonItem(line, text, seen);
      const fields = parsed[next++] as string[] | string;
      if (typeof fields === "string") return invalid(line, fields);
      const at = columns as CsvColumns;
      return validated(line, fields[at.subject], fields[at.documentHash], seen);
    });
    if (items.length > 0) yield items;
  }
  if (format === "csv" && columns === undefined) throw missingHeader(1, "the file is empty");
}
