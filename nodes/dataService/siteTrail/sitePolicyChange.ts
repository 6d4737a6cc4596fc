import { createHash } from "node:crypto";
import { canonicalJson } from "../../../src/canonical/index.ts";
import type { ResolvedDataServiceConfig } from "../loadDataServiceConfig.ts";
import type {
  SitePolicyDetails,
  SitePolicyFieldChange,
  SitePolicySnapshot,
  TrailHash,
} from "./SiteTrailEntry.ts";

const fields: readonly (keyof SitePolicySnapshot)[] = [
  "purposes",
  "measures",
  "minCellSize",
  "roundingBase",
  "minStatisticN",
  "dominanceShare",
  "epsilonMicro",
  "manualRelease",
];

/**
 * The site policy of a configuration as the trail records it (a plain copy, field by field).
 *
 * @example
 * ```ts
 * sitePolicySnapshot(config.policy).minCellSize; // 11
 * ```
 */
export function sitePolicySnapshot(
  policy: ResolvedDataServiceConfig["policy"],
): SitePolicySnapshot {
  return {
    purposes: [...policy.purposes],
    measures: [...policy.measures],
    minCellSize: policy.minCellSize,
    roundingBase: policy.roundingBase,
    minStatisticN: policy.minStatisticN,
    dominanceShare: policy.dominanceShare,
    epsilonMicro: policy.epsilonMicro,
    manualRelease: policy.manualRelease,
  };
}

/** SHA-256 of a policy's RFC 8785 JSON. */
function policyHash(policy: SitePolicySnapshot): TrailHash {
  return `0x${createHash("sha256").update(canonicalJson(policy), "utf8").digest("hex")}`;
}

/**
 * The `policy` entry a start of the service owes the trail: none when the configured policy
 * is the one last recorded (same hash), otherwise the new policy with its hash, the previous
 * hash and every field that changed (all of them, from null, in a trail's first policy).
 * Pure.
 *
 * @example
 * ```ts
 * const change = sitePolicyChange(trail.lastPolicy(), config.policy);
 * if (change !== null) await trail.append("policy", change);
 * ```
 */
export function sitePolicyChange(
  previous: SitePolicyDetails | null,
  policy: ResolvedDataServiceConfig["policy"],
): SitePolicyDetails | null {
  const snapshot = sitePolicySnapshot(policy);
  const hash = policyHash(snapshot);
  if (previous !== null && previous.hash === hash) return null;
  const changed: SitePolicyFieldChange[] = [];
  for (const field of fields) {
    const before = previous === null ? undefined : previous.policy[field];
    const after = snapshot[field];
    if (before === undefined || canonicalJson(before) !== canonicalJson(after)) {
      changed.push({ field, from: before ?? null, to: after });
    }
  }
  return { hash, previousHash: previous?.hash ?? null, changed, policy: snapshot };
}
