import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAnonymiseCommand } from "../../../nodes/bin/commands/anonymise.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { checkPrivacyModel, parseCsv } from "../../../src/anonymise/index.ts";

// Synthetic records.
const INPUT = `name,age,zip,dx
Ana,31,10115,flu
Bo,33,10117,cold
Cy,35,10115,flu
Di,38,10117,"cold, severe"
Ed,41,20095,flu
Fa,44,20097,cold
Gu,47,20095,flu
Ha,49,20097,asthma
`;

const ZIP_HIERARCHY = `10115;1011*;101**;*
10117;1011*;101**;*
20095;2009*;200**;*
20097;2009*;200**;*
`;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-anonymise-"));
  await writeFile(join(dir, "in.csv"), INPUT);
  await mkdir(join(dir, "hierarchies"));
  await writeFile(join(dir, "hierarchies", "zip.csv"), ZIP_HIERARCHY);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const baseConfig = {
  attributes: {
    name: { role: "identifier" },
    age: { role: "quasi-identifier", hierarchy: { type: "interval", widths: [10, 20] } },
    zip: { role: "quasi-identifier", hierarchy: "hierarchies/zip.csv" },
    dx: { role: "sensitive" },
  },
  models: [{ type: "k-anonymity", k: 2 }],
};

async function cli(args: readonly string[], config: unknown = baseConfig) {
  await writeFile(
    join(dir, "config.json"),
    typeof config === "string" ? config : JSON.stringify(config),
  );
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ["anonymise", ...args],
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    [createAnonymiseCommand({ stderrIsTty: false })],
  );
  return { code, out: out.join(""), err: err.join("") };
}

const standard = () => [
  "--input",
  join(dir, "in.csv"),
  "--config",
  join(dir, "config.json"),
  "--out",
  join(dir, "out.csv"),
  "--report",
  join(dir, "report.json"),
];

async function files(): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe("custos anonymise", () => {
  it("writes the optimal release and its report", async () => {
    const { code, err } = await cli(standard());
    expect(code).toBe(0);
    expect(err).toBe(
      "anonymise: 8 rows written to " +
        join(dir, "out.csv") +
        " (0 suppressed, 4 classes, smallest 2)\n",
    );
    expect(await readFile(join(dir, "out.csv"), "utf8")).toBe(`age,zip,dx
30-39,10115,flu
30-39,10117,cold
30-39,10115,flu
30-39,10117,"cold, severe"
40-49,20095,flu
40-49,20097,cold
40-49,20095,flu
40-49,20097,asthma
`);
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8"));
    expect(report).toMatchObject({
      input: { rows: 8, columns: ["name", "age", "zip", "dx"] },
      output: { rows: 8, columns: ["age", "zip", "dx"] },
      recoding: "full-domain",
      transformation: { age: 1, zip: 0 },
      search: { strategy: "optimal" },
      suppressedRecords: 0,
      risk: { prosecutor: { highest: 0.5 }, classes: { count: 4, minSize: 2 } },
    });
    expect(report.metrics.objective).toBe("loss");
    expect(report.metrics.lossByAttribute).toHaveLength(2);
    expect(await files()).toEqual([
      "config.json",
      "hierarchies",
      "in.csv",
      "out.csv",
      "report.json",
    ]);
  });

  it("runs Mondrian with a separator and the output passes the independent checker", async () => {
    const semicolon = INPUT.replaceAll(",", ";").replace('"cold; severe"', '"cold, severe"');
    await writeFile(join(dir, "in.csv"), semicolon);
    const { code } = await cli([...standard(), "--separator", ";"], {
      ...baseConfig,
      search: "mondrian",
      models: [{ type: "k-anonymity", k: 3 }],
    });
    expect(code).toBe(0);
    const output = parseCsv(await readFile(join(dir, "out.csv"), "utf8"), { separator: ";" });
    const released = output.dictionaries[0] ?? [];
    expect([...new Set(released)].sort()).toEqual(["31-38", "41-49"]);
    expect(
      checkPrivacyModel(output, ["age", "zip"], new Uint8Array(8), { type: "k-anonymity", k: 3 })
        .satisfied,
    ).toBe(true);
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8"));
    expect(report).toMatchObject({
      recoding: "local",
      transformation: null,
      search: { strategy: "mondrian" },
    });
  });

  it("applies the Safe Harbor profile with a population table file", async () => {
    await writeFile(join(dir, "zip3.csv"), "zip3,population\n101,50000\n200,100\n");
    const { code, err } = await cli(standard(), {
      profile: "safe-harbor",
      attributes: {
        name: { safeHarbor: "name" },
        age: { safeHarbor: "age" },
        zip: { safeHarbor: "zip" },
        dx: { role: "sensitive" },
      },
      safeHarbor: { zip3Populations: "zip3.csv" },
    });
    expect({ code, err: err.startsWith("anonymise: 8 rows") }).toEqual({ code: 0, err: true });
    const output = parseCsv(await readFile(join(dir, "out.csv"), "utf8"));
    expect(output.columns).toEqual(["age", "zip", "dx"]);
    expect(output.dictionaries[1]).toEqual(["101", "000"]);
    expect(output.dictionaries[0]).toEqual(["31", "33", "35", "38", "41", "44", "47", "49"]);
  });

  it("applies k-map against a registry file; the release passes the independent checker", async () => {
    const registry = `age;zip
31;10115
33;10117
35;10115
38;10117
41;20095
44;20097
47;20095
49;20097
32;10115
36;10117
39;10115
52;20095
`;
    await writeFile(join(dir, "registry.csv"), registry);
    const { code } = await cli(standard(), {
      ...baseConfig,
      models: [{ type: "k-map", k: 3, population: { file: "registry.csv", separator: ";" } }],
    });
    expect(code).toBe(0);
    const output = parseCsv(await readFile(join(dir, "out.csv"), "utf8"));
    const population = parseCsv(registry, { separator: ";" });
    // Age labels are intervals ("30-39" covers 30…39); ZIP labels come from the hierarchy.
    const zip = {
      rows: ZIP_HIERARCHY.trim()
        .split("\n")
        .map((line) => line.split(";")),
    };
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8"));
    const suppressed = Uint8Array.from({ length: 8 }, () => 0);
    expect(
      checkPrivacyModel(
        output,
        ["age", "zip"],
        suppressed,
        { type: "k-map", k: 3, population },
        { hierarchies: { zip } },
      ),
    ).toEqual({ satisfied: true, violatingClasses: 0 });
    expect(report.risk.population.minClassSize).toBeGreaterThanOrEqual(3);
    expect(report.risk.journalist.highest).toBe(1 / report.risk.population.minClassSize);
    expect(report.kMapEstimates).toEqual([]);
  });

  it("reports the k′ of an estimated k-map model", async () => {
    const { code } = await cli(standard(), {
      ...baseConfig,
      models: [
        {
          type: "k-map",
          k: 10,
          estimator: "poisson",
          significanceLevel: 0.05,
          samplingFraction: 0.1,
        },
      ],
    });
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8"));
    // λ = 1: P(X ≤ 3) = 0.981 ≥ 0.95 → k′ = 5, capped by nothing (8 records).
    expect(report.kMapEstimates).toEqual([
      expect.objectContaining({ k: 10, derivedK: 5, lambda: 1 }),
    ]);
    expect(report.risk.classes.minSize).toBeGreaterThanOrEqual(5);
  });

  it("shows progress on stderr with --progress only", async () => {
    const quiet = await cli(standard());
    expect(quiet.err).not.toContain("%");
    const loud = await cli([...standard(), "--progress"]);
    expect(loud.err).toContain("] 100%\n");
  });

  it("on a terminal, shows progress only from 100,000 input rows", async () => {
    await writeFile(join(dir, "config.json"), JSON.stringify(baseConfig));
    const run = async (rows: number) => {
      const lines = Array.from({ length: rows }, (_, i) => `P${i},${30 + (i % 20)},10115,flu`);
      await writeFile(join(dir, "in.csv"), `name,age,zip,dx\n${lines.join("\n")}\n`);
      const err: string[] = [];
      const code = await runCli(
        ["anonymise", ...standard()],
        { stdout: () => undefined, stderr: (t) => void err.push(t) },
        [createAnonymiseCommand({ stderrIsTty: true })],
      );
      return { code, err: err.join("") };
    };
    const small = await run(1_000);
    expect(small.code).toBe(0);
    expect(small.err).not.toContain("%");
    const large = await run(100_000);
    expect(large.code).toBe(0);
    expect(large.err).toContain("] 100%\n");
  });

  it("prints help", async () => {
    const { code, out } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: custos anonymise --input <csv>/);
  });

  const failures: [string, () => [readonly string[], unknown], string][] = [
    [
      "a mistyped model field",
      () => [standard(), { ...baseConfig, models: [{ type: "k-anonymity", k: "5" }] }],
      "error ANONYMISE_CONFIG_INVALID: config: models[0].k must be a number\n",
    ],
    [
      "an unknown config field",
      () => [standard(), { ...baseConfig, supression: 0.1 }],
      "error ANONYMISE_CONFIG_INVALID: config: config.supression is not a known field\n",
    ],
    [
      "a bad interval width",
      () => [
        standard(),
        {
          ...baseConfig,
          attributes: {
            ...baseConfig.attributes,
            age: { role: "quasi-identifier", hierarchy: { type: "interval", widths: [10, "x"] } },
          },
        },
      ],
      "error ANONYMISE_CONFIG_INVALID: config: attributes.age.hierarchy.widths[1] must be a number\n",
    ],
    [
      "an attribute that is not a column",
      () => [
        standard(),
        {
          ...baseConfig,
          attributes: { ...baseConfig.attributes, height: { role: "insensitive" } },
        },
      ],
      'error ANONYMISE_CONFIG_INVALID: attributes.height: "height" is not a column of the input\n',
    ],
    [
      "a config that is not JSON",
      () => [standard(), "{ attributes"],
      "error ANONYMISE_CONFIG_INVALID: config: the file is not JSON\n",
    ],
    [
      "k above the number of records",
      () => [standard(), { ...baseConfig, models: [{ type: "k-anonymity", k: 9 }] }],
      "error ANONYMISE_NO_SOLUTION: no generalisation satisfies the privacy models within the suppression limit\n",
    ],
    [
      "a missing hierarchy file",
      () => [
        standard(),
        {
          ...baseConfig,
          attributes: {
            ...baseConfig.attributes,
            zip: { role: "quasi-identifier", hierarchy: "nowhere.csv" },
          },
        },
      ],
      `error ANONYMISE_IO_FAILED: cannot read the attributes.zip.hierarchy.file file ${"<dir>"}/nowhere.csv\n`,
    ],
    [
      "a missing k-map population file",
      () => [standard(), { ...baseConfig, models: [{ type: "k-map", k: 2, population: "r.csv" }] }],
      `error ANONYMISE_IO_FAILED: cannot read the models[0].population.file file ${"<dir>"}/r.csv\n`,
    ],
    [
      "a k-map model with both a population and an estimator",
      () => [
        standard(),
        {
          ...baseConfig,
          models: [{ type: "k-map", k: 2, population: "r.csv", estimator: "poisson" }],
        },
      ],
      'error ANONYMISE_CONFIG_INVALID: config: models[0].population or "estimator" is required, not both\n',
    ],
  ];
  for (const [name, setup, message] of failures) {
    it(`fails on ${name}, writing nothing`, async () => {
      const [args, config] = setup();
      const { code, out, err } = await cli(args, config);
      expect(code).toBe(1);
      expect(out).toBe("");
      expect(err).toBe(message.replace("<dir>", dir));
      expect(await files()).toEqual(["config.json", "hierarchies", "in.csv"]);
    });
  }

  it("names the input row of a malformed CSV and the value missing from a hierarchy", async () => {
    await writeFile(join(dir, "in.csv"), `${INPUT}Io,50\n`);
    const ragged = await cli(standard());
    expect(ragged.err).toBe("error ANONYMISE_CSV_INVALID: data row 9 has 2 fields, header has 4\n");
    await writeFile(join(dir, "in.csv"), `${INPUT}Io,50,30001,flu\n`);
    const missing = await cli(standard());
    expect(missing.err).toBe(
      'error ANONYMISE_HIERARCHY_INVALID: value "30001" of "zip" (data row 9) is missing from its hierarchy\n',
    );
    await writeFile(join(dir, "in.csv"), `${INPUT}Io,50,,flu\n`);
    const safeHarbor = await cli(standard(), {
      profile: ["safe-harbor"],
      attributes: {
        name: { safeHarbor: "name" },
        age: { safeHarbor: "age" },
        zip: { role: "insensitive" },
        dx: { role: "sensitive" },
      },
    });
    expect(safeHarbor.code).toBe(0);
    await writeFile(join(dir, "in.csv"), `${INPUT}Io,fifty,30001,flu\n`);
    const badAge = await cli(standard(), {
      profile: ["safe-harbor"],
      attributes: {
        name: { safeHarbor: "name" },
        age: { safeHarbor: "age" },
        zip: { role: "insensitive" },
        dx: { role: "sensitive" },
      },
    });
    expect(badAge.err).toBe(
      'error ANONYMISE_VALUE_INVALID: column "age", data row 9: "fifty" is not an age in years\n',
    );
  });

  it("writes nothing when an output cannot be written", async () => {
    const args = standard();
    args[args.length - 1] = join(dir, "missing", "report.json");
    const { code, err } = await cli(args);
    expect(code).toBe(1);
    expect(err).toBe(
      `error ANONYMISE_IO_FAILED: cannot write the report file ${join(dir, "missing", "report.json")}\n`,
    );
    expect(await files()).toEqual(["config.json", "hierarchies", "in.csv"]);
  });

  it("refuses bad usage with exit code 2", async () => {
    const missing = await cli([
      "--input",
      join(dir, "in.csv"),
      "--config",
      join(dir, "config.json"),
    ]);
    expect(missing).toEqual({
      code: 2,
      out: "",
      err: "error CLI_USAGE: --out is required (see custos anonymise --help)\n",
    });
    const separator = await cli([...standard(), "--separator", ";;"]);
    expect(separator.code).toBe(2);
    const unknown = await cli([...standard(), "--fast"]);
    expect(unknown.err).toBe(
      "error CLI_USAGE: unknown option --fast (see custos anonymise --help)\n",
    );
  });
});
