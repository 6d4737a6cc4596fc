import type { DeclineReason } from "../../../src/federation/index.ts";

/** A 32-byte hash as lowercase 0x hex. */
export type TrailHash = `0x${string}`;

/**
 * The site policy as the trail records it: the `policy` section of the data service's
 * configuration (purposes, measures and every disclosure threshold), field by field.
 */
export interface SitePolicySnapshot {
  readonly purposes: readonly string[];
  readonly measures: readonly string[];
  readonly minCellSize: number;
  readonly roundingBase: number;
  readonly minStatisticN: number;
  readonly dominanceShare: number;
  readonly epsilonMicro: number;
  readonly manualRelease: boolean;
}

/** One field of the site policy that changed; `from` is null in the first policy entry. */
export interface SitePolicyFieldChange {
  readonly field: keyof SitePolicySnapshot;
  readonly from: SitePolicySnapshot[keyof SitePolicySnapshot] | null;
  readonly to: SitePolicySnapshot[keyof SitePolicySnapshot];
}

/** `policy`: the site policy in force differs from the last one recorded (or is the first). */
export interface SitePolicyDetails {
  /** SHA-256 of the policy's RFC 8785 JSON. */
  readonly hash: TrailHash;
  /** The hash of the policy recorded before, or null for the trail's first policy. */
  readonly previousHash: TrailHash | null;
  readonly changed: readonly SitePolicyFieldChange[];
  /** The whole policy now in force (it is public: `GET /policy` serves it). */
  readonly policy: SitePolicySnapshot;
}

/**
 * `requestDenied`: the HTTP API refused a request — an unsigned, foreign, stale or replayed
 * request, a wrong staff token, a spec that is not JSON, does not validate or is not the one
 * on chain. Only what identifies the request, never its body: the route template (no path
 * parameters but the query id), the claimed signer, and hashes.
 */
export interface RequestDeniedDetails {
  readonly method: string;
  /** The route as declared, e.g. `/queries/:id/spec`. */
  readonly route: string;
  /** The query the request was about (its id is public on chain), or null. */
  readonly queryId: string | null;
  /** The CustosError code answered. */
  readonly code: string;
  readonly status: number;
  /** The error's short reason (e.g. "signature does not match"), or null. */
  readonly reason: string | null;
  /** The account the request claimed to be signed by (not verified), or null. */
  readonly address: string | null;
  /** keccak-256 of the body bytes, as the request signature covers them (researcher routes only). */
  readonly bodyHash: TrailHash | null;
  /** The canonical hash of the spec sent, when it parsed and was not the one on chain. */
  readonly specHash: TrailHash | null;
}

/** `queryDeclined`: the service declined a query (site policy, disclosure rules, failure). */
export interface QueryDeclinedDetails {
  readonly queryId: string;
  readonly reason: DeclineReason;
  /** The on-chain reason code. */
  readonly reasonCode: number;
  /** The error behind the decline: a code, never data. */
  readonly errorCode: string | null;
  /** Runs started before the decline. */
  readonly attempts: number;
}

/** `runFailed`: one run of a query failed (error, time limit, or the process died in it). */
export interface RunFailedDetails {
  readonly queryId: string;
  /** The run that failed (1 for the first). */
  readonly attempt: number;
  /** The error's code; null when the process died in the run. */
  readonly errorCode: string | null;
  readonly timedOut: boolean;
  /** The process stopped during the run (found `running` at start). */
  readonly interrupted: boolean;
  /** Whether the query goes back to the queue (otherwise it is declined). */
  readonly retry: boolean;
}

/** `manualRelease`: staff released or refused a result held for manual release. */
export interface ManualReleaseDetails {
  readonly queryId: string;
  readonly action: "release" | "refuse";
  /** The result's hash (what `recordResult` anchors). */
  readonly resultHash: TrailHash | null;
  /** The rounded subject count of the held result. */
  readonly subjectCount: number | null;
  /** ε of the held result, micro-units, as a decimal string. */
  readonly epsilon: string | null;
}

/** The details of each kind of trail entry. */
export interface SiteTrailDetailsByKind {
  readonly policy: SitePolicyDetails;
  readonly requestDenied: RequestDeniedDetails;
  readonly queryDeclined: QueryDeclinedDetails;
  readonly runFailed: RunFailedDetails;
  readonly manualRelease: ManualReleaseDetails;
}

/** The kinds of entries a site trail holds. */
export type SiteTrailKind = keyof SiteTrailDetailsByKind;

/** The kinds, in the order docs/data-service.md lists them. */
export const siteTrailKinds: readonly SiteTrailKind[] = [
  "policy",
  "requestDenied",
  "queryDeclined",
  "runFailed",
  "manualRelease",
];

/** An entry of kind `K`. */
export interface SiteTrailEntryOf<K extends SiteTrailKind> {
  /** Position in the trail, from 1. */
  readonly seq: number;
  /** Unix seconds, from the service's clock. */
  readonly time: number;
  readonly kind: K;
  readonly details: SiteTrailDetailsByKind[K];
  /** The hash of the entry before (32 zero bytes for the first): the trail is a hash chain. */
  readonly prevHash: TrailHash;
  /** SHA-256 of the RFC 8785 JSON of the five fields above. */
  readonly hash: TrailHash;
}

/**
 * One entry of a hospital's site trail (docs/data-service.md, "The site trail"), discriminated
 * by `kind`. Entries hold no patient identifier or pseudonym and no request body: ids, codes,
 * reasons and hashes.
 */
export type SiteTrailEntry = {
  [K in SiteTrailKind]: SiteTrailEntryOf<K>;
}[SiteTrailKind];

/** The last entry of a trail: its sequence (0 for an empty trail) and hash. */
export interface SiteTrailHead {
  readonly seq: number;
  readonly hash: TrailHash;
}
