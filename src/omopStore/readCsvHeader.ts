import { open } from "node:fs/promises";
import { CustosError } from "../errors/index.ts";

// OMOP headers are a few hundred bytes; a first line longer than this is not a CSV header.
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Reads the header line of a CSV file (`file` is its name for messages): the column names,
 * unquoted, without a UTF-8 byte order mark. Only the first line is read, however large the
 * file.
 *
 * @throws CustosError `OMOP_STORE_INVALID_DATA` naming the file when it cannot be read or has no
 *   header line.
 * @example
 * ```ts
 * await readCsvHeader("data/omop-synthea27nj/DEATH.csv", "DEATH.csv"); // ["person_id", "death_date", …]
 * ```
 */
export async function readCsvHeader(path: string, file: string): Promise<string[]> {
  let text: string;
  try {
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(MAX_HEADER_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, MAX_HEADER_BYTES, 0);
      text = buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new CustosError("OMOP_STORE_INVALID_DATA", `${file} cannot be read`, {
      details: { file },
      cause: error,
    });
  }
  const end = text.search(/\r?\n/);
  const line = (end === -1 ? text : text.slice(0, end)).replace(/^\uFEFF/, "");
  if (line.trim() === "" || (end === -1 && text.length === MAX_HEADER_BYTES)) {
    throw new CustosError("OMOP_STORE_INVALID_DATA", `${file} has no CSV header line`, {
      details: { file, line: 1 },
    });
  }
  return line.split(",").map((name) => name.trim().replace(/^"(.*)"$/, "$1"));
}
