import type {
  FederatedQueryReport,
  HospitalOutcome,
  PooledMeasure,
  PooledQueryResult,
} from "../../../../src/federation/index.ts";
import { hospitalLabel } from "./hospitalLabel.ts";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

/** What a hospital's released statistics left out: suppressed values, withheld measures. */
function leftOut(pooled: PooledQueryResult | null, hospitalId: number): string[] {
  if (pooled === null) return [];
  const suppressed = pooled.measures
    .filter((m) => m.sites.suppressed.includes(hospitalId))
    .map((m) => m.name);
  const steps = pooled.attrition.steps.filter((s) => s.withheld.includes(hospitalId));
  if (steps.length > 0) suppressed.push(`attrition ${steps.map((s) => `"${s.step}"`).join(", ")}`);
  const withheld = pooled.measures.flatMap((m) =>
    m.sites.withheld
      .filter((w) => w.hospitalId === hospitalId)
      .map((w) => `${m.name} (${w.reason})`),
  );
  return [
    ...(suppressed.length === 0 ? [] : [`suppressed values in ${suppressed.join(", ")}`]),
    ...(withheld.length === 0 ? [] : [`withheld ${withheld.join(", ")}`]),
  ];
}

function hospitalLine(
  outcome: HospitalOutcome,
  pooled: PooledQueryResult | null,
  nameOf: (id: number) => string | undefined,
): string {
  const who = `  ${hospitalLabel(outcome.hospitalId, nameOf)}`;
  switch (outcome.status) {
    case "verified": {
      const notes = leftOut(pooled, outcome.hospitalId);
      return `${who}: verified, ${integer.format(outcome.subjectCount)} consenting subjects${
        notes.length === 0 ? "" : `; ${notes.join("; ")}`
      }`;
    }
    case "declined":
      return `${who}: declined — ${outcome.reason} (reason code ${outcome.reasonCode})`;
    case "unanswered": {
      const why = [
        outcome.recordedOnChain ? "result recorded on chain but not fetched" : "no answer",
        outcome.jobState === null ? null : `last job state ${outcome.jobState}`,
        outcome.issue === null ? null : `${outcome.issue.code}: ${outcome.issue.message}`,
      ].filter((part) => part !== null);
      return `${who}: unanswered — ${why.join("; ")}`;
    }
    case "invalid":
      return `${who}: INVALID result, not pooled — ${outcome.check} check failed: ${outcome.reason}`;
  }
}

function bound(value: number | null, lowerBound: boolean): string {
  if (value === null) return "withheld";
  return `${lowerBound ? "≥ " : ""}${integer.format(value)}`;
}

function measureLine(m: PooledMeasure): string {
  const head = `  ${m.name} (${m.type})`;
  if (!m.released) {
    return `${head}: not released — ${m.sites.contributed.length} contributing hospital(s), too few`;
  }
  switch (m.type) {
    case "count":
      return `${head}: ${bound(m.value, m.lowerBound)}`;
    case "histogram": {
      const values = m.table?.values ?? [];
      const withheld = values.filter((v) => v === null).length;
      const lower = (m.table?.lowerBound ?? []).filter(Boolean).length;
      return `${head}: ${values.length} cells with margins, total ${bound(
        values.at(-1) ?? null,
        m.table?.lowerBound.at(-1) ?? false,
      )}${withheld > 0 ? `, ${withheld} withheld` : ""}${lower > 0 ? `, ${lower} lower bounds` : ""}`;
    }
    case "incidenceRate": {
      const total = m.strata?.at(-1);
      if (total === undefined || total.ratePer1000PersonYears === null) {
        return `${head}: total withheld`;
      }
      return `${head}: ${decimal.format(total.ratePer1000PersonYears)} per 1,000 person-years (95% CI ${decimal.format(
        total.lower ?? 0,
      )}–${decimal.format(total.upper ?? 0)}), ${integer.format(total.events ?? 0)} events`;
    }
    case "summary":
      return `${head}: n ${integer.format(m.n ?? 0)}, mean ${m.mean === null ? "-" : decimal.format(m.mean)}, SD ${
        m.variance === null ? "-" : decimal.format(Math.sqrt(m.variance))
      }`;
    case "quantiles":
      return `${head}: ${m.probabilities
        .map((p, i) => {
          const q = m.quantiles?.[i] ?? null;
          return `${p}: ${q === null ? "outside the bins" : decimal.format(q)}`;
        })
        .join(", ")}`;
    case "twoByTwo": {
      const mh = m.oddsRatio?.mantelHaenszel;
      const random = m.oddsRatio?.random;
      const i2 = m.oddsRatio?.heterogeneity?.iSquared;
      return `${head}: OR (Mantel–Haenszel) ${
        mh
          ? `${decimal.format(mh.ratio)} (95% CI ${decimal.format(mh.ratioLower)}–${decimal.format(mh.ratioUpper)})`
          : "undefined"
      }; random effects ${random ? decimal.format(random.ratio) : "-"}, I² ${
        i2 === undefined ? "-" : `${decimal.format(i2)}%`
      }`;
    }
  }
}

/**
 * The human-readable summary of a federated query's report, printed on standard error
 * before the JSON: whether the result is complete or PARTIAL, per hospital whether it was
 * verified (and what it suppressed or withheld), declined (and why), unanswered or invalid,
 * and per measure its pooled figure or why it is not released.
 *
 * @example
 * ```ts
 * io.stderr(formatQueryReport(report, session.nameOf));
 * ```
 */
export function formatQueryReport(
  report: FederatedQueryReport,
  nameOf: (hospitalId: number) => string | undefined,
): string {
  const contributed = report.hospitals.filter((h) => h.status === "verified").length;
  const lines = [
    report.partial
      ? `query ${report.queryId}: PARTIAL result — ${contributed} of ${report.hospitals.length} hospitals contributed`
      : `query ${report.queryId}: complete — all ${report.hospitals.length} hospitals contributed`,
    "hospitals:",
    ...report.hospitals.map((h) => hospitalLine(h, report.pooled, nameOf)),
  ];
  if (report.notPooled !== null) {
    lines.push(
      `nothing pooled: ${report.notPooled.verified} verified result(s), at least ${report.notPooled.minimum} needed`,
    );
  } else if (report.pooled !== null) {
    lines.push(
      `measures (released with at least ${report.pooled.minimumSites} hospitals behind a figure):`,
      ...report.pooled.measures.map(measureLine),
    );
  }
  return `${lines.join("\n")}\n`;
}
