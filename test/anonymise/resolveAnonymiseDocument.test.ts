import { describe, expect, it } from "vitest";
import {
  parseCsv,
  resolveAnonymiseDocument,
  validateAnonymiseDocument,
} from "../../src/anonymise/index.ts";
import { type CustosError, isCustosError } from "../../src/errors/index.ts";

function errorOf(run: () => unknown): CustosError {
  try {
    run();
  } catch (error) {
    if (isCustosError(error)) return error;
    throw error;
  }
  throw new Error("expected a CustosError");
}

const table = parseCsv(
  "id,age,zip,admitted,dx\n1,34,10115,2024-03-07,flu\n2,36,10117,2024-05-01,cold",
);

describe("resolveAnonymiseDocument", () => {
  it("names the field of a malformed hierarchy file or an unloaded file", () => {
    const document = validateAnonymiseDocument({
      attributes: {
        id: { role: "identifier" },
        age: { role: "quasi-identifier", hierarchy: { file: "age.csv", separator: "," } },
        zip: { role: "insensitive" },
        admitted: { role: "insensitive" },
        dx: { role: "sensitive" },
      },
      models: [{ type: "k-anonymity", k: 2 }],
    });
    const ragged = errorOf(() =>
      resolveAnonymiseDocument(document, table, new Map([["age.csv", "34,30-39,*\n36,*"]])),
    );
    expect(ragged.code).toBe("ANONYMISE_HIERARCHY_INVALID");
    expect(ragged.details).toMatchObject({ field: "attributes.age.hierarchy.file", row: 2 });
    const unloaded = errorOf(() => resolveAnonymiseDocument(document, table, new Map()));
    expect(unloaded.details).toMatchObject({ field: "attributes.age.hierarchy.file" });
  });

  it("applies research-extract on top of Safe Harbor, document settings overriding defaults", () => {
    const document = validateAnonymiseDocument({
      profile: ["safe-harbor", "research-extract"],
      attributes: {
        id: { safeHarbor: "medical-record-number" },
        age: { safeHarbor: "age" },
        zip: { safeHarbor: "zip" },
        admitted: { safeHarbor: "date" },
        dx: { role: "sensitive" },
      },
      k: 12,
      suppressionLimit: 0.02,
      safeHarbor: { zip3Populations: "zip3.csv" },
    });
    const options = resolveAnonymiseDocument(
      document,
      table,
      new Map([["zip3.csv", "zip3,population\n101,25000\n"]]),
    );
    expect(options).toMatchObject({
      models: [{ type: "k-anonymity", k: 12 }],
      suppressionLimit: 0.02,
      search: "optimal",
    });
    expect(options.attributes.id).toEqual({ role: "identifier" });
    const bad = errorOf(() =>
      resolveAnonymiseDocument(
        document,
        table,
        new Map([["zip3.csv", "zip3,population\n101,many\n"]]),
      ),
    );
    expect(bad.code).toBe("ANONYMISE_CSV_INVALID");
    expect(bad.details).toMatchObject({ field: "safeHarbor.zip3Populations", row: 1 });
  });
});
