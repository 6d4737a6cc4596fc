import { decodeCategories, purposeCodes } from "../../src/consent/index.ts";
import type { DeclineReason } from "../../src/federation/index.ts";
import { querySpecCategories } from "../../src/query/index.ts";
import type { ResolvedDataServiceConfig } from "./loadDataServiceConfig.ts";
import type { QueryJob } from "./QueryJob.ts";

/**
 * The site-policy checks of a query before anything is read, in order: approval, expiry,
 * purpose (the query's DUO permission must be one the site accepts), measure types (deny by
 * default: each must be listed), and the data categories (the spec may read only what the
 * query requested, since consent is checked for those). Returns the decline reason, or null
 * when the query may run. Pure.
 */
export function checkQueryTerms(
  job: QueryJob,
  policy: ResolvedDataServiceConfig["policy"],
  nowSeconds: number,
): DeclineReason | null {
  if (nowSeconds >= job.expiry) return job.approved ? "expired" : "notApproved";
  if (!job.approved) return "notApproved";
  const accepted = policy.purposes.some((label) => {
    const code = purposeCodes[label as keyof typeof purposeCodes];
    return code !== undefined && (job.use & code.bit) !== 0;
  });
  if (!accepted) return "purposeRefused";
  const spec = job.spec;
  if (spec === null) return "specInvalid";
  if (spec.measures.some((m) => !policy.measures.includes(m.type))) return "measureRefused";
  const requested = new Set(decodeCategories(job.categories));
  if (querySpecCategories(spec).some((category) => !requested.has(category))) return "specInvalid";
  return null;
}
