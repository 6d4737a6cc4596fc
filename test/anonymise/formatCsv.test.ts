import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCsv, parseCsv } from "../../src/anonymise/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("formatCsv", () => {
  it("quotes fields holding the separator, quotes or line breaks", () => {
    const table = parseCsv('a;b\n"x;y";"say ""hi"""\n"two\nlines";plain', { separator: ";" });
    expect(formatCsv(table, { separator: ";" })).toBe(
      'a;b\n"x;y";"say ""hi"""\n"two\nlines";plain\n',
    );
  });

  it("round-trips through parseCsv", () => {
    const field = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\n", " ", "é") });
    fc.assert(
      fc.property(fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 10 }), (rows) => {
        // Blank lines are skipped by the parser, so a row of one empty field is not kept.
        const kept = rows.filter(([a, b]) => a !== "" || b !== "");
        const text = [
          "h1,h2",
          ...kept.map((r) => r.map((f) => `"${f.replaceAll('"', '""')}"`).join(",")),
        ].join("\n");
        const table = parseCsv(text);
        const again = parseCsv(formatCsv(table));
        expect(again.columns).toEqual(table.columns);
        expect(again.rowCount).toBe(table.rowCount);
        for (let c = 0; c < 2; c++) {
          const values = (t: typeof table) =>
            Array.from(t.codes[c] ?? [], (code) => t.dictionaries[c]?.[code]);
          expect(values(again)).toEqual(values(table));
        }
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it("refuses a separator that is not one character", () => {
    expectCustosError(
      () => formatCsv(parseCsv("a\n1"), { separator: "::" }),
      "ANONYMISE_CSV_INVALID",
    );
  });
});
