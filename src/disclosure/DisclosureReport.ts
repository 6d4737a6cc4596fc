/** A cell position in a report: category indices, `"total"` for a margin position. */
export type ReportCoordinate = number | "total";

/** Versions of the rules a release applied; a change of behaviour bumps the version. */
export const disclosureRuleVersions = Object.freeze({
  report: "custos.disclosure-report/1",
  primarySuppression: "min-cell/1",
  complementarySuppression: "hypercube-min-mass/1",
  audit: "interval-audit/1",
  rounding: "round-to-base/1",
  noise: "cks2020-discrete/1",
  differencing: "exact-symmetric-difference/1",
});

/** The request a report is about. */
export interface ReportRequest {
  readonly requester: string | null;
  readonly hospital: string | null;
  /** e.g. the on-chain query spec hash. */
  readonly queryId: string | null;
}

/** The policy as applied, flattened to JSON. */
export interface ReportPolicy {
  readonly minCellSize: number;
  readonly releaseZeros: boolean;
  readonly protectionInterval: number;
  readonly minCohortDifference: number;
  readonly roundingBase: number;
  readonly roundingMode: "nearest" | "random";
}

/** The noise mechanism and its exact parameters. */
export interface ReportNoise {
  readonly mechanism: "none" | "discreteLaplace" | "discreteGaussian";
  /** ε charged to the budget, micro-ε. */
  readonly epsilonMicro: number;
  /** Laplace scale 1/ε as "num/den", or null. */
  readonly laplaceScale: string | null;
  /** Gaussian σ² as "num/den", or null. */
  readonly gaussianSigmaSquared: string | null;
  /** Gaussian ρ (zCDP), micro-units, or null. */
  readonly rhoMicro: number | null;
  /** δ of the (ε, δ) conversion, or null. */
  readonly delta: number | null;
  /** Budget after the charge, or null when nothing was charged. */
  readonly budgetSpentMicro: number | null;
}

/**
 * The machine-readable record of one release decision; its `canonicalHash` is what the
 * AccessLedger anchors. It names primary and secondary cells, so it is a custodian and
 * regulator document: handing it to the requester would tell them which hidden cells are
 * small (1 … min − 1) and which are not, narrowing the intervals the audit protects. The
 * requester gets the released table and the report hash.
 */
export interface DisclosureReport {
  readonly schema: string;
  readonly status: "released" | "refused";
  /** Why a release was refused, or null. */
  readonly refusal: null | {
    readonly reason: "differencing" | "budget";
    readonly detail: Readonly<Record<string, number>>;
  };
  readonly ruleVersions: typeof disclosureRuleVersions;
  readonly request: ReportRequest;
  readonly table: {
    readonly dimensions: readonly { readonly name: string; readonly categories: number }[];
    readonly extendedCells: number;
  };
  readonly policy: ReportPolicy;
  readonly noise: ReportNoise;
  readonly differencing: {
    readonly checked: boolean;
    readonly compared: number;
  };
  /** Null when refused before suppression. */
  readonly suppression: null | {
    readonly primary: readonly (readonly ReportCoordinate[])[];
    readonly secondary: readonly (readonly ReportCoordinate[])[];
  };
  /** Null when refused before suppression. */
  readonly audit: null | {
    readonly method: "network-flow" | "hypercube-certificate";
    readonly lowerBound: number;
    readonly checkedCells: number;
    readonly provenByCertificate: number;
    readonly provenByNetworkFlow: number;
    readonly passed: boolean;
  };
  /** canonicalHash of the released table, or null when refused. */
  readonly resultHash: string | null;
}
