import { canonicalHash } from "../canonical/index.ts";
import {
  type CountTable,
  checkDifferencing,
  createCountTable,
  type DisclosurePolicyInput,
  type DisclosureReport,
  type ReleasedTable,
  type ReleasePorts,
  releaseTable,
  resolveDisclosurePolicy,
  roundCount,
  toCohort,
} from "../disclosure/index.ts";
import { type ErrorCode, isCustosError } from "../errors/index.ts";
import { parseScaledDecimal, SUM_SCALE } from "./exactDecimal.ts";
import type {
  AggregateDimension,
  MeasureAggregate,
  QueryAggregates,
  ValueSums,
} from "./QueryAggregates.ts";
import type {
  QueryDisclosureReport,
  QueryRelease,
  ReleasedAttritionStep,
  ReleasedMeasure,
  StatisticRules,
  WithheldReason,
} from "./ReleasedQueryResult.ts";

/** A site's release rules: the disclosure policy for counts and the rules for statistics. */
export interface ReleaseRules {
  readonly disclosure: DisclosurePolicyInput;
  readonly statistics?: Partial<StatisticRules>;
}

/** Who asks and for what, as recorded in the reports. */
export interface QueryReleaseRequest {
  readonly requester: string;
  readonly hospital: string;
  readonly queryId: string;
  /** The final cohort (person ids, ascending): the differencing guard compares it. */
  readonly cohort: Float64Array | readonly number[];
}

const SCALE = 10n ** BigInt(SUM_SCALE);

/** Releases one count table, or reports the refusal that declines the whole query. */
type TableRelease =
  | {
      readonly ok: true;
      readonly table: ReleasedTable;
      /** Null when the table is withheld as unprotectable (no report was made). */
      readonly report: DisclosureReport | null;
      readonly epsilonMicro: number;
    }
  | { readonly ok: false; readonly report: DisclosureReport };

/** Every cell of a table withheld. */
function withheldTable(table: CountTable): ReleasedTable {
  return {
    dimensions: table.dimensions.map((d) => ({ name: d.name, categories: [...d.categories] })),
    extendedShape: [...table.extendedShape],
    values: Array.from(table.values, () => null),
  };
}

async function releaseCounts(
  dimensions: readonly AggregateDimension[],
  counts: readonly number[],
  policy: DisclosurePolicyInput,
  ports: ReleasePorts,
  request: QueryReleaseRequest,
): Promise<TableRelease> {
  const table = createCountTable({
    dimensions: dimensions.map((d) => ({ name: d.name, categories: [...d.categories] })),
    counts: [...counts],
  });
  // The grand total is public: a cohort size, a count or a summary's n released beside the
  // table says it, so a suppression pattern may not rely on hiding it.
  let outcome: Awaited<ReturnType<typeof releaseTable>>;
  try {
    outcome = await releaseTable(table, policy, ports, {
      requester: request.requester,
      hospital: request.hospital,
      queryId: request.queryId,
      publicCells: [table.values.length - 1],
    });
  } catch (error) {
    // A small cell nothing but the public total could hide: the table is withheld whole.
    if (!isCustosError(error, "DISCLOSURE_AUDIT_FAILED")) throw error;
    return { ok: true, table: withheldTable(table), report: null, epsilonMicro: 0 };
  }
  if (outcome.status === "refused") return { ok: false, report: outcome.report };
  return {
    ok: true,
    table: outcome.table,
    report: outcome.report,
    epsilonMicro:
      outcome.report.noise.budgetSpentMicro === null ? 0 : outcome.report.noise.epsilonMicro,
  };
}

type SummaryValues = Omit<Extract<ReleasedMeasure, { type: "summary" }>, "name" | "type">;

/** Mean and sample variance from exact sums; `null` reason when they may be released. */
function summaryOf(sums: ValueSums, rules: StatisticRules): SummaryValues {
  const withheld = (reason: WithheldReason): SummaryValues => ({
    n: null,
    mean: null,
    variance: null,
    withheld: reason,
  });
  if (sums.n < rules.minN) return withheld("minN");
  const totalAbs = parseScaledDecimal(sums.totalAbs);
  const topTwo = parseScaledDecimal(sums.topTwoAbs);
  // top / total > share, in integers: share as a fraction of 10^6.
  const share = BigInt(Math.round(rules.dominance.share * 1_000_000));
  if (totalAbs > 0n && topTwo * 1_000_000n > share * totalAbs) return withheld("dominance");
  const n = BigInt(sums.n);
  const total = parseScaledDecimal(sums.total);
  const squares = parseScaledDecimal(sums.totalSquares);
  const numerator = squares * SCALE * n - total * total;
  const variance = sums.n > 1 ? Number(numerator) / Number(SCALE * SCALE * n * (n - 1n)) : null;
  return { n: sums.n, mean: Number(total) / Number(SCALE * n), variance, withheld: null };
}

/**
 * Attrition steps below the minimum cell are withheld, and so is a step that removes
 * 1 … min − 1 persons from the step before (the difference of two released steps is a
 * count too).
 */
function releaseAttrition(
  aggregates: QueryAggregates,
  minCell: number,
  round: (value: number) => number,
): { steps: ReleasedAttritionStep[]; withheld: number[] } {
  const withheld: number[] = [];
  const steps = aggregates.attrition.map((step, i) => {
    const previous = i === 0 ? null : aggregates.attrition[i - 1]?.persons;
    const removed = previous === null || previous === undefined ? 0 : previous - step.persons;
    const small =
      (step.persons > 0 && step.persons < minCell) || (removed > 0 && removed < minCell);
    if (small) withheld.push(i);
    return { step: step.step, persons: small ? null : round(step.persons) };
  });
  return { steps, withheld };
}

/**
 * Applies disclosure control to a query's exact aggregates at one hospital:
 * 1. a cohort smaller than the minimum cell declines the query (`QUERY_COHORT_TOO_SMALL`);
 * 2. the differencing guard compares the cohort with this requester's earlier cohorts and
 *    declines a near-duplicate (`DISCLOSURE_DIFFERENCING`); the cohort is recorded once
 *    everything is released;
 * 3. every count (the count, histograms, incidence persons and events, quantile bins, 2×2
 *    tables) is released through `releaseTable`: noise and its ε charge if the policy has
 *    them, primary and complementary suppression with an audit, rounding; a budget refusal
 *    declines the query (`DISCLOSURE_BUDGET_EXCEEDED`; ε already charged for earlier tables
 *    of the query stays spent);
 * 4. means and variances need `minN` persons and pass the dominance rule; no minimum,
 *    maximum or single value is ever computed for release;
 * 5. attrition steps are released under the minimum cell, also for the persons each step
 *    removes.
 *
 * @throws CustosError `DISCLOSURE_*` for an invalid policy or a missing port it needs.
 */
export async function releaseQueryResult(
  aggregates: QueryAggregates,
  rules: ReleaseRules,
  ports: ReleasePorts,
  request: QueryReleaseRequest,
): Promise<QueryRelease> {
  const policy = resolveDisclosurePolicy(rules.disclosure);
  const statisticRules: StatisticRules = {
    minN: rules.statistics?.minN ?? policy.minCellSize,
    dominance: rules.statistics?.dominance ?? { contributors: 2, share: 0.8 },
  };
  const base = {
    schema: "custos.query-disclosure-report/1" as const,
    request: { requester: request.requester, hospital: request.hospital, queryId: request.queryId },
    minCellSize: policy.minCellSize,
    statisticRules,
  };
  let compared = 0;
  let epsilonMicro = 0;
  const tableReports: QueryDisclosureReport["measures"][number][] = [];
  const decline = (
    code: ErrorCode,
    detail: Record<string, number>,
    checked: boolean,
  ): QueryRelease => {
    const report: QueryDisclosureReport = {
      ...base,
      status: "declined",
      decline: { code, detail },
      differencing: { checked, compared },
      attrition: { withheld: [] },
      measures: tableReports,
      epsilonMicro,
    };
    return { status: "declined", code, report, reportHash: canonicalHash(report), epsilonMicro };
  };

  if (aggregates.cohortSize < policy.minCellSize) {
    return decline("QUERY_COHORT_TOO_SMALL", { minCellSize: policy.minCellSize }, false);
  }
  const cohort = toCohort([...request.cohort]);
  if (ports.differencing !== undefined) {
    const decision = await checkDifferencing(
      ports.differencing,
      request.requester,
      cohort,
      policy.minCohortDifference,
    );
    if (decision.status === "refused") {
      return decline("DISCLOSURE_DIFFERENCING", { minDifference: decision.minDifference }, true);
    }
    compared = decision.compared;
  }

  const measures: ReleasedMeasure[] = [];
  for (const aggregate of aggregates.measures) {
    const tables: DisclosureReport[] = [];
    let unprotectable = false;
    const counts = async (dimensions: readonly AggregateDimension[], values: readonly number[]) => {
      const outcome = await releaseCounts(dimensions, values, rules.disclosure, ports, request);
      if (outcome.report === null) unprotectable = true;
      else tables.push(outcome.report);
      if (outcome.ok) epsilonMicro += outcome.epsilonMicro;
      return outcome;
    };
    const released = await releaseMeasure(aggregate, counts, statisticRules);
    const withheld = released.withheld ?? (unprotectable ? "unprotectable" : null);
    tableReports.push({ name: aggregate.name, tables, withheld });
    if (released.measure === null) {
      return decline(
        "DISCLOSURE_BUDGET_EXCEEDED",
        { measure: tableReports.length - 1 },
        ports.differencing !== undefined,
      );
    }
    measures.push(released.measure);
  }

  const round = (value: number) => roundCount(value, policy.rounding, ports.random);
  const attrition = releaseAttrition(aggregates, policy.minCellSize, round);
  if (ports.differencing !== undefined) await ports.differencing.record(request.requester, cohort);
  const report: QueryDisclosureReport = {
    ...base,
    status: "released",
    decline: null,
    differencing: { checked: ports.differencing !== undefined, compared },
    attrition: { withheld: attrition.withheld },
    measures: tableReports,
    epsilonMicro,
  };
  return {
    status: "released",
    statistics: { attrition: attrition.steps, measures },
    report,
    reportHash: canonicalHash(report),
    epsilonMicro,
  };
}

type CountRelease = (
  dimensions: readonly AggregateDimension[],
  values: readonly number[],
) => Promise<TableRelease>;

const YES_NO = ["yes", "no"];

/** Releases one measure; `measure` null when a table was refused (budget). */
async function releaseMeasure(
  aggregate: MeasureAggregate,
  counts: CountRelease,
  rules: StatisticRules,
): Promise<{ measure: ReleasedMeasure | null; withheld: WithheldReason | null }> {
  const { name } = aggregate;
  switch (aggregate.type) {
    case "count": {
      const t = await counts([{ name: "cohort", categories: ["all"] }], [aggregate.n]);
      return {
        measure: t.ok ? { name, type: "count", n: t.table.values[0] ?? null } : null,
        withheld: null,
      };
    }
    case "histogram": {
      const t = await counts(aggregate.dimensions, aggregate.counts);
      return { measure: t.ok ? { name, type: "histogram", table: t.table } : null, withheld: null };
    }
    case "incidenceRate": {
      const persons = await counts(
        [aggregate.dimension],
        aggregate.strata.map((s) => s.persons),
      );
      if (!persons.ok) return { measure: null, withheld: null };
      const events = await counts(
        [aggregate.dimension],
        aggregate.strata.map((s) => s.events),
      );
      if (!events.ok) return { measure: null, withheld: null };
      const days = [...aggregate.strata.map((s) => s.personDays)];
      days.push(days.reduce((a, b) => a + b, 0));
      return {
        measure: {
          name,
          type: "incidenceRate",
          dimension: aggregate.dimension,
          persons: persons.table.values,
          events: events.table.values,
          personDays: days.map((d, i) =>
            persons.table.values[i] === null || events.table.values[i] === null ? null : d,
          ),
        },
        withheld: null,
      };
    }
    case "summary": {
      const summary = summaryOf(aggregate.sums, rules);
      return { measure: { name, type: "summary", ...summary }, withheld: summary.withheld };
    }
    case "quantiles": {
      const labels = aggregate.bins.map((b) => `${b.lower ?? "-inf"}..${b.upper ?? "inf"}`);
      const t = await counts(
        [{ name: "bin", categories: labels }],
        aggregate.bins.map((b) => b.count),
      );
      if (!t.ok) return { measure: null, withheld: null };
      return {
        measure: {
          name,
          type: "quantiles",
          bins: aggregate.bins.map((b, i) => ({
            lower: b.lower,
            upper: b.upper,
            count: t.table.values[i] ?? null,
          })),
          probabilities: aggregate.probabilities,
        },
        withheld: null,
      };
    }
    case "twoByTwo": {
      const t = await counts(
        [
          { name: "exposure", categories: YES_NO },
          { name: "outcome", categories: YES_NO },
        ],
        aggregate.counts,
      );
      return { measure: t.ok ? { name, type: "twoByTwo", table: t.table } : null, withheld: null };
    }
  }
}
