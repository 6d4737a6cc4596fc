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

describe("validateAnonymiseDocument", () => {
  it("accepts every hierarchy form and lists the files to load", () => {
    const document = validateAnonymiseDocument({
      attributes: {
        id: { role: "identifier" },
        age: { role: "quasi-identifier", hierarchy: { type: "interval", widths: [5, 10] } },
        zip: { role: "quasi-identifier", hierarchy: "zip.csv", maxLevel: 2 },
        admitted: { role: "quasi-identifier", hierarchy: { type: "date" } },
        dx: { role: "sensitive" },
      },
      models: [{ type: "t-closeness", attribute: "dx", t: 0.5, distance: "equal" }],
      search: "mondrian",
    });
    expect(document.profile).toEqual([]);
    expect(documentFiles(document)).toEqual([
      { path: "zip.csv", field: "attributes.zip.hierarchy.file" },
    ]);
    const options = resolveAnonymiseDocument(
      document,
      table,
      new Map([["zip.csv", "10115;1011*;101**;*\n10117;1011*;101**;*"]]),
    );
    expect(options.search).toBe("mondrian");
    const result = anonymise(table, { ...options, models: [{ type: "k-anonymity", k: 1 }] });
    expect(result.output.columns).toEqual(["age", "zip", "admitted", "dx"]);
  });

  const cases: [string, unknown, string][] = [
    ["a non-object", [], "config"],
    ["a missing models list", { attributes: {} }, "models"],
    ["an unknown role", { attributes: { a: { role: "secret" } }, models: [] }, "attributes.a.role"],
    [
      "a quasi-identifier without hierarchy",
      { attributes: { a: { role: "quasi-identifier" } }, models: [] },
      "attributes.a.hierarchy",
    ],
    [
      "an unknown hierarchy type",
      { attributes: { a: { role: "quasi-identifier", hierarchy: { type: "tree" } } }, models: [] },
      "attributes.a.hierarchy.type",
    ],
    [
      "a bad masking side",
      {
        attributes: {
          a: { role: "quasi-identifier", hierarchy: { type: "masking", from: "middle" } },
        },
        models: [],
      },
      "attributes.a.hierarchy.from",
    ],
    [
      "an unknown model",
      { attributes: {}, models: [{ type: "delta-presence", k: 3 }] },
      "models[0].type",
    ],
    [
      "a k-map model with neither population nor estimator",
      { attributes: {}, models: [{ type: "k-map", k: 3 }] },
      "models[0].population",
    ],
    [
      "a k-map population that is not a file",
      { attributes: {}, models: [{ type: "k-map", k: 3, population: { path: "r.csv" } }] },
      "models[0].population.path",
    ],
    [
      "an unknown k-map estimator",
      {
        attributes: {},
        models: [{ type: "k-map", k: 3, estimator: "binomial", significanceLevel: 0.05 }],
      },
      "models[0].estimator",
    ],
    [
      "a k-map estimator without a significance level",
      { attributes: {}, models: [{ type: "k-map", k: 3, estimator: "poisson" }] },
      "models[0].significanceLevel",
    ],
    [
      "a model field of the wrong type",
      { attributes: {}, models: [{ type: "distinct-l-diversity", attribute: 3, l: 2 }] },
      "models[0].attribute",
    ],
    [
      "an extra model field",
      { attributes: {}, models: [{ type: "k-anonymity", k: 3, l: 2 }] },
      "models[0].l",
    ],
    ["an unknown search", { attributes: {}, models: [], search: "fast" }, "search"],
    ["an unknown profile", { attributes: {}, profile: "gdpr" }, "profile"],
    [
      "a Safe Harbor class without the profile",
      { attributes: { a: { safeHarbor: "name" } }, models: [] },
      "attributes.a.safeHarbor",
    ],
    [
      "an unknown Safe Harbor class",
      { profile: ["safe-harbor"], attributes: { a: { safeHarbor: "nickname" } } },
      "attributes.a.safeHarbor",
    ],
    ["k without research-extract", { attributes: {}, models: [], k: 20 }, "k"],
    [
      "a non-numeric reference year",
      { profile: "safe-harbor", attributes: {}, safeHarbor: { referenceYear: "2026" } },
      "safeHarbor.referenceYear",
    ],
  ];
  for (const [name, document, field] of cases) {
    it(`refuses ${name}, naming ${field}`, () => {
      const error = expectCustosError(
        () => validateAnonymiseDocument(document),
        "ANONYMISE_CONFIG_INVALID",
      );
      expect(error.details).toEqual({ field });
      expect(error.shortMessage).toContain(field);
    });
  }
});
