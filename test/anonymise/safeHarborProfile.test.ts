import { describe, expect, it } from "vitest";
import {
  anonymise,
  checkPrivacyModel,
  parseCsv,
  researchExtractProfile,
  type SafeHarborOptions,
  safeHarborIdentifierClasses,
  safeHarborProfile,
  sampleZip3PopulationTable,
  type Table,
} from "../../src/anonymise/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

// Synthetic records (invented people, fictional ZIP populations from the sample table).
const csv = `name,ssn,phone,email,mrn,city,zip,birth,admitted,age,dx
Ana Silva,900-00-0001,555-0101,ana@example.org,MRN1,Springfield,10015,1930-04-02,2025-03-07,95,flu
Bo Chen,900-00-0002,555-0102,bo@example.org,MRN2,Shelbyville,20099,1980-12-31,2025-11-30T08:15:00Z,44,cold
Cy Diaz,900-00-0003,555-0103,cy@example.org,MRN3,Ogdenville,30012,1936-01-01,2024-01-15,89,flu
Di Evans,900-00-0004,555-0104,di@example.org,MRN4,North Haverbrook,40001-1234,1937-06-01,2024-07,90,asthma
Ed Fox,900-00-0005,555-0105,ed@example.org,MRN5,Capital City,50000,2001-02-03,2023,24.5,cold
Fa Gil,900-00-0006,555-0106,fa@example.org,MRN6,Springfield,,1999-09-09,2025-05-05,,flu`;

const attributes: SafeHarborOptions["attributes"] = {
  name: { safeHarbor: "name" },
  ssn: { safeHarbor: "ssn" },
  phone: { safeHarbor: "telephone" },
  email: { safeHarbor: "email" },
  mrn: { safeHarbor: "medical-record-number" },
  city: { safeHarbor: "geographic-subdivision" },
  zip: { safeHarbor: "zip" },
  birth: { safeHarbor: "birth-date" },
  admitted: { safeHarbor: "date" },
  age: { safeHarbor: "age" },
  dx: { role: "sensitive" },
};

function column(table: Table, name: string): string[] {
  const c = table.columns.indexOf(name);
  const dictionary = table.dictionaries[c] ?? [];
  return Array.from(table.codes[c] ?? [], (code) => dictionary[code] ?? "?");
}

describe("safeHarborProfile", () => {
  const table = parseCsv(csv);
  const options: SafeHarborOptions = {
    attributes,
    zip3Populations: sampleZip3PopulationTable,
    referenceYear: 2026,
  };

  it("lists the 18 identifier classes of 164.514(b)(2)(i)(A)–(R)", () => {
    const paragraphs = new Set(Object.values(safeHarborIdentifierClasses).map((c) => c.paragraph));
    expect([...paragraphs].sort()).toEqual([..."ABCDEFGHIJKLMNOPQR"]);
  });

  it("removes identifiers and recodes ZIP, dates and ages by the rules", () => {
    const result = anonymise(table, safeHarborProfile(table, options));
    expect(result.output.columns).toEqual(["zip", "birth", "admitted", "age", "dx"]);
    // 100 (1,000,000) and 200 (20,001) are kept; 300 (exactly 20,000), 400 and the unknown
    // 500 become 000; the missing ZIP stays missing.
    expect(column(result.output, "zip")).toEqual(["100", "200", "000", "000", "000", ""]);
    // Reference year 2026: births in 1936 or earlier may mean an age over 89.
    expect(column(result.output, "birth")).toEqual([
      "1936 or earlier",
      "1980",
      "1936 or earlier",
      "1937",
      "2001",
      "1999",
    ]);
    expect(column(result.output, "admitted")).toEqual([
      "2025",
      "2025",
      "2024",
      "2024",
      "2023",
      "2025",
    ]);
    expect(column(result.output, "age")).toEqual(["90+", "44", "89", "90+", "24.5", ""]);
    expect(column(result.output, "dx")).toEqual(["flu", "cold", "flu", "asthma", "cold", "flu"]);
    expect(result.transformation).toEqual([1, 1, 1, 1]);
    expect(result.risk.suppressedRecords).toBe(0);
    const text = JSON.stringify(result.output);
    for (const secret of ["Silva", "900-00", "555-01", "example.org", "MRN", "Springfield"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("never releases finer than the rule, even under Mondrian", () => {
    const result = anonymise(table, { ...safeHarborProfile(table, options), search: "mondrian" });
    expect(
      column(result.output, "zip").every((z) => ["100", "200", "000", "", "*"].includes(z)),
    ).toBe(true);
    expect(column(result.output, "age")).not.toContain("95");
    expect(column(result.output, "birth").some((b) => b.includes("-"))).toBe(false);
  });

  it("composes with the research-extract profile: k ≥ 11 on top of the rules", () => {
    const rows = Array.from({ length: 60 }, (_, i) => {
      const zip = ["10015", "10099", "20001", "30001"][i % 4];
      const age = 20 + ((i * 7) % 75);
      return `P${i},${zip},${age},${i % 3 === 0 ? "flu" : "cold"}`;
    });
    const big = parseCsv(`name,zip,age,dx\n${rows.join("\n")}`);
    const base = safeHarborProfile(big, {
      attributes: {
        name: { safeHarbor: "name" },
        zip: { safeHarbor: "zip" },
        age: { safeHarbor: "age" },
        dx: { role: "sensitive" },
      },
      zip3Populations: sampleZip3PopulationTable,
    });
    const result = anonymise(big, researchExtractProfile(base));
    expect(
      checkPrivacyModel(result.output, result.quasiIdentifiers, result.suppressedRows, {
        type: "k-anonymity",
        k: 11,
      }).satisfied,
    ).toBe(true);
    expect(result.risk.suppressedRecords).toBeLessThanOrEqual(3);
    expect(result.transformation[0]).toBeGreaterThanOrEqual(1);
    expect(result.transformation[1]).toBeGreaterThanOrEqual(1);
    expect(column(result.output, "zip").every((z) => ["100", "200", "000", "*"].includes(z))).toBe(
      true,
    );
  });

  it("refuses malformed values, naming the column and data row", () => {
    const bad = parseCsv("zip,age,when\n10015,30,2020-01-01\n1234,31,2020-01-02");
    const zip = expectCustosError(
      () =>
        safeHarborProfile(bad, {
          attributes: {
            zip: { safeHarbor: "zip" },
            age: { safeHarbor: "age" },
            when: { safeHarbor: "date" },
          },
          zip3Populations: sampleZip3PopulationTable,
        }),
      "ANONYMISE_VALUE_INVALID",
    );
    expect(zip.details).toMatchObject({ column: "zip", row: 2 });
    const age = expectCustosError(
      () =>
        safeHarborProfile(parseCsv("age\n30\nold"), { attributes: { age: { safeHarbor: "age" } } }),
      "ANONYMISE_VALUE_INVALID",
    );
    expect(age.details).toMatchObject({ column: "age", row: 2 });
    const date = expectCustosError(
      () =>
        safeHarborProfile(parseCsv("when\n07/03/2024"), {
          attributes: { when: { safeHarbor: "date" } },
        }),
      "ANONYMISE_VALUE_INVALID",
    );
    expect(date.details).toMatchObject({ column: "when", row: 1 });
  });

  it("requires a population table for ZIP codes and a reference year for birth dates", () => {
    const noTable = expectCustosError(
      () => safeHarborProfile(table, { ...options, zip3Populations: undefined as never }),
      "ANONYMISE_CONFIG_INVALID",
    );
    expect(noTable.details).toMatchObject({ field: "zip3Populations", attribute: "zip" });
    const noYear = expectCustosError(
      () => safeHarborProfile(table, { ...options, referenceYear: undefined as never }),
      "ANONYMISE_CONFIG_INVALID",
    );
    expect(noYear.details).toMatchObject({ field: "referenceYear", attribute: "birth" });
    const noQi = expectCustosError(
      () =>
        safeHarborProfile(parseCsv("name,dx\nA,flu"), {
          attributes: { name: { safeHarbor: "name" }, dx: { role: "sensitive" } },
        }),
      "ANONYMISE_CONFIG_INVALID",
    );
    expect(noQi.details).toMatchObject({ field: "attributes" });
    const unknown = expectCustosError(
      () =>
        safeHarborProfile(table, {
          ...options,
          attributes: { ...attributes, name: { safeHarbor: "nickname" as never } },
        }),
      "ANONYMISE_CONFIG_INVALID",
    );
    expect(unknown.details).toMatchObject({ field: "attributes.name.safeHarbor" });
  });
});
