import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnonymiseOptions,
  type AttributeConfig,
  anonymise,
  checkPrivacyModel,
  createHierarchy,
  isCustosErrorLike,
  type PrivacyModel,
  parseCsv,
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
    if (isCustosErrorLike(error, "ANONYMISE_NO_SOLUTION")) return "none" as const;
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
