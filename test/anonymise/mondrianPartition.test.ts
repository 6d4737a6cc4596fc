import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnonymiseOptions,
  type AttributeConfig,
  anonymise,
  checkPrivacyModel,
  createHierarchy,
  intervalHierarchy,
  type PrivacyModel,
  parseCsv,
  type Table,
} from "../../src/anonymise/index.ts";
import { isCustosError } from "../../src/errors/index.ts";
import { hierarchiesOf, loadAdult, populationCsv } from "./fixtures.ts";

function column(table: Table, name: string): string[] {
  const c = table.columns.indexOf(name);
  const dictionary = table.dictionaries[c] ?? [];
  return Array.from(table.codes[c] ?? [], (code) => dictionary[code] ?? "?");
}

const flat = (values: readonly string[]) => createHierarchy(values.map((v) => [v, "*"]));

describe("Mondrian (search: mondrian)", () => {
  it("cuts a numeric quasi-identifier at medians into strict ranges", () => {
    const ages = ["1", "2", "3", "4", "5", "6", "7", "8"];
    const table = parseCsv(`age,d\n${ages.map((a) => `${a},x`).join("\n")}`);
    const result = anonymise(table, {
      attributes: {
        age: { role: "quasi-identifier", hierarchy: flat(ages) },
        d: { role: "insensitive" },
      },
      models: [{ type: "k-anonymity", k: 2 }],
      search: "mondrian",
    });
    expect(column(result.output, "age")).toEqual([
      "1-2",
      "1-2",
      "3-4",
      "3-4",
      "5-6",
      "5-6",
      "7-8",
      "7-8",
    ]);
    expect(result.recoding).toBe("local");
    expect(result.transformation).toEqual([]);
    expect(result.search).toMatchObject({ strategy: "mondrian", latticeSize: 0, splits: 3 });
    expect(result.risk.classes).toEqual({ count: 4, minSize: 2, maxSize: 2, averageSize: 2 });
    // Loss: each record's range covers 2 of 8 hierarchy rows: (8·2 − 8)/(8·7) = 1/7.
    expect(result.metrics.lossByAttribute[0]).toBeCloseTo(1 / 7, 12);
    expect(result.metrics.discernibility).toBe(16);
  });

  it("keeps duplicates of a value on one side of the cut", () => {
    const ages = ["5", "5", "5", "6", "7", "8"];
    const table = parseCsv(`age\n${ages.join("\n")}`);
    const result = anonymise(table, {
      attributes: { age: { role: "quasi-identifier", hierarchy: flat(["5", "6", "7", "8"]) } },
      models: [{ type: "k-anonymity", k: 2 }],
      search: "mondrian",
    });
    expect(column(result.output, "age")).toEqual(["5", "5", "5", "6-8", "6-8", "6-8"]);
  });

  it("cuts a categorical quasi-identifier into hierarchy children and writes the common ancestor", () => {
    const hierarchy = createHierarchy([
      ["flu", "respiratory", "*"],
      ["cold", "respiratory", "*"],
      ["asthma", "respiratory", "*"],
      ["fracture", "injury", "*"],
      ["burn", "injury", "*"],
    ]);
    const values = ["flu", "flu", "cold", "asthma", "fracture", "fracture", "burn"];
    const table = parseCsv(`dx\n${values.join("\n")}`);
    const result = anonymise(table, {
      attributes: { dx: { role: "quasi-identifier", hierarchy } },
      models: [{ type: "k-anonymity", k: 2 }],
      search: "mondrian",
    });
    // respiratory cannot be cut further (cold and asthma are single records): it stays whole.
    expect(column(result.output, "dx")).toEqual([
      "respiratory",
      "respiratory",
      "respiratory",
      "respiratory",
      "injury",
      "injury",
      "injury",
    ]);
    const two = anonymise(table, {
      attributes: { dx: { role: "quasi-identifier", hierarchy } },
      models: [{ type: "k-anonymity", k: 5 }],
      search: "mondrian",
    });
    expect(new Set(column(two.output, "dx"))).toEqual(new Set(["*"]));
  });

  it("allows a cut only when both sides satisfy ℓ-diversity", () => {
    const rows = ["1,a", "2,a", "3,b", "4,b", "5,a", "6,b", "7,a", "8,b"];
    const table = parseCsv(`age,s\n${rows.join("\n")}`);
    const options: AnonymiseOptions = {
      attributes: {
        age: {
          role: "quasi-identifier",
          hierarchy: flat(["1", "2", "3", "4", "5", "6", "7", "8"]),
        },
        s: { role: "sensitive" },
      },
      models: [
        { type: "k-anonymity", k: 2 },
        { type: "distinct-l-diversity", attribute: "s", l: 2 },
      ],
      search: "mondrian",
    };
    const result = anonymise(table, options);
    // 1-4 and 5-8 each hold a and b; {1,2} and {3,4} would not, {5,6} and {7,8} do.
    expect(column(result.output, "age")).toEqual([
      "1-4",
      "1-4",
      "1-4",
      "1-4",
      "5-6",
      "5-6",
      "7-8",
      "7-8",
    ]);
  });

  it("fails with ANONYMISE_NO_SOLUTION when the whole table violates the model", () => {
    const table = parseCsv("age,s\n1,a\n2,a\n3,a");
    try {
      anonymise(table, {
        attributes: {
          age: { role: "quasi-identifier", hierarchy: flat(["1", "2", "3"]) },
          s: { role: "sensitive" },
        },
        models: [{ type: "distinct-l-diversity", attribute: "s", l: 2 }],
        search: "mondrian",
      });
      expect.unreachable();
    } catch (error) {
      expect(isCustosError(error, "ANONYMISE_NO_SOLUTION")).toBe(true);
    }
  });

  it("starts cut at maxLevel, suppresses violating initial partitions within the limit, never cuts below minLevel", () => {
    const zip = createHierarchy([
      ["10115", "101**", "*"],
      ["10117", "101**", "*"],
      ["20095", "200**", "*"],
      ["20097", "200**", "*"],
      ["30001", "300**", "*"],
    ]);
    const values = ["10115", "10117", "10115", "20095", "20097", "20095", "30001"];
    const table = parseCsv(`zip\n${values.join("\n")}`);
    const options: AnonymiseOptions = {
      attributes: { zip: { role: "quasi-identifier", hierarchy: zip, minLevel: 1, maxLevel: 1 } },
      models: [{ type: "k-anonymity", k: 2 }],
      search: "mondrian",
      suppressionLimit: 0.2,
    };
    const result = anonymise(table, options);
    expect(column(result.output, "zip")).toEqual([
      "101**",
      "101**",
      "101**",
      "200**",
      "200**",
      "200**",
      "*",
    ]);
    expect(Array.from(result.suppressedRows)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(result.risk.suppressedRecords).toBe(1);
    try {
      anonymise(table, { ...options, suppressionLimit: 0.1 });
      expect.unreachable();
    } catch (error) {
      expect(isCustosError(error, "ANONYMISE_NO_SOLUTION")).toBe(true);
    }
    const optimal = anonymise(table, { ...options, search: "optimal" });
    expect(optimal.transformation).toEqual([1]);
    expect(optimal.search.latticeSize).toBe(1);
  });

  it("reports progress monotonically, ending at 1", () => {
    const { table, attributes } = loadAdult();
    const seen: number[] = [];
    anonymise(table, {
      attributes,
      models: [{ type: "k-anonymity", k: 50 }],
      search: "mondrian",
      onProgress: (fraction) => seen.push(fraction),
    });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.length).toBeLessThanOrEqual(1002);
    expect(
      seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= (seen[i - 1] as number))),
    ).toBe(true);
    expect(seen.at(-1)).toBe(1);
  });
});

interface Instance {
  readonly csv: string;
  readonly attributes: Record<string, AttributeConfig>;
  /** Per quasi-identifier: original value → the labels it may be released as. */
  readonly ancestors: Record<string, (value: string, label: string) => boolean>;
}

/** A random table: 1–4 quasi-identifiers, numeric (ranges) or categorical (random trees). */
const instance: fc.Arbitrary<Instance> = fc
  .record({
    qis: fc.array(
      fc.record({
        numeric: fc.boolean(),
        domain: fc.integer({ min: 1, max: 9 }),
        widths: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 0, maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    sensitiveDomain: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    rows: fc.integer({ min: 2, max: 60 }),
  })
  .map(({ qis, sensitiveDomain, seed, rows }) => {
    let state = seed;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
      return (state >>> 16) % n;
    };
    const columns = [...qis.map((_, j) => `q${j}`), "s"];
    const lines = [columns.join(",")];
    const value = (numeric: boolean, i: number) => (numeric ? String(i * 3 - 4) : `v${i}`);
    for (let r = 0; r < rows; r++) {
      lines.push(
        [...qis.map((qi) => value(qi.numeric, next(qi.domain))), `s${next(sensitiveDomain)}`].join(
          ",",
        ),
      );
    }
    const attributes: Record<string, AttributeConfig> = { s: { role: "sensitive" } };
    const ancestors: Instance["ancestors"] = {};
    qis.forEach((qi, j) => {
      const hierarchyRows = Array.from({ length: qi.domain }, (_, i) => {
        const row = [value(qi.numeric, i)];
        let width = 1;
        qi.widths.forEach((w, level) => {
          width *= w;
          row.push(`g${level + 1}_${Math.floor(i / width)}`);
        });
        row.push("*");
        return row;
      });
      attributes[`q${j}`] = { role: "quasi-identifier", hierarchy: createHierarchy(hierarchyRows) };
      ancestors[`q${j}`] = qi.numeric
        ? (original, label) => {
            const match = /^(-?\d+)-(-?\d+)$|^\[(-?\d+), (-?\d+)\]$/.exec(label);
            const n = Number(original);
            if (match === null) return label === original;
            const low = Number(match[1] ?? match[3]);
            const high = Number(match[2] ?? match[4]);
            return low < high && low <= n && n <= high;
          }
        : (original, label) =>
            hierarchyRows.find((row) => row[0] === original)?.includes(label) === true;
    });
    return { csv: lines.join("\n"), attributes, ancestors };
  });

const models: fc.Arbitrary<PrivacyModel[]> = fc.oneof(
  fc.integer({ min: 1, max: 8 }).map((k): PrivacyModel[] => [{ type: "k-anonymity", k }]),
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
      { type: "k-anonymity", k: 2 },
      { type: "t-closeness", attribute: "s", t, distance },
    ]),
);

describe("Mondrian (property tests)", () => {
  it("every output satisfies its models (independent checker) and generalises truthfully", () => {
    fc.assert(
      fc.property(instance, models, ({ csv, attributes, ancestors }, chosen) => {
        const table = parseCsv(csv);
        let result: ReturnType<typeof anonymise>;
        try {
          result = anonymise(table, { attributes, models: chosen, search: "mondrian" });
        } catch (error) {
          if (!isCustosError(error, "ANONYMISE_NO_SOLUTION")) throw error;
          // Only when the whole table, as one class, violates a model.
          const qis = Object.keys(attributes).filter((name) => name !== "s");
          const whole: Table = {
            ...table,
            dictionaries: table.dictionaries.map((d, c) =>
              qis.includes(table.columns[c] as string) ? ["*"] : d,
            ),
            codes: table.codes.map((codes, c) =>
              qis.includes(table.columns[c] as string) ? new Int32Array(codes.length) : codes,
            ),
          };
          const verdicts = chosen.map(
            (model) =>
              checkPrivacyModel(whole, qis, new Uint8Array(table.rowCount), model).satisfied,
          );
          expect(verdicts).toContain(false);
          return;
        }
        expect(result.risk.suppressedRecords).toBe(0);
        for (const model of chosen) {
          expect(
            checkPrivacyModel(result.output, result.quasiIdentifiers, result.suppressedRows, model),
          ).toEqual({ satisfied: true, violatingClasses: 0 });
        }
        for (const name of result.quasiIdentifiers) {
          const original = column(table, name);
          const released = column(result.output, name);
          const generalises = ancestors[name] as (value: string, label: string) => boolean;
          original.forEach((value, row) => {
            expect(generalises(value, released[row] as string)).toBe(true);
          });
        }
        expect(result.metrics.loss).toBeGreaterThanOrEqual(0);
        expect(result.metrics.loss).toBeLessThanOrEqual(1 + 1e-12);
        expect(result.risk.releasedRecords).toBe(table.rowCount);
      }),
      { seed: 20_261_124, numRuns: 1500 },
    );
  });

  it("keeps one class when k equals the number of records", () => {
    fc.assert(
      fc.property(instance, ({ csv, attributes }) => {
        const table = parseCsv(csv);
        const options = {
          attributes,
          models: [{ type: "k-anonymity" as const, k: table.rowCount }],
        };
        const mondrian = anonymise(table, { ...options, search: "mondrian" });
        expect(mondrian.risk.classes.count).toBe(1);
        expect(mondrian.search.splits).toBe(0);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe("Mondrian on Adult", () => {
  it("k=5: 5-anonymous (independent checker), pinned partition and Loss beside the full-domain optimum", () => {
    const { table, attributes } = loadAdult();
    const model: PrivacyModel = { type: "k-anonymity", k: 5 };
    const mondrian = anonymise(table, { attributes, models: [model], search: "mondrian" });
    expect(
      checkPrivacyModel(mondrian.output, mondrian.quasiIdentifiers, mondrian.suppressedRows, model),
    ).toEqual({ satisfied: true, violatingClasses: 0 });
    expect(mondrian.risk.classes).toMatchObject({ count: 2877, minSize: 5 });
    expect(mondrian.metrics.loss).toBeCloseTo(0.07758938344450561, 12);
    // Reported beside the optimum (docs/anonymise.md); no ordering between them is asserted.
    const optimal = anonymise(table, { attributes, models: [model] });
    expect(optimal.metrics.loss).toBeCloseTo(0.542210825407941, 12);
  });

  it("k=5 with distinct 3-diversity of occupation: every class passes both", () => {
    const { table, attributes } = loadAdult();
    const chosen: PrivacyModel[] = [
      { type: "k-anonymity", k: 5 },
      { type: "distinct-l-diversity", attribute: "occupation", l: 3 },
    ];
    const result = anonymise(table, { attributes, models: chosen, search: "mondrian" });
    for (const model of chosen) {
      expect(
        checkPrivacyModel(result.output, result.quasiIdentifiers, result.suppressedRows, model),
      ).toEqual({ satisfied: true, violatingClasses: 0 });
    }
  });
});

describe("Mondrian with many quasi-identifiers", () => {
  it("anonymises 30 quasi-identifiers whose lattice the optimal search refuses", () => {
    const dims = 30;
    let state = 99;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
      return (state >>> 16) % n;
    };
    const names = Array.from({ length: dims }, (_, j) => `q${j}`);
    const lines = [names.join(",")];
    for (let r = 0; r < 2000; r++) lines.push(names.map(() => `v${next(8)}`).join(","));
    const hierarchy = createHierarchy(
      Array.from({ length: 8 }, (_, i) => [`v${i}`, `g${i >> 1}`, `h${i >> 2}`, "*"]),
    );
    const attributes: Record<string, AttributeConfig> = {};
    for (const name of names) attributes[name] = { role: "quasi-identifier", hierarchy };
    const table = parseCsv(lines.join("\n"));
    const model: PrivacyModel = { type: "k-anonymity", k: 10 };
    try {
      anonymise(table, { attributes, models: [model] });
      expect.unreachable();
    } catch (error) {
      expect(isCustosError(error, "ANONYMISE_CONFIG_INVALID")).toBe(true);
    }
    const result = anonymise(table, { attributes, models: [model], search: "mondrian" });
    expect(
      checkPrivacyModel(result.output, result.quasiIdentifiers, result.suppressedRows, model),
    ).toEqual({ satisfied: true, violatingClasses: 0 });
    expect(result.risk.classes.count).toBeGreaterThan(50);
    expect(result.metrics.loss).toBeLessThan(1);
  });
});

describe("intervalHierarchy with Mondrian", () => {
  it("treats an interval-hierarchy attribute as a numeric range", () => {
    const values = ["20", "21", "22", "23", "40", "41", "42", "43"];
    const table = parseCsv(`age\n${values.join("\n")}`);
    const result = anonymise(table, {
      attributes: {
        age: { role: "quasi-identifier", hierarchy: intervalHierarchy(values, { widths: [10] }) },
      },
      models: [{ type: "k-anonymity", k: 4 }],
      search: "mondrian",
    });
    expect(column(result.output, "age")).toEqual([
      ...Array(4).fill("20-23"),
      ...Array(4).fill("40-43"),
    ]);
    const byHierarchy = anonymise(table, {
      attributes: {
        age: {
          role: "quasi-identifier",
          hierarchy: intervalHierarchy(values, { widths: [10] }),
          split: "hierarchy",
        },
      },
      models: [{ type: "k-anonymity", k: 4 }],
      search: "mondrian",
    });
    expect(column(byHierarchy.output, "age")).toEqual([
      ...Array(4).fill("20-29"),
      ...Array(4).fill("40-49"),
    ]);
  });
});

describe("Mondrian with k-map", () => {
  it("counts the population inside each part's own (tight) region", () => {
    // Registry: 21×3, 22×2, 31, 32, 33×4. Sample: 21, 22, 31, 32 (numeric: range cuts).
    const ages = ["21", "22", "31", "32", "33"];
    const sample = parseCsv("age\n21\n22\n31\n32");
    const population = parseCsv(
      `age\n${["21", "21", "21", "22", "22", "31", "32", "33", "33", "33", "33"].join("\n")}`,
    );
    const attributes = { age: { role: "quasi-identifier" as const, hierarchy: flat(ages) } };
    // k = 3: the median cut gives 21-22 (5 registry records) and 31-32 (2: 33 lies outside
    // the released range), so the whole sample stays one class 21-32 (7 records, 33 again
    // outside).
    const k3 = anonymise(sample, {
      attributes,
      models: [{ type: "k-map", k: 3, population }],
      search: "mondrian",
    });
    expect(column(k3.output, "age")).toEqual(["21-32", "21-32", "21-32", "21-32"]);
    expect(k3.risk.population?.minClassSize).toBe(7);
    // k = 2: 21-22 | 31-32, then 21 (3) | 22 (2); 31 | 32 would match one record each.
    const k2 = anonymise(sample, {
      attributes,
      models: [{ type: "k-map", k: 2, population }],
      search: "mondrian",
    });
    expect(column(k2.output, "age")).toEqual(["21", "22", "31-32", "31-32"]);
    expect(k2.search.splits).toBe(2);
    expect(k2.risk.population).toEqual({
      minClassSize: 2,
      highest: 0.5,
      recordsAtHighestRisk: 3,
      average: expect.closeTo((1 / 3 + 1 / 2 + 2 / 2) / 4, 15),
    });
  });

  it("suppresses a forced initial partition (maxLevel) that matches too few individuals", () => {
    const hierarchy = createHierarchy([
      ["flu", "respiratory", "*"],
      ["cold", "respiratory", "*"],
      ["fracture", "injury", "*"],
      ["burn", "injury", "*"],
    ]);
    const sample = parseCsv("dx\nflu\ncold\nfracture\nburn");
    const population = parseCsv("dx\nflu\nflu\nflu\ncold\nfracture\nburn");
    const result = anonymise(sample, {
      attributes: { dx: { role: "quasi-identifier", hierarchy, maxLevel: 1 } },
      models: [{ type: "k-map", k: 3, population }],
      search: "mondrian",
      suppressionLimit: 0.5,
    });
    // respiratory matches 4 (flu 3 | cold 1 cannot be cut); injury matches 2: suppressed.
    expect(column(result.output, "dx")).toEqual(["respiratory", "respiratory", "*", "*"]);
    expect(result.risk.suppressedRecords).toBe(2);
    expect(result.risk.population?.minClassSize).toBe(4);
  });

  it("every output satisfies k-map with a population (independent checker, property)", () => {
    fc.assert(
      fc.property(
        instance,
        fc.record({
          k: fc.integer({ min: 1, max: 20 }),
          extra: fc.integer({ min: 0, max: 60 }),
          seed: fc.integer({ min: 1, max: 2 ** 30 }),
          withL: fc.boolean(),
        }),
        ({ csv, attributes }, { k, extra, seed, withL }) => {
          const table = parseCsv(csv);
          const population = parseCsv(populationCsv(csv, attributes, seed, extra));
          const chosen: PrivacyModel[] = [{ type: "k-map", k, population }];
          if (withL) chosen.push({ type: "distinct-l-diversity", attribute: "s", l: 2 });
          let result: ReturnType<typeof anonymise>;
          try {
            result = anonymise(table, { attributes, models: chosen, search: "mondrian" });
          } catch (error) {
            if (!isCustosError(error, "ANONYMISE_NO_SOLUTION")) throw error;
            // The population covers the sample, so the whole sample's region matches ≥ n.
            expect(k > table.rowCount || withL).toBe(true);
            return;
          }
          for (const model of chosen) {
            expect(
              checkPrivacyModel(
                result.output,
                result.quasiIdentifiers,
                result.suppressedRows,
                model,
                { hierarchies: hierarchiesOf(attributes) },
              ),
            ).toEqual({ satisfied: true, violatingClasses: 0 });
          }
          expect(result.risk.population?.minClassSize).toBeGreaterThanOrEqual(k);
        },
      ),
      { seed: 20_261_203, numRuns: 800 },
    );
  });

  it("with an estimator, equals Mondrian with k′-anonymity", () => {
    const { table, attributes } = loadAdult();
    const kMap: PrivacyModel = {
      type: "k-map",
      k: 1000,
      estimator: "zero-truncated-poisson",
      significanceLevel: 0.01,
      populationSize: 317_238_626,
    };
    const estimated = anonymise(table, { attributes, models: [kMap], search: "mondrian" });
    const k3 = anonymise(table, {
      attributes,
      models: [{ type: "k-anonymity", k: 3 }],
      search: "mondrian",
    });
    expect(estimated.kMapEstimates[0]?.derivedK).toBe(3);
    expect(estimated.risk.classes).toEqual(k3.risk.classes);
    expect(
      checkPrivacyModel(
        estimated.output,
        estimated.quasiIdentifiers,
        estimated.suppressedRows,
        kMap,
      ),
    ).toEqual({ satisfied: true, violatingClasses: 0 });
  });
});
