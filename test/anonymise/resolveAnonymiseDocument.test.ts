import { describe, expect, it } from "vitest";
import {
  anonymise,
  documentFiles,
  parseCsv,
  resolveAnonymiseDocument,
  validateAnonymiseDocument,
} from "../../src/anonymise/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const table = parseCsv(
  "id,age,zip,admitted,dx\n1,34,10115,2024-03-07,flu\n2,36,10117,2024-05-01,cold",
);

describe("resolveAnonymiseDocument", () => {
  it("loads a k-map population file and builds generated hierarchies over its values too", () => {
    const document = validateAnonymiseDocument({
      attributes: {
        id: { role: "identifier" },
        age: { role: "quasi-identifier", hierarchy: { type: "interval", widths: [10] } },
        zip: { role: "insensitive" },
        admitted: { role: "insensitive" },
        dx: { role: "sensitive" },
      },
      models: [{ type: "k-map", k: 3, population: { file: "registry.csv", separator: ";" } }],
    });
    expect(documentFiles(document)).toEqual([
      { path: "registry.csv", field: "models[0].population.file" },
    ]);
    // 38 and 52 occur only in the registry: the interval hierarchy must still cover them.
    const registry = "age;zip\n34;1\n36;2\n38;3\n52;4";
    const options = resolveAnonymiseDocument(
      document,
      table,
      new Map([["registry.csv", registry]]),
    );
    const result = anonymise(table, options);
    // Level 0 matches 1 registry record per age; "30-39" matches 34, 36 and 38.
    expect(result.transformation).toEqual([1]);
    expect(result.risk.population?.minClassSize).toBe(3);
    const broken = expectCustosError(
      () =>
        resolveAnonymiseDocument(document, table, new Map([["registry.csv", 'age;zip\n"34;1']])),
      "ANONYMISE_CSV_INVALID",
    );
    expect(broken.details).toMatchObject({ field: "models[0].population.file" });
  });

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
    const ragged = expectCustosError(
      () => resolveAnonymiseDocument(document, table, new Map([["age.csv", "34,30-39,*\n36,*"]])),
      "ANONYMISE_HIERARCHY_INVALID",
    );
    expect(ragged.details).toMatchObject({ field: "attributes.age.hierarchy.file", row: 2 });
    const unloaded = expectCustosError(
      () => resolveAnonymiseDocument(document, table, new Map()),
      "ANONYMISE_CONFIG_INVALID",
    );
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
    const bad = expectCustosError(
      () =>
        resolveAnonymiseDocument(
          document,
          table,
          new Map([["zip3.csv", "zip3,population\n101,many\n"]]),
        ),
      "ANONYMISE_CSV_INVALID",
    );
    expect(bad.details).toMatchObject({ field: "safeHarbor.zip3Populations", row: 1 });
  });
});
