import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readConsentImportRows } from "../../src/consentImport/index.ts";
import {
  checkOmopGeneratorOptions,
  OMOP_SYNTHETIC_PROJECT_ID,
  omopConcepts,
  omopDay,
  splitPersons,
  syntheticMasterKey,
} from "../../src/omop/index.ts";
import {
  createMasterKey,
  createPseudonymiser,
  deriveProjectKey,
} from "../../src/pseudonym/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { collectOmopHospital, csvRows } from "./collectOmopHospital.ts";

function digest(files: Map<string, string>): string {
  const hash = createHash("sha256");
  for (const [file, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${file}\n${text}`);
  }
  return hash.digest("hex");
}

const CLINICAL = [
  "PERSON.csv",
  "OBSERVATION_PERIOD.csv",
  "VISIT_OCCURRENCE.csv",
  "CONDITION_OCCURRENCE.csv",
  "DRUG_EXPOSURE.csv",
  "MEASUREMENT.csv",
];

describe("generateOmopHospital", () => {
  it("is deterministic: equal options give equal files, another seed other files", () => {
    const options = { persons: 3000, hospitals: 2, seed: 11 };
    const first = collectOmopHospital(options, 1);
    const again = collectOmopHospital(options, 1);
    expect(digest(again.files)).toBe(digest(first.files));
    expect(again.summary).toEqual(first.summary);
    const other = collectOmopHospital({ ...options, seed: 12 }, 1);
    for (const file of CLINICAL) expect(other.files.get(file)).not.toBe(first.files.get(file));
    // The hospitals draw from their own streams.
    const sibling = collectOmopHospital(options, 0);
    expect(sibling.files.get("MEASUREMENT.csv")).not.toBe(first.files.get("MEASUREMENT.csv"));
  });

  it("keeps the clinical rows when only the consent rates change", () => {
    const base = collectOmopHospital({ persons: 500, hospitals: 1, seed: 3 }, 0);
    const rates = collectOmopHospital(
      { persons: 500, hospitals: 1, seed: 3, consentRate: 0.3, revocationRate: 0.5 },
      0,
    );
    for (const file of CLINICAL) expect(rates.files.get(file)).toBe(base.files.get(file));
    expect(rates.summary.consents).toBeLessThan(base.summary.consents);
  });

  it("splits persons evenly with unique, contiguous person ids", () => {
    expect(splitPersons(10, 3)).toEqual([
      { persons: 4, offset: 0 },
      { persons: 3, offset: 4 },
      { persons: 3, offset: 7 },
    ]);
    const ids = [0, 1, 2].flatMap((h) =>
      csvRows(
        collectOmopHospital({ persons: 10, hospitals: 3 }, h).files.get("PERSON.csv") as string,
      ).map((row) => [row.person_id, row.person_source_value]),
    );
    expect(ids.map(([id]) => Number(id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ids.map(([, source]) => source).slice(3, 6)).toEqual(["H0-3", "H1-0", "H1-1"]);
  });

  it("keeps every row on a known person and visit, inside the observation period", () => {
    const { files } = collectOmopHospital({ persons: 2000, hospitals: 2, seed: 5 }, 1);
    const reference = omopDay("2024-12-31");
    const persons = new Map(
      csvRows(files.get("PERSON.csv") as string).map((row) => [row.person_id, row]),
    );
    expect(persons.size).toBe(1000);
    const periods = new Map(
      csvRows(files.get("OBSERVATION_PERIOD.csv") as string).map((row) => [
        row.person_id,
        [
          omopDay(row.observation_period_start_date as string),
          omopDay(row.observation_period_end_date as string),
        ],
      ]),
    );
    expect(periods.size).toBe(1000);
    for (const [id, person] of persons) {
      const [start, end] = periods.get(id) as number[];
      expect(omopDay((person.birth_datetime as string).slice(0, 10))).toBeLessThanOrEqual(
        start as number,
      );
      expect(start).toBeLessThanOrEqual(end as number);
      expect(end).toBeLessThanOrEqual(reference);
    }
    const within = (personId: string, ...dates: string[]) => {
      const [start, end] = periods.get(personId) as number[];
      for (const date of dates) {
        if (date === "") continue;
        const day = omopDay(date);
        expect(day >= (start as number) && day <= (end as number), `${personId} ${date}`).toBe(
          true,
        );
      }
    };
    const visits = new Map<string, string>();
    for (const row of csvRows(files.get("VISIT_OCCURRENCE.csv") as string)) {
      expect(persons.has(row.person_id as string)).toBe(true);
      expect(visits.has(row.visit_occurrence_id as string)).toBe(false);
      visits.set(row.visit_occurrence_id as string, row.person_id as string);
      within(row.person_id as string, row.visit_start_date as string, row.visit_end_date as string);
    }
    const tables = [
      ["CONDITION_OCCURRENCE.csv", "condition_occurrence_id", ["condition_start_date"]],
      [
        "DRUG_EXPOSURE.csv",
        "drug_exposure_id",
        ["drug_exposure_start_date", "drug_exposure_end_date"],
      ],
      ["MEASUREMENT.csv", "measurement_id", ["measurement_date"]],
    ] as const;
    for (const [file, idColumn, dateColumns] of tables) {
      const rows = csvRows(files.get(file) as string);
      expect(rows.length, file).toBeGreaterThan(100);
      expect(new Set(rows.map((row) => row[idColumn])).size, file).toBe(rows.length);
      for (const row of rows) {
        const personId = row.person_id as string;
        expect(persons.has(personId), file).toBe(true);
        // Linked to a visit of the same person.
        expect(visits.get(row.visit_occurrence_id as string), file).toBe(personId);
        within(personId, ...dateColumns.map((column) => row[column] as string));
      }
    }
  });

  it("draws plausible distributions (20,000 persons)", () => {
    // No consents: their hashing is not under test here and the clinical rows do not change.
    const { files } = collectOmopHospital(
      { persons: 20_000, hospitals: 1, seed: 9, consentRate: 0 },
      0,
    );
    const persons = csvRows(files.get("PERSON.csv") as string);
    const male = persons.filter((p) => p.gender_concept_id === "8507").length / persons.length;
    expect(male).toBeGreaterThan(0.46);
    expect(male).toBeLessThan(0.52);
    const ageOf = new Map(persons.map((p) => [p.person_id, 2024 - Number(p.year_of_birth)]));
    const diabetic = new Set(
      csvRows(files.get("CONDITION_OCCURRENCE.csv") as string)
        .filter((row) => row.condition_concept_id === String(omopConcepts.type2Diabetes.conceptId))
        .map((row) => row.person_id),
    );
    const prevalence = (low: number, high: number) => {
      const group = persons.filter((p) => {
        const age = ageOf.get(p.person_id) as number;
        return age >= low && age < high;
      });
      return group.filter((p) => diabetic.has(p.person_id)).length / group.length;
    };
    const total = diabetic.size / persons.length;
    expect(total).toBeGreaterThan(0.05);
    expect(total).toBeLessThan(0.2);
    expect(prevalence(0, 18)).toBeLessThan(0.01);
    expect(prevalence(18, 45)).toBeLessThan(prevalence(45, 65));
    expect(prevalence(45, 65)).toBeLessThan(prevalence(65, 96));
    const units = new Map([
      [String(omopConcepts.hba1c.conceptId), String(omopConcepts.percent.conceptId)],
      [String(omopConcepts.bmi.conceptId), String(omopConcepts.kilogramPerSquareMeter.conceptId)],
      [
        String(omopConcepts.systolicBloodPressure.conceptId),
        String(omopConcepts.millimeterMercury.conceptId),
      ],
    ]);
    // Columns by position (person_id 1, concept 2, value 8, unit 10): a quarter of a million
    // rows are read, so no object per row and no expect per row.
    const a1c = { diabetic: [] as number[], other: [] as number[] };
    let rows = 0;
    let wrongUnit = 0;
    let notNumber = 0;
    for (const line of (files.get("MEASUREMENT.csv") as string).trimEnd().split("\n").slice(1)) {
      const fields = line.split(",");
      const concept = fields[2] as string;
      const value = Number(fields[8]);
      rows++;
      if (units.get(concept) !== fields[10]) wrongUnit++;
      if (fields[8] === "" || !Number.isFinite(value)) notNumber++;
      if (concept === String(omopConcepts.hba1c.conceptId)) {
        (diabetic.has(fields[1]) ? a1c.diabetic : a1c.other).push(value);
      }
    }
    expect(rows).toBeGreaterThan(20_000);
    expect(wrongUnit).toBe(0);
    expect(notNumber).toBe(0);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(a1c.other.length).toBeGreaterThan(100);
    expect(mean(a1c.diabetic)).toBeGreaterThan(mean(a1c.other) + 1);
    expect(mean(a1c.other)).toBeGreaterThan(5);
    expect(mean(a1c.other)).toBeLessThan(6);
  });

  it("lists consenting persons' pseudonyms in files the consent import reads", async () => {
    const options = { persons: 4000, hospitals: 2, seed: 21, consentRate: 0.7 };
    const { files, summary } = collectOmopHospital(options, 1);
    expect(summary.consents / 2000).toBeGreaterThan(0.65);
    expect(summary.consents / 2000).toBeLessThan(0.75);
    const read = async (text: string) => {
      async function* source() {
        yield text;
      }
      const items = [];
      for await (const chunk of readConsentImportRows(source(), "csv")) items.push(...chunk);
      return items;
    };
    const consents = await read(files.get("consents.csv") as string);
    expect(consents).toHaveLength(summary.consents);
    expect(consents.every((item) => "entry" in item)).toBe(true);
    const revocations = await read(files.get("revocations.csv") as string);
    expect(revocations).toHaveLength(summary.revocations);
    expect(summary.revocations).toBeGreaterThan(0);
    const consenting = new Set<string>(
      consents.map((item) => ("entry" in item ? item.entry.subject : "")),
    );
    for (const item of revocations) {
      expect("entry" in item && consenting.has(item.entry.subject)).toBe(true);
    }
    // The subjects are the hospital's pseudonyms of person_source_value, under the written key.
    const key = JSON.parse(files.get("pseudonym-key.json") as string);
    expect(key.masterKey).toBe(syntheticMasterKey(21, 1));
    expect(key.synthetic).toBe(true);
    const pseudonymiser = createPseudonymiser({
      key: deriveProjectKey(createMasterKey(key.masterKey), {
        projectId: OMOP_SYNTHETIC_PROJECT_ID,
      }),
      kind: "mrn",
    });
    const pseudonyms = new Set(
      csvRows(files.get("PERSON.csv") as string).map((row) =>
        pseudonymiser.pseudonymise(row.person_source_value as string),
      ),
    );
    for (const subject of consenting) expect(pseudonyms.has(subject as `0x${string}`)).toBe(true);
  });

  it("refuses bad options naming the field", () => {
    const cases = [
      [{ persons: 0, hospitals: 1 }, "persons"],
      [{ persons: 3, hospitals: 4 }, "persons"],
      [{ persons: 100, hospitals: 65 }, "hospitals"],
      [{ persons: 100, hospitals: 0 }, "hospitals"],
      [{ persons: 100, hospitals: 1, seed: -1 }, "seed"],
      [{ persons: 100, hospitals: 1, consentRate: 1.01 }, "consentRate"],
      [{ persons: 100, hospitals: 1, revocationRate: Number.NaN }, "revocationRate"],
      [{ persons: 100, hospitals: 1, referenceDate: "2024-13-45" }, "referenceDate"],
    ] as const;
    for (const [options, field] of cases) {
      const error = expectCustosError(() => checkOmopGeneratorOptions(options), "INVALID_ARGUMENT");
      expect(error.details.field).toBe(field);
    }
    const error = expectCustosError(
      () => collectOmopHospital({ persons: 10, hospitals: 2 }, 2),
      "INVALID_ARGUMENT",
    );
    expect(error.details.field).toBe("hospital");
  });
});
