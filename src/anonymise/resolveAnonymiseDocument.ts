import { CustosError } from "../errors/index.ts";
import type { AnonymiseOptions, AttributeConfig } from "./AnonymiseConfig.ts";
import { dateHierarchy } from "./dateHierarchy.ts";
import { createHierarchy, type Hierarchy } from "./Hierarchy.ts";
import { intervalHierarchy } from "./intervalHierarchy.ts";
import { defaultMaskingHierarchyOptions, maskingHierarchy } from "./maskingHierarchy.ts";
import type { PrivacyModel } from "./PrivacyModel.ts";
import { parseCsv } from "./parseCsv.ts";
import { parseHierarchy } from "./parseHierarchy.ts";
import { researchExtractProfile } from "./researchExtractProfile.ts";
import { type SafeHarborAttribute, safeHarborProfile } from "./safeHarborProfile.ts";
import type { Table } from "./Table.ts";
import type {
  AnonymiseDocument,
  HierarchyDocument,
  PrivacyModelDocument,
} from "./validateAnonymiseDocument.ts";
import { createZip3PopulationTable, type Zip3PopulationTable } from "./Zip3PopulationTable.ts";

function withField<T>(field: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof CustosError) {
      throw new CustosError(error.code, `${field}: ${error.shortMessage}`, {
        details: { ...error.details, field },
        cause: error,
      });
    }
    throw error;
  }
}

function fileText(files: ReadonlyMap<string, string>, path: string, field: string): string {
  const text = files.get(path);
  if (text === undefined) {
    throw new CustosError("ANONYMISE_CONFIG_INVALID", `${field}: file "${path}" was not loaded`, {
      details: { field, path },
    });
  }
  return text;
}

function buildHierarchy(
  spec: HierarchyDocument,
  values: readonly string[],
  files: ReadonlyMap<string, string>,
  field: string,
): Hierarchy {
  if ("file" in spec) {
    const text = fileText(files, spec.file, `${field}.file`);
    return withField(`${field}.file`, () =>
      parseHierarchy(text, { separator: spec.separator ?? ";" }),
    );
  }
  return withField(field, () => {
    switch (spec.type) {
      case "interval":
        return intervalHierarchy(values, { widths: spec.widths });
      case "masking":
        return maskingHierarchy(values, {
          from: spec.from ?? defaultMaskingHierarchyOptions.from,
          maskChar: spec.maskChar ?? defaultMaskingHierarchyOptions.maskChar,
        });
      case "date":
        return dateHierarchy(values);
      case "flat":
        return createHierarchy(values.map((value) => [value, "*"]));
    }
  });
}

/** The document's models with k-map population files parsed into tables. */
function resolveModels(
  models: readonly PrivacyModelDocument[],
  files: ReadonlyMap<string, string>,
): PrivacyModel[] {
  return models.map((model, i) => {
    if (model.type !== "k-map" || !("population" in model)) return model;
    const field = `models[${i}].population.file`;
    const text = fileText(files, model.population.file, field);
    const population = withField(field, () =>
      parseCsv(text, { separator: model.population.separator ?? "," }),
    );
    return { type: "k-map", k: model.k, population };
  });
}

/** A column's values in the input and in every k-map population holding that column. */
function columnValues(table: Table, column: number, models: readonly PrivacyModel[]): string[] {
  const values = new Set(table.dictionaries[column]);
  const name = table.columns[column] as string;
  for (const model of models) {
    if (model.type !== "k-map" || !("population" in model)) continue;
    const c = model.population.columns.indexOf(name);
    for (const value of model.population.dictionaries[c] ?? []) values.add(value);
  }
  return [...values];
}

function zip3Table(text: string, field: string): Zip3PopulationTable {
  return withField(field, () => {
    const table = parseCsv(text);
    const zip3 = table.columns.indexOf("zip3");
    const population = table.columns.indexOf("population");
    if (zip3 < 0 || population < 0) {
      throw new CustosError("ANONYMISE_CSV_INVALID", "header must name zip3 and population", {
        details: { row: 1 },
      });
    }
    const entries: Record<string, number> = {};
    for (let row = 0; row < table.rowCount; row++) {
      const key = table.dictionaries[zip3]?.[table.codes[zip3]?.[row] ?? -1] ?? "";
      const text = table.dictionaries[population]?.[table.codes[population]?.[row] ?? -1] ?? "";
      if (!/^\d+$/.test(text)) {
        throw new CustosError(
          "ANONYMISE_CSV_INVALID",
          `data row ${row + 1}: population "${text}" is not a count`,
          {
            details: { row: row + 1, column: "population" },
          },
        );
      }
      entries[key] = Number(text);
    }
    return createZip3PopulationTable(entries);
  });
}

/**
 * Turns a validated configuration document into engine options for a table: parses k-map
 * population files (from `files`), builds the hierarchies (ARX files from `files`, keyed by
 * the path written in the document, or built-in generators over the column's values in the
 * input and in the k-map population) and applies the profiles — Safe Harbor's
 * rules first, then the research-extract policy; explicit document settings (suppression
 * limit, metric, search) override a profile's defaults, except that research-extract's k is
 * a floor.
 *
 * @throws ANONYMISE_CONFIG_INVALID naming the field (unknown column, file not loaded,
 *   profile requirements).
 * @throws ANONYMISE_HIERARCHY_INVALID / ANONYMISE_CSV_INVALID for a malformed hierarchy or
 *   population file, naming the field.
 * @throws ANONYMISE_VALUE_INVALID when Safe Harbor cannot recode a value (column and row).
 * @example
 * ```ts
 * const options = resolveAnonymiseDocument(document, table, new Map([["age.csv", ageText]]));
 * anonymise(table, options);
 * ```
 */
export function resolveAnonymiseDocument(
  document: AnonymiseDocument,
  table: Table,
  files: ReadonlyMap<string, string>,
): AnonymiseOptions {
  const models = document.models === undefined ? undefined : resolveModels(document.models, files);
  const attributes: Record<string, SafeHarborAttribute> = {};
  for (const [name, spec] of Object.entries(document.attributes)) {
    const column = table.columns.indexOf(name);
    if (column < 0) {
      throw new CustosError(
        "ANONYMISE_CONFIG_INVALID",
        `attributes.${name}: "${name}" is not a column of the input`,
        { details: { field: `attributes.${name}`, attribute: name, columns: table.columns } },
      );
    }
    if ("safeHarbor" in spec || spec.role !== "quasi-identifier") {
      attributes[name] = spec;
      continue;
    }
    const { hierarchy, ...levels } = spec;
    const values = columnValues(table, column, models ?? []);
    const built: AttributeConfig = {
      ...levels,
      hierarchy: buildHierarchy(hierarchy, values, files, `attributes.${name}.hierarchy`),
    };
    attributes[name] = built;
  }
  const tuning = {
    ...(document.suppressionLimit === undefined
      ? {}
      : { suppressionLimit: document.suppressionLimit }),
    ...(document.metric === undefined ? {} : { metric: document.metric }),
    ...(document.search === undefined ? {} : { search: document.search }),
  };
  let options: AnonymiseOptions;
  if (document.profile.includes("safe-harbor")) {
    const zip3 = document.safeHarbor?.zip3Populations;
    const year = document.safeHarbor?.referenceYear;
    options = safeHarborProfile(table, {
      attributes,
      ...(zip3 === undefined
        ? {}
        : {
            zip3Populations: zip3Table(
              fileText(files, zip3, "safeHarbor.zip3Populations"),
              "safeHarbor.zip3Populations",
            ),
          }),
      ...(year === undefined ? {} : { referenceYear: year }),
      ...(models === undefined ? {} : { models }),
    });
  } else {
    const plain: Record<string, AttributeConfig> = {};
    for (const [name, spec] of Object.entries(attributes)) {
      plain[name] = spec as AttributeConfig;
    }
    options = { attributes: plain, models: models ?? [] };
  }
  options = { ...options, ...tuning };
  if (document.profile.includes("research-extract")) {
    options = researchExtractProfile(options, {
      ...(document.k === undefined ? {} : { k: document.k }),
      ...(document.suppressionLimit === undefined
        ? {}
        : { suppressionLimit: document.suppressionLimit }),
      ...(document.search === undefined ? {} : { search: document.search }),
    });
  }
  return options;
}
