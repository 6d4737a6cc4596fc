import { describe, expect, it } from "vitest";
import {
  type AnonymiseOptions,
  anonymise,
  createHierarchy,
  type PrivacyModel,
  parseCsv,
} from "../../src/anonymise/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

const table = parseCsv("name,age,zip,diagnosis\nAna,30,101,flu\nBo,31,102,cold\nCy,30,101,flu");
const age = createHierarchy([
  ["30", "30-34", "*"],
  ["31", "30-34", "*"],
]);
const zip = createHierarchy([
  ["101", "10*", "*"],
  ["102", "10*", "*"],
]);
const ageQi = { role: "quasi-identifier", hierarchy: age } as const;
const registry = parseCsv("age,zip\n30,101\n31,102\n30,101\n31,101");
const estimated = {
  type: "k-map",
  k: 5,
  estimator: "zero-truncated-poisson",
  significanceLevel: 0.05,
  populationSize: 1000,
} as const;
const valid: AnonymiseOptions = {
  attributes: {
    name: { role: "identifier" },
    age: ageQi,
    zip: { role: "quasi-identifier", hierarchy: zip },
    diagnosis: { role: "sensitive" },
  },
  models: [{ type: "k-anonymity", k: 2 }],
};

describe("anonymise configuration errors", () => {
  it("accepts the valid configuration and drops identifiers", () => {
    const result = anonymise(table, valid);
    expect(result.output.columns).toEqual(["age", "zip", "diagnosis"]);
    expect(result.transformation).toEqual([1, 1]);
  });

  const invalidCases: [string, AnonymiseOptions, Record<string, unknown>][] = [
    [
      "a column without a role",
      { ...valid, attributes: { ...valid.attributes, name: undefined as never } },
      { attribute: "name" },
    ],
    [
      "an unknown attribute",
      { ...valid, attributes: { ...valid.attributes, height: { role: "insensitive" } } },
      { attribute: "height" },
    ],
    [
      "a non-integer k",
      { ...valid, models: [{ type: "k-anonymity", k: 2.5 }] },
      { field: "models[0].k" },
    ],
    [
      "ℓ-diversity on a non-sensitive attribute",
      { ...valid, models: [{ type: "distinct-l-diversity", attribute: "zip", l: 2 }] },
      { field: "models[0].attribute", attribute: "zip" },
    ],
    [
      "t out of range",
      {
        ...valid,
        models: [{ type: "t-closeness", attribute: "diagnosis", t: 2, distance: "equal" }],
      },
      { field: "models[0].t" },
    ],
    [
      "an ordered t-closeness order lacking a value",
      {
        ...valid,
        models: [
          {
            type: "t-closeness",
            attribute: "diagnosis",
            t: 0.5,
            distance: "ordered",
            order: ["flu"],
          },
        ],
      },
      { field: "models[0].order", value: "cold" },
    ],
    ["no models", { ...valid, models: [] }, { field: "models" }],
    [
      "a suppression limit above 1",
      { ...valid, suppressionLimit: 1.5 },
      { field: "suppressionLimit" },
    ],
    ["an unknown metric", { ...valid, metric: "height" as never }, { field: "metric" }],
    ["an unknown search", { ...valid, search: "greedy" as never }, { field: "search" }],
    [
      "a minLevel above the hierarchy's top",
      { ...valid, attributes: { ...valid.attributes, age: { ...ageQi, minLevel: 3 } } },
      { attribute: "age", field: "attributes.age.minLevel" },
    ],
    [
      "a minLevel above the maxLevel",
      {
        ...valid,
        attributes: { ...valid.attributes, age: { ...ageQi, minLevel: 2, maxLevel: 1 } },
      },
      { attribute: "age", field: "attributes.age.minLevel" },
    ],
    [
      "an unknown split",
      {
        ...valid,
        attributes: { ...valid.attributes, age: { ...ageQi, split: "median" as never } },
      },
      { field: "attributes.age.split" },
    ],
    [
      "a range split with level bounds",
      {
        ...valid,
        attributes: { ...valid.attributes, age: { ...ageQi, split: "range", minLevel: 1 } },
      },
      { field: "attributes.age.split" },
    ],
    [
      "average risk with Mondrian",
      { ...valid, search: "mondrian", models: [{ type: "average-risk", threshold: 0.5 }] },
      { field: "models[0].type", search: "mondrian" },
    ],
    [
      "a progress callback that is not a function",
      { ...valid, onProgress: 1 as never },
      { field: "onProgress" },
    ],
    ["a lattice above the cap", { ...valid, maxLatticeNodes: 8 }, { field: "maxLatticeNodes" }],
    [
      "a k-map k below 1",
      { ...valid, models: [{ type: "k-map", k: 0, population: registry }] },
      { field: "models[0].k", model: "k-map" },
    ],
    [
      "a k-map model with neither population nor estimator",
      { ...valid, models: [{ type: "k-map", k: 2 } as never] },
      { field: "models[0].population" },
    ],
    [
      "a k-map population that is not a table",
      { ...valid, models: [{ type: "k-map", k: 2, population: { columns: ["age"] } as never }] },
      { field: "models[0].population" },
    ],
    [
      "a k-map population together with an estimator",
      {
        ...valid,
        models: [
          { type: "k-map", k: 2, population: registry, estimator: "poisson" } as PrivacyModel,
        ],
      },
      { field: "models[0].estimator" },
    ],
    [
      "a k-map population without a quasi-identifier column",
      {
        ...valid,
        models: [{ type: "k-map", k: 2, population: parseCsv("age\n30\n31\n30") }],
      },
      { field: "models[0].population", attribute: "zip" },
    ],
    [
      "two k-map population tables",
      {
        ...valid,
        models: [
          { type: "k-map", k: 2, population: registry },
          { type: "k-map", k: 3, population: registry },
        ],
      },
      { field: "models[1].population" },
    ],
    [
      "an unknown k-map estimator",
      { ...valid, models: [{ ...estimated, estimator: "binomial" as never }] },
      { field: "models[0].estimator" },
    ],
    [
      "a significance level above 1",
      { ...valid, models: [{ ...estimated, significanceLevel: 1.5 }] },
      { field: "models[0].significanceLevel" },
    ],
    [
      "both a population size and a sampling fraction",
      { ...valid, models: [{ ...estimated, samplingFraction: 0.5 }] },
      { field: "models[0].populationSize" },
    ],
    [
      "a population smaller than the sample",
      { ...valid, models: [{ ...estimated, populationSize: 2 }] },
      { field: "models[0].populationSize" },
    ],
    [
      "a sampling fraction of 0",
      {
        ...valid,
        models: [
          {
            type: "k-map",
            k: 2,
            estimator: "poisson",
            significanceLevel: 0.05,
            samplingFraction: 0,
          },
        ],
      },
      { field: "models[0].samplingFraction" },
    ],
  ];
  for (const [name, options, details] of invalidCases) {
    it(`rejects ${name} with ANONYMISE_CONFIG_INVALID`, () => {
      const error = expectCustosError(() => anonymise(table, options), "ANONYMISE_CONFIG_INVALID");
      expect(error.details).toMatchObject(details);
    });
  }

  it("refuses a range split over non-numeric values, naming the value", () => {
    const words = createHierarchy([
      ["a", "*"],
      ["b", "*"],
    ]);
    const bad = expectCustosError(
      () =>
        anonymise(parseCsv("w\na\nb"), {
          attributes: { w: { role: "quasi-identifier", hierarchy: words, split: "range" } },
          models: [{ type: "k-anonymity", k: 1 }],
          search: "mondrian",
        }),
      "ANONYMISE_CONFIG_INVALID",
    );
    expect(bad.details).toMatchObject({ attribute: "w", field: "attributes.w.split", value: "a" });
  });

  it("names the value and data row missing from a hierarchy", () => {
    const partial = createHierarchy([["101", "10*", "*"]]);
    const error = expectCustosError(
      () =>
        anonymise(table, {
          ...valid,
          attributes: {
            ...valid.attributes,
            zip: { role: "quasi-identifier", hierarchy: partial },
          },
        }),
      "ANONYMISE_HIERARCHY_INVALID",
    );
    expect(error.details).toEqual({ attribute: "zip", value: "102", row: 2 });
  });

  it("reports ANONYMISE_NO_SOLUTION when even full generalisation fails", () => {
    expectCustosError(
      () => anonymise(table, { ...valid, models: [{ type: "k-anonymity", k: 4 }] }),
      "ANONYMISE_NO_SOLUTION",
    );
  });
});
