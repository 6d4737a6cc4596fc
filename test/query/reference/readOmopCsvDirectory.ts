import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { parseExactDecimal, roundToScale, VALUE_SCALE } from "./referenceDecimal.ts";
import {
  type ConceptAncestorRow,
  type DomainRow,
  dayNumber,
  type MeasurementRow,
  type ObservationPeriodRow,
  type PersonRow,
  type ReferenceOmopData,
} from "./referenceOmopData.ts";

/** Reads one CSV row's fields by (lower-case) column name. */
class CsvRow {
  readonly #fields: readonly string[];
  readonly #columns: ReadonlyMap<string, number>;
  readonly #where: string;

  constructor(fields: readonly string[], columns: ReadonlyMap<string, number>, where: string) {
    this.#fields = fields;
    this.#columns = columns;
    this.#where = where;
  }

  /** The field's text, or null when empty. */
  text(column: string): string | null {
    const index = this.#columns.get(column);
    if (index === undefined) throw new Error(`${this.#where}: no column ${column}`);
    const value = this.#fields[index] ?? "";
    return value === "" ? null : value;
  }

  #required(column: string): string {
    const value = this.text(column);
    if (value === null) throw new Error(`${this.#where}: ${column} is empty`);
    return value;
  }

  #integer(column: string, text: string): number {
    if (!/^[+-]?\d+$/.test(text)) {
      throw new Error(`${this.#where}: ${column} is not an integer: ${JSON.stringify(text)}`);
    }
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new Error(`${this.#where}: ${column} is too large`);
    return value;
  }

  integer(column: string): number {
    return this.#integer(column, this.#required(column));
  }

  integerOrNull(column: string): number | null {
    const text = this.text(column);
    return text === null ? null : this.#integer(column, text);
  }

  date(column: string): number {
    try {
      return dayNumber(this.#required(column));
    } catch (error) {
      throw new Error(`${this.#where}: ${column}: ${(error as Error).message}`);
    }
  }

  /** An exact decimal rounded to 4 fractional digits (half away from zero), × 10^4. */
  scaledDecimalOrNull(column: string): bigint | null {
    const text = this.text(column);
    if (text === null) return null;
    try {
      return roundToScale(parseExactDecimal(text), VALUE_SCALE);
    } catch (error) {
      throw new Error(`${this.#where}: ${column}: ${(error as Error).message}`);
    }
  }
}

async function readTable<T>(
  file: string | undefined,
  map: (row: CsvRow) => T,
): Promise<T[] | null> {
  if (file === undefined) return null;
  const records = parse(await readFile(file), {
    bom: true,
    skip_empty_lines: true,
  }) as string[][];
  const [header, ...rows] = records;
  if (header === undefined) throw new Error(`${file}: no header line`);
  const columns = new Map(header.map((name, i) => [name.trim().toLowerCase(), i]));
  return rows.map((fields, i) => map(new CsvRow(fields, columns, `${file} record ${i + 2}`)));
}

const domainRow =
  (id: string, concept: string, date: string) =>
  (row: CsvRow): DomainRow => ({
    id: row.integer(id),
    personId: row.integer("person_id"),
    conceptId: row.integer(concept),
    date: row.date(date),
  });

/**
 * Reads an OMOP CDM CSV directory (one file per table, named after it in any case:
 * `PERSON.csv`, `person.csv`) into the rows the query semantics read. PERSON and
 * OBSERVATION_PERIOD are required; an absent clinical table has no rows, and an absent
 * CONCEPT or CONCEPT_ANCESTOR is null. Empty fields are null where OMOP allows null
 * (value_as_number, unit_concept_id); an empty required field is an error, as it is when a
 * store loads the file. value_as_number is read exactly from its text and rounded to 4
 * fractional digits, half away from zero, as a cast to DECIMAL(18,4) does.
 *
 * @throws Error naming the file, record and column of a value it cannot read.
 */
export async function readOmopCsvDirectory(directory: string): Promise<ReferenceOmopData> {
  const files = new Map<string, string>();
  for (const name of await readdir(directory)) {
    const match = /^([a-z_]+)\.csv$/i.exec(name);
    if (match === null) continue;
    const table = (match[1] as string).toLowerCase();
    if (files.has(table)) throw new Error(`${directory}: table ${table} has two files`);
    files.set(table, join(directory, name));
  }
  const path = (table: string) => files.get(table);
  const required = <T>(table: string, rows: T[] | null): T[] => {
    if (rows === null) throw new Error(`${directory} has no ${table.toUpperCase()}.csv`);
    return rows;
  };

  const person = required(
    "person",
    await readTable(
      path("person"),
      (row): PersonRow => ({
        personId: row.integer("person_id"),
        genderConceptId: row.integer("gender_concept_id"),
        yearOfBirth: row.integer("year_of_birth"),
      }),
    ),
  );
  const observationPeriod = required(
    "observation_period",
    await readTable(
      path("observation_period"),
      (row): ObservationPeriodRow => ({
        personId: row.integer("person_id"),
        startDate: row.date("observation_period_start_date"),
        endDate: row.date("observation_period_end_date"),
      }),
    ),
  );
  const measurement = await readTable(
    path("measurement"),
    (row): MeasurementRow => ({
      ...domainRow("measurement_id", "measurement_concept_id", "measurement_date")(row),
      value: row.scaledDecimalOrNull("value_as_number"),
      unitConceptId: row.integerOrNull("unit_concept_id"),
    }),
  );
  const concept = await readTable(path("concept"), (row) => row.integer("concept_id"));
  const conceptAncestor = await readTable(
    path("concept_ancestor"),
    (row): ConceptAncestorRow => ({
      ancestorConceptId: row.integer("ancestor_concept_id"),
      descendantConceptId: row.integer("descendant_concept_id"),
    }),
  );
  const domain = async (table: string, id: string, conceptColumn: string, date: string) =>
    (await readTable(path(table), domainRow(id, conceptColumn, date))) ?? [];

  return {
    person,
    observationPeriod,
    visitOccurrence: await domain(
      "visit_occurrence",
      "visit_occurrence_id",
      "visit_concept_id",
      "visit_start_date",
    ),
    conditionOccurrence: await domain(
      "condition_occurrence",
      "condition_occurrence_id",
      "condition_concept_id",
      "condition_start_date",
    ),
    drugExposure: await domain(
      "drug_exposure",
      "drug_exposure_id",
      "drug_concept_id",
      "drug_exposure_start_date",
    ),
    measurement: measurement ?? [],
    procedureOccurrence: await domain(
      "procedure_occurrence",
      "procedure_occurrence_id",
      "procedure_concept_id",
      "procedure_date",
    ),
    observation: await domain(
      "observation",
      "observation_id",
      "observation_concept_id",
      "observation_date",
    ),
    concept,
    conceptAncestor,
  };
}
