import { keccak256, toUtf8Bytes } from "ethers";
import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import {
  type ConsentImportFailure,
  type ConsentImportItem,
  type ConsentImportRow,
  readConsentImportRows,
} from "../../src/consentImport/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const hash = (label: string) => keccak256(toUtf8Bytes(label));

/** The text as a file read in chunks of `size` bytes, splitting CRLFs and characters. */
async function* chunked(text: string, size = 7919): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function readAll(text: string, format: "csv" | "ndjson", size?: number) {
  const rows: ConsentImportRow[] = [];
  const failures: ConsentImportFailure[] = [];
  let previous = 0;
  for await (const items of readConsentImportRows(chunked(text, size), format)) {
    for (const item of items as ConsentImportItem[]) {
      expect(item.line).toBeGreaterThan(previous);
      previous = item.line;
      if ("entry" in item) rows.push(item);
      else failures.push(item);
    }
  }
  return { rows, failures };
}

describe("readConsentImportRows on CSV", () => {
  it("reads 100,000 lines with a BOM, CRLF, quoted commas and bad lines in the middle", async () => {
    const lines = ['\uFEFFsubject,"note, free text",documentHash'];
    const expected = new Map<number, ConsentImportRow>();
    for (let i = 0; i < 100_000; i++) {
      // Subjects alike but for their last bits: what the duplicate check must tell apart.
      const subject = `0x${"a1".repeat(28)}${i.toString(16).padStart(8, "0")}` as Bytes32;
      const documentHash = `0x${i.toString(16).padStart(64, "d")}` as Bytes32;
      const line = lines.length + 1;
      // Every third subject quoted in capitals; every note quoted, with commas and a doubled quote.
      const shown = i % 3 === 0 ? `"0x${subject.slice(2).toUpperCase()}"` : subject;
      lines.push(`${shown},"Ward 7, bed ${i}, ""consented""", ${documentHash} `);
      expected.set(line, { line, entry: { subject, documentHash } });
    }
    // Line 50,001: a stray quote in an unquoted field; 50,002: blank; 70,001: an unclosed
    // quote; 80,001: a subject that is no bytes32; 90,001: a subject given before.
    const bad = new Map<number, string>([
      [50_001, "malformed CSV (CSV_INVALID_CLOSING_QUOTE)"],
      [70_001, "malformed CSV (a quoted field is not closed on its line)"],
      [80_001, "subject must be bytes32 hex"],
      [90_001, "duplicate subject"],
    ]);
    lines[50_000] = `"${hash("x")}"x,"a, b",${hash("y")}`;
    lines[50_001] = "   ";
    lines[70_000] = `"${hash("x2")},note,${hash("y2")}`;
    lines[80_000] = `0x1234,"a, b",${hash("y3")}`;
    lines[90_000] = `0x${"a1".repeat(28)}00000005,"again, yes",${hash("y4")}`;
    for (const line of [50_001, 50_002, 70_001, 80_001, 90_001]) expected.delete(line);
    const text = `${lines.join("\r\n")}\r\n\r\n`;

    const { rows, failures } = await readAll(text, "csv");

    expect(failures).toEqual(
      [...bad].map(([line, problem]) => ({ line, reason: "CONSENT_IMPORT_INVALID", problem })),
    );
    expect(expected.size).toBe(100_000 - 5);
    expect(rows).toEqual([...expected.values()]);
  }, 60_000);

  it("takes LF line ends, trims fields and ignores other columns, whatever the chunk size", async () => {
    const [a, b] = [hash("a"), hash("b")];
    const text = `\n\nother,documentHash , subject\nx, ${b} ,${a}\n"y",${b},"${a}"`;
    for (const size of [1, 3, 64, 10_000]) {
      const { rows, failures } = await readAll(text, "csv", size);
      expect(rows).toEqual([{ line: 4, entry: { subject: a, documentHash: b } }]);
      expect(failures).toEqual([
        { line: 5, reason: "CONSENT_IMPORT_INVALID", problem: "duplicate subject" },
      ]);
    }
  });

  it("reports a missing cell, a bad hash and an overlong line by their lines", async () => {
    const text = [
      "subject,documentHash",
      hash("a"),
      `${hash("b")},0x12`,
      `${hash("c")},${"f".repeat(1024 * 1024 + 1)}`,
      `${hash("d")},${hash("d")}`,
    ].join("\n");
    const { rows, failures } = await readAll(text, "csv", 65_536);
    expect(failures).toEqual([
      { line: 2, reason: "CONSENT_IMPORT_INVALID", problem: "documentHash must be bytes32 hex" },
      { line: 3, reason: "CONSENT_IMPORT_INVALID", problem: "documentHash must be bytes32 hex" },
      { line: 4, reason: "CONSENT_IMPORT_INVALID", problem: "the line is longer than 1 MiB" },
    ]);
    expect(rows.map((row) => row.line)).toEqual([5]);
  });

  it("refuses a file whose header does not name both columns", async () => {
    for (const text of ["pseudonym,hash\n", "", "\n\n", '"subject,documentHash\n']) {
      const error = await expectCustosError(readAll(text, "csv"), "CONSENT_IMPORT_INVALID");
      expect(error.details.field).toBe("header");
    }
  });
});

describe("readConsentImportRows on NDJSON", () => {
  it("reads one object per line, reporting lines that are not JSON or not rows", async () => {
    const [a, b] = [hash("a"), hash("b")];
    const text = [
      `\uFEFF${JSON.stringify({ subject: a.toUpperCase().replace("0X", "0x"), documentHash: b })}`,
      "",
      "{nope",
      "42",
      JSON.stringify({ subject: b, documentHash: "0x" }),
    ].join("\r\n");
    const { rows, failures } = await readAll(text, "ndjson", 5);
    expect(rows).toEqual([{ line: 1, entry: { subject: a, documentHash: b } }]);
    expect(failures).toEqual([
      { line: 3, reason: "CONSENT_IMPORT_INVALID", problem: "not JSON" },
      { line: 4, reason: "CONSENT_IMPORT_INVALID", problem: "subject must be bytes32 hex" },
      { line: 5, reason: "CONSENT_IMPORT_INVALID", problem: "documentHash must be bytes32 hex" },
    ]);
  });
});
