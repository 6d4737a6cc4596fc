import { canonicalHash } from "../canonical/index.ts";
import { CustosError } from "../errors/index.ts";
import { auditSuppression } from "./auditSuppression.ts";
import { cellStatus } from "./cellStatus.ts";
import { checkDifferencing } from "./checkDifferencing.ts";
import { addMargins, assertCountTable, type CountTable } from "./createCountTable.ts";
import type { DifferencingStore } from "./DifferencingStore.ts";
import {
  type DisclosureReport,
  disclosureRuleVersions,
  type ReportCoordinate,
  type ReportNoise,
} from "./DisclosureReport.ts";
import { coordinatesOf } from "./hypercubeWidth.ts";
import type { PrivacyBudgetStore } from "./PrivacyBudgetStore.ts";
import { privacyCost } from "./privacyCost.ts";
import type { RandomSource } from "./RandomSource.ts";
import type { Rational } from "./Rational.ts";
import {
  type DisclosurePolicy,
  type DisclosurePolicyInput,
  resolveDisclosurePolicy,
} from "./resolveDisclosurePolicy.ts";
import { roundCount } from "./roundCount.ts";
import { sampleDiscreteGaussian } from "./sampleDiscreteGaussian.ts";
import { sampleDiscreteLaplace } from "./sampleDiscreteLaplace.ts";
import { suppressComplementary } from "./suppressComplementary.ts";
import { suppressPrimary } from "./suppressPrimary.ts";
import { type CohortInput, toCohort } from "./toCohort.ts";

/** Injected effects of a release. Each is required only by the rules that use it. */
export interface ReleasePorts {
  /** Randomness for DP noise and random rounding (a CSPRNG in production). */
  readonly random?: RandomSource;
  /** ε ledger, required when the policy adds noise. */
  readonly budget?: PrivacyBudgetStore;
  /** Earlier cohorts per requester, required when the request names a cohort. */
  readonly differencing?: DifferencingStore;
}

/** Who asks, where, and for which cohort. */
export interface ReleaseRequest {
  /** Requester identity (e.g. researcher address); needed for budget and differencing. */
  readonly requester?: string;
  /** Hospital releasing the table; needed for the budget. */
  readonly hospital?: string;
  /** Query identifier recorded in the report, e.g. the on-chain spec hash. */
  readonly queryId?: string;
  /** The subjects the table counts; enables the differencing guard. */
  readonly cohort?: CohortInput;
  /**
   * Extended cells (row-major indices, margins included) the requester already knows, such
   * as a grand total equal to a cohort size released beside the table. They are never chosen
   * as complements, so the audit sees them as known; a small cell they leave unprotectable
   * fails the audit rather than being released.
   */
  readonly publicCells?: readonly number[];
}

/** The released table: extended layout (margins included), `null` where suppressed. */
export interface ReleasedTable {
  readonly dimensions: readonly { readonly name: string; readonly categories: readonly string[] }[];
  /** Categories + 1 (the total) per dimension; `values` is row-major over this shape. */
  readonly extendedShape: readonly number[];
  readonly values: readonly (number | null)[];
}

/** Outcome of {@link releaseTable}: refusals are expected outcomes and are returned. */
export type ReleaseOutcome =
  | {
      readonly status: "released";
      readonly table: ReleasedTable;
      readonly report: DisclosureReport;
      readonly reportHash: `0x${string}`;
    }
  | {
      readonly status: "refused";
      readonly reason: "differencing" | "budget";
      readonly report: DisclosureReport;
      readonly reportHash: `0x${string}`;
    };

function policyError(field: string, shortMessage: string): never {
  throw new CustosError("DISCLOSURE_POLICY_INVALID", shortMessage, { details: { field } });
}

function text(r: Rational | undefined): string | null {
  return r === undefined ? null : `${r.num}/${r.den}`;
}

function reportCoordinates(table: CountTable, index: number): ReportCoordinate[] {
  return coordinatesOf(table, index).map((c, d) => (c === table.shape[d] ? "total" : c));
}

/** Interior counts plus noise (clamped at 0), margins recomputed from the noisy cells. */
function addNoise(table: CountTable, draw: () => bigint): CountTable {
  const { shape, strides, extendedShape } = table;
  const values = new Float64Array(table.values.length);
  const coords = new Array<number>(shape.length).fill(0);
  for (let index = 0; index < values.length; index++) {
    let interior = true;
    for (let d = 0; d < shape.length; d++) if (coords[d] === shape[d]) interior = false;
    if (interior) {
      const noisy = BigInt(table.values[index] ?? 0) + draw();
      values[index] = noisy > 0n ? Number(noisy) : 0;
    }
    for (let d = shape.length - 1; d >= 0; d--) {
      const next = (coords[d] ?? 0) + 1;
      if (next < (extendedShape[d] ?? 0)) {
        coords[d] = next;
        break;
      }
      coords[d] = 0;
    }
  }
  addMargins(values, shape, strides);
  return { ...table, values };
}

/**
 * Releases a count table under a disclosure policy, running the rules in order:
 * 1. differencing guard (when the request names a cohort): refuse a cohort within
 *    1 … minCohortDifference − 1 subjects of an earlier one of the same requester;
 * 2. privacy budget (when the policy adds noise): charge ε or refuse;
 * 3. DP noise on interior cells (exact discrete Laplace/Gaussian), margins recomputed;
 * 4. primary suppression (0 < count < minCellSize, and zeros unless released);
 * 5. complementary suppression (hypercube method, least suppressed mass);
 * 6. audit of every suppressed cell's feasible interval (exact max flow for 1-D/2-D,
 *    verified hypercube certificates for n-D); a failure is a violation and throws
 *    rather than release anything;
 * 7. rounding of the released values (margins rounded independently: they are never
 *    recomputed from rounded cells, so no suppressed cell leaks through them);
 * 8. recording the cohort for later differencing checks.
 * Refusals (differencing, budget) are returned with a report, as expected outcomes; use
 * `assertReleased` to turn them into errors.
 *
 * @throws CustosError `DISCLOSURE_INVALID_TABLE` for a table not built by `createCountTable`;
 * `DISCLOSURE_POLICY_INVALID` for a bad policy or a missing port or
 * request field the policy needs; `DISCLOSURE_INVALID_COHORT` for a malformed cohort;
 * `DISCLOSURE_AUDIT_FAILED` if the audit cannot prove a suppressed cell protected.
 * @example
 * ```ts
 * const outcome = await releaseTable(table, { minCellSize: 11 }, { differencing: store }, {
 *   requester: "0xabc…",
 *   hospital: "hospital-a",
 *   cohort,
 * });
 * if (outcome.status === "released") anchor(outcome.reportHash);
 * ```
 */
export async function releaseTable(
  table: CountTable,
  policyInput: DisclosurePolicyInput,
  ports: ReleasePorts,
  request: ReleaseRequest = {},
): Promise<ReleaseOutcome> {
  assertCountTable(table);
  const policy = resolveDisclosurePolicy(policyInput);
  const cost = privacyCost(policy.noise);
  const noisy = policy.noise.mechanism !== "none";
  if ((noisy || policy.rounding.mode === "random") && ports.random === undefined) {
    policyError("ports.random", "noise and random rounding need a random source");
  }
  if (noisy && (ports.budget === undefined || !request.requester || !request.hospital)) {
    policyError("ports.budget", "noise needs a budget store, a requester and a hospital");
  }
  const cohort = request.cohort === undefined ? undefined : toCohort(request.cohort);
  if (cohort !== undefined && (ports.differencing === undefined || !request.requester)) {
    policyError("ports.differencing", "a cohort needs a differencing store and a requester");
  }

  const base = {
    schema: disclosureRuleVersions.report,
    ruleVersions: disclosureRuleVersions,
    request: {
      requester: request.requester ?? null,
      hospital: request.hospital ?? null,
      queryId: request.queryId ?? null,
    },
    table: {
      dimensions: table.dimensions.map((d) => ({ name: d.name, categories: d.categories.length })),
      extendedCells: table.values.length,
    },
    policy: reportPolicy(policy),
  };
  const noiseReport = (budgetSpentMicro: number | null): ReportNoise => ({
    mechanism: policy.noise.mechanism,
    epsilonMicro: cost.epsilonMicro,
    laplaceScale: text(cost.laplaceScale),
    gaussianSigmaSquared: text(cost.gaussianSigmaSquared),
    rhoMicro: policy.noise.mechanism === "discreteGaussian" ? policy.noise.rhoMicro : null,
    delta: policy.noise.mechanism === "discreteGaussian" ? policy.noise.delta : null,
    budgetSpentMicro,
  });
  const refuse = (
    reason: "differencing" | "budget",
    detail: Record<string, number>,
    compared: number,
  ): ReleaseOutcome => {
    const report: DisclosureReport = {
      ...base,
      status: "refused",
      refusal: { reason, detail },
      noise: noiseReport(null),
      differencing: { checked: cohort !== undefined, compared },
      suppression: null,
      audit: null,
      resultHash: null,
    };
    return { status: "refused", reason, report, reportHash: canonicalHash(report) };
  };

  let compared = 0;
  if (cohort !== undefined && ports.differencing !== undefined) {
    const decision = await checkDifferencing(
      ports.differencing,
      request.requester ?? "",
      cohort,
      policy.minCohortDifference,
    );
    if (decision.status === "refused") {
      return refuse(
        "differencing",
        {
          symmetricDifference: decision.symmetricDifference,
          minDifference: decision.minDifference,
        },
        0,
      );
    }
    compared = decision.compared;
  }

  let budgetSpentMicro: number | null = null;
  let working = table;
  const random = ports.random;
  const laplace = cost.laplaceScale;
  const gaussian = cost.gaussianSigmaSquared;
  const draw =
    random === undefined
      ? null
      : laplace !== undefined
        ? () => sampleDiscreteLaplace(random, laplace)
        : gaussian !== undefined
          ? () => sampleDiscreteGaussian(random, gaussian)
          : null;
  if (draw !== null && ports.budget !== undefined) {
    const charge = await ports.budget.charge(
      request.requester ?? "",
      request.hospital ?? "",
      cost.epsilonMicro,
    );
    if (charge.status === "refused") {
      return refuse(
        "budget",
        {
          spentMicro: charge.spentMicro,
          requestedMicro: charge.requestedMicro,
          limitMicro: charge.limitMicro,
        },
        compared,
      );
    }
    budgetSpentMicro = charge.spentMicro;
    working = addNoise(table, draw);
  }

  const primary = suppressPrimary(working, policy);
  const publicCells = new Uint8Array(working.values.length);
  for (const index of request.publicCells ?? []) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= publicCells.length) {
      policyError("request.publicCells", "a public cell must be an extended cell index");
    }
    publicCells[index] = 1;
  }
  const { status, hypercubes } = suppressComplementary(working, primary, {
    ...policy,
    publicCells,
  });
  // 1-D and 2-D patterns are audited by exact max flow alone, independent of how they were
  // chosen; n-D tables have no flow formulation and are proven by their certificates.
  const audit = auditSuppression(
    working,
    status,
    working.shape.length <= 2 ? policy : { ...policy, hypercubes },
  );
  if (!audit.passed) {
    throw new CustosError("DISCLOSURE_AUDIT_FAILED", "a suppressed cell is not protected", {
      details: { failures: audit.failures.slice(0, 10).map((f) => f.coordinates) },
    });
  }

  const values: (number | null)[] = new Array(status.length);
  const primaryCells: ReportCoordinate[][] = [];
  const secondaryCells: ReportCoordinate[][] = [];
  for (let i = 0; i < status.length; i++) {
    const s = status[i];
    if (s === cellStatus.released) {
      values[i] = roundCount(working.values[i] ?? 0, policy.rounding, ports.random);
      continue;
    }
    values[i] = null;
    (s === cellStatus.primary ? primaryCells : secondaryCells).push(reportCoordinates(working, i));
  }
  const released: ReleasedTable = {
    dimensions: table.dimensions.map((d) => ({ name: d.name, categories: [...d.categories] })),
    extendedShape: [...table.extendedShape],
    values,
  };
  if (cohort !== undefined && ports.differencing !== undefined) {
    await ports.differencing.record(request.requester ?? "", cohort);
  }
  const report: DisclosureReport = {
    ...base,
    status: "released",
    refusal: null,
    noise: noiseReport(budgetSpentMicro),
    differencing: { checked: cohort !== undefined, compared },
    suppression: { primary: primaryCells, secondary: secondaryCells },
    audit: {
      method: audit.method,
      lowerBound: policy.releaseZeros ? 1 : 0,
      checkedCells: audit.checkedCells,
      provenByCertificate: audit.provenByCertificate,
      provenByNetworkFlow: audit.provenByNetworkFlow,
      passed: audit.passed,
    },
    resultHash: canonicalHash(released),
  };
  return { status: "released", table: released, report, reportHash: canonicalHash(report) };
}

function reportPolicy(policy: DisclosurePolicy): DisclosureReport["policy"] {
  return {
    minCellSize: policy.minCellSize,
    releaseZeros: policy.releaseZeros,
    protectionInterval: policy.protectionInterval,
    minCohortDifference: policy.minCohortDifference,
    roundingBase: policy.rounding.base,
    roundingMode: policy.rounding.mode,
  };
}
