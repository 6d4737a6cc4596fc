import { describe, expect, it } from "vitest";
import {
  createHierarchy,
  dateHierarchy,
  intervalHierarchy,
  maskingHierarchy,
  parseCsv,
  parseCsvRows,
  parseHierarchy,
} from "../../src/anonymise/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("CSV parsing", () => {
  it("parses quoted fields, CRLF and a custom separator into dictionary-encoded columns", () => {
    const table = parseCsv('a;b\r\n"x;1";2\r\n"say ""hi""";2\r\n', { separator: ";" });
    expect(table.rowCount).toBe(2);
    expect(table.dictionaries[0]).toEqual(["x;1", 'say "hi"']);
    expect(table.dictionaries[1]).toEqual(["2"]);
    expect([...(table.codes[1] ?? [])]).toEqual([0, 0]);
  });

  it("names the row with the wrong number of fields", () => {
    expect(
      expectCustosError(() => parseCsv("a,b\n1,2\n3"), "ANONYMISE_CSV_INVALID").details,
    ).toEqual({ row: 2, fields: 1, expected: 2 });
  });

  it("rejects an unterminated quote and a repeated header", () => {
    expectCustosError(() => parseCsvRows('a\n"oops'), "ANONYMISE_CSV_INVALID");
    expect(
      expectCustosError(() => parseCsv("a,a\n1,2"), "ANONYMISE_CSV_INVALID").details,
    ).toMatchObject({ column: 2 });
  });
});

describe("hierarchies", () => {
  it("parses ARX's format", () => {
    expect(parseHierarchy("Male;*\nFemale;*").rows).toEqual([
      ["Male", "*"],
      ["Female", "*"],
    ]);
  });

  it("rejects ragged rows, repeated values and labels with two parents, naming the row", () => {
    const invalid = (rows: readonly (readonly string[])[]) =>
      expectCustosError(() => createHierarchy(rows), "ANONYMISE_HIERARCHY_INVALID").details;
    expect(invalid([["a", "*"], ["b"]])).toMatchObject({ row: 2 });
    expect(
      invalid([
        ["a", "*"],
        ["a", "*"],
      ]),
    ).toMatchObject({ row: 2, value: "a" });
    expect(
      invalid([
        ["a", "x", "*"],
        ["b", "x", "y"],
      ]),
    ).toMatchObject({ row: 2, label: "x" });
  });

  it("builds aligned numeric intervals", () => {
    expect(intervalHierarchy(["37", "40"], { widths: [5, 10] }).rows).toEqual([
      ["37", "35-39", "30-39", "*"],
      ["40", "40-44", "40-49", "*"],
    ]);
    expect(intervalHierarchy(["1.5"], { widths: [2] }).rows).toEqual([["1.5", "[0, 2)", "*"]]);
    expect(
      expectCustosError(
        () => intervalHierarchy(["x"], { widths: [5] }),
        "ANONYMISE_HIERARCHY_INVALID",
      ).details,
    ).toMatchObject({ value: "x" });
    expect(
      expectCustosError(
        () => intervalHierarchy(["1"], { widths: [5, 7] }),
        "ANONYMISE_HIERARCHY_INVALID",
      ).details,
    ).toMatchObject({ field: "widths", level: 2 });
  });

  it("generalises dates to month and year", () => {
    expect(dateHierarchy(["2024-03-07"]).rows).toEqual([["2024-03-07", "2024-03", "2024", "*"]]);
    expect(
      expectCustosError(() => dateHierarchy(["2024-02-30"]), "ANONYMISE_HIERARCHY_INVALID").details,
    ).toMatchObject({ value: "2024-02-30" });
  });

  it("truncates postcodes and masks from the start", () => {
    expect(maskingHierarchy(["10115", "101"]).rows).toEqual([
      ["10115", "1011*", "101**", "10***", "1****", "*****", "*"],
      ["101", "10*", "1**", "***", "***", "***", "*"],
    ]);
    expect(maskingHierarchy(["1234"], { from: "start", maskChar: "#" }).rows[0]).toEqual([
      "1234",
      "#234",
      "##34",
      "###4",
      "####",
      "*",
    ]);
  });
});
