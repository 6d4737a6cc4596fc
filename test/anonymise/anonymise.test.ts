import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateKMapThreshold } from "../../src/anonymise/index.ts";
import { isCustosError } from "../../src/errors/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import {
  type AnonymiseOptions,
  type AttributeConfig,
  anonymise,
  checkPrivacyModel,
  createHierarchy,
  hierarchiesOf,
  type PrivacyModel,
  parseCsv,
  populationCsv,
  type UtilityMetric,
} from "./fixtures.ts";

interface Instance {
  readonly csv: string;
  readonly attributes: Record<string, AttributeConfig>;
}

/** A random table: 1–3 quasi-identifiers with random tree hierarchies, one sensitive column. */
const instance: fc.Arbitrary<Instance> = fc
  .record({
    qis: fc.array(
      fc.record({
        domain: fc.integer({ min: 1, max: 7 }),
        widths: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 0, maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    sensitiveDomain: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    rows: fc.integer({ min: 4, max: 40 }),
  })
  .map(({ qis, sensitiveDomain, seed, rows }) => {
    let state = seed;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
      return (state >>> 16) % n;
    };
    const columns = [...qis.map((_, j) => `q${j}`), "s"];
    const lines = [columns.join(",")];
    for (let r = 0; r < rows; r++) {
      lines.push(
        [...qis.map((qi) => `v${next(qi.domain)}`), `s${next(sensitiveDomain)}`].join(","),
      );
    }
    const attributes: Record<string, AttributeConfig> = { s: { role: "sensitive" } };
    qis.forEach((qi, j) => {
      const hierarchyRows = Array.from({ length: qi.domain }, (_, i) => {
        const row = [`v${i}`];
        let width = 1;
        qi.widths.forEach((w, level) => {
          width *= w;
          row.push(`g${level + 1}_${Math.floor(i / width)}`);
        });
        row.push("*");
        return row;
      });
      attributes[`q${j}`] = { role: "quasi-identifier", hierarchy: createHierarchy(hierarchyRows) };
    });
    return { csv: lines.join("\n"), attributes };
  });

const modelArbitrary: fc.Arbitrary<PrivacyModel[]> = fc.oneof(
  fc.integer({ min: 1, max: 6 }).map((k): PrivacyModel[] => [{ type: "k-anonymity", k }]),
  fc.integer({ min: 1, max: 3 }).map((l): PrivacyModel[] => [
    { type: "k-anonymity", k: 2 },
    { type: "distinct-l-diversity", attribute: "s", l },
  ]),
  fc
    .double({ min: 1, max: 3, noNaN: true })
    .map((l): PrivacyModel[] => [{ type: "entropy-l-diversity", attribute: "s", l }]),
  fc
    .record({ c: fc.double({ min: 0.5, max: 4, noNaN: true }), l: fc.integer({ min: 2, max: 3 }) })
    .map(({ c, l }): PrivacyModel[] => [{ type: "recursive-cl-diversity", attribute: "s", c, l }]),
  fc
    .record({
      t: fc.double({ min: 0.05, max: 0.6, noNaN: true }),
      distance: fc.constantFrom("equal" as const, "ordered" as const),
    })
    .map(({ t, distance }): PrivacyModel[] => [
      { type: "t-closeness", attribute: "s", t, distance },
    ]),
  fc
    .double({ min: 0.2, max: 0.9, noNaN: true })
    .map((threshold): PrivacyModel[] => [{ type: "average-risk", threshold }]),
);

const metrics: readonly UtilityMetric[] = ["loss", "entropy", "discernibility", "precision"];

function run(options: AnonymiseOptions, csv: string) {
  try {
    return anonymise(parseCsv(csv), options);
  } catch (error) {
    if (isCustosError(error, "ANONYMISE_NO_SOLUTION")) return "none" as const;
    throw error;
  }
}

describe("anonymise (property tests)", () => {
  it("finds the exhaustive optimum, and every output satisfies its models", () => {
    fc.assert(
      fc.property(
        instance,
        modelArbitrary,
        fc.constantFrom(...metrics),
        fc.constantFrom(0, 0.1, 0.3),
        ({ csv, attributes }, models, metric, suppressionLimit) => {
          const options = { attributes, models, metric, suppressionLimit };
          const optimal = run({ ...options, search: "optimal" }, csv);
          const exhaustive = run({ ...options, search: "exhaustive" }, csv);
          if (optimal === "none" || exhaustive === "none") {
            expect(optimal).toBe(exhaustive);
            return;
          }
          expect(optimal.metrics.value).toBe(exhaustive.metrics.value);
          expect(optimal.transformation).toEqual(exhaustive.transformation);
          expect(optimal.search.checks).toBeLessThanOrEqual(exhaustive.search.checks + 1);
          const rows = optimal.output.rowCount;
          expect(optimal.risk.suppressedRecords).toBeLessThanOrEqual(
            Math.floor(suppressionLimit * rows + 1e-9),
          );
          for (const model of models) {
            const verdict = checkPrivacyModel(
              optimal.output,
              optimal.quasiIdentifiers,
              optimal.suppressedRows,
              model,
            );
            expect(verdict).toEqual({ satisfied: true, violatingClasses: 0 });
          }
        },
      ),
      { seed: 20_261_123, numRuns: 1500 },
    );
  });

  it("suppresses exactly the rows it reports and masks their quasi-identifiers", () => {
    fc.assert(
      fc.property(instance, fc.integer({ min: 2, max: 4 }), ({ csv, attributes }, k) => {
        const result = run(
          { attributes, models: [{ type: "k-anonymity", k }], suppressionLimit: 0.5 },
          csv,
        );
        if (result === "none") return;
        const suppressed = result.suppressedRows.reduce((a, b) => a + b, 0);
        expect(suppressed).toBe(result.risk.suppressedRecords);
        expect(result.risk.releasedRecords + suppressed).toBe(result.output.rowCount);
        result.quasiIdentifiers.forEach((name) => {
          const c = result.output.columns.indexOf(name);
          result.suppressedRows.forEach((flag, row) => {
            if (flag === 1) {
              const dictionary = result.output.dictionaries[c] ?? [];
              expect(dictionary[result.output.codes[c]?.[row] ?? -1]).toBe("*");
            }
          });
        });
      }),
      { seed: 7, numRuns: 100 },
    );
  });
});

describe("anonymise with k-map (property tests)", () => {
  it("population table: finds the exhaustive optimum, and every class matches ≥ k population records", () => {
    fc.assert(
      fc.property(
        instance,
        fc.record({
          k: fc.integer({ min: 1, max: 14 }),
          extra: fc.integer({ min: 0, max: 40 }),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
          withK: fc.boolean(),
        }),
        fc.constantFrom(...metrics),
        fc.constantFrom(0, 0.1, 0.3),
        ({ csv, attributes }, { k, extra, seed, withK }, metric, suppressionLimit) => {
          const population = parseCsv(populationCsv(csv, attributes, seed, extra));
          const kMap: PrivacyModel = { type: "k-map", k, population };
          const models: PrivacyModel[] = withK ? [kMap, { type: "k-anonymity", k: 2 }] : [kMap];
          const options = { attributes, models, metric, suppressionLimit };
          const optimal = run({ ...options, search: "optimal" }, csv);
          const exhaustive = run({ ...options, search: "exhaustive" }, csv);
          if (optimal === "none" || exhaustive === "none") {
            expect(optimal).toBe(exhaustive);
            return;
          }
          expect(optimal.metrics.value).toBe(exhaustive.metrics.value);
          expect(optimal.transformation).toEqual(exhaustive.transformation);
          expect(optimal.search.checks).toBeLessThanOrEqual(exhaustive.search.checks + 1);
          for (const model of models) {
            const verdict = checkPrivacyModel(
              optimal.output,
              optimal.quasiIdentifiers,
              optimal.suppressedRows,
              model,
              { hierarchies: hierarchiesOf(attributes) },
            );
            expect(verdict).toEqual({ satisfied: true, violatingClasses: 0 });
          }
          const risk = optimal.risk.population;
          if (optimal.risk.releasedRecords > 0) {
            expect(risk?.minClassSize).toBeGreaterThanOrEqual(k);
            expect(optimal.risk.journalist.highest).toBe(1 / (risk?.minClassSize ?? 0));
            expect(optimal.risk.journalist.highest).toBeLessThanOrEqual(
              optimal.risk.prosecutor.highest,
            );
          }
        },
      ),
      { seed: 20_261_201, numRuns: 800 },
    );
  });

  it("estimator: the release is the k′-anonymous optimum and passes the recomputed k′", () => {
    fc.assert(
      fc.property(
        instance,
        fc.record({
          k: fc.integer({ min: 1, max: 60 }),
          samplingFraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
          significanceLevel: fc.double({ min: 0, max: 0.2, noNaN: true }),
          estimator: fc.constantFrom("poisson" as const, "zero-truncated-poisson" as const),
        }),
        fc.constantFrom(0, 0.1),
        ({ csv, attributes }, parameters, suppressionLimit) => {
          const model: PrivacyModel = { type: "k-map", ...parameters };
          const result = run({ attributes, models: [model], suppressionLimit }, csv);
          const rows = parseCsv(csv).rowCount;
          const estimate = estimateKMapThreshold(model, rows);
          const same = run(
            {
              attributes,
              models: [{ type: "k-anonymity", k: estimate.derivedK }],
              suppressionLimit,
            },
            csv,
          );
          if (result === "none" || same === "none") {
            expect(result).toBe(same);
            return;
          }
          expect(result.transformation).toEqual(same.transformation);
          expect(result.kMapEstimates).toEqual([estimate]);
          expect(
            checkPrivacyModel(result.output, result.quasiIdentifiers, result.suppressedRows, model),
          ).toEqual({ satisfied: true, violatingClasses: 0 });
        },
      ),
      { seed: 20_261_202, numRuns: 300 },
    );
  });
});

describe("anonymise with k-map (worked example)", () => {
  // Ages 21, 22 → "20-24", 31, 32, 33 → "30-34", then "*". The registry holds 21×3, 22×2,
  // 31, 32 and 33×4 (33 is in no sample record).
  const age = createHierarchy([
    ["21", "20-24", "*"],
    ["22", "20-24", "*"],
    ["31", "30-34", "*"],
    ["32", "30-34", "*"],
    ["33", "30-34", "*"],
  ]);
  const sample = parseCsv("age\n21\n22\n31\n32");
  const population = parseCsv(
    `age\n${["21", "21", "21", "22", "22", "31", "32", "33", "33", "33", "33"].join("\n")}`,
  );
  const attributes = { age: { role: "quasi-identifier" as const, hierarchy: age } };

  it("k = 3: level 0 fails (22, 31, 32 match 2, 1, 1), level 1 passes (20-24: 5, 30-34: 6)", () => {
    const result = anonymise(sample, {
      attributes,
      models: [{ type: "k-map", k: 3, population }],
    });
    expect(result.transformation).toEqual([1]);
    // Journalist risk against the registry: 1/5 for the two records in 20-24; the mean over
    // the four records is (2/5 + 2/6)/4.
    expect(result.risk.population).toEqual({
      minClassSize: 5,
      highest: 0.2,
      recordsAtHighestRisk: 2,
      average: expect.closeTo((2 / 5 + 2 / 6) / 4, 15),
    });
    expect(result.risk.journalist.highest).toBe(0.2);
    expect(result.risk.prosecutor.highest).toBe(0.5);
    expect(result.risk.marketer.average).toBeCloseTo((2 / 5 + 2 / 6) / 4, 15);
  });

  it("k = 6: 20-24 matches only 5, so everything is generalised to *", () => {
    const result = anonymise(sample, {
      attributes,
      models: [{ type: "k-map", k: 6, population }],
    });
    expect(result.transformation).toEqual([2]);
    expect(result.risk.population?.minClassSize).toBe(11);
  });

  it("k = 3 with one record suppressible: level 0 would need three suppressed, level 1 stays", () => {
    const result = anonymise(sample, {
      attributes,
      models: [{ type: "k-map", k: 3, population }],
      suppressionLimit: 0.25,
    });
    expect(result.transformation).toEqual([1]);
    const loose = anonymise(sample, {
      attributes,
      models: [{ type: "k-map", k: 2, population }],
      suppressionLimit: 0.5,
      metric: "precision",
    });
    // Level 0: 31 and 32 match one registry record each; suppressing both (2 of 4) is allowed.
    expect(loose.transformation).toEqual([0]);
    expect(loose.risk.suppressedRecords).toBe(2);
    expect(loose.risk.population?.minClassSize).toBe(2);
  });

  it("refuses a population that is not a superset of the sample, naming the values", () => {
    const small = parseCsv("age\n21\n21\n22\n31");
    const error = expectCustosError(
      () => anonymise(sample, { attributes, models: [{ type: "k-map", k: 1, population: small }] }),
      "ANONYMISE_POPULATION_INVALID",
    );
    expect(error.details).toEqual({
      field: "models[0].population",
      values: { age: "32" },
      sampleRecords: 1,
      populationRecords: 0,
    });
  });

  it("refuses a population value missing from the hierarchy, naming the population row", () => {
    const odd = parseCsv("age\n21\n22\n31\n32\n40");
    const error = expectCustosError(
      () => anonymise(sample, { attributes, models: [{ type: "k-map", k: 1, population: odd }] }),
      "ANONYMISE_HIERARCHY_INVALID",
    );
    expect(error.details).toEqual({
      attribute: "age",
      value: "40",
      row: 5,
      table: "population",
      field: "models[0].population",
    });
  });
});
