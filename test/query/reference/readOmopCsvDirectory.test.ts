import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseQuerySpec } from "../../../src/query/parseQuerySpec.ts";
import { OMOP_SAMPLE_DIR } from "../../omopStore/openTestOmopStores.ts";
import { evaluateReference } from "./evaluateReference.ts";
import { readOmopCsvDirectory } from "./readOmopCsvDirectory.ts";
import {
  compareDecimal,
  decimalOfNumber,
  floorDiv,
  formatUnits,
  parseExactDecimal,
  roundToScale,
} from "./referenceDecimal.ts";
import { dayNumber, isoDate, yearOfDay } from "./referenceOmopData.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function csvDirectory(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "custos-reference-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const PERSON =
  "person_id,gender_concept_id,year_of_birth,month_of_birth\n1,8532,1970,\n2,8507,1985,3\n";
const PERIOD =
  "observation_period_id,person_id,observation_period_start_date,observation_period_end_date\n" +
  "1,1,2010-01-01,2024-12-31\n2,2,2012-02-29,2020-01-01\n";

describe("readOmopCsvDirectory", () => {
  it("reads tables named in any case, with only the columns the semantics need", async () => {
    const dir = await csvDirectory({
      "PERSON.csv": PERSON,
      "observation_period.CSV": PERIOD,
      "Measurement.csv":
        "measurement_id,person_id,measurement_concept_id,measurement_date,value_as_number,unit_concept_id,unit_source_value\n" +
        '5,1,3038553,2020-01-01,25.5,9531,"kg/m2, as ""BMI"""\n' +
        "6,1,3038553,2020-01-02,,,\n" +
        "7,2,3038553,2020-01-03,-0.00005,9531,\n" +
        "8,2,3038553,2020-01-04,0.00004999,9531,\n" +
        "9,2,3038553,2020-01-05,1.5e2,9531,\n" +
        "10,2,3038553,2020-01-06,123456789.12345,9531,\n",
      "condition_occurrence.csv":
        "condition_occurrence_id,person_id,condition_concept_id,condition_start_date,condition_end_date\n" +
        "1,1,201826,2019-06-30,\n",
      "CONCEPT_ANCESTOR.csv":
        "ancestor_concept_id,descendant_concept_id,min_levels_of_separation\n201826,201826,0\n",
      "consents.csv": "subject,documentHash\n",
    });
    const data = await readOmopCsvDirectory(dir);
    expect(data.person).toEqual([
      { personId: 1, genderConceptId: 8532, yearOfBirth: 1970 },
      { personId: 2, genderConceptId: 8507, yearOfBirth: 1985 },
    ]);
    expect(data.observationPeriod).toEqual([
      { personId: 1, startDate: dayNumber("2010-01-01"), endDate: dayNumber("2024-12-31") },
      { personId: 2, startDate: dayNumber("2012-02-29"), endDate: dayNumber("2020-01-01") },
    ]);
    expect(data.conditionOccurrence).toEqual([
      { id: 1, personId: 1, conceptId: 201826, date: dayNumber("2019-06-30") },
    ]);
    expect(data.measurement.map((m) => [m.id, m.value, m.unitConceptId])).toEqual([
      [5, 255_000n, 9531],
      [6, null, null],
      [7, -1n, 9531], // −0.00005 rounds half away from zero
      [8, 0n, 9531],
      [9, 1_500_000n, 9531],
      [10, 1_234_567_891_235n, 9531],
    ]);
    expect(data.conceptAncestor).toEqual([
      { ancestorConceptId: 201826, descendantConceptId: 201826 },
    ]);
    // Absent tables: no rows, or null for the vocabulary.
    expect(data.drugExposure).toEqual([]);
    expect(data.procedureOccurrence).toEqual([]);
    expect(data.observation).toEqual([]);
    expect(data.visitOccurrence).toEqual([]);
    expect(data.concept).toBeNull();
  });

  it("needs PERSON and OBSERVATION_PERIOD", async () => {
    await expect(
      readOmopCsvDirectory(await csvDirectory({ "PERSON.csv": PERSON })),
    ).rejects.toThrow(/no OBSERVATION_PERIOD/);
  });

  it("refuses an empty required value, a bad date or a non-number", async () => {
    const emptyYear = "person_id,gender_concept_id,year_of_birth\n1,8532,\n";
    await expect(
      readOmopCsvDirectory(
        await csvDirectory({ "PERSON.csv": emptyYear, "OBSERVATION_PERIOD.csv": PERIOD }),
      ),
    ).rejects.toThrow(/year_of_birth is empty/);
    const badDate = PERIOD.replace("2012-02-29", "2013-02-29");
    await expect(
      readOmopCsvDirectory(
        await csvDirectory({ "PERSON.csv": PERSON, "OBSERVATION_PERIOD.csv": badDate }),
      ),
    ).rejects.toThrow(/not a calendar date/);
    await expect(
      readOmopCsvDirectory(
        await csvDirectory({
          "PERSON.csv": PERSON,
          "OBSERVATION_PERIOD.csv": PERIOD,
          "MEASUREMENT.csv":
            "measurement_id,person_id,measurement_concept_id,measurement_date,value_as_number,unit_concept_id\n" +
            "1,1,3,2020-01-01,12,5x\n",
        }),
      ),
    ).rejects.toThrow(/unit_concept_id is not an integer/);
  });

  it("refuses two files of one table", async () => {
    await expect(
      readOmopCsvDirectory(
        await csvDirectory({
          "PERSON.csv": PERSON,
          "person.csv": PERSON,
          "OBSERVATION_PERIOD.csv": PERIOD,
        }),
      ),
    ).rejects.toThrow(/two files/);
  });
});

describe("exact decimals and dates", () => {
  it("parses decimal text exactly", () => {
    expect(parseExactDecimal("48.1")).toEqual({ units: 481n, scale: 1 });
    expect(parseExactDecimal("-0.25")).toEqual({ units: -25n, scale: 2 });
    expect(parseExactDecimal("+7.")).toEqual({ units: 7n, scale: 0 });
    expect(parseExactDecimal(".5")).toEqual({ units: 5n, scale: 1 });
    expect(parseExactDecimal("1e-3")).toEqual({ units: 1n, scale: 3 });
    expect(parseExactDecimal("2.5E+2")).toEqual({ units: 250n, scale: 0 });
    expect(() => parseExactDecimal("1,5")).toThrow();
    expect(() => parseExactDecimal("")).toThrow();
    expect(decimalOfNumber(0.1)).toEqual({ units: 1n, scale: 1 });
    expect(decimalOfNumber(1e-7)).toEqual({ units: 1n, scale: 7 });
  });

  it("rounds half away from zero, formats and compares exactly", () => {
    expect(roundToScale(parseExactDecimal("1.23445"), 4)).toBe(12345n);
    expect(roundToScale(parseExactDecimal("-1.23445"), 4)).toBe(-12345n);
    expect(roundToScale(parseExactDecimal("1.234449999"), 4)).toBe(12344n);
    expect(formatUnits(-5n, 4)).toBe("-0.0005");
    expect(formatUnits(12345n, 0)).toBe("12345");
    expect(compareDecimal(decimalOfNumber(0.1), parseExactDecimal("0.1000"))).toBe(0);
    expect(compareDecimal(parseExactDecimal("6.4999"), decimalOfNumber(6.5))).toBe(-1);
    expect(floorDiv(-1n, 5n)).toBe(-1n);
    expect(floorDiv(-5n, 5n)).toBe(-1n);
    expect(floorDiv(4n, 5n)).toBe(0n);
  });

  it("counts days from 1970-01-01 (UTC)", () => {
    expect(dayNumber("1970-01-01")).toBe(0);
    expect(dayNumber("1969-12-31")).toBe(-1);
    expect(dayNumber("2020-03-01") - dayNumber("2020-02-28")).toBe(2);
    expect(yearOfDay(dayNumber("2020-12-31"))).toBe(2020);
    expect(yearOfDay(dayNumber("1900-01-01"))).toBe(1900);
    expect(isoDate(dayNumber("2024-02-29"))).toBe("2024-02-29");
    expect(() => dayNumber("2020-1-1")).toThrow();
  });
});

// The 28-person OHDSI sample kept in the repository: read and evaluated end to end.
const sample = OMOP_SAMPLE_DIR;

describe("the OHDSI sample (omop-synthea27nj)", () => {
  it("reads every table and gives consistent aggregates", async () => {
    const data = await readOmopCsvDirectory(sample as string);
    expect(data.person).toHaveLength(28);
    expect(data.concept?.length).toBeGreaterThan(0);
    expect(data.procedureOccurrence.length).toBeGreaterThan(0);
    const spec = parseQuerySpec({
      version: 1,
      conceptSets: { visit: { include: [{ conceptId: 9202 }] } },
      cohort: {
        index: { domain: "visit", conceptSet: "visit" },
        observation: { priorDays: 365 },
        inclusion: [{ name: "adults", ageAtIndex: { min: 18 } }],
      },
      measures: [
        { name: "n", type: "count" },
        {
          name: "ageSex",
          type: "histogram",
          by: [{ dimension: "ageBand", width: 10 }, { dimension: "sex" }],
        },
      ],
    });
    const all = data.person.map((p) => p.personId);
    const { aggregates, cohortPersonIds } = evaluateReference(data, spec, all);
    const counts = aggregates.attrition.map((s) => s.persons);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    expect(aggregates.cohortSize).toBe(cohortPersonIds.length);
    const [n, ageSex] = aggregates.measures;
    expect(n).toEqual({ name: "n", type: "count", n: cohortPersonIds.length });
    expect(ageSex?.type === "histogram" && ageSex.counts.reduce((a, b) => a + b, 0)).toBe(
      cohortPersonIds.length,
    );
    // Half the persons allowed: a subset of the cohort.
    const half = evaluateReference(
      data,
      spec,
      all.filter((id) => id % 2 === 0),
    ).cohortPersonIds;
    expect(half).toEqual(cohortPersonIds.filter((id) => id % 2 === 0));
  });
});
