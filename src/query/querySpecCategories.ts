import type { DataCategory } from "../consent/index.ts";
import type { OmopDomain, QuerySpec } from "./QuerySpec.ts";

const domainCategory: Readonly<Record<OmopDomain, DataCategory>> = {
  condition: "CONDITIONS",
  drug: "DRUGS",
  measurement: "MEASUREMENTS",
  procedure: "PROCEDURES",
  observation: "OBSERVATIONS",
  visit: "VISITS",
};

/**
 * The data categories a spec reads, in `dataCategories` order: DEMOGRAPHICS (PERSON: age,
 * sex) and VISITS (OBSERVATION_PERIOD) always, plus the category of every domain it looks
 * into. A query must request at least these on chain, since each patient's consent is
 * checked for the requested categories: a spec reading more than its query requested would
 * read data no consent was checked for.
 *
 * @example
 * ```ts
 * querySpecCategories(spec); // ["DEMOGRAPHICS", "VISITS", "CONDITIONS", "DRUGS"]
 * ```
 */
export function querySpecCategories(spec: QuerySpec): DataCategory[] {
  const used = new Set<DataCategory>(["DEMOGRAPHICS", "VISITS"]);
  const add = (domain: OmopDomain) => used.add(domainCategory[domain]);
  add(spec.cohort.index.domain);
  for (const rule of spec.cohort.inclusion) {
    if ("has" in rule) add(rule.has.domain);
    if ("hasNot" in rule) add(rule.hasNot.domain);
    if ("measurement" in rule) add("measurement");
  }
  for (const measure of spec.measures) {
    if (measure.type === "incidenceRate") add(measure.outcome.domain);
    if (measure.type === "summary" || measure.type === "quantiles") add("measurement");
    if (measure.type === "twoByTwo") {
      add(measure.exposure.domain);
      add(measure.outcome.domain);
    }
  }
  const order: readonly DataCategory[] = [
    "DEMOGRAPHICS",
    "VISITS",
    "CONDITIONS",
    "DRUGS",
    "MEASUREMENTS",
    "PROCEDURES",
    "OBSERVATIONS",
  ];
  return order.filter((category) => used.has(category));
}
