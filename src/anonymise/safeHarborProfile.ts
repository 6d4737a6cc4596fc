import { CustosError } from "../errors/index.ts";
import type { AnonymiseOptions, AttributeConfig } from "./AnonymiseConfig.ts";
import { createHierarchy, type Hierarchy } from "./Hierarchy.ts";
import type { PrivacyModel } from "./PrivacyModel.ts";
import type { Table } from "./Table.ts";
import type { Zip3PopulationTable } from "./Zip3PopulationTable.ts";

/**
 * The identifier classes of HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(A)–(R), with the
 * paragraph each comes from and what the profile does with a column of that class:
 * `remove` drops it; `zip3` keeps the first three ZIP digits, or `000` when the 3-digit area
 * has 20,000 people or fewer; `year` keeps only the year of a date; `birth-year` also
 * aggregates birth years that could mean an age over 89; `age-90` aggregates ages over 89
 * into `90+`. Paragraph (B) has two classes: ZIP codes, and every other geographic
 * subdivision smaller than a state (street address, city, county, precinct, geocodes).
 */
export const safeHarborIdentifierClasses = {
  name: { paragraph: "A", treatment: "remove" },
  "geographic-subdivision": { paragraph: "B", treatment: "remove" },
  zip: { paragraph: "B", treatment: "zip3" },
  date: { paragraph: "C", treatment: "year" },
  "birth-date": { paragraph: "C", treatment: "birth-year" },
  age: { paragraph: "C", treatment: "age-90" },
  telephone: { paragraph: "D", treatment: "remove" },
  fax: { paragraph: "E", treatment: "remove" },
  email: { paragraph: "F", treatment: "remove" },
  ssn: { paragraph: "G", treatment: "remove" },
  "medical-record-number": { paragraph: "H", treatment: "remove" },
  "health-plan-beneficiary-number": { paragraph: "I", treatment: "remove" },
  "account-number": { paragraph: "J", treatment: "remove" },
  "certificate-license-number": { paragraph: "K", treatment: "remove" },
  "vehicle-identifier": { paragraph: "L", treatment: "remove" },
  "device-identifier": { paragraph: "M", treatment: "remove" },
  url: { paragraph: "N", treatment: "remove" },
  "ip-address": { paragraph: "O", treatment: "remove" },
  biometric: { paragraph: "P", treatment: "remove" },
  "full-face-photo": { paragraph: "Q", treatment: "remove" },
  "other-unique-identifier": { paragraph: "R", treatment: "remove" },
} as const;

/** A Safe Harbor identifier class (see {@link safeHarborIdentifierClasses}). */
export type SafeHarborIdentifier = keyof typeof safeHarborIdentifierClasses;

/** A column under the Safe Harbor profile: an identifier class, or an ordinary role. */
export type SafeHarborAttribute = { readonly safeHarbor: SafeHarborIdentifier } | AttributeConfig;

/** Options of {@link safeHarborProfile}. */
export interface SafeHarborOptions {
  /** Every column of the table, by name. */
  readonly attributes: Readonly<Record<string, SafeHarborAttribute>>;
  /** 3-digit ZIP populations; required when a column is of class `zip`. */
  readonly zip3Populations?: Zip3PopulationTable;
  /**
   * Year of the release; required when a column is of class `birth-date`: birth years up to
   * `referenceYear − 90` (an age that may exceed 89) become one category.
   */
  readonly referenceYear?: number;
  /** Models to satisfy on top of the rules (default: none beyond the rules, i.e. k = 1). */
  readonly models?: readonly PrivacyModel[];
}

/** Safe Harbor itself requires no k: the default model accepts every class. */
export const defaultSafeHarborModels: readonly PrivacyModel[] = [{ type: "k-anonymity", k: 1 }];

/** ZIP populations at or below this are recoded `000` (45 CFR 164.514(b)(2)(i)(B)). */
export const SAFE_HARBOR_ZIP3_MIN_POPULATION = 20_000;

function configError(message: string, details: Record<string, unknown>): never {
  throw new CustosError("ANONYMISE_CONFIG_INVALID", message, { details });
}

function valueError(table: Table, column: number, code: number, rule: string): never {
  const name = table.columns[column] as string;
  const value = (table.dictionaries[column] as readonly string[])[code] as string;
  const row = (table.codes[column] as Int32Array).indexOf(code) + 1;
  throw new CustosError(
    "ANONYMISE_VALUE_INVALID",
    `column "${name}", data row ${row}: "${value}" is not ${rule}`,
    { details: { column: name, row, rule } },
  );
}

/**
 * Builds a hierarchy from each distinct value's `levels` coarser labels (level 1 upwards;
 * `*` added on top). Empty values (missing data) stay empty up to the top.
 */
function hierarchyOf(
  table: Table,
  column: number,
  levels: number,
  labels: (value: string, code: number) => readonly string[],
): Hierarchy {
  const dictionary = table.dictionaries[column] as readonly string[];
  return createHierarchy(
    dictionary.map((value, code) => [
      value,
      ...(value === "" ? new Array<string>(levels).fill("") : labels(value, code)),
      "*",
    ]),
  );
}

function zipHierarchy(table: Table, column: number, populations: Zip3PopulationTable): Hierarchy {
  return hierarchyOf(table, column, 1, (value, code) => {
    const match = /^(\d{3})\d{2}(?:-\d{4})?$/.exec(value);
    if (match === null) valueError(table, column, code, "a 5-digit ZIP code (or ZIP+4)");
    const zip3 = match[1] as string;
    const population = populations.population(zip3);
    // Unknown areas fail closed: they are treated as small.
    return [
      population !== undefined && population > SAFE_HARBOR_ZIP3_MIN_POPULATION ? zip3 : "000",
    ];
  });
}

function band(n: number, width: number): string {
  const low = Math.floor(n / width) * width;
  return `${low}-${low + width - 1}`;
}

function ageHierarchy(table: Table, column: number): Hierarchy {
  return hierarchyOf(table, column, 3, (value, code) => {
    const age = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(age) || age < 0) valueError(table, column, code, "an age in years");
    if (age > 89) return ["90+", "90+", "90+"];
    return [value, band(age, 5), band(age, 10)];
  });
}

function dateHierarchyOf(table: Table, column: number, oldestYear: number | undefined): Hierarchy {
  return hierarchyOf(table, column, 2, (value, code) => {
    const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ].*)?)?)?$/.exec(value);
    if (match === null) valueError(table, column, code, "an ISO 8601 date (YYYY[-MM[-DD]])");
    const year = Number(match[1]);
    if (oldestYear !== undefined && year <= oldestYear) {
      const category = `${oldestYear} or earlier`;
      return [category, category];
    }
    return [String(year), band(year, 10)];
  });
}

/**
 * The HIPAA Safe Harbor profile (45 CFR 164.514(b)(2)): turns a column classification into
 * an anonymisation configuration the engine runs. Identifier classes marked `remove` become
 * identifiers (dropped); ZIP codes, dates and ages become quasi-identifiers whose hierarchy's
 * level 1 is the Safe Harbor recoding and whose `minLevel` is 1, so no output is finer than
 * the rule allows (coarser levels remain for additional models: ages 5- and 10-year bands,
 * dates decades, both `*`; ZIP `*`). Other columns keep the role given. Empty values stay
 * empty. With the default model (k = 1) the optimal search returns exactly the rule's
 * recoding.
 *
 * Not covered, by design: free-text fields (classify them as identifiers), and the
 * "actual knowledge" condition of 164.514(b)(2)(ii), which no transformation can check.
 *
 * @throws ANONYMISE_CONFIG_INVALID when an attribute names no column, a `zip` column has no
 *   population table, a `birth-date` column no `referenceYear`, or no quasi-identifier
 *   remains (naming the field).
 * @throws ANONYMISE_VALUE_INVALID when a ZIP code, age or date cannot be recoded (naming the
 *   column and data row).
 * @example
 * ```ts
 * const options = safeHarborProfile(table, {
 *   attributes: { name: { safeHarbor: "name" }, zip: { safeHarbor: "zip" }, dx: { role: "sensitive" } },
 *   zip3Populations: myCensusTable,
 * });
 * const result = anonymise(table, options);
 * ```
 */
export function safeHarborProfile(table: Table, options: SafeHarborOptions): AnonymiseOptions {
  const attributes: Record<string, AttributeConfig> = {};
  let quasiIdentifiers = 0;
  for (const [name, attribute] of Object.entries(options.attributes)) {
    if (!("safeHarbor" in attribute)) {
      attributes[name] = attribute;
      if (attribute.role === "quasi-identifier") quasiIdentifiers++;
      continue;
    }
    const rule = safeHarborIdentifierClasses[attribute.safeHarbor];
    if (rule === undefined) {
      configError(`attribute "${name}": "${attribute.safeHarbor}" is not a Safe Harbor class`, {
        attribute: name,
        field: `attributes.${name}.safeHarbor`,
      });
    }
    const column = table.columns.indexOf(name);
    if (column < 0) {
      configError(`attribute "${name}" is not a column of the table`, { attribute: name });
    }
    let hierarchy: Hierarchy;
    switch (rule.treatment) {
      case "remove":
        attributes[name] = { role: "identifier" };
        continue;
      case "zip3": {
        const populations = options.zip3Populations;
        if (populations === undefined) {
          configError(`ZIP column "${name}" needs a 3-digit ZIP population table`, {
            attribute: name,
            field: "zip3Populations",
          });
        }
        hierarchy = zipHierarchy(table, column, populations);
        break;
      }
      case "age-90":
        hierarchy = ageHierarchy(table, column);
        break;
      case "year":
        hierarchy = dateHierarchyOf(table, column, undefined);
        break;
      case "birth-year": {
        const year = options.referenceYear;
        if (year === undefined || !Number.isInteger(year)) {
          configError(`birth-date column "${name}" needs an integer referenceYear`, {
            attribute: name,
            field: "referenceYear",
          });
        }
        hierarchy = dateHierarchyOf(table, column, year - 90);
        break;
      }
    }
    attributes[name] = { role: "quasi-identifier", hierarchy, minLevel: 1 };
    quasiIdentifiers++;
  }
  if (quasiIdentifiers === 0) {
    configError("Safe Harbor leaves no quasi-identifier: classify at least one column as one", {
      field: "attributes",
    });
  }
  return {
    attributes,
    models: options.models ?? defaultSafeHarborModels,
    suppressionLimit: 0,
    search: "optimal",
  };
}
