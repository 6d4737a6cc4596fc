import type { AttributeConfig } from "../../src/anonymise/index.ts";

export { loadAdult } from "../../scripts/loadAdult.ts";
export {
  type AnonymiseOptions,
  type AttributeConfig,
  anonymise,
  checkPrivacyModel,
  createHierarchy,
  type PrivacyModel,
  parseCsv,
  type UtilityMetric,
} from "../../src/anonymise/index.ts";

/**
 * A k-map population for a random sample: the sample's rows plus `extra` rows whose
 * quasi-identifier values are drawn (seeded LCG) from the hierarchies' leaves, so some
 * combinations and values exist only in the population. Other columns get `x`.
 */
export function populationCsv(
  csv: string,
  attributes: Readonly<Record<string, AttributeConfig>>,
  seed: number,
  extra: number,
): string {
  let state = seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return (state >>> 16) % n;
  };
  const lines = csv.split("\n");
  const header = (lines[0] ?? "").split(",");
  for (let r = 0; r < extra; r++) {
    lines.push(
      header
        .map((name) => {
          const attribute = attributes[name];
          if (attribute?.role !== "quasi-identifier") return "x";
          const rows = attribute.hierarchy.rows;
          return rows[next(rows.length)]?.[0] ?? "";
        })
        .join(","),
    );
  }
  return lines.join("\n");
}

/** The hierarchies of a configuration's quasi-identifiers, for the independent checker. */
export function hierarchiesOf(attributes: Readonly<Record<string, AttributeConfig>>) {
  return Object.fromEntries(
    Object.entries(attributes).flatMap(([name, a]) =>
      a.role === "quasi-identifier" ? [[name, a.hierarchy]] : [],
    ),
  );
}
