import type { CliIo } from "../../CliCommand.ts";

/** Array elements written per call: bounded pieces whatever the array's length. */
const ELEMENTS_PER_WRITE = 10_000;

function indented(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll("\n", `\n${"  ".repeat(depth)}`);
}

/**
 * Writes `report` to standard output as `JSON.stringify(report, null, 2)` would, plus a line
 * break, but in pieces: the arrays among its fields (an import's failed rows) go out
 * `ELEMENTS_PER_WRITE` elements at a time. A report of millions of failed rows is longer than
 * the longest string V8 can make (2^29 characters): as one string it would not print at all.
 *
 * @example
 * ```ts
 * importReportJson(io, { file, rows, failed }); // same text as JSON.stringify(…, null, 2) + "\n"
 * ```
 */
export function importReportJson(io: CliIo, report: Readonly<Record<string, unknown>>): void {
  const fields = Object.entries(report).filter(([, value]) => value !== undefined);
  if (fields.length === 0) {
    io.stdout("{}\n");
    return;
  }
  io.stdout("{\n");
  fields.forEach(([key, value], i) => {
    const comma = i < fields.length - 1 ? "," : "";
    const name = `  ${JSON.stringify(key)}: `;
    if (!Array.isArray(value) || value.length === 0) {
      io.stdout(`${name}${indented(value, 1)}${comma}\n`);
      return;
    }
    io.stdout(`${name}[\n`);
    for (let at = 0; at < value.length; at += ELEMENTS_PER_WRITE) {
      const piece = value.slice(at, at + ELEMENTS_PER_WRITE).map((element, k) => {
        const last = at + k === value.length - 1;
        return `    ${indented(element, 2)}${last ? "" : ","}\n`;
      });
      io.stdout(piece.join(""));
    }
    io.stdout(`  ]${comma}\n`);
  });
  io.stdout("}\n");
}
